/**
 * What the user's Python must not see inside the workspace that no path given to it names: the private
 * folders (PRIVATE_DIRS) at any depth (a vendored repository's .git, a sub-project's .lfstudio, a DVC cache),
 * and the other names of a hidden file that has hard links (DVC's `cache.type hardlink` keeps the dev set in
 * .dvc/cache and in data/; a copy made with `ln` anywhere). nativeRuntime.ts mounts an empty tmpfs over each
 * folder and an unreadable empty file over each link, so the kernel refuses them however they are read
 * (readline's history reader, ctypes), not only Python's `open`.
 *
 * Found by one walk of the workspace: symbolic links are not followed (what one leads to inside the workspace
 * is walked under its own name) and a private folder is not entered. Files are looked at (lstat) only while a
 * hidden file has more than one link. Folders are walked breadth first, and those that hold installed packages or
 * caches (node_modules, site-packages, .venv, ...: DEFERRED) only after every other one, so a cap reached in a
 * large node_modules still leaves the project's own folders walked. Worker launches are synchronous (the pool spawns on demand), so only the
 * first launch for a workspace and set of hidden files walks on the caller's thread; after that a launch takes
 * the last answer, and one older than SCAN_TTL_MS starts a walk in the background (asynchronous file calls)
 * whose answer the launches after it take. A walk stops after MAX_SCAN_ENTRIES entries (`complete: false`),
 * leaving what it did not reach to the worker's audit hooks.
 */
import { lstatSync, readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PRIVATE_DIRS } from './workspaceFiles.ts';

export const MAX_SCAN_ENTRIES = 200_000;
const SCAN_TTL_MS = 30_000;
/** Folder names walked last: installed packages and caches, often most of a workspace's entries. */
const DEFERRED = new Set(['node_modules', 'site-packages', 'dist-packages', '.venv', 'venv', '.tox', '.nox', '__pycache__', '.mypy_cache', '.pytest_cache', '.cache']);

export interface WorkspaceScan {
  /** Private folders in the workspace, at any depth. */
  privateDirs: string[];
  /** Other paths of the hidden files with hard links: a regular file with the same device and inode as `of`. */
  links: { path: string; of: string }[];
  /** False when the walk stopped at MAX_SCAN_ENTRIES. */
  complete: boolean;
  entries: number;
}

interface Target {
  dev: number;
  ino: number;
  path: string;
}

const cache = new Map<string, { at: number; scan: WorkspaceScan; refreshing: boolean }>();
const warned = new Set<string>();

/** The scan of `workspace` for these hidden files: walked now the first time, else the last answer (refreshed in the background when old). */
export function scanWorkspace(workspace: string, hidden: readonly string[], maxEntries = MAX_SCAN_ENTRIES): WorkspaceScan {
  let root: string;
  try {
    // Real paths, as the worker sees them (bubblewrap binds the workspace's real path).
    root = realpathSync(workspace);
  } catch {
    return { privateDirs: [], links: [], complete: true, entries: 0 };
  }
  const targets: Target[] = [];
  for (const path of hidden) {
    try {
      const st = statSync(path);
      if (st.isFile() && st.nlink > 1) targets.push({ dev: st.dev, ino: st.ino, path: realpathSync(path) });
    } catch {
      // A hidden file that is missing has no links to hide.
    }
  }
  const key = JSON.stringify([root, maxEntries, targets.map((t) => `${t.dev}:${t.ino}`)]);
  const kept = cache.get(key);
  if (kept) {
    if (Date.now() - kept.at >= SCAN_TTL_MS && !kept.refreshing) {
      kept.refreshing = true;
      walkAsync(root, targets, maxEntries).then(
        (scan) => cache.set(key, { at: Date.now(), scan, refreshing: false }),
        () => (kept.refreshing = false),
      );
    }
    return kept.scan;
  }
  const scan = walkSync(root, targets, maxEntries);
  if (!scan.complete && !warned.has(root)) {
    warned.add(root);
    console.warn(
      `LF Studio: ${root} has more than ${maxEntries} files and folders; the private folders (.git, .lfstudio, ...) and hard links to the dev set ` +
        'found in the first ones are hidden from your Python, the others are refused only when read with open()',
    );
  }
  cache.set(key, { at: Date.now(), scan, refreshing: false });
  if (cache.size > 16) cache.delete(cache.keys().next().value as string);
  return scan;
}

/** One walk's bookkeeping: what each listed entry adds, and whether a file's identity must be looked at. */
class Walk {
  readonly privateDirs: string[] = [];
  readonly links: { path: string; of: string }[] = [];
  /** Folders to list, breadth first: the others, then the DEFERRED ones. */
  private readonly queue: string[];
  private readonly later: string[] = [];
  private head = 0;
  entries = 0;
  private readonly wanted: Map<string, string>;
  private readonly hiddenPaths: Set<string>;

  constructor(
    root: string,
    targets: readonly Target[],
    readonly maxEntries: number,
  ) {
    this.queue = [root];
    this.wanted = new Map(targets.map((t) => [`${t.dev}:${t.ino}`, t.path]));
    this.hiddenPaths = new Set(targets.map((t) => t.path));
  }

  /** Takes one listed entry; a file whose identity may make it a link to a hidden file is returned to be looked at. */
  take(dir: string, d: Dirent): string | null {
    const path = join(dir, d.name);
    if (d.isDirectory()) {
      if (PRIVATE_DIRS.includes(d.name)) this.privateDirs.push(path);
      else (DEFERRED.has(d.name) ? this.later : this.queue).push(path);
      return null;
    }
    return this.wanted.size > 0 && d.isFile() && !this.hiddenPaths.has(path) ? path : null;
  }

  /** The next folder to list, or undefined when all are. */
  next(): string | undefined {
    if (this.head >= this.queue.length && this.later.length > 0) this.queue.push(...this.later.splice(0));
    return this.head < this.queue.length ? this.queue[this.head++] : undefined;
  }

  identity(path: string, st: { nlink: number; dev: number; ino: number }): void {
    const of = st.nlink > 1 ? this.wanted.get(`${st.dev}:${st.ino}`) : undefined;
    if (of !== undefined) this.links.push({ path, of });
  }

  result(complete: boolean): WorkspaceScan {
    return { privateDirs: this.privateDirs, links: this.links, complete, entries: this.entries };
  }
}

function walkSync(root: string, targets: readonly Target[], maxEntries: number): WorkspaceScan {
  const w = new Walk(root, targets, maxEntries);
  for (let dir = w.next(); dir !== undefined; dir = w.next()) {
    let list: Dirent[];
    try {
      list = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable: the worker cannot read it either
    }
    for (const d of list) {
      if (++w.entries > maxEntries) return { ...w.result(false), entries: maxEntries };
      const file = w.take(dir, d);
      if (file === null) continue;
      try {
        w.identity(file, lstatSync(file));
      } catch {
        // Gone since it was listed.
      }
    }
  }
  return w.result(true);
}

async function walkAsync(root: string, targets: readonly Target[], maxEntries: number): Promise<WorkspaceScan> {
  const w = new Walk(resolve(root), targets, maxEntries);
  for (let dir = w.next(); dir !== undefined; dir = w.next()) {
    let list: Dirent[];
    try {
      list = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const d of list) {
      if (++w.entries > maxEntries) return { ...w.result(false), entries: maxEntries };
      const file = w.take(dir, d);
      if (file === null) continue;
      try {
        w.identity(file, await lstat(file));
      } catch {
        // Gone since it was listed.
      }
    }
  }
  return w.result(true);
}
