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
 * Editing one LF's body therefore re-runs that LF alone. Known limit, inside one unit only: LFs of a file
 * share module state as in Python, so a result can reflect state that an earlier LF of the same file left
 * behind while it ran; "Re-run All" recomputes everything.
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
  return lfs.map((lf, index) => {
    const own = owners[index];
    if (!own || !statements) return digest([...base, 'unit', String(index), lf.name, String(lf.line), unit.source]);
    // Names whose LF definitions run with this one: mentioned by it or by code included in full, transitively.
    const mentioned = new Set<string>([...own.uses, ...plain.flatMap((s) => s.uses)]);
    const full = new Set<StatementSpan>([own]);
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
