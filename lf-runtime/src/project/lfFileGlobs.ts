/**
 * Expands the `lfFiles` entries of lfstudio.json: plain relative paths, or simple globs where `*` and `?`
 * match within one path segment and a `**` segment matches any number of folders. Written here rather than
 * taken from a package because the rules are this small and fs.glob only arrives in Node 22.
 */
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

/** Folders a `**` never descends into: dependency trees, VCS data and virtual environments are not LFs. */
const SKIPPED_FOLDERS = new Set(['node_modules', '__pycache__', 'venv', 'site-packages']);

export interface ExpandedPattern {
  pattern: string;
  /** Absolute paths of the files it matched, sorted. */
  files: string[];
  isGlob: boolean;
}

export function isGlobPattern(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

/** Expands one pattern relative to `root`. A plain path matches itself only if it is an existing file. */
export async function expandLfPattern(root: string, pattern: string): Promise<ExpandedPattern> {
  const normalized = pattern.replace(/\\/g, '/');
  if (!isGlobPattern(normalized)) {
    const file = resolve(root, normalized);
    return { pattern, files: (await isFile(file)) ? [file] : [], isGlob: false };
  }
  // Split off the literal leading folders so the walk starts as deep as possible.
  const segments = normalized.split('/').filter((s, i) => s !== '' && !(s === '.' && i > 0));
  let base = isAbsolute(normalized) ? '/' : root;
  let first = 0;
  while (first < segments.length - 1 && !isGlobPattern(segments[first])) {
    base = join(base, segments[first]);
    first++;
  }
  const found = new Set<string>();
  await walk(base, segments.slice(first).map(compileSegment), 0, found);
  return { pattern, files: [...found].sort(), isGlob: true };
}

type Segment = { kind: 'globstar' } | { kind: 'name'; literal: string | null; regex: RegExp };

function compileSegment(segment: string): Segment {
  if (segment === '**') return { kind: 'globstar' };
  if (!isGlobPattern(segment)) return { kind: 'name', literal: segment, regex: /^$/ };
  const source = segment
    .split('')
    .map((ch) => (ch === '*' ? '[^/]*' : ch === '?' ? '[^/]' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return { kind: 'name', literal: null, regex: new RegExp(`^${source}$`) };
}

async function walk(dir: string, segments: Segment[], index: number, found: Set<string>): Promise<void> {
  if (index === segments.length) return;
  const segment = segments[index];
  const last = index === segments.length - 1;

  if (segment.kind === 'globstar') {
    if (last) return; // "lfs/**" alone names folders, not files; require a file pattern after it
    await walk(dir, segments, index + 1, found); // ** matches zero folders
    for (const entry of await listDir(dir)) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name)) {
        await walk(join(dir, entry.name), segments, index, found);
      }
    }
    return;
  }
  if (segment.literal !== null) {
    const path = join(dir, segment.literal);
    if (last) {
      if (await isFile(path)) found.add(path);
    } else await walk(path, segments, index + 1, found);
    return;
  }
  for (const entry of await listDir(dir)) {
    // Like a shell, wildcards do not match hidden names.
    if (entry.name.startsWith('.') || !segment.regex.test(entry.name)) continue;
    const path = join(dir, entry.name);
    if (last) {
      if (entry.isFile() || (entry.isSymbolicLink() && (await isFile(path)))) found.add(path);
    } else if (entry.isDirectory() || entry.isSymbolicLink()) await walk(path, segments, index + 1, found);
  }
}

async function listDir(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return []; // a folder that does not exist simply matches nothing
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
