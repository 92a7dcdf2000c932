/**
 * Shapes shared by LLM generation: what a prompt is built from, what a candidate LF is, how it scored and
 * whether it passed. Plain data only (JSON-serialisable) so generations can be saved, reloaded and sent to
 * the review webview unchanged.
 */

/** How much context the prompt gives, in the order ScriptoriumWS studied them; each tier adds to the last. */
export const PROMPT_TIERS = ['task', 'labels', 'examples', 'lfs', 'heuristics'] as const;
export type PromptTier = (typeof PROMPT_TIERS)[number];

/** One row shown to the model: its text and, when known, its gold label name. */
export interface PromptExample {
  id: string;
  text: string;
  label: string | null;
}

/** An existing LF, for style and to avoid duplicates. */
export interface ExistingLf {
  name: string;
  /** The function's source including its decorator. */
  code: string;
}

/** "Improve this LF": what the LF gets wrong on the dev set and where it disagrees with the others. */
export interface ImproveTarget {
  name: string;
  code: string;
  /** Rows it voted on with the wrong label (text, what it said, the gold label name). */
  falsePositives: { text: string; voted: string; gold: string }[];
  /** Rows of its class it abstained on. */
  falseNegatives: { text: string; gold: string }[];
  /** Rows where it conflicts with another LF (text, the other LF's name and vote). */
  conflicts: { text: string; otherLf: string; otherVote: string }[];
}

export type PromptMode =
  | { kind: 'general' }
  /** Write LFs for rows that no existing LF votes on. */
  | { kind: 'uncovered'; rows: PromptExample[] }
  | { kind: 'improve'; target: ImproveTarget };

export interface PromptInput {
  task: string;
  labels: string[];
  labelDescriptions?: Record<string, string>;
  tier: PromptTier;
  mode: PromptMode;
  /** Examples already sampled (see sampleExamples); used from the 'examples' tier up. */
  examples?: PromptExample[];
  existingLfs?: ExistingLf[];
  heuristics?: string;
  /** How many LFs to ask for. */
  count: number;
  /** Name of the field that holds the text (LFs read `x.<textField>`). */
  textField: string;
}

export interface BuiltPrompt {
  system: string;
  user: string;
  tier: PromptTier;
  mode: PromptMode['kind'];
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  /** US dollars, when the model's price is known; null otherwise. */
  costUsd: number | null;
}

/** A labeling function extracted from the reply, ready to run on its own. */
export interface Candidate {
  /** The LF's (possibly renamed) function name. */
  name: string;
  /** Name as the model wrote it, when it was renamed to avoid a collision. */
  originalName: string | null;
  /** Self-contained module: imports, constants and helpers it uses, then the LF. */
  code: string;
  /** Only the LF's own decorator and def, for inserting into the user's file. */
  functionCode: string;
  /** Import lines and helper definitions the function needs (to add to the user's file if absent). */
  support: string[];
  /** Set when the code could not be used; the candidate is then listed but never accepted. */
  parseError: string | null;
}

export interface CandidateScore {
  /** Fraction of sample rows it votes on. */
  coverage: number;
  /** Label-model accuracy when voting, fitted with the existing LFs plus this one; null if not fitted. */
  estimatedAccuracy: number | null;
  /** correct / votes on the dev set (a precision); null without a dev set or without votes there. */
  devAccuracy: number | null;
  devVotes: number;
  /** Highest, over existing LFs, of (rows both vote on) / (rows the candidate votes on). */
  maxOverlap: number;
  maxOverlapWith: string | null;
  /**
   * Every existing LF that votes on at least one of the candidate's sample rows, highest share first, with
   * what the overlap rule and the refinement test need (candidateFilter.ts). Absent in generations saved
   * before it was recorded.
   */
  overlaps?: LfOverlap[];
  /** Sample rows scored and sample rows it votes on. Absent in older saved generations. */
  rows?: number;
  votes?: number;
  /** Dev rows it votes on correctly (devAccuracy = devCorrect / devVotes). Absent in older saved generations. */
  devCorrect?: number;
  /** Fraction of sample rows where it votes and some existing LF votes a different label. */
  conflict: number;
  /** Change in label-model accuracy on the dev set, and in total coverage, if it were added. */
  deltaLabelModelAccuracy: number | null;
  deltaCoverage: number;
  polarity: number[];
  errors: number;
  firstError: string | null;
  timedOut: boolean;
  /** A few rows it votes on, for the review panel. */
  exampleRows: { id: string; text: string; vote: number; gold: number | null }[];
}

/** How a candidate meets one existing LF: the figures behind the overlap rule and the refinement test. */
export interface LfOverlap {
  /** The existing LF. */
  name: string;
  /** Share of the candidate's sample votes on rows this LF also votes on (0..1). */
  share: number;
  /** Sample rows this LF votes on (a refinement votes on fewer). */
  votes: number;
  /** This LF's correct votes and votes on the dev set; null without a dev set with gold labels. */
  devCorrect: number | null;
  devVotes: number | null;
}

/** What scoring one candidate gave: its figures, or why it could not run at all (file error, ...). */
export type ScoreOutcome = { ok: true; score: CandidateScore } | { ok: false; error: string };

export interface Thresholds {
  /** Minimum dev accuracy; DataSculpt's starting point is 0.6. */
  minDevAccuracy: number;
  /**
   * The overlap limit: a candidate passes only if its overlap with every existing LF is below it (a
   * refinement excepted, see candidateFilter.ts). DataSculpt's 0.95.
   */
  maxOverlap: number;
  /** Minimum coverage on the sample (0 keeps any LF that votes at all). */
  minCoverage: number;
  /** Used instead of dev accuracy when there is no dev set. */
  minEstimatedAccuracy: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  minDevAccuracy: 0.6,
  maxOverlap: 0.95,
  minCoverage: 0,
  minEstimatedAccuracy: 0.6,
};

export type Decision = 'pending' | 'accepted' | 'rejected';

export interface ScoredCandidate extends Candidate {
  score: CandidateScore | null;
  /**
   * Why the sandbox could not run it at all (syntax or import error, ...); null when it ran or was not run.
   * Absent in older saved generations.
   */
  runError?: string | null;
  /** Whether it met the thresholds, and why not. */
  passed: boolean;
  reason: string;
  /** 1 = best; candidates that failed come after all that passed. */
  rank: number;
  decision: Decision;
}

/** Everything about one generation, as saved under `.lfstudio/generations/`. */
export interface GenerationRecord {
  version: 1;
  id: string;
  /**
   * Where the candidates came from: an LLM (absent, or 'llm'), or the suggester mining labeled rows
   * (lf-runtime/src/suggest; then `prompt.user` says from which rows, and `reply` holds the suggested file).
   */
  source?: 'llm' | 'suggester';
  createdAt: string;
  model: string;
  baseUrl: string | null;
  /** Class names in class-id order, as the candidates were scored. */
  labels: string[];
  prompt: BuiltPrompt;
  reply: string;
  stopReason: string | null;
  usage: TokenUsage | null;
  warnings: string[];
  /** Why the generation produced nothing usable (no code, every block broken); null otherwise. */
  problem: string | null;
  thresholds: Thresholds;
  candidates: ScoredCandidate[];
}
