/**
 * Per-LF result-cache keys, computed in the parent from the unit's own source texts, the data fingerprint,
 * the number of classes and the runtime version, never from anything a worker reports after user code ran.
 *
 * The statement spans come from Python's parser in a fresh worker before it runs any user code (see
 * lf_runner.parse_structure). The LFs' names and lines come from running the file, so they are untrusted:
 * an LF gets a statement-level key only when its reported line falls in a `def` of the same name; any other
 * LF is keyed by the whole unit. A statement-level key covers:
 * - the LF's own statement, and every top-level statement that is not the `def` of another LF, in full;
 * - of another LF's `def`, its header (decorators, signature, defaults: what runs at import), and its full
 *   text when its name is mentioned by this LF or by any statement included in full (transitively);
 * - the sibling modules the file may import, in full; the workspace files shipped with it (their digest); the
 *   unit's path; the scope (data, classes, runtime).
 * Editing one LF's body therefore re-runs that LF alone.
 *
 * Code an LF reaches without naming it (markers lf_structure.py adds to a statement's `uses`, each starting
 * with "?"):
 * - a dynamic route to other names (globals(), vars(), locals(), eval/exec/compile, __import__, importlib,
 *   inspect, gc, frames, __dict__, __globals__, sys.modules, getattr with a computed name, an import of the
 *   file's own module) in the LF, in anything it reaches by name, in any statement that runs at import, or
 *   in any def's or class's header; or a sibling module that can find the file's module (imports it, or
 *   uses sys.modules, frames, gc): the LF is keyed by the whole file, so any edit anywhere re-runs it;
 * - another LF with a decorator besides labeling_function (it may register the function where this LF finds
 *   it) or whose body changes state outside itself (global, items or attributes of outer names, mutating
 *   methods: what it leaves may reach this LF in the native runtime, where helper modules stay loaded
 *   between LFs): its full text is part of every LF's key.
 * Known limits: state an LF changes through a local alias of a shared object (`l = WORDS; l.append(...)`),
 * or in standard-library classes the sandbox does not restore, can reach later LFs of the same file without
 * being part of their keys; "Re-run All" recomputes everything.
 */
import { createHash } from 'node:crypto';
import type { PreparedLf, StatementSpan } from './wireProtocol.ts';

export interface UnitSource {
  file: string;
  source: string;
  siblings: Record<string, string> | undefined;
  /** Digest of the workspace files shipped with the unit (pyodide), or '' when none. */
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
  const owned = new Set(owners.filter((s): s is StatementSpan => s !== null));
  const plain = (statements ?? []).filter((s) => !owned.has(s));
  // Other LFs any code may reach without naming them: registered by a decorator, or leaving state behind.
  const shared = [...owned].filter((s) => s.uses.includes('?exposed') || s.uses.includes('?writes'));
  const wholeFile = statements !== null && (statements.some((s) => s.uses.some((u) => u.startsWith('?header:'))) || siblingsReachBack(unit));
  const self = selfModuleNames(unit.file);
  return lfs.map((lf, index) => {
    const own = owners[index];
    if (!own || !statements) return digest([...base, 'unit', String(index), lf.name, String(lf.line), unit.source]);
    if (wholeFile || reachesDynamically(own, statements, self)) return digest([...base, 'file', String(index), lf.name, String(lf.line), unit.source]);
    // Names whose LF definitions run with this one: mentioned by it or by code included in full, transitively.
    const mentioned = new Set<string>([...own.uses, ...plain.flatMap((s) => s.uses), ...shared.flatMap((s) => s.uses)]);
    const full = new Set<StatementSpan>([own, ...shared]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const s of owned) {
        if (!full.has(s) && s.def !== null && mentioned.has(s.def)) {
          full.add(s);
          for (const u of s.uses) mentioned.add(u);
          grew = true;
        }
      }
    }
    const parts = [...base, 'lf', lf.name, text(own)];
    for (const s of statements) {
      if (s === own) continue;
      parts.push(!owned.has(s) || full.has(s) ? text(s) : header(lines, s));
    }
    return digest(parts);
  });
}

/**
 * Whether the LF, or code it can reach, finds names dynamically: its own statement; every statement that runs
 * at import (all but plain defs) or is decorated; and the defs named by any of these, transitively.
 */
function reachesDynamically(own: StatementSpan, statements: StatementSpan[], self: Set<string>): boolean {
  const names = new Set<string>();
  const reached = new Set<StatementSpan>();
  const reach = (s: StatementSpan): void => {
    reached.add(s);
    for (const u of s.uses) names.add(u);
  };
  reach(own);
  for (const s of statements) if (s.kind !== 'def' || s.uses.includes('?exposed')) reach(s);
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of statements) {
      if (!reached.has(s) && s.def !== null && names.has(s.def)) {
        reach(s);
        grew = true;
      }
    }
  }
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
