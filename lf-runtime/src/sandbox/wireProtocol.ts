/**
 * Messages between the executor (parent) and the sandbox worker process, one JSON object per line on the
 * worker's stdin/stdout. A `load` request is followed by its rows as a binary frame of exactly `bytes` bytes
 * (rowPayload.ts), so no side escapes or parses them as text. The parent treats everything it receives as
 * untrusted: the worker runs hostile code.
 */
import type { LfErrorInfo } from './types.ts';

export interface LoadRowsRequest {
  type: 'load';
  id: number;
  key: string;
  /** Length of the binary frame (rowPayload.ts) that follows this line on stdin. */
  bytes: number;
}

/** The file's top-level statements, from Python's parser; sent only to a worker that has run no user code. */
export interface ParseRequest {
  type: 'parse';
  id: number;
  source: string;
  /**
   * The worker stays a spare after this (a parse for runtime code, not the first step of a unit): its idle
   * warm-up still runs, so the unit that takes it later does not start cold.
   */
  staysSpare?: boolean;
}

/** Execute the file's top level once and list its LFs; the worker keeps the file for the applies that follow. */
export interface PrepareRequest {
  type: 'prepare';
  id: number;
  file: string;
  source: string;
  /** The user's Python only: files the LF file may not open, and why (RunFileOptions.hiddenFiles). */
  hidden?: { path: string; reason: string; id: string | null }[];
  /** JSON of name -> source of sibling modules, or '' when none. */
  siblings: string;
  /**
   * Workspace files the unit may read (pyodide only): JSON of absolute path -> base64 content, written into the
   * worker's in-memory filesystem before the file runs; '' when none.
   */
  resources?: string;
  /**
   * Pyodide only: the folder whose missing paths the worker notes (a path looked up under it that is not in
   * its in-memory filesystem), for a `misses` request after the run; '' or absent: none noted.
   */
  watch?: string;
  /** The workspace folder (RunFileOptions.readRoot), for messages about the user's packages; absent: none. */
  root?: string;
}

/** The paths under the prepare request's `watch` folder that the unit looked for and did not find. */
export interface MissesRequest {
  type: 'misses';
  id: number;
}

/** Apply the prepared file's LFs number `indices` (in that order) to the rows of dataset `key`. */
export interface ApplyRequest {
  type: 'apply';
  id: number;
  key: string;
  indices: number[];
  cardinality: number;
  timeoutMs: number;
}

export interface DropRequest {
  type: 'drop';
  id: number;
  key: string;
}

export type WorkerRequest = LoadRowsRequest | ParseRequest | PrepareRequest | ApplyRequest | DropRequest | MissesRequest;

export interface ReadyMessage {
  type: 'ready';
  loadMs: number;
  fromSnapshot: boolean;
  bridgesRemoved: boolean;
  pyodideVersion: string;
}

export interface SnapshotMessage {
  type: 'snapshot';
  /** Base64 of the memory snapshot, for the parent to cache on disk (the worker cannot write files). */
  data: string;
}

export interface LoadedMessage {
  type: 'loaded';
  id: number;
  rows: number;
}

/** One top-level statement: 1-based lines (decorators included); for a function, where its body starts. */
export interface StatementSpan {
  start: number;
  end: number;
  /** The function's name when the statement is a `def`, else null. */
  def: string | null;
  bodyLine: number | null;
  /** UTF-8 byte offset of the body's first statement on bodyLine (Python's col_offset). */
  bodyCol: number | null;
  /** Names the statement mentions. */
  uses: string[];
  kind: StatementKind;
  /** Names it binds at module level, inside its if/try/with/for blocks too. */
  defines: string[];
  /** Names it looks up outside its own function scopes (module-level names and builtins). */
  reads: string[];
  /** A function's positional parameters; null for other statements. */
  params: string[] | null;
}

export type StatementKind = 'import' | 'def' | 'class' | 'assign' | 'other';

/**
 * A labeling function defined at module level (inside a top-level if/try/with too): a def decorated with
 * labeling_function / nlp_labeling_function (any import form), or a LabelingFunction(...) instance whose name
 * is a string literal. Lines are 1-based.
 */
export interface ParsedLf {
  /** Snorkel's name for it: the decorator's or the instance's `name`, else the function's name. */
  name: string;
  /** The decorated def's name, or the plain name passed as an instance's `f`; else null. */
  function: string | null;
  kind: 'decorated' | 'instance';
  /** Index of the top-level statement that holds it. */
  statement: number;
  /** A decorated def from its first decorator to its end; an instance's whole simple statement. */
  start: number;
  end: number;
  /** The line of `def` (decorated only). */
  defLine: number | null;
  /** Column where the def (or the statement) starts: its indentation. */
  indent: number;
  /** The labeling_function decorator's lines (decorated only). */
  decorator: { start: number; end: number } | null;
}

/** Why a text does not parse: Python's message and the 1-based line it names, when it names one. */
export interface ParseError {
  message: string;
  line: number | null;
}

export interface ParsedMessage {
  type: 'parsed';
  id: number;
  /** Null when the text does not parse; `error` then says why. */
  statements: StatementSpan[] | null;
  lfs: ParsedLf[] | null;
  error: ParseError | null;
}

export interface PreparedLf {
  name: string;
  line: number;
  /** Whether the LF is in the file's module-level `lfs = [...]`; absent when the file has no such list. */
  listed?: boolean;
  /** The file whose code the LF runs, when not this one: an LF imported from a helper or another LF file. */
  definedIn?: string;
}

export interface PreparedMessage {
  type: 'prepared';
  id: number;
  fileError: LfErrorInfo | null;
  lfs: PreparedLf[];
  /** Top-level statements that raised while the rest of the file ran on (notebook style). */
  problems?: LfErrorInfo[];
}

export interface LfStartMessage {
  type: 'lfStart';
  id: number;
  index: number;
}

/** What lf_runner.run_lf returns, forwarded as is (the parent validates every field). */
export interface LfOutcome {
  index: number;
  /** Base64 of one int8 vote per row of the worker's shard. */
  votes: string;
  errors: number;
  /** Shard-local row indices of the first few errors. */
  errorRows: number[];
  firstError: LfErrorInfo | null;
  noneCount: number;
  timedOut: boolean;
  /** Milliseconds spent restoring state and executing the module, applying the LF, restoring after. */
  phasesMs?: number[];
}

export interface LfDoneMessage {
  type: 'lfDone';
  id: number;
  durationMs: number;
  result: LfOutcome;
}

export interface AppliedMessage {
  type: 'applied';
  id: number;
}

export interface MissedMessage {
  type: 'missed';
  id: number;
  /** Absolute paths, at most MAX_MISSES, each at most MAX_MISS_CHARS long. */
  paths: string[];
}

export const MAX_MISSES = 256;
export const MAX_MISS_CHARS = 4096;

export interface FailedMessage {
  type: 'failed';
  id: number;
  message: string;
}

export type WorkerMessage =
  | ReadyMessage
  | SnapshotMessage
  | LoadedMessage
  | ParsedMessage
  | PreparedMessage
  | LfStartMessage
  | LfDoneMessage
  | AppliedMessage
  | MissedMessage
  | FailedMessage;
