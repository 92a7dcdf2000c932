/**
 * One sandbox worker process seen from the parent: start it, exchange JSON lines, watch its memory, kill
 * it. Everything the worker says is untrusted input: lines are size-capped and parsed defensively, and
 * stderr (where hostile output could go) is kept only as a short tail for diagnostics.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, readFileSync } from 'node:fs';
import type { LaunchPlan } from './isolation.ts';
import { MAX_MISS_CHARS, MAX_MISSES, type ReadyMessage, type WorkerMessage, type WorkerRequest } from './wireProtocol.ts';

/**
 * Longest line accepted from a worker that has run no user code: a snapshot (~31 MB, base64) is the largest
 * legitimate one. Once a worker was sent `prepare` (the file's own code runs), replyCaps() applies instead.
 */
const MAX_LINE_CHARS = 128 * 1024 * 1024;
const STDERR_TAIL_CHARS = 4000;

/**
 * The longest line of each reply type a worker may send once user code may have run, in characters, for a
 * worker holding shards of at most `rows` rows. Checked on the raw line, before JSON.parse: a parsed line
 * costs the parent ~32 bytes per character when it is made of empty objects (a 4M-character line: ~130 MB
 * and 0.3 s), so an untrusted line must be small before it is parsed. The bounds follow replySchema.ts,
 * with every character of a bounded string allowed its longest JSON escape where that matters (native
 * replies are ASCII, \uXXXX per other character):
 * - lfDone: the votes (base64, 4 characters per 3 rows) plus 128 KiB (a first error of 2000 + 8000
 *   characters, 100 error rows, durations);
 * - prepared: 4 MiB (at most 2000 LFs whose names come to 400 000 characters and 50 problems of 10 000 characters
 *   come to ~1.5 MiB of ASCII; a real file's is a few KiB);
 * - missed: 256 paths of 4096 characters, twice over;
 * - failed: a 2000-character message, escaped; lfStart, applied, loaded: a few numbers.
 */
export function replyCaps(rows: number): Record<string, number> {
  return {
    lfStart: 256,
    applied: 256,
    loaded: 256,
    failed: 16 * 1024,
    lfDone: 4 * Math.ceil(rows / 3) + 128 * 1024,
    prepared: 4 * 1024 * 1024,
    missed: MAX_MISSES * (2 * MAX_MISS_CHARS + 3) + 64,
  };
}

/** The reply types (and how many of each) a request may be answered with; `failed` may stand for any. */
function repliesTo(request: WorkerRequest): [string, number][] {
  switch (request.type) {
    case 'prepare':
      return [['prepared', 1]];
    case 'apply':
      return [['lfStart', request.indices.length], ['lfDone', request.indices.length], ['applied', 1]];
    case 'misses':
      return [['missed', 1]];
    case 'load':
      return [['loaded', 1]];
    default:
      // parse goes to clean workers only; drop has no reply.
      return [];
  }
}

/** `{"type":"lfDone",...` (or `{"type": "prepared", ...`): every worker writes a line's type first. */
const LINE_TYPE = /^\{ ?"type": ?"([A-Za-z]{1,16})" ?[,}]/;

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why the parent killed it, when it did. */
  killedFor: 'timeout' | 'memory' | 'abort' | 'dispose' | 'protocol' | 'done' | null;
  /** What the worker sent that broke the protocol, when the parent killed it for that here. */
  violation?: string;
  stderrTail: string;
}

export class SandboxProcess {
  private child: ChildProcessWithoutNullStreams;
  private partial: string[] = [];
  private partialChars = 0;
  private stderrTail = '';
  private killedFor: ExitInfo['killedFor'] = null;
  private violation: string | null = null;
  /** Set when the parent kills the worker: what it still sends is dropped unread. */
  private discard = false;
  /**
   * Set once the worker was sent `prepare`: from then on its lines are untrusted, and each must be a reply
   * that a request sent still waits for (`expected`: how many of each type), within that type's cap
   * (replyCaps). What it can make the parent parse is then bounded by what the requests asked for.
   */
  private untrusted = false;
  private readonly expected = new Map<string, number>();
  /** The largest shard this worker loaded while it was clean (its `loaded` replies, checked by the pool). */
  private rows = 0;
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
    if (request.type === 'prepare') {
      // The file's own code runs from here on: only what later requests ask for may come back.
      this.untrusted = true;
      this.expected.clear();
    }
    for (const [type, count] of [...repliesTo(request), ['failed', 1] as [string, number]]) this.expected.set(type, (this.expected.get(type) ?? 0) + count);
    this.child.stdin.write(JSON.stringify(request) + '\n');
    for (const part of payload) this.child.stdin.write(part);
  }

  kill(reason: NonNullable<ExitInfo['killedFor']>): void {
    // Nothing it sends from now on is read.
    this.discard = true;
    this.partial = [];
    this.partialChars = 0;
    if (!this.alive) return;
    this.killedFor ??= reason;
    this.child.kill('SIGKILL');
  }

  /** Kills the worker for a line that breaks the protocol, saying what it was. */
  private refuse(what: string): void {
    if (this.killedFor === null) this.violation ??= what;
    this.kill('protocol');
  }

  /** The longest line this worker may send now. */
  private lineLimit(): number {
    if (!this.untrusted) return MAX_LINE_CHARS;
    const caps = replyCaps(this.rows);
    let most = 0;
    for (const [type, count] of this.expected) if (count > 0) most = Math.max(most, caps[type] ?? 0);
    return most;
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
    while (!this.discard && (nl = chunk.indexOf('\n', from)) >= 0) {
      const chars = this.partialChars + nl - from;
      const limit = this.lineLimit();
      if (chars > limit) {
        this.refuse(`a line of ${chars} characters, longer than any reply it may send now (${limit})`);
        return;
      }
      this.partial.push(chunk.slice(from, nl));
      const line = this.partial.join('');
      this.partial = [];
      this.partialChars = 0;
      from = nl + 1;
      if (line) this.dispatch(line);
    }
    if (this.discard || from >= chunk.length) return;
    this.partial.push(chunk.slice(from));
    this.partialChars += chunk.length - from;
    const limit = this.lineLimit();
    if (this.partialChars > limit) this.refuse(`a line longer than any reply it may send now (${limit} characters)`);
  }

  private dispatch(line: string): void {
    if (this.untrusted) {
      // Sized and typed before it is parsed: only a reply a request sent asks for, within its cap.
      const type = LINE_TYPE.exec(line)?.[1];
      const cap = type === undefined ? undefined : replyCaps(this.rows)[type];
      const left = type === undefined ? 0 : (this.expected.get(type) ?? 0);
      if (type === undefined || cap === undefined || left === 0 || line.length > cap) {
        this.refuse(
          type === undefined
            ? 'a line that does not start with its reply type'
            : cap === undefined || left === 0
              ? `a "${type}" line that no request asked for`
              : `a "${type}" line of ${line.length} characters, over the ${cap} it may have`,
        );
        return;
      }
      this.expected.set(type, left - 1);
    }
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.refuse(`a line that is not JSON (${line.length} characters)`);
      return;
    }
    if (typeof message !== 'object' || message === null || typeof (message as { type?: unknown }).type !== 'string') {
      this.refuse('a line that is not a message');
      return;
    }
    const m = message as WorkerMessage;
    if (m.type === 'loaded' && !this.untrusted && typeof m.rows === 'number' && Number.isSafeInteger(m.rows) && m.rows > this.rows) this.rows = m.rows;
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
    // A process that outlives the one we started can hold its stdio open: bubblewrap's namespace child when the
    // outer bwrap is killed as it clones (before the child sets its parent-death signal). Open pipes would keep
    // this process from ever exiting; what arrives a second after the exit is not read.
    const { stdin, stdout, stderr } = this.child;
    setTimeout(() => {
      for (const stream of [stdin, stdout, stderr]) stream.destroy();
    }, 1000);
    this.exitInfo = { code, signal, killedFor: this.killedFor, ...(this.violation ? { violation: this.violation } : {}), stderrTail: this.stderrTail.trim() };
    for (const w of this.exitWaiters.splice(0)) w(this.exitInfo);
  }
}

export function describeExit(info: ExitInfo): string {
  if (info.killedFor === 'memory') return 'stopped for using too much memory';
  if (info.killedFor === 'timeout') return 'stopped after its time budget';
  if (info.killedFor === 'protocol' && info.violation) return `stopped for breaking the protocol: it sent ${info.violation}`;
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
