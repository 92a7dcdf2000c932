/**
 * One sandbox worker process seen from the parent: start it, exchange JSON lines, watch its memory, kill
 * it. Everything the worker says is untrusted input: lines are size-capped and parsed defensively, and
 * stderr (where hostile output could go) is kept only as a short tail for diagnostics.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, readFileSync } from 'node:fs';
import type { LaunchPlan } from './isolation.ts';
import type { ReadyMessage, WorkerMessage, WorkerRequest } from './wireProtocol.ts';

/** Longest line accepted from a worker; a snapshot (~31 MB, base64) is the largest legitimate one. */
const MAX_LINE_CHARS = 128 * 1024 * 1024;
const STDERR_TAIL_CHARS = 4000;

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why the parent killed it, when it did. */
  killedFor: 'timeout' | 'memory' | 'abort' | 'dispose' | 'protocol' | 'done' | null;
  stderrTail: string;
}

export class SandboxProcess {
  private child: ChildProcessWithoutNullStreams;
  private partial: string[] = [];
  private partialChars = 0;
  private stderrTail = '';
  private killedFor: ExitInfo['killedFor'] = null;
  private memoryTimer: NodeJS.Timeout | null = null;
  private exitInfo: ExitInfo | null = null;
  private readonly exitWaiters: ((info: ExitInfo) => void)[] = [];
  /** Peak resident set size seen, in MB (Linux only). */
  peakRssMb = 0;
  readonly ready: Promise<ReadyMessage>;

  constructor(
    plan: LaunchPlan,
    private readonly onMessage: (message: WorkerMessage) => void,
    private readonly memoryCapMb: number | null,
  ) {
    const fds = plan.extraFds ?? [];
    this.child = spawn(plan.command, plan.args, { env: plan.env, stdio: ['pipe', 'pipe', 'pipe', ...fds], windowsHide: true }) as ChildProcessWithoutNullStreams;
    for (const fd of fds) closeSync(fd);
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdin.on('error', () => undefined); // EPIPE when the worker died; the exit handler reports it
    this.ready = new Promise<ReadyMessage>((resolveReady, rejectReady) => {
      const earlyExit = (info: ExitInfo): void =>
        rejectReady(new Error(`LF sandbox process exited during start-up (${describeExit(info)})${info.stderrTail ? `: ${info.stderrTail}` : ''}`));
      this.exitWaiters.push(earlyExit);
      this.onReady = (m) => {
        this.exitWaiters.splice(this.exitWaiters.indexOf(earlyExit), 1);
        resolveReady(m);
      };
    });
    // A start-up failure is reported through whoever awaits `ready`; never as an unhandled rejection.
    this.ready.catch(() => undefined);
    this.child.stdout.on('data', (chunk: string) => this.receive(chunk));
    this.child.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    this.child.on('error', (err) => {
      this.stderrTail = (this.stderrTail + `\n${err.message}`).slice(-STDERR_TAIL_CHARS);
    });
    this.child.on('exit', (code, signal) => this.finish(code, signal));
    if (memoryCapMb !== null) this.memoryTimer = setInterval(() => this.checkMemory(), 50);
  }

  private onReady: ((m: ReadyMessage) => void) | null = null;

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitInfo === null;
  }

  /** Resolves when the process is gone (immediately if it already is). */
  exited(): Promise<ExitInfo> {
    if (this.exitInfo) return Promise.resolve(this.exitInfo);
    return new Promise((r) => this.exitWaiters.push(r));
  }

  /** A request line, and the binary pieces that follow it (a `load` request's frame). */
  send(request: WorkerRequest, payload: Buffer[] = []): void {
    if (!this.alive) return;
    this.child.stdin.write(JSON.stringify(request) + '\n');
    for (const part of payload) this.child.stdin.write(part);
  }

  kill(reason: NonNullable<ExitInfo['killedFor']>): void {
    if (!this.alive) return;
    this.killedFor ??= reason;
    this.child.kill('SIGKILL');
  }

  /**
   * Current resident set size in MB of the process and its descendants (a sandbox wrapper such as bwrap
   * runs the interpreter as its child), from /proc; null where there is no /proc.
   */
  rssMb(): number | null {
    const pid = this.child.pid;
    if (pid === undefined || process.platform !== 'linux') return null;
    let total = 0;
    let found = false;
    const seen = new Set<number>();
    const visit = (p: number, depth: number): void => {
      if (seen.has(p) || depth > 4) return;
      seen.add(p);
      try {
        const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
        if (m) {
          total += Number(m[1]) / 1024;
          found = true;
        }
        // Children started by the main thread (bwrap's, the interpreter's); a thread's own are not followed.
        for (const c of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').split(' ')) if (c.trim()) visit(Number(c), depth + 1);
      } catch {
        // Gone, or no children file: count what was read.
      }
    };
    visit(pid, 0);
    return found ? total : null;
  }

  private checkMemory(): void {
    const rss = this.rssMb();
    if (rss === null) return;
    if (rss > this.peakRssMb) this.peakRssMb = rss;
    if (this.memoryCapMb !== null && rss > this.memoryCapMb) this.kill('memory');
  }

  private receive(chunk: string): void {
    let from = 0;
    let nl: number;
    while ((nl = chunk.indexOf('\n', from)) >= 0) {
      this.partial.push(chunk.slice(from, nl));
      const line = this.partial.join('');
      this.partial = [];
      this.partialChars = 0;
      from = nl + 1;
      if (line) this.dispatch(line);
    }
    if (from < chunk.length) {
      this.partial.push(chunk.slice(from));
      this.partialChars += chunk.length - from;
      if (this.partialChars > MAX_LINE_CHARS) this.kill('protocol');
    }
  }

  private dispatch(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.kill('protocol');
      return;
    }
    if (typeof message !== 'object' || message === null || typeof (message as { type?: unknown }).type !== 'string') {
      this.kill('protocol');
      return;
    }
    const m = message as WorkerMessage;
    if (m.type === 'ready') {
      // Exactly one, first, well-formed: it is sent before any user code could run.
      if (!this.onReady || !isReady(m)) {
        this.kill('protocol');
        return;
      }
      this.onReady(m);
      this.onReady = null;
      return;
    }
    this.onMessage(m);
  }

  private finish(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.memoryTimer) clearInterval(this.memoryTimer);
    this.exitInfo = { code, signal, killedFor: this.killedFor, stderrTail: this.stderrTail.trim() };
    for (const w of this.exitWaiters.splice(0)) w(this.exitInfo);
  }
}

export function describeExit(info: ExitInfo): string {
  if (info.killedFor === 'memory') return 'stopped for using too much memory';
  if (info.killedFor === 'timeout') return 'stopped after its time budget';
  if (info.killedFor) return `stopped (${info.killedFor})`;
  if (info.signal) return `killed by ${info.signal}`;
  return `exit code ${info.code}`;
}

function isReady(m: ReadyMessage): boolean {
  const keys = Object.keys(m).sort().join(',');
  return (
    keys === 'bridgesRemoved,fromSnapshot,loadMs,pyodideVersion,type' &&
    typeof m.loadMs === 'number' &&
    typeof m.fromSnapshot === 'boolean' &&
    typeof m.bridgesRemoved === 'boolean' &&
    typeof m.pyodideVersion === 'string' &&
    m.pyodideVersion.length < 40
  );
}
