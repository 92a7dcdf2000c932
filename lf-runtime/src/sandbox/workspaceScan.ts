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
 * hidden file has more than one link. A burst of worker launches (one per LF file) walks once: the answer is
 * kept for SCAN_TTL_MS. A walk stops after MAX_SCAN_ENTRIES entries (`complete: false`), leaving what it did
 * not reach to the worker's audit hook.
 */
import { lstatSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { join, resolve } from 'node:path';
import { PRIVATE_DIRS } from './workspaceFiles.ts';

export const MAX_SCAN_ENTRIES = 200_000;
const SCAN_TTL_MS = 30_000;

export interface WorkspaceScan {
  /** Private folders in the workspace, at any depth. */
  privateDirs: string[];
  /** Other paths of the hidden files with hard links: a regular file with the same device and inode as `of`. */
  links: { path: string; of: string }[];
  /** False when the walk stopped at MAX_SCAN_ENTRIES. */
  complete: boolean;
  entries: number;
}

const cache = new Map<string, { at: number; scan: WorkspaceScan }>();

/** The scan of `workspace` for these hidden files, from the cache when it is fresh. */
export function scanWorkspace(workspace: string, hidden: readonly string[], maxEntries = MAX_SCAN_ENTRIES): WorkspaceScan {
  const root = resolve(workspace);
  const targets: { dev: number; ino: number; path: string }[] = [];
  for (const path of hidden) {
    try {
      const st = statSync(path);
      if (st.isFile() && st.nlink > 1) targets.push({ dev: st.dev, ino: st.ino, path: resolve(path) });
    } catch {
      // A hidden file that is missing has no links to hide.
    }
  }
  const key = JSON.stringify([root, maxEntries, targets.map((t) => `${t.dev}:${t.ino}`)]);
  const now = Date.now();
  const kept = cache.get(key);
  if (kept && now - kept.at < SCAN_TTL_MS) return kept.scan;
  const scan = walk(root, targets, maxEntries);
  cache.set(key, { at: now, scan });
  if (cache.size > 16) cache.delete(cache.keys().next().value as string);
  return scan;
}

function walk(root: string, targets: readonly { dev: number; ino: number; path: string }[], maxEntries: number): WorkspaceScan {
  const privateDirs: string[] = [];
  const links: { path: string; of: string }[] = [];
  const wanted = new Map(targets.map((t) => [`${t.dev}:${t.ino}`, t.path]));
  const hiddenPaths = new Set(targets.map((t) => t.path));
  const stack = [root];
  let entries = 0;
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    let list: Dirent[];
    try {
      list = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable: the worker cannot read it either
    }
    for (const d of list) {
      if (++entries > maxEntries) return { privateDirs, links, complete: false, entries: entries - 1 };
      const path = join(dir, d.name);
      if (d.isDirectory()) {
        if (PRIVATE_DIRS.includes(d.name)) privateDirs.push(path);
        else stack.push(path);
      } else if (wanted.size > 0 && d.isFile() && !hiddenPaths.has(path)) {
        try {
          const st = lstatSync(path);
          const of = st.nlink > 1 ? wanted.get(`${st.dev}:${st.ino}`) : undefined;
          if (of !== undefined) links.push({ path, of });
        } catch {
          // Gone since it was listed.
        }
      }
    }
  }
  return { privateDirs, links, complete: true, entries };
}
