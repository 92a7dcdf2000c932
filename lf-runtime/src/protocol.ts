/**
 * The one typed protocol between LF Studio's three sides: the language server (lf-runtime), the extension
 * host (extension/) and the webviews (webview/). Every custom LSP message is declared here once as a typed
 * RequestType/NotificationType (so no caller restates its parameter or result type), and every webview
 * message as an interface, with who sends it and why. Its only runtime import is the platform-neutral entry
 * of vscode-languageserver-protocol; the webviews import its types only.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type {
  Candidate as LlmCandidate,
  ExistingLf as LlmExistingLf,
  GenerationRecord as LlmGenerationRecord,
  ImproveTarget as LlmImproveTarget,
  PromptExample as LlmPromptExample,
  PromptTier as LlmPromptTier,
  ScoreOutcome as LlmScoreOutcome,
} from './llm/types.ts';
import type { PythonParseOutcome } from './sandbox/pythonStructure.ts';

export const ABSTAIN = -1;

// ---------------------------------------------------------------------------------------------------------
// Analysis results (what the numbers in the editor are made of)
// ---------------------------------------------------------------------------------------------------------

export interface LfErrorSummary {
  kind: string;
  message: string;
  /** 1-based line in the LF file, when known. */
  line: number | null;
  traceback: string | null;
}

/** A narrow LF treated as an exception to a broader one (see lf-runtime/src/labelModel/overrides.ts). */
export interface LabelOverride {
  narrow: string;
  broad: string;
  rows: number;
}

/** Snorkel LFAnalysis figures for one LF, plus what went wrong running it. Fractions are in 0..1. */
export interface LfSummary {
  name: string;
  /** Absolute path of the file that defines the LF. */
  file: string;
  /** 1-based line of the LF's decorator or def. */
  line: number;
  /** Sorted distinct labels the LF emits. */
  polarity: number[];
  coverage: number;
  overlaps: number;
  conflicts: number;
  /** On the dev set with gold labels; null without one. */
  correct: number | null;
  incorrect: number | null;
  /** correct / votes on the dev set: really a precision. Null without a dev set or without votes. */
  empiricalAccuracy: number | null;
  /** Accuracy when voting, estimated by the label model without gold labels; null until fitted. */
  estimatedAccuracy: number | null;
  errors: number;
  timedOut: boolean;
  firstError: LfErrorSummary | null;
  /** The id of the first sample row the LF raised on (or returned an invalid value for), when it did. */
  firstErrorRow?: string;
  noneCount: number;
  /**
   * With a dev set: rows of it where the LF raised (or ran out of time), counted as abstain, so they are in
   * neither correct nor incorrect; and the first such error. A dev file whose fields differ from the sample's
   * shows here, not in `errors`.
   */
  devErrors?: number;
  devFirstError?: LfErrorSummary | null;
  /** Which runtime produced the figures: the pyodide sandbox, or the user's own Python. */
  runtime?: 'sandbox' | 'python';
  /** The file has a module-level `lfs = [...]` without this LF: figures shown, left out of the label model. */
  outsideLfsList?: boolean;
}

export interface FileProblem {
  file: string;
  message: string;
  line: number | null;
  /** 'warning' for a file that loads but cannot help yet (e.g. it defines no LFs); absent means an error. */
  severity?: 'error' | 'warning';
  /** A top-level statement that raised while it defined labeling functions: the LFs missing because of it. */
  undefinedLfs?: string[];
}

/** Everything one analysis pass produced for the project. */
export interface ProjectAnalysis {
  /** Monotonic counter so clients can drop stale results. */
  version: number;
  task: string;
  labels: string[];
  rows: number;
  devRows: number | null;
  lfs: LfSummary[];
  /** Fraction of rows where some LF votes / two distinct labels meet. */
  totalCoverage: number;
  totalConflict: number;
  /** The label model behind estimatedAccuracy: which one, the class balance it found, rows no LF votes on. */
  labelModel: {
    name: string;
    classBalance: number[];
    uncoveredRows: number;
    /** How the model was chosen, e.g. "best accuracy on the dev set (120 rows ...)". */
    chosenBy: string;
    usedDevSet: boolean;
    /**
     * Exceptions the model honoured: LF `narrow` votes only inside LF `broad`'s rows and differently, so the
     * broad vote was set aside on the `rows` where they disagree. LF names.
     */
    overrides: LabelOverride[];
  } | null;
  fileProblems: FileProblem[];
  durationMs: number;
}

export type RuntimeState = 'starting' | 'ready' | 'running' | 'error' | 'no-project';

export interface RuntimeStatus {
  state: RuntimeState;
  /** Short text for the status item, e.g. "10 LFs · 1686 rows". */
  text: string;
  /** Longer explanation; for errors, what is wrong and how to fix it. */
  detail: string;
  /** Containment layers active on this platform, e.g. ["separate process", "no environment"]. */
  isolation: string[];
  /** Set when the problem is in lfstudio.json (this absolute path): the editor offers to open it. */
  projectFile?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Custom LSP messages (language server <-> extension host)
// ---------------------------------------------------------------------------------------------------------

/**
 * Server -> client notification: a new analysis finished; feeds the dashboard and status item. Null when the
 * project stopped loading (broken lfstudio.json, missing data), so no view keeps showing figures as current.
 */
export const DidAnalyzeNotification = new NotificationType<ProjectAnalysis | null>('lfStudio/didAnalyze');

/** Server -> client notification: runtime state changed (starting, ready, error with a fix). */
export const RuntimeStatusNotification = new NotificationType<RuntimeStatus>('lfStudio/runtimeStatus');

/** Client -> server request: re-run every LF file of the project (command "Re-run All"); the new analysis. */
export const RerunAllRequest = new RequestType0<ProjectAnalysis | null, void>('lfStudio/rerunAll');

/** Client -> server request: kill and restart the sandbox process (command "Restart Runtime"). */
export const RestartRuntimeRequest = new RequestType0<void, void>('lfStudio/restartRuntime');

// ---------------------------------------------------------------------------------------------------------
// The rows behind the figures: examples view queries and gold labels (LSP requests)
// ---------------------------------------------------------------------------------------------------------

/**
 * Which rows to list. Every part given must hold. `split`: the sample, the dev file, or every row with a gold
 * label (dev rows and sample rows the user labeled). With `lf`, `vote`, `overlaps`, `conflicts`, `outcome` and
 * `errors` are about that LF; without it, `conflicts` means any two LFs disagree and `outcome` compares the
 * label model's answer with gold.
 */
export interface ExamplesFilter {
  split: 'sample' | 'dev' | 'labeled';
  lf?: string | null;
  /** With lf: the file that defines it (absolute path), telling apart LFs of the same name in two files. */
  lfFile?: string | null;
  /** With lf: rows it votes on, abstains on, or votes this class on. */
  vote?: 'any' | 'fires' | 'abstains' | number;
  /** With lf: rows where it votes and another label-model LF votes too. */
  overlaps?: boolean;
  /** With lf: rows where it votes and another label-model LF votes differently; without: any two disagree. */
  conflicts?: boolean;
  /** With lf: rows where it and this LF vote different classes. */
  conflictsWith?: string | null;
  /** Rows with gold where the LF's vote (with lf) or the label model's answer (without) is wrong / right. */
  outcome?: 'any' | 'wrong' | 'right';
  /** Rows with any gold label, none, or this gold class. */
  gold?: 'any' | 'labeled' | 'unlabeled' | number;
  /** Rows no label-model LF votes on. */
  uncovered?: boolean;
  /** Rows where some label-model LF votes this class. */
  anyVote?: number | null;
  /** With lf: rows on which it raised (as far as the runtime kept their ids). */
  errors?: boolean;
  /** Rows the label model gives this class. */
  predicted?: number | null;
  /** Rows whose most likely class has probability below this. */
  maxConfidence?: number | null;
  /** Case-insensitive text the row's text must contain. */
  search?: string;
}

export interface ExamplesQuery {
  filter: ExamplesFilter;
  /** 'seeded': a seeded shuffle (the same seed, the same rows); 'data': file order; 'confidence': least sure first. */
  order: 'seeded' | 'data' | 'confidence';
  seed: number;
  offset: number;
  limit: number;
}

export interface ExampleRow {
  split: 'sample' | 'dev';
  /** 0-based position in its data file's rows. */
  index: number;
  id: string;
  /** The row's text field (shortened for display when very long). */
  text: string;
  /** Other fields, as short strings. */
  fields: Record<string, string>;
  /** Every LF's vote, in ExamplesPage.lfNames order; -1 = abstain. */
  votes: number[];
  /** The label model's P(Y | votes) per class; null before a model is fitted. */
  probs: number[] | null;
  /** Gold class, or null. */
  gold: number | null;
  /** The gold label is one the user gave in the editor (it can be changed or taken back). */
  goldFromUser: boolean;
  /** [start, end) character ranges of `text` the filter's LF matched, where that can be known. */
  highlights: [number, number][];
}

export interface ExamplesPage {
  /** Analysis version the rows were read from. */
  version: number;
  /** Rows matching the filter (all pages). */
  total: number;
  offset: number;
  rows: ExampleRow[];
  lfNames: string[];
  labels: string[];
  /** The question in words, e.g. "Dev rows where keyword_my votes wrong". */
  title: string;
  /** Where gold labels are written, relative to the workspace. */
  labelsFile: string;
  tookMs: number;
}

/**
 * Figures for the dashboard's charts, each mark backed by a filter the examples view can open. LF order is
 * ProjectAnalysis.lfs order; classes are class ids.
 */
export interface DashboardFigures {
  version: number;
  lfNames: string[];
  /** Per class: the fraction of sample rows where some label-model LF votes it. */
  classCoverage: number[];
  /** m x m: sample rows where LF i and LF j both vote and disagree (symmetric, zero diagonal). */
  conflicts: number[][];
  /** k x k over rows with gold: confusion[gold][label model's answer]; null without gold labels. */
  confusion: number[][] | null;
  /** Class balance of the rows with gold (dev rows and the user's labels); null without any. */
  goldClassBalance: number[] | null;
  /** Rows with gold the confusion counts. */
  goldRows: number;
}
/** Client -> server request: the dashboard's chart figures for the latest analysis; null before the first. */
export const DashboardFiguresRequest = new RequestType0<DashboardFigures | null, void>('lfStudio/dashboardFigures');

export interface ExportLabelsParams {
  /** Absolute path of the file to write: .jsonl / .ndjson or .csv. */
  out: string;
  /** Rows no LF votes on: label -1 ('abstain', as lf-studio label does by default) or the label model's answer. */
  uncovered: 'abstain' | 'predict';
}
export interface ExportLabelsResult {
  out: string;
  rows: number;
  /** Rows some label-model LF votes on. */
  covered: number;
  lfs: number;
  model: string;
  /** Rows per class in the written labels (rows labeled -1 not counted). */
  labelCounts: number[];
}
/** Client -> server request: write the sample's training labels (id, probs, label, votes), as lf-studio label does. */
export const ExportLabelsRequest = new RequestType<ExportLabelsParams, ExportLabelsResult, void>('lfStudio/exportLabels');

/** Client -> server request: one page of the rows a filter selects. */
export const ExamplesRequest = new RequestType<ExamplesQuery, ExamplesPage, void>('lfStudio/examples');

export interface SetGoldLabelParams {
  split: 'sample' | 'dev';
  id: string;
  /** Class id, or null to take the user's label back. */
  label: number | null;
}
export interface SetGoldLabelResult {
  /** The label the user had given before (null: none), so the view can undo. */
  previous: number | null;
  /** The new analysis with the label counted as a dev label. */
  analysis: ProjectAnalysis | null;
}
/** Client -> server request: give (or take back) a row's gold label; appended to the project's labels file. */
export const SetGoldLabelRequest = new RequestType<SetGoldLabelParams, SetGoldLabelResult, void>('lfStudio/setGoldLabel');

/** Client -> server initializationOptions, from the user's settings (the server checks each one). */
export interface ServerInitOptions {
  lfTimeoutMs?: number;
  runOnChange?: boolean;
  /**
   * lfStudio.data.allowOutsideWorkspace, read from user settings only: whether lfstudio.json may point the
   * runtime at data files outside the workspace folder. Absent or false: such paths are refused.
   */
  allowDataOutsideWorkspace?: boolean;
  /** lfStudio.runtime: auto (sandbox, and the user's Python for files that need it), sandbox, or python. */
  runtime?: 'auto' | 'sandbox' | 'python';
  /** The user's interpreter: the Python extension's selected environment, else lfStudio.python.interpreter, else python3. */
  pythonInterpreter?: string;
  /** VS Code workspace trust: the user's own Python runs only in a trusted workspace. */
  workspaceTrusted?: boolean;
  /** The user allowed the Python runtime without bubblewrap for this workspace (where bwrap is missing). */
  allowUnsandboxedPython?: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Webview messages (extension host <-> webview)
// ---------------------------------------------------------------------------------------------------------

/** Host -> dashboard webview: show this analysis. */
export interface DashboardDidAnalyze {
  type: 'didAnalyze';
  analysis: ProjectAnalysis | null;
}

/** Host -> dashboard webview: runtime state for the header. */
export interface DashboardDidChangeStatus {
  type: 'didChangeStatus';
  status: RuntimeStatus;
}

/** Host -> dashboard webview: scroll to and highlight one LF (a CodeLens was clicked). */
export interface DashboardFocusLf {
  type: 'focusLf';
  name: string;
}

/**
 * Host -> dashboard webview: the chart figures (DashboardFiguresRequest) for the latest analysis; null before
 * the first analysis or when they could not be read (then `error` says why).
 */
export interface DashboardDidLoadFigures {
  type: 'figures';
  figures: DashboardFigures | null;
  error?: string;
}

export type HostToDashboardMessage = DashboardDidAnalyze | DashboardDidChangeStatus | DashboardFocusLf | DashboardDidLoadFigures;

/** Dashboard webview -> host: the webview loaded and wants the current state. */
export interface DashboardReadyCommand {
  type: 'ready';
}

/** Dashboard webview -> host: reveal an LF in its file. */
export interface DashboardRevealLfCommand {
  type: 'revealLf';
  file: string;
  line: number;
}

/** Dashboard webview -> host: re-run everything. */
export interface DashboardRerunCommand {
  type: 'rerunAll';
}

/**
 * Dashboard webview -> host: open the examples view on exactly the rows behind a mark (a chart point, bar or
 * matrix cell, or a figure in the LF table); the host runs `lfStudio.showExamples` with the filter.
 */
export interface DashboardShowRowsCommand {
  type: 'showRows';
  filter: ExamplesFilter;
}

export type DashboardToHostMessage = DashboardReadyCommand | DashboardRevealLfCommand | DashboardRerunCommand | DashboardShowRowsCommand;

// ---------------------------------------------------------------------------------------------------------
// Examples view (webview <-> host): typed messages with request ids; a newer query cancels an older one
// ---------------------------------------------------------------------------------------------------------

/** Host -> examples webview: show this question (a lens, hover link, diagnostic or chart was clicked). */
export interface ExamplesShowQuery {
  type: 'showQuery';
  filter: ExamplesFilter;
  order?: ExamplesQuery['order'];
}
/** Host -> examples webview: the answer to request `requestId`. */
export interface ExamplesPageMessage {
  type: 'page';
  requestId: number;
  page: ExamplesPage;
}
/** Host -> examples webview: request `requestId` failed (or was cancelled: then `cancelled`). */
export interface ExamplesErrorMessage {
  type: 'error';
  requestId: number;
  message: string;
  cancelled?: boolean;
}
/** Host -> examples webview: a new analysis exists; re-ask so the rows stay in step with the LFs. */
export interface ExamplesDidAnalyze {
  type: 'didAnalyze';
  version: number | null;
  labels: string[];
}
/** Host -> examples webview: a label was written (or failed); `previous` is what undo restores. */
export interface ExamplesLabelDone {
  type: 'labelDone';
  requestId: number;
  split: 'sample' | 'dev';
  id: string;
  label: number | null;
  previous: number | null;
  error?: string;
}
export type HostToExamplesMessage = ExamplesShowQuery | ExamplesPageMessage | ExamplesErrorMessage | ExamplesDidAnalyze | ExamplesLabelDone;

export interface ExamplesReadyCommand {
  type: 'ready';
}
export interface ExamplesQueryCommand {
  type: 'query';
  requestId: number;
  query: ExamplesQuery;
}
export interface ExamplesCancelCommand {
  type: 'cancel';
  requestId: number;
}
export interface ExamplesSetLabelCommand {
  type: 'setLabel';
  requestId: number;
  split: 'sample' | 'dev';
  id: string;
  label: number | null;
}
/** Examples webview -> host: reveal an LF in its file. */
export interface ExamplesRevealLfCommand {
  type: 'revealLf';
  name: string;
}
export type ExamplesToHostMessage = ExamplesReadyCommand | ExamplesQueryCommand | ExamplesCancelCommand | ExamplesSetLabelCommand | ExamplesRevealLfCommand;

// ---------------------------------------------------------------------------------------------------------
// Review panel (LLM-written labeling functions): LSP requests and review webview messages
// ---------------------------------------------------------------------------------------------------------

export interface GenerationContextParams {
  tier: LlmPromptTier;
  mode: 'general' | 'uncovered' | 'improve';
  /** For mode 'improve': the LF to improve. */
  lfName?: string;
  examplesPerClass?: number;
}
export interface GenerationContext {
  task: string;
  labels: string[];
  labelDescriptions: Record<string, string>;
  textField: string;
  examples: LlmPromptExample[];
  existingLfs: LlmExistingLf[];
  /** Every LF name in the project, so candidates get names that do not collide. */
  existingNames: string[];
  /** Absolute paths of the project's LF files (where Accept may insert). */
  lfFiles: string[];
  uncoveredRows: LlmPromptExample[];
  improveTarget: LlmImproveTarget | null;
}
/** Client -> server request: what a prompt needs from the project (examples, existing LFs, targets); null without a project. */
export const GenerationContextRequest = new RequestType<GenerationContextParams, GenerationContext | null, void>('lfStudio/generationContext');

export interface ScoreCandidatesParams {
  candidates: LlmCandidate[];
}
export type CandidateScoreOutcome = LlmScoreOutcome;
export interface ScoreCandidatesResult {
  /** One per candidate, same order. */
  outcomes: CandidateScoreOutcome[];
}
/** Client -> server request: run candidates in the sandbox and score them against the project's LFs. */
export const ScoreCandidatesRequest = new RequestType<ScoreCandidatesParams, ScoreCandidatesResult, void>('lfStudio/scoreCandidates');

export interface PythonStructureParams {
  /** Python texts (model replies' code blocks, an LF file, a candidate's support), at most 64 of 2 MB each. */
  sources: string[];
}
export interface PythonStructureResult {
  /** One per source, same order: its statements and labeling functions, or why it does not parse. */
  outcomes: PythonParseOutcome[];
}
/**
 * Client -> server request: the structure of Python texts from Python's own parser in the sandbox (nothing in
 * them runs), so the extension cuts candidates and plans insertions without running Python itself.
 */
export const PythonStructureRequest = new RequestType<PythonStructureParams, PythonStructureResult, void>('lfStudio/pythonStructure');

export interface SuggestLfsParams {
  /** Most LFs to suggest (default 20). */
  maxLfs?: number;
  seed?: number;
}
export interface SuggestLfsResult {
  candidates: LlmCandidate[];
  /** What they were made from, in words. */
  summary: string;
  /** Every suggestion in one Snorkel-style file. */
  file: string;
  labels: string[];
  /** Absolute paths of the project's LF files (where Accept may insert), and every LF name in the project. */
  lfFiles: string[];
  existingNames: string[];
}
/**
 * Client -> server request: LFs mined from the rows with gold labels (dev rows and the user's labels) and the
 * sample's text, without an LLM (lf-runtime/src/suggest); the client scores and reviews them like a generation.
 */
export const SuggestLfsRequest = new RequestType<SuggestLfsParams, SuggestLfsResult, void>('lfStudio/suggestLfs');

/** Host -> review webview: show (or refresh) a generation; `lfFiles` are the files Accept can insert into. */
export interface ReviewShowGeneration {
  type: 'showGeneration';
  record: LlmGenerationRecord;
  lfFiles: string[];
  targetFile: string | null;
}

/** Host -> review webview: a candidate is being re-scored (true) or done (false). */
export interface ReviewBusy {
  type: 'busy';
  name: string;
  busy: boolean;
}

/** Host -> review webview: something failed that the user should see in the panel. */
export interface ReviewError {
  type: 'error';
  message: string;
}

export type HostToReviewMessage = ReviewShowGeneration | ReviewBusy | ReviewError;

/** Review webview -> host: loaded, send the generation. */
export interface ReviewReadyCommand {
  type: 'ready';
}

/** Review webview -> host: the user edited a candidate's code; re-score it. */
export interface ReviewEditCommand {
  type: 'edit';
  name: string;
  code: string;
}

/** Review webview -> host: insert this candidate into `targetFile`. */
export interface ReviewAcceptCommand {
  type: 'accept';
  name: string;
  targetFile: string;
}

/** Review webview -> host: mark a candidate rejected. */
export interface ReviewRejectCommand {
  type: 'reject';
  name: string;
}

/** Review webview -> host: insert every passing, undecided candidate into `targetFile`. */
export interface ReviewAcceptAllPassingCommand {
  type: 'acceptAllPassing';
  targetFile: string;
}

export type ReviewToHostMessage =
  | ReviewReadyCommand
  | ReviewEditCommand
  | ReviewAcceptCommand
  | ReviewRejectCommand
  | ReviewAcceptAllPassingCommand;
