/**
 * The helper modules beside an LF file (helpers.py next to lfs.py), which the pyodide sandbox is given as the
 * unit's sibling modules and the exported job ships.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { HiddenFile } from '../sandbox/types.ts';
import { WorkspaceFiles } from '../sandbox/workspaceFiles.ts';

/** At most this many helper modules beside an LF file, each at most this large, go to the sandbox. */
const MAX_SIBLINGS = 64;
const MAX_SIBLING_BYTES = 512 * 1024;

/**
 * The Python modules beside an LF file (helpers.py next to lfs.py), so `import helpers` works in the pyodide
 * sandbox as it does in Python (the user's own Python imports them from the folder itself). They are part of
 * the unit: an edit to one re-runs the files beside it. Each is read as the sandbox reads workspace files
 * (WorkspaceFiles.readChecked): a link to a file outside the workspace (`notes.py -> /proc/self/environ`), to a
 * gold-label file or to a device, or a named pipe, is no module; `root` is the workspace (the LF file's own
 * folder without one).
 */
export function siblingModules(file: string, where: { root?: string; hidden?: readonly HiddenFile[] } = {}): Record<string, string> | null {
  const files = new WorkspaceFiles(where.root ?? dirname(file));
  const out: Record<string, string> = {};
  for (const path of siblingModulePaths(file)) {
    const bytes = files.readChecked(path, MAX_SIBLING_BYTES, where.hidden);
    // One that is refused, vanished or cannot be read is not importable: the import then says so.
    if (bytes) out[basename(path).slice(0, -3)] = bytes.toString('utf8');
  }
  return Object.keys(out).length ? out : null;
}

/** The paths of the helper modules beside an LF file that the sandbox is given (siblingModules). */
export function siblingModulePaths(file: string): string[] {
  const dir = dirname(file);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.py') && n !== basename(file) && /^[A-Za-z_]\w*\.py$/.test(n)).sort();
  } catch {
    return [];
  }
  return names.slice(0, MAX_SIBLINGS).map((name) => join(dir, name));
}
