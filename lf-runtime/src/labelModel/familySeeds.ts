/**
 * The seed sets of the synthetic families (syntheticFamilies.ts, which re-exports them): which seeds the default
 * was designed on and which were held out from it, round by round.
 */
/** Seeds of the 'tune' families (and, in round 2, of the 'round-2' family) the default was designed on. */
export const TUNE_SEEDS = [1, 2, 3, 4, 5, 6];
/** Seeds of the 'round-1' families the check was revised on (and the default designed on in round 2). */
export const ROUND_1_SEEDS = [101, 102, 103, 104, 105, 106];
/** Seeds reported as held out in round 1, for every family (none of them was looked at before the check was fixed). */
export const HELD_OUT_SEEDS = [201, 202, 203, 204, 205, 206];
/** Seeds no family was drawn on before the round-2 default was fixed: the clean held-out runs. */
export const ROUND_2_HELD_OUT_SEEDS = [301, 302, 303, 304, 305, 306];
/** Seeds first drawn after the round-3 default was fixed, and after the round-4 one (held-out-3, held-out-4). */
export const ROUND_3_HELD_OUT_SEEDS = [401, 402, 403, 404, 405, 406];
export const ROUND_4_HELD_OUT_SEEDS = [501, 502, 503, 504, 505, 506];
/**
 * Seeds first drawn after the round-5 default was fixed (held-out-5; LFs that share half of each other's votes
 * count once in the judge's and the fallback's estimates): run once, with the round-4 and the round-5 rule.
 */
export const ROUND_5_HELD_OUT_SEEDS = [601, 602, 603, 604, 605, 606];
/**
 * Seeds first drawn after the round-6 default was fixed (held-out-6; a pair that shares half of each other's
 * votes counts once only if it shares more than LFs independent given the class would): run once, with the
 * round-5 and the round-6 rule.
 */
export const ROUND_6_HELD_OUT_SEEDS = [701, 702, 703, 704, 705, 706];
