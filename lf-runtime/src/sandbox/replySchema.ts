/**
 * Strict checks of what a worker sends. After the first line of user code runs, a worker is untrusted: a
 * reply is accepted only when it is the one the parent is waiting for (type, request id, LF index), has
 * exactly the fields that reply has, of the right types, within the right lengths and ranges. Anything else
 * throws ProtocolViolation; the caller kills the worker and fails the unit with a clear message.
 */
import type { LfErrorInfo, LfErrorKind } from './types.ts';
import type { LfOutcome, ParsedLf, ParseError, PreparedLf, StatementKind, StatementSpan } from './wireProtocol.ts';
import { MAX_MISS_CHARS, MAX_MISSES } from './wireProtocol.ts';

export class ProtocolViolation extends Error {}

type Obj = Record<string, unknown>;

const ERROR_KINDS: ReadonlySet<string> = new Set<LfErrorKind>(['syntax', 'import', 'missing-package', 'exception', 'invalid-return', 'timeout', 'crash']);
const MAX_LFS = 2000;
/** Characters of an LF's name (factories name LFs by their keywords), and of one file's names together (lf_runner._MAX_NAME*). */
const MAX_NAME = 1000;
const MAX_NAME_CHARS = 400_000;
const MAX_MESSAGE = 2000;
const MAX_TRACEBACK = 8000;
const MAX_ERROR_ROWS = 100;

function fail(what: string): never {
  throw new ProtocolViolation(what);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function exactKeys(m: Obj, required: string[], optional: string[] = []): void {
  for (const k of required) if (!Object.prototype.hasOwnProperty.call(m, k)) fail(`missing field "${k}"`);
  for (const k of Object.keys(m)) if (!required.includes(k) && !optional.includes(k)) fail(`unexpected field "${k.slice(0, 40)}"`);
}

function int(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(`${what} is not an integer in ${min}..${max}`);
  return v;
}

function str(v: unknown, what: string, maxLength: number): string {
  if (typeof v !== 'string' || v.length > maxLength) fail(`${what} is not a string of at most ${maxLength} characters`);
  return v;
}

/** The message `m` must be of `type` and answer request `id`. */
export function expectReply(m: unknown, type: string, id: number): Obj {
  if (!isObj(m)) fail('a reply that is not an object');
  if (m.type === 'failed' && m.id === id) {
    exactKeys(m, ['type', 'id', 'message']);
    throw new WorkerFailed(str(m.message, 'failure message', MAX_MESSAGE));
  }
  if (m.type !== type) fail(`a "${String(m.type).slice(0, 40)}" message where "${type}" was expected`);
  if (m.id !== id) fail(`a reply to request ${String(m.id).slice(0, 20)} where ${id} was expected`);
  return m;
}

/** The worker refused a request in an orderly way (e.g. a dataset it could not parse). */
export class WorkerFailed extends Error {}

export function checkLoaded(m: unknown, id: number, rows: number): void {
  const r = expectReply(m, 'loaded', id);
  exactKeys(r, ['type', 'id', 'rows']);
  if (r.rows !== rows) fail(`the worker loaded ${String(r.rows)} rows of ${rows}`);
}

/** A checked `parsed` reply: statements and LFs, or (both null) the parse error. */
export type ParsedStructure =
  | { statements: StatementSpan[]; lfs: ParsedLf[]; error: null }
  | { statements: null; lfs: null; error: ParseError };

export function checkParsed(m: unknown, id: number, lineCount: number): StatementSpan[] | null {
  return checkStructure(m, id, lineCount).statements;
}

const STATEMENT_KINDS: ReadonlySet<string> = new Set<StatementKind>(['import', 'def', 'class', 'assign', 'other']);
const MAX_NAMES = 4000;
const MAX_IDENTIFIER = 10_000;

function names(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || v.length > MAX_NAMES) fail(`${what} is not a list of at most ${MAX_NAMES}`);
  return v.map((u) => str(u, `a name in ${what}`, MAX_IDENTIFIER));
}

/**
 * The whole `parsed` reply: the top-level statements, the labeling functions (each inside the statement that
 * holds it, its decorator between its first line and its def) or, when the text does not parse, why.
 */
export function checkStructure(m: unknown, id: number, lineCount: number): ParsedStructure {
  const r = expectReply(m, 'parsed', id);
  exactKeys(r, ['type', 'id', 'statements', 'lfs', 'error']);
  if (r.statements === null) {
    if (r.lfs !== null) fail('LFs without statements');
    const e = r.error;
    if (!isObj(e)) fail('a text that does not parse without the reason');
    exactKeys(e, ['message', 'line']);
    // Python names the line after the last one for an unexpected end of the text.
    return { statements: null, lfs: null, error: { message: str(e.message, 'parse error', 500), line: e.line === null ? null : int(e.line, 'parse error line', 1, lineCount + 1) } };
  }
  if (r.error !== null) fail('a parse error together with statements');
  if (!Array.isArray(r.statements) || r.statements.length > 100_000) fail('statements is not a list');
  const statements = r.statements.map((s: unknown): StatementSpan => {
    if (!isObj(s)) fail('a statement that is not an object');
    exactKeys(s, ['start', 'end', 'def', 'bodyLine', 'bodyCol', 'uses', 'kind', 'defines', 'reads', 'params']);
    const start = int(s.start, 'statement start', 1, lineCount);
    const end = int(s.end, 'statement end', start, lineCount);
    const def = s.def === null ? null : str(s.def, 'function name', MAX_IDENTIFIER);
    const bodyLine = s.bodyLine === null ? null : int(s.bodyLine, 'body line', start, end);
    const bodyCol = s.bodyCol === null ? null : int(s.bodyCol, 'body column', 0, 1 << 24);
    const uses = names(s.uses, 'uses');
    if ((def === null) !== (bodyLine === null) || (bodyLine === null) !== (bodyCol === null)) fail('a half-described function');
    if (typeof s.kind !== 'string' || !STATEMENT_KINDS.has(s.kind)) fail('an unknown statement kind');
    const kind = s.kind as StatementKind;
    if ((kind === 'def') !== (def !== null)) fail('a function statement without its name, or a name on another statement');
    const params = s.params === null ? null : names(s.params, 'params');
    if ((params === null) !== (def === null)) fail('parameters on a statement that is not a function');
    return { start, end, def, bodyLine, bodyCol, uses, kind, defines: names(s.defines, 'defines'), reads: names(s.reads, 'reads'), params };
  });
  if (!Array.isArray(r.lfs) || r.lfs.length > 10_000) fail('lfs is not a list of at most 10000');
  const lfs = r.lfs.map((lf: unknown): ParsedLf => {
    if (!isObj(lf)) fail('an LF entry that is not an object');
    exactKeys(lf, ['name', 'function', 'kind', 'statement', 'start', 'end', 'defLine', 'indent', 'decorator']);
    const name = str(lf.name, 'LF name', MAX_NAME);
    if (name === '') fail('an LF without a name');
    const holder = statements[int(lf.statement, 'LF statement', 0, statements.length - 1)]!;
    const start = int(lf.start, 'LF start', holder.start, holder.end);
    const end = int(lf.end, 'LF end', start, holder.end);
    const indent = int(lf.indent, 'LF indent', 0, 1 << 24);
    const fn = lf.function === null ? null : str(lf.function, 'LF function', MAX_IDENTIFIER);
    if (lf.kind === 'decorated') {
      if (fn === null) fail('a decorated LF without its function');
      const defLine = int(lf.defLine, 'LF def line', start + 1, end);
      const d = lf.decorator;
      if (!isObj(d)) fail('a decorated LF without its decorator');
      exactKeys(d, ['start', 'end']);
      const dStart = int(d.start, 'decorator start', start, defLine - 1);
      const decorator = { start: dStart, end: int(d.end, 'decorator end', dStart, defLine - 1) };
      return { name, function: fn, kind: 'decorated', statement: lf.statement as number, start, end, defLine, indent, decorator };
    }
    if (lf.kind !== 'instance') fail('an unknown LF kind');
    if (lf.defLine !== null || lf.decorator !== null) fail('an LF instance with a def line or a decorator');
    return { name, function: fn, kind: 'instance', statement: lf.statement as number, start, end, defLine: null, indent, decorator: null };
  });
  return { statements, lfs, error: null };
}

export function checkError(e: unknown): LfErrorInfo {
  if (!isObj(e)) fail('an error that is not an object');
  exactKeys(e, ['kind', 'message', 'line', 'traceback']);
  if (typeof e.kind !== 'string' || !ERROR_KINDS.has(e.kind)) fail('an unknown error kind');
  return {
    kind: e.kind as LfErrorKind,
    message: str(e.message, 'error message', MAX_MESSAGE),
    line: e.line === null ? null : int(e.line, 'error line', 0, 10_000_000),
    traceback: e.traceback === null || e.traceback === '' ? null : str(e.traceback, 'traceback', MAX_TRACEBACK),
  };
}

/** A top-level statement's error: an error, and the LFs it left undefined when it would have defined some. */
function checkProblem(e: unknown): LfErrorInfo {
  if (!isObj(e) || e.undefinedLfs === undefined) return checkError(e);
  const { undefinedLfs, ...rest } = e;
  if (!Array.isArray(undefinedLfs) || undefinedLfs.length === 0 || undefinedLfs.length > 200) fail('undefinedLfs is not a short list');
  return { ...checkError(rest), undefinedLfs: undefinedLfs.map((n) => str(n, 'LF name', MAX_NAME)) };
}

export interface Prepared {
  fileError: LfErrorInfo | null;
  lfs: PreparedLf[];
  problems: LfErrorInfo[];
}

export function checkPrepared(m: unknown, id: number): Prepared {
  const r = expectReply(m, 'prepared', id);
  exactKeys(r, ['type', 'id', 'fileError', 'lfs'], ['problems']);
  const fileError = r.fileError === null ? null : checkError(r.fileError);
  if (!Array.isArray(r.lfs) || r.lfs.length > MAX_LFS) fail(`lfs is not a list of at most ${MAX_LFS}`);
  const lfs = r.lfs.map((lf: unknown): PreparedLf => {
    if (!isObj(lf)) fail('an LF entry that is not an object');
    exactKeys(lf, ['name', 'line'], ['listed', 'definedIn']);
    if (lf.listed !== undefined && typeof lf.listed !== 'boolean') fail('listed is not a boolean');
    const entry: PreparedLf = { name: str(lf.name, 'LF name', MAX_NAME), line: int(lf.line, 'LF line', 0, 10_000_000) };
    if (typeof lf.listed === 'boolean') entry.listed = lf.listed;
    if (lf.definedIn !== undefined) entry.definedIn = str(lf.definedIn, 'LF file', 4096);
    return entry;
  });
  if (lfs.reduce((n, lf) => n + lf.name.length, 0) > MAX_NAME_CHARS) fail(`the LF names come to more than ${MAX_NAME_CHARS} characters`);
  if (fileError && lfs.length) fail('a file error together with LFs');
  if (r.problems !== undefined && (!Array.isArray(r.problems) || r.problems.length > 52)) fail('problems is not a short list');
  const problems = ((r.problems as unknown[] | undefined) ?? []).map(checkProblem);
  return { fileError, lfs, problems };
}

export function checkLfStart(m: unknown, id: number, index: number): void {
  const r = expectReply(m, 'lfStart', id);
  exactKeys(r, ['type', 'id', 'index']);
  if (r.index !== index) fail(`LF ${String(r.index).slice(0, 20)} started where LF ${index} was asked for`);
}

export interface CheckedOutcome {
  outcome: LfOutcome;
  /** The votes, decoded: exactly `rows` values in -1..k-1. */
  votes: Int8Array;
  durationMs: number;
}

export function checkLfDone(m: unknown, id: number, index: number, rows: number, k: number): CheckedOutcome {
  const r = expectReply(m, 'lfDone', id);
  exactKeys(r, ['type', 'id', 'durationMs', 'result']);
  if (typeof r.durationMs !== 'number' || !(r.durationMs >= 0) || !Number.isFinite(r.durationMs)) fail('durationMs is not a duration');
  const o = r.result;
  if (!isObj(o)) fail('a result that is not an object');
  exactKeys(o, ['index', 'votes', 'errors', 'errorRows', 'firstError', 'noneCount', 'timedOut'], ['phasesMs']);
  if (o.index !== index) fail(`the result of LF ${String(o.index).slice(0, 20)} where LF ${index} was asked for`);
  const votes = decodeVotes(o.votes, rows, k);
  if (!Array.isArray(o.errorRows) || o.errorRows.length > MAX_ERROR_ROWS) fail('errorRows is not a short list');
  const errorRows = o.errorRows.map((x) => int(x, 'an error row', 0, Math.max(0, rows - 1)));
  if (typeof o.timedOut !== 'boolean') fail('timedOut is not a boolean');
  if (o.phasesMs !== undefined && (!Array.isArray(o.phasesMs) || o.phasesMs.length > 3 || o.phasesMs.some((x) => typeof x !== 'number' || !Number.isFinite(x)))) {
    fail('phasesMs is not a list of durations');
  }
  const outcome: LfOutcome = {
    index,
    votes: '',
    errors: int(o.errors, 'errors', 0, rows),
    errorRows,
    firstError: o.firstError === null ? null : checkError(o.firstError),
    noneCount: int(o.noneCount, 'noneCount', 0, rows),
    timedOut: o.timedOut,
    ...(o.phasesMs ? { phasesMs: o.phasesMs as number[] } : {}),
  };
  return { outcome, votes, durationMs: r.durationMs };
}

export function checkApplied(m: unknown, id: number): void {
  exactKeys(expectReply(m, 'applied', id), ['type', 'id']);
}

/** Absolute paths the worker looked for under the watched folder: a bounded list of bounded strings. */
export function checkMissed(m: unknown, id: number): string[] {
  const r = expectReply(m, 'missed', id);
  exactKeys(r, ['type', 'id', 'paths']);
  if (!Array.isArray(r.paths) || r.paths.length > MAX_MISSES) fail(`paths is not a list of at most ${MAX_MISSES}`);
  return r.paths.map((p) => {
    const path = str(p, 'missing path', MAX_MISS_CHARS);
    if (!path.startsWith('/') || path.includes('\0')) fail('a missing path that is not absolute');
    return path;
  });
}

/** Base64 of one int8 per row: exactly `rows` values, each -1 (abstain) or a class in 0..k-1. */
export function decodeVotes(b64: unknown, rows: number, k: number): Int8Array {
  if (typeof b64 !== 'string' || b64.length !== 4 * Math.ceil(rows / 3) || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) {
    fail(`votes are not base64 of exactly ${rows} bytes`);
  }
  const buf = Buffer.from(b64, 'base64');
  if (buf.length !== rows) fail(`votes hold ${buf.length} values for ${rows} rows`);
  const votes = new Int8Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = (buf[i]! << 24) >> 24;
    if (v < -1 || v >= k) fail(`a vote of ${v} outside -1..${k - 1}`);
    votes[i] = v;
  }
  return votes;
}
