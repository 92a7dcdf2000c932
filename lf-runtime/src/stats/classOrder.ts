/**
 * Class names given in another order than the ids the LFs return (`"labels": ["positive", "negative"]` while the
 * LFs say NEGATIVE = 0): every figure on the dev set is then wrong, with no error anywhere. Seen as the LFs'
 * votes agreeing with the dev set's gold labels far better under another naming of the ids than the one given.
 */
import type { VoteMatrix } from './voteMatrix.ts';

/** Dev votes the check needs before it says anything. */
const MIN_VOTES = 20;
/** How much better another naming must agree, and how well, to be worth a warning. */
const MIN_GAIN = 0.3;
const MIN_AGREEMENT = 0.6;
/** Up to this many classes every naming is tried (8! = 40 320); beyond, the best match per id, if one-to-one. */
const EXACT_UP_TO = 8;

/**
 * The warning, or null. `L`: the LFs' votes on the dev rows (-1 abstain); `gold`: the dev rows' class ids (null
 * or -1: none).
 */
export function classOrderWarning(L: VoteMatrix, gold: readonly (number | null)[], labels: readonly string[]): string | null {
  const k = labels.length;
  // counts[v * k + g]: votes for id v on rows whose gold is g.
  const counts = new Float64Array(k * k);
  let total = 0;
  for (let i = 0; i < L.n && i < gold.length; i++) {
    const g = gold[i];
    if (g === null || g < 0 || g >= k) continue;
    for (let j = 0; j < L.m; j++) {
      const v = L.data[i * L.m + j];
      if (v < 0 || v >= k) continue;
      counts[v * k + g]++;
      total++;
    }
  }
  if (total < MIN_VOTES) return null;
  let given = 0;
  for (let c = 0; c < k; c++) given += counts[c * k + c];
  const best = bestNaming(counts, k);
  if (!best) return null;
  const asGiven = given / total;
  const renamed = best.agree / total;
  if (renamed < MIN_AGREEMENT || renamed - asGiven < MIN_GAIN) return null;
  const pct = (x: number) => `${Math.round(100 * x)}%`;
  const moved = best.perm.map((g, v) => (g === v ? null : `${v} as ${labels[g]}`)).filter((x): x is string => x !== null);
  return (
    `the LFs' votes agree with the dev set's gold labels on ${pct(asGiven)} of ${total} votes, but on ${pct(renamed)} with the class ids named otherwise ` +
    `(${moved.join(', ')}): the class names ("labels" in lfstudio.json, --labels) must be in the order of the ids the LFs return ` +
    `(${labels.map((l, c) => `${c} = ${l}`).join(', ')} now)`
  );
}

/** The naming of vote ids by gold classes (a permutation) that agrees most, or null when none is one-to-one. */
function bestNaming(counts: Float64Array, k: number): { perm: number[]; agree: number } | null {
  if (k <= EXACT_UP_TO) {
    let best: { perm: number[]; agree: number } | null = null;
    const perm: number[] = [];
    const used = new Array<boolean>(k).fill(false);
    const visit = (v: number, agree: number) => {
      if (v === k) {
        if (!best || agree > best.agree) best = { perm: [...perm], agree };
        return;
      }
      for (let g = 0; g < k; g++) {
        if (used[g]) continue;
        used[g] = true;
        perm.push(g);
        visit(v + 1, agree + counts[v * k + g]);
        perm.pop();
        used[g] = false;
      }
    };
    visit(0, 0);
    return best;
  }
  const perm = Array.from({ length: k }, (_, v) => {
    let g = 0;
    for (let c = 1; c < k; c++) if (counts[v * k + c] > counts[v * k + g]) g = c;
    return g;
  });
  if (new Set(perm).size < k) return null;
  return { perm, agree: perm.reduce((s, g, v) => s + counts[v * k + g], 0) };
}
