/**
 * What the LF executor promises its callers (engine, language server, CLI, LLM scoring).
 * The implementation runs LFs in a separate, locked-down OS process; callers only see these shapes.
 */
import type { Row } from '../data/types.ts';

export type LfErrorKind =
  | 'syntax' // the file does not parse
  | 'import' // the module failed while executing top-level code
  | 'missing-package' // import of a package the sandbox cannot provide (numpy, spacy, ...)
  | 'exception' // the LF raised on some rows
  | 'invalid-return' // the LF returned something other than an int label or -1/None
  | 'timeout' // the LF exceeded its wall-clock budget
  | 'crash'; // the runtime process died while running it (memory bomb, os._exit, ...)

export interface LfErrorInfo {
  kind: LfErrorKind;
  /** One line a user can act on, e.g. "ZeroDivisionError: division by zero". */
  message: string;
  /** 1-based line in the user's file, when known. */
  line: number | null;
  /** Python traceback restricted to frames in the user's file, when there is one. */
  traceback: string | null;
  /**
   * For a top-level statement that raised while the rest of the file ran on: the labeling functions it would
   * have defined (a decorator that raised), which are missing from the run.
   */
  undefinedLfs?: string[];
}

/** The result with `f` applied to each of its errors: the file's, each LF's first one and each statement's. */
export function mapErrors(r: FileRunResult, f: (e: LfErrorInfo) => LfErrorInfo): FileRunResult {
  const g = (e: LfErrorInfo | null): LfErrorInfo | null => (e ? f(e) : e);
  return { ...r, fileError: g(r.fileError), lfs: r.lfs.map((l) => ({ ...l, firstError: g(l.firstError) })), ...(r.problems ? { problems: r.problems.map(f) } : {}) };
}

export interface LfRunResult {
  name: string;
  /** 1-based line of the LF's first decorator or def, where the CodeLens goes. */
  line: number;
  /** One vote per row, in row order; -1 = abstain. Rows that errored or timed out count as abstain. */
  votes: Int8Array;
  /** Rows on which the LF raised or returned an invalid value. */
  errors: number;
  /** Ids of the first few rows that errored. */
  errorRowIds: string[];
  firstError: LfErrorInfo | null;
  /** Rows where the LF returned None (counted as abstain, reported once). */
  noneCount: number;
  timedOut: boolean;
  durationMs: number;
  /** In the file's module-level `lfs = [...]` (true), not in it (false), or the file has none (absent). */
  listed?: boolean;
  /** The file whose code the LF runs, when not this one: an LF imported from a helper or another LF file. */
  definedIn?: string;
}

export interface FileRunResult {
  /** Path of the LF file as given by the caller. */
  file: string;
  /** LFs in definition order. Empty when the file failed to load. */
  lfs: LfRunResult[];
  /** Problem that stopped the whole file (syntax error, failing import); null when it loaded. */
  fileError: LfErrorInfo | null;
  /** Top-level statements that raised while the rest of the file ran on (each at its line). */
  problems?: LfErrorInfo[];
  durationMs: number;
  /** Which runtime produced these results: the pyodide sandbox or the user's own Python. */
  runtime?: 'sandbox' | 'python';
  /** Files of the workspace the sandbox gave the file because it read them (resource files, packages). */
  workspaceReads?: string[];
}

export interface RunFileOptions {
  /** Path used for error messages and tracebacks. */
  file: string;
  /** The file's current text (possibly unsaved editor contents). */
  source: string;
  /** Key of a dataset previously given to loadRows. */
  datasetKey: string;
  /** Number of classes k: valid votes are 0..k-1 and -1. */
  cardinality: number;
  /** Wall-clock budget per LF over the whole dataset. */
  timeoutMs: number;
  /** Other files of the project that this one may import as modules (name -> source). */
  siblingModules?: Record<string, string>;
  /**
   * The workspace folder the file may read (read-only), e.g. resource files opened at import. The user's
   * Python sees it through its sandbox's bind; the pyodide sandbox is given the files the file looks for.
   * Absent: no files (LLM candidates).
   */
  readRoot?: string;
  /**
   * Files of the workspace no LF may read, with what each is: the data files that hold gold labels (the dev
   * set, labels added in the editor), so no LF can vote by looking its row's label up. Refused in both
   * runtimes (pyodide is never given them; the user's Python refuses to open them).
   */
  hiddenFiles?: HiddenFile[];
  signal?: AbortSignal;
}

export interface HiddenFile {
  path: string;
  /** What it is, for the message: "the dev set", "the gold labels added in the editor". */
  what: string;
}

/** One unit of trust over several datasets (e.g. sample and dev): the same fresh workers serve them all. */
export interface RunUnitOptions extends Omit<RunFileOptions, 'datasetKey'> {
  datasetKeys: string[];
}

export interface LfExecutor {
  /** Ships rows to the runtime once; later runs refer to them by key. */
  loadRows(datasetKey: string, rows: Row[]): Promise<void>;
  runFile(options: RunFileOptions): Promise<FileRunResult>;
  /** Optional: runs the file over several datasets as one unit; one result per key, in order. */
  runUnit?(options: RunUnitOptions): Promise<FileRunResult[]>;
  /** Which containment layers are active on this platform, for the UI and CLI. */
  isolation(): Promise<IsolationReport>;
  /** Optional: forgets cached LF results, so the next runs recompute them ("Re-run All"). */
  clearResults?(): void;
  dispose(): Promise<void>;
  /**
   * Optional: subscribe to runtime events (worker started, restarted after a timeout or crash), e.g. to
   * say in the UI that the runtime restarted itself. Returns the unsubscribe function.
   */
  onEvent?(listener: (event: ExecutorEvent) => void): () => void;
}

/** Something the runtime did on its own that a user may want to know about. */
export type ExecutorEvent =
  | {
      type: 'started';
      /** Index of the worker process in the pool. */
      worker: number;
      /** Start-up time of the runtime in that process. */
      loadMs: number;
      fromSnapshot: boolean;
    }
  | {
      type: 'restarted';
      worker: number;
      reason: 'timeout' | 'crash' | 'memory';
      file: string | null;
      /** The LF that was running, when one was. */
      lf: string | null;
      /** One sentence for the user, e.g. "keyword_x crashed its sandbox worker (exit code 1); ..." */
      message: string;
    }
  | {
      /** The on-disk runtime snapshot failed its check (or did not load) and is being rebuilt. */
      type: 'snapshot';
      state: 'rebuilt';
      message: string;
    };

export interface IsolationReport {
  separateProcess: boolean;
  environmentScrubbed: boolean;
  nodePermissionModel: boolean;
  networkNamespace: boolean;
  pyodideBridgesRemoved: boolean;
  memoryCapMb: number | null;
  /** Each unit of trust (an LF file, an LLM candidate) runs in workers no other unit has touched. */
  freshWorkerPerUnit?: boolean;
  /** Which runtime: the pyodide sandbox, or the user's own CPython. */
  runtime?: 'sandbox' | 'python';
  /** The native runtime's interpreter, e.g. "/usr/bin/python3.11 (Python 3.11.2)". */
  interpreter?: string;
  /** The OS sandbox around the native runtime; null: it runs without one (the user allowed it). */
  osSandbox?: 'bubblewrap' | null;
  /** New processes refused (seccomp). */
  noNewProcesses?: boolean;
  /** With `lfStudio.runtime: auto`, the user's Python once a file needed it. */
  python?: IsolationReport;
  /** Before that: which interpreter it would be, or why it is off. */
  pythonPlanned?: string;
}
