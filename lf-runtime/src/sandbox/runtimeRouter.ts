/**
 * Which runtime runs a file: `lfStudio.runtime` / `--runtime`.
 * - `sandbox`: the pyodide sandbox only.
 * - `python`: the user's own CPython (nativeRuntime.ts) for every file.
 * - `auto` (default): the sandbox, and the user's Python for a file that imports something the sandbox
 *   lacks (a missing-package error), when that runtime is available (trusted workspace, an interpreter that
 *   starts). Once a file needed it, its later runs go straight there.
 * LLM candidates always use `sandboxOnly` (the pyodide sandbox) unless the caller decides otherwise. Every
 * result says which runtime produced it.
 */
import type { Row } from '../data/types.ts';
import { mapErrors, type ExecutorEvent, type FileRunResult, type IsolationReport, type LfExecutor, type RunFileOptions, type RunUnitOptions } from './types.ts';

export type RuntimeMode = 'auto' | 'sandbox' | 'python';

export interface RouterOptions {
  mode: RuntimeMode;
  sandbox: LfExecutor;
  /** Makes the Python runtime on first need; null when it is not available here (with the reason). */
  python: (() => LfExecutor) | null;
  /** Why the Python runtime is not available (untrusted workspace, no interpreter...), for messages. */
  pythonUnavailable?: string;
  /** The interpreter the Python runtime would use, named in the status before any file needed it. */
  pythonInterpreter?: string;
}

export class RuntimeRouter implements LfExecutor {
  private pythonExecutor: LfExecutor | null = null;
  private pythonError: Error | null = null;
  private readonly rows = new Map<string, Row[]>();
  private readonly viaPython = new Set<string>();
  private readonly listeners = new Set<(e: ExecutorEvent) => void>();

  constructor(private readonly o: RouterOptions) {
    o.sandbox.onEvent?.((e) => this.emit(e));
  }

  /** The pyodide sandbox itself: what LLM candidates run in. */
  get sandboxOnly(): LfExecutor {
    return this.o.sandbox;
  }

  onEvent(listener: (event: ExecutorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: ExecutorEvent): void {
    for (const l of this.listeners) l(e);
  }

  async loadRows(datasetKey: string, rows: Row[]): Promise<void> {
    this.rows.set(datasetKey, rows);
    const loads: Promise<void>[] = [];
    if (this.o.mode !== 'python') loads.push(this.o.sandbox.loadRows(datasetKey, rows));
    if (this.pythonExecutor || this.o.mode === 'python') loads.push(this.python().then((p) => p.loadRows(datasetKey, rows)));
    await Promise.all(loads);
  }

  private async python(): Promise<LfExecutor> {
    if (this.pythonExecutor) return this.pythonExecutor;
    if (this.pythonError) throw this.pythonError;
    if (!this.o.python) throw new Error(this.o.pythonUnavailable ?? 'The Python runtime is not available here.');
    try {
      const ex = this.o.python();
      ex.onEvent?.((e) => this.emit(e));
      for (const [key, rows] of this.rows) await ex.loadRows(key, rows);
      this.pythonExecutor = ex;
      return ex;
    } catch (err) {
      this.pythonError = err instanceof Error ? err : new Error(String(err));
      throw this.pythonError;
    }
  }

  runFile(o: RunFileOptions): Promise<FileRunResult> {
    return this.runUnit({ ...o, datasetKeys: [o.datasetKey] }).then((r) => r[0]!);
  }

  async runUnit(o: RunUnitOptions): Promise<FileRunResult[]> {
    if (this.o.mode === 'python' || this.viaPython.has(o.file)) return mark(await runOn(await this.python(), o), 'python');
    const results = mark(await runOn(this.o.sandbox, o), 'sandbox');
    if (this.o.mode === 'sandbox' || !needsPackages(results[0]!)) return results;
    if (!this.o.python) {
      return results.map((r) => withNote(r, this.o.pythonUnavailable ?? 'The Python runtime is not available here.'));
    }
    let python: LfExecutor;
    try {
      python = await this.python();
    } catch (err) {
      return results.map((r) => withNote(r, `Your own Python could not run it: ${err instanceof Error ? err.message : String(err)}`));
    }
    this.viaPython.add(o.file);
    return mark(await runOn(python, o), 'python');
  }

  async isolation(): Promise<IsolationReport> {
    const report = this.o.mode === 'python' ? await (await this.python()).isolation() : await this.o.sandbox.isolation();
    if (this.o.mode === 'auto' && this.pythonExecutor) return { ...report, python: await this.pythonExecutor.isolation() };
    if (this.o.mode === 'auto' || this.o.pythonUnavailable) {
      const planned = this.o.python
        ? `files that need your packages run in your Python (${this.o.pythonInterpreter ?? 'python3'})`
        : 'your own Python is off here (untrusted workspace or lfStudio.runtime "sandbox")';
      return { ...report, pythonPlanned: planned };
    }
    return report;
  }

  clearResults(): void {
    this.o.sandbox.clearResults?.();
    this.pythonExecutor?.clearResults?.();
  }

  async dispose(): Promise<void> {
    await Promise.all([this.o.sandbox.dispose(), this.pythonExecutor?.dispose()]);
  }
}

function runOn(ex: LfExecutor, o: RunUnitOptions): Promise<FileRunResult[]> {
  if (ex.runUnit) return ex.runUnit(o);
  return Promise.all(o.datasetKeys.map((datasetKey) => ex.runFile({ ...o, datasetKey })));
}

function mark(results: FileRunResult[], runtime: 'sandbox' | 'python'): FileRunResult[] {
  for (const r of results) r.runtime = runtime;
  return results;
}

/**
 * A file whose top level, or one of whose LFs, needs what only the user's Python has: a package (or a helper
 * module) the sandbox cannot provide. Resource files inside the workspace the sandbox reads itself
 * (workspaceFiles.ts); one it cannot find is not there for the user's Python either.
 */
function needsPackages(r: FileRunResult): boolean {
  const missing = (e: { kind: string; message: string } | null): boolean =>
    !!e && e.kind === 'missing-package' && !/is blocked in LF Studio's sandbox/.test(e.message);
  return missing(r.fileError) || r.lfs.some((l) => missing(l.firstError)) || (r.problems ?? []).some(missing);
}

function withNote(r: FileRunResult, note: string): FileRunResult {
  return mapErrors(r, (e) => (e.kind === 'missing-package' ? { ...e, message: `${e.message} ${note}`.slice(0, 2000) } : e));
}
