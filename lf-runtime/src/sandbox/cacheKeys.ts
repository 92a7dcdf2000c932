/**
 * Per-LF result-cache keys, computed in the parent from the unit's own source texts, the data fingerprint,
 * the number of classes and the runtime version, never from anything a worker reports after user code ran.
 *
 * The statement spans come from Python's parser in a fresh worker before it runs any user code (see
 * lf_runner.parse_structure). The LFs' names and lines come from running the file, so they are untrusted:
 * an LF gets a statement-level key only when its reported line falls in a `def` of the same name; any other
 * LF is keyed by the whole unit. A statement-level key covers:
 * - the LF's own statement, and every top-level statement that runs at import (all but `def`s), in full;
 * - of every other `def` (another LF or a plain helper), its header (decorators, signature, defaults: what runs
 *   at import), and its full text when its name may be called by code that runs for this LF: named anywhere in
 *   this LF or in a def included in full, or used at import other than as a name only kept (transitively).
 *   A statement run at import that only keeps names (`lfs = [a, b]`, `lfs = [a, b] + more`, `lfs.append(a)`,
 *   `LabelingFunction(name=..., f=a)`, a decorator's `resources=`/`pre=`: the ?stores/?into markers) pulls
 *   them in only when the names it keeps them in (`lfs`) are used the same way; a call at import
 *   (`lfs = [make_lf(w) for w in WORDS]`, `@register`) pulls in what it calls;
 * - the sibling modules the file may import, in full; the workspace files shipped with it (their digest); the
 *   unit's path; the scope (data, classes, runtime).
 * Editing one LF's body (or a helper only it calls) therefore re-runs that LF alone, and the LFs that call it.
 *
 * Code an LF reaches without naming it (markers lf_cache_markers.py adds to a statement's `uses`, each starting
 * with "?"):
 * - a dynamic route to other names (globals(), vars(), locals(), eval/exec/compile, __import__, importlib,
 *   inspect, gc, frames, __dict__, __globals__, sys.modules, getattr with a computed name, an import of the
 *   file's own module) in the LF, in anything it reaches by name, in any statement that runs at import, or
 *   in any def's or class's header; or a sibling module that can find the file's module (imports it, or
 *   uses sys.modules, frames, gc): the LF is keyed by the whole file, so any edit anywhere re-runs it;
 * - another def (LF or helper) with a decorator besides labeling_function (it may register the function where
 *   this LF finds it) or whose body changes state outside itself (global, items or attributes of outer names,
 *   mutating methods: what it leaves may reach this LF in the native runtime, where helper modules stay loaded
 *   between LFs): its full text is part of every LF's key.
 * Known limits: state an LF changes through a local alias of a shared object (`l = WORDS; l.append(...)`),
 * or in standard-library classes the sandbox does not restore, can reach later LFs of the same file without
 * being part of their keys; "Re-run All" recomputes everything (AnalysisEngine.forget clears the cache).
 */
import { createHash } from 'node:crypto';
import type { PreparedLf, StatementSpan } from './wireProtocol.ts';

export interface UnitSource {
  file: string;
  source: string;
  siblings: Record<string, string> | undefined;
  /** Digest of the workspace files shipped with the unit (pyodide), or of the whole workspace the user's Python
   * may read (workspaceFingerprint), or '' when none. */
  resources?: string;
}

export function splitLines(source: string): string[] {
  return source.split(/\r\n|\r|\n/);
}

export function lfCacheKeys(unit: UnitSource, statements: StatementSpan[] | null, lfs: PreparedLf[], scope: string): string[] {
  const lines = splitLines(unit.source);
  const text = (s: StatementSpan): string => lines.slice(s.start - 1, s.end).join('\n');
  const siblings = JSON.stringify(Object.entries(unit.siblings ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const base = [scope, unit.file, siblings, unit.resources ?? ''];
  const owners = lfs.map((lf) => statements?.find((s) => s.def === lf.name && s.start <= lf.line && lf.line <= s.end) ?? null);
  const wholeFile =
    statements !== null &&
    (statements.some((s) => s.uses.some((u) => u.startsWith('?header:') || u === '?many')) || siblingsReachBack(unit));
  const self = selfModuleNames(unit.file);
  const flow = statements === null ? null : importFlow(statements);
  return lfs.map((lf, index) => {
    const own = owners[index];
    if (!own || !statements || !flow) return digest([...base, 'unit', String(index), lf.name, String(lf.line), unit.source]);
    const reached = reach(own, statements, flow);
    if (wholeFile || dynamic(reached, self)) return digest([...base, 'file', String(index), lf.name, String(lf.line), unit.source]);
    const parts = [...base, 'lf', lf.name, text(own)];
    for (const s of statements) {
      if (s === own) continue;
      parts.push(s.def === null || reached.has(s) ? text(s) : header(lines, s));
    }
    return digest(parts);
  });
}

/** A statement's names (not its markers), and the names after one of its markers. */
const namesOf = (s: StatementSpan): string[] => s.uses.filter((u) => !u.startsWith('?'));
const marked = (s: StatementSpan, marker: string): string[] => s.uses.filter((u) => u.startsWith(marker)).map((u) => u.slice(marker.length));

interface ImportFlow {
  /** Names whose values code run at import may call or use: all but those only kept (?stores, ?into). */
  used: Set<string>;
  /** Statements run at import that keep names (`lfs = [a, b]`): what they keep, and where. */
  keeping: Array<{ stores: string[]; into: string[] }>;
  /** Defs any code may reach without naming them (registered by a decorator) or that leave state behind. */
  shared: StatementSpan[];
}

function importFlow(statements: StatementSpan[]): ImportFlow {
  const used = new Set<string>();
  const keeping: ImportFlow['keeping'] = [];
  for (const s of statements) {
    if (s.def !== null) {
      // A def's header runs at import: its decorators and what they call.
      for (const n of marked(s, '?runs:')) used.add(n);
      continue;
    }
    const stores = marked(s, '?stores:');
    const into = marked(s, '?into:');
    const kept = new Set([...stores, ...into]);
    for (const n of namesOf(s)) if (!kept.has(n)) used.add(n);
    if (stores.length && into.length) keeping.push({ stores, into });
  }
  const shared = statements.filter((s) => s.def !== null && (s.uses.includes('?exposed') || s.uses.includes('?writes')));
  return { used, keeping, shared };
}

/**
 * The statements whose full text an LF's result depends on: its own; every statement that runs at import;
 * the defs that are shared (see importFlow); and, transitively, the defs named by any of these where the name
 * may be called: anywhere in a def's text, in code run at import other than as a name only kept (an element of
 * `lfs = [...]`, a decorator's argument), and the names a statement run at import keeps when the names it keeps
 * them in are used.
 */
function reach(own: StatementSpan, statements: StatementSpan[], flow: ImportFlow): Set<StatementSpan> {
  const reached = new Set<StatementSpan>([own, ...flow.shared]);
  const names = new Set<string>(flow.used);
  for (const s of reached) for (const n of namesOf(s)) names.add(n);
  for (const s of statements) if (s.def === null) reached.add(s);
  const flowed = new Set<number>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of statements) {
      if (!reached.has(s) && s.def !== null && names.has(s.def)) {
        reached.add(s);
        for (const n of namesOf(s)) names.add(n);
        grew = true;
      }
    }
    flow.keeping.forEach((k, i) => {
      if (!flowed.has(i) && k.into.some((n) => names.has(n))) {
        flowed.add(i);
        for (const n of k.stores) names.add(n);
        grew = true;
      }
    });
  }
  return reached;
}

/** Whether reached code finds names dynamically, or imports the file's own module. */
function dynamic(reached: Set<StatementSpan>, self: Set<string>): boolean {
  return [...reached].some((s) => s.uses.some((u) => u.startsWith('?dynamic:') || u === '?many' || (u.startsWith('?import:') && self.has(u.slice(8)))));
}

/** How an import statement can name the file's own module: `m`, `.m` from its package, `pkg.m`. */
function selfModuleNames(file: string): Set<string> {
  const parts = file.replace(/\\/g, '/').split('/');
  const base = parts.at(-1) ?? '';
  const stem = base.endsWith('.py') ? base.slice(0, -3) : base;
  const folder = parts.at(-2) ?? '';
  return new Set([stem, `.${stem}`, ...(folder ? [`${folder}.${stem}`] : [])]);
}

/** Sibling modules that can get hold of the file's module (and so of LFs it does not name): conservative. */
const REACH_BACK = /\bsys\s*\.\s*modules\b|\b_getframe\b|\bcurrentframe\b|\bf_globals\b|\bf_back\b|\b__globals__\b|\bget_referrers\b|\bget_objects\b|\binspect\s*\.\s*(?:stack|getouterframes|getmembers|getmodule)\b|\b__import__\b|\bimportlib\b|\bimport_module\b/;

function siblingsReachBack(unit: UnitSource): boolean {
  const siblings = Object.values(unit.siblings ?? {});
  if (siblings.length === 0) return false;
  const stem = [...selfModuleNames(unit.file)][0]!.replace(/[^\w]/g, '');
  const imports = stem ? new RegExp(`\\bimport\\b[^\\n]*\\b${stem}\\b|\\bfrom\\s+[\\w.]*\\b${stem}\\b`) : null;
  return siblings.some((text) => REACH_BACK.test(text) || (imports !== null && imports.test(text)));
}

/** A `def` up to its body: decorators, signature, defaults and annotations (what runs when it is defined). */
function header(lines: string[], s: StatementSpan): string {
  if (s.bodyLine === null || s.bodyCol === null) return lines.slice(s.start - 1, s.end).join('\n');
  const before = lines.slice(s.start - 1, s.bodyLine - 1);
  const bodyLine = Buffer.from(lines[s.bodyLine - 1] ?? '', 'utf8');
  return [...before, bodyLine.subarray(0, s.bodyCol).toString('utf8')].join('\n');
}

function digest(parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:`).update(p);
  return h.digest('hex').slice(0, 40);
}
