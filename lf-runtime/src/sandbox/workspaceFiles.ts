/**
 * Workspace files for units run in pyodide, which reads no host files itself. A unit runs with the files it
 * is known to read written into its workers' in-memory filesystem under their own paths (read-only in
 * effect: nothing a worker writes comes back). Workers note the paths under the workspace that Python looked
 * up and did not find (open, stat, exists, listdir...), and the folders the LF file listed; the parent checks
 * each one here and, when it is a file inside the workspace within the size limits, runs the unit again with
 * it. What an LF file needed is remembered, so its next runs take the files from the start (read afresh each
 * time, so edits count), and the folders it looked into are listed again (so files added since count).
 *
 * Checked on the host, never on a worker's word: the real path (symlinks resolved) must lie inside the
 * workspace folder's real path; only regular files are read; a missed folder brings its files (not its
 * subfolders). Paths outside the workspace are refused and the file's error says why.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { isInside } from '../project/dataLocation.ts';
import { privateStateDir } from './snapshotCache.ts';
import { mapErrors, type FileRunResult, type HiddenFile } from './types.ts';

/** A project's own folder of LF Studio state (generations, the editor's labels): no LF reads inside one. */
export const PROJECT_STATE_DIR = '.lfstudio';
/**
 * Version-control stores: every committed version of the dev set is in there (git's objects, compressed; DVC's
 * cache, whole), so an LF that read them would have the gold labels the data files are hidden for. No LF reads
 * inside one.
 */
export const VCS_DIRS = ['.git', '.hg', '.svn', '.jj', '.bzr', '.dvc'] as const;
/** The folders no LF reads inside, wherever they are in the workspace. */
export const PRIVATE_DIRS: readonly string[] = [PROJECT_STATE_DIR, ...VCS_DIRS];

/** At most this many bytes per file and per unit, and this many files per unit. */
export const MAX_RESOURCE_BYTES = 32 * 1024 * 1024;
export const MAX_UNIT_RESOURCE_BYTES = 64 * 1024 * 1024;
export const MAX_RESOURCE_FILES = 256;
/** Runs of one unit at most: the first, and one more for each round of newly found files. */
export const MAX_RESOURCE_ROUNDS = 4;

export interface ResourceRefusal {
  path: string;
  reason: string;
}

export class WorkspaceFiles {
  private readonly root: string | null;
  private readonly privateDir: string;
  /** Per LF file: the workspace files it read in an earlier run. */
  private readonly known = new Map<string, Set<string>>();
  /** Per LF file: the workspace folders it looked into (listed, or missed) in an earlier run. */
  private readonly folders = new Map<string, Set<string>>();

  constructor(readonly workspace: string) {
    let root: string | null = null;
    try {
      root = realpathSync(workspace);
    } catch {
      root = null;
    }
    this.root = root;
    try {
      this.privateDir = realpathSync(privateStateDir());
    } catch {
      this.privateDir = privateStateDir();
    }
  }

  /** The paths the file read before (empty at first). */
  knownFor(file: string): Set<string> {
    let set = this.known.get(file);
    if (!set) this.known.set(file, (set = new Set()));
    return set;
  }

  /**
   * Which of the missed paths can be given to the unit: files inside the workspace (a missed folder gives its
   * files). Adds them to the file's known set; returns those added and the refusals worth telling the user.
   */
  admit(file: string, missed: Iterable<string>, hidden: readonly HiddenFile[] = []): { added: string[]; refused: ResourceRefusal[] } {
    const set = this.knownFor(file);
    const hide = this.hiddenReasons(hidden);
    const added: string[] = [];
    const refused: ResourceRefusal[] = [];
    for (const path of missed) {
      if (set.has(path)) continue;
      const real = this.realInside(path);
      if (real === 'missing') continue;
      if (real === 'outside') {
        refused.push({ path, reason: 'it is outside the workspace folder, and LF files read only files inside it' });
        continue;
      }
      if (real === 'private') {
        refused.push({
          path,
          reason: "it is in LF Studio's private folder, a project's .lfstudio folder (whose saved prompts hold gold labels) or a version-control store such as .git (which holds every committed copy of the dev set), which no LF file may read",
        });
        continue;
      }
      let st;
      try {
        st = statSync(real);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        // Listed again before each later run (read), so a file added to it since is seen.
        let folders = this.folders.get(file);
        if (!folders) this.folders.set(file, (folders = new Set()));
        folders.add(path);
      }
      const candidates = st.isDirectory() ? filesIn(path, real) : st.isFile() ? [{ path, real, size: st.size }] : [];
      for (const c of candidates) {
        if (set.has(c.path)) continue;
        const why = hide.get(fileIdentity(c.real) ?? '');
        if (why !== undefined) {
          // Not remembered either: a later run without the file hidden reads it afresh.
          refused.push({ path: c.path, reason: why });
          continue;
        }
        if (c.size > MAX_RESOURCE_BYTES) {
          refused.push({ path: c.path, reason: `it is larger than ${MAX_RESOURCE_BYTES / 1048576} MB, the most the sandbox loads from one file (your own Python reads it: setting lfStudio.runtime "python" in a trusted workspace)` });
          continue;
        }
        if (set.size >= MAX_RESOURCE_FILES) {
          refused.push({ path: c.path, reason: `the sandbox loads at most ${MAX_RESOURCE_FILES} workspace files for one LF file` });
          break;
        }
        set.add(c.path);
        added.push(c.path);
      }
    }
    return { added, refused };
  }

  /**
   * The current contents of the file's known paths and of the folders it looked into, within the unit's byte
   * limit (the rest refused).
   */
  read(file: string, hidden: readonly HiddenFile[] = []): { files: Map<string, Buffer>; refused: ResourceRefusal[] } {
    const files = new Map<string, Buffer>();
    // The folders it looked into hold what they hold now: files added since join the known ones.
    const refused: ResourceRefusal[] = [...this.admit(file, [...(this.folders.get(file) ?? [])], hidden).refused];
    const hide = this.hiddenReasons(hidden);
    let total = 0;
    for (const path of [...this.knownFor(file)].sort()) {
      const real = this.realInside(path);
      if (real === 'missing' || real === 'outside' || real === 'private') continue;
      const why = hide.get(fileIdentity(real) ?? '');
      if (why !== undefined) {
        refused.push({ path, reason: why });
        continue;
      }
      try {
        const st = statSync(real);
        if (!st.isFile() || st.size > MAX_RESOURCE_BYTES) continue;
        if (total + st.size > MAX_UNIT_RESOURCE_BYTES) {
          refused.push({ path, reason: `the files this LF file reads pass ${MAX_UNIT_RESOURCE_BYTES / 1048576} MB, the most the sandbox loads for one file` });
          continue;
        }
        const bytes = readFileSync(real);
        total += bytes.length;
        files.set(path, bytes);
      } catch {
        // Gone or unreadable since: the unit then does not find it, as Python would not.
      }
    }
    return { files, refused };
  }

  /**
   * File identity (device and inode) -> why no LF may read it: a symbolic or hard link to a hidden file, or
   * another spelling of its path (a case-insensitive disk), is the same file.
   */
  private hiddenReasons(hidden: readonly HiddenFile[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const h of hidden) {
      const id = fileIdentity(h.path);
      if (id !== null) out.set(id, hiddenReason(h));
    }
    return out;
  }

  /**
   * A workspace file the parent reads on an LF file's behalf (a helper module beside it, a file the exported job
   * copies), under the same checks as the files the sandbox loads: a regular file once links are followed (not
   * a device or a pipe, which would never end or never answer), inside the workspace, not private, not hidden,
   * at most `maxBytes`; null otherwise. Read through one descriptor, so the checks are of the file read.
   */
  readChecked(path: string, maxBytes: number, hidden: readonly HiddenFile[] = []): Buffer | null {
    const real = this.realInside(path);
    if (real === 'missing' || real === 'outside' || real === 'private') return null;
    const hide = this.hiddenReasons(hidden);
    if (hide.has(fileIdentity(real) ?? '')) return null;
    let fd: number;
    try {
      // Non-blocking, so a named pipe does not hold the open until a writer comes.
      fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch {
      return null;
    }
    try {
      const st = fstatSync(fd, { bigint: true });
      if (!st.isFile() || st.size > BigInt(maxBytes)) return null;
      // The file opened, not the path checked: a link swapped in between the check and the open (by another
      // process writing the workspace) would otherwise be read. Its identity, and where it really is.
      if (hide.has(`${st.dev}:${st.ino}`)) return null;
      const opened = openedPath(fd);
      if (opened !== null) {
        const where = this.realInside(opened);
        if (where === 'outside' || where === 'private' || where === 'missing') return null;
      }
      const out = Buffer.alloc(Number(st.size));
      let at = 0;
      while (at < out.length) {
        const n = readSync(fd, out, at, out.length - at, at);
        if (n === 0) break;
        at += n;
      }
      return out.subarray(0, at);
    } catch {
      return null;
    } finally {
      closeSync(fd);
    }
  }

  /** Whether a path lies outside the workspace (after following links), or in LF Studio's private folder. */
  isOutside(path: string): boolean {
    const r = this.realInside(path);
    return r === 'outside' || r === 'private';
  }

  /**
   * The real path when `path` resolves inside the workspace; 'outside', 'missing', or 'private' (LF Studio's
   * own folder, which a workspace such as /tmp holds) otherwise.
   */
  private realInside(path: string): string | 'outside' | 'missing' | 'private' {
    if (!this.root || !path.startsWith('/')) return 'outside';
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      // Not there: but a path whose existing part lies outside is still refused, not silently missing.
      return isInside(this.root, path) || isInside(resolve(this.workspace), path) ? 'missing' : 'outside';
    }
    if (!isInside(this.root, real)) return 'outside';
    if (real === this.privateDir || isInside(this.privateDir, real)) return 'private';
    // The project's .lfstudio folder (saved generations hold prompts with dev rows and their gold labels) and
    // version-control stores (every committed copy of the dev set).
    return relative(this.root, real).split(sep).some((part) => PRIVATE_DIRS.includes(part)) ? 'private' : real;
  }
}


/** Where an open file descriptor's file is (Linux: /proc/self/fd), or null where that cannot be told. */
function openedPath(fd: number): string | null {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}

/** Entries, and folder depth, a workspace fingerprint walks at most; past either it gives up. */
const MAX_FINGERPRINT_ENTRIES = 20_000;
const MAX_FINGERPRINT_DEPTH = 12;

/**
 * The workspace as the user's Python may read it, as a digest of every file's path, size, modification and change times
 * and inode (links followed), for the result cache: that runtime reports no reads, so a cached result stands
 * only while the workspace is as it was (a keyword file edited, a helper in a subpackage changed). Folders no
 * LF file reads from are left out: dot-folders (.git, .venv, .lfstudio), node_modules, __pycache__ and virtual
 * environments (a folder with a pyvenv.cfg). Null when the workspace is too large to walk: nothing is cached.
 */
export function workspaceFingerprint(root: string): string | null {
  const h = createHash('sha256');
  let entries = 0;
  const walk = (dir: string, depth: number): boolean => {
    let list: Dirent[];
    try {
      list = readdirSync(dir, { withFileTypes: true });
    } catch {
      return true;
    }
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of list) {
      if (++entries > MAX_FINGERPRINT_ENTRIES) return false;
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name.startsWith('.') || e.name === 'node_modules' || e.name === '__pycache__' || existsSync(join(path, 'pyvenv.cfg'))) continue;
        if (depth >= MAX_FINGERPRINT_DEPTH) return false;
        h.update(`d${path}\0`);
        if (!walk(path, depth + 1)) return false;
        continue;
      }
      try {
        const st = statSync(path);
        // A link to a folder is not walked (it may loop); its target's time stands for it.
        h.update(`f${path}\0${st.size}\0${st.mtimeMs}\0${st.ctimeMs}\0${st.ino}\0`);
      } catch {
        h.update(`x${path}\0`);
      }
    }
    return true;
  };
  return walk(root, 0) ? h.digest('hex') : null;
}

/**
 * A relative path an LF file did not find beside it (Python runs it from its own folder here) that exists from
 * the workspace root, where many projects run their scripts: the error says so and how to write the path.
 */
export function hintRootRelative(result: FileRunResult, root: string): FileRunResult {
  const fileDir = dirname(result.file);
  return mapErrors(result, (e) => {
    const named = notFoundPath(e.message);
    if (named === undefined || named.startsWith('/') || e.message.includes(' was not loaded: ') || resolve(fileDir, named) === resolve(root, named)) return e;
    let found = false;
    try {
      const real = realpathSync(resolve(root, named));
      found = isInside(realpathSync(root), real) && statSync(real).isFile();
    } catch {
      found = false;
    }
    if (!found) return e;
    const hint =
      ` ${named} exists from the workspace folder (${resolve(root, named)}), but LF files run from their own folder, ` +
      `as "python lfs.py" run there would: build the path from the file's place, ` +
      `os.path.join(os.path.dirname(__file__), ${JSON.stringify(relative(fileDir, resolve(root, named)))}), so it works from anywhere.`;
    return { ...e, message: `${e.message}${hint}`.slice(0, 2000) };
  });
}

/** The path Python's "No such file or directory: '...'" names in an error message, if it names one. */
function notFoundPath(message: string): string | undefined {
  return /(?:FileNotFoundError|OSError|IOError)[^\n]*No such file or directory: '([^']{1,4096})'/.exec(message)?.[1];
}

/**
 * The user's Python sees only the workspace folder: a path it did not find that exists outside it (a data file
 * read from `os.pardir`, the project root above an LF folder opened as the workspace) is said to, and how to
 * widen the workspace. The sandbox says it as it refuses (`was not loaded: it is outside the workspace`).
 */
export function hintOutsideWorkspace(result: FileRunResult, root: string): FileRunResult {
  const fileDir = dirname(result.file);
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return result;
  }
  return mapErrors(result, (e) => {
    const named = notFoundPath(e.message);
    if (named === undefined || e.message.includes('outside the workspace')) return e;
    const path = resolve(fileDir, named);
    try {
      const real = realpathSync(path);
      if (isInside(realRoot, real)) return e;
    } catch {
      return e; // not on this machine either
    }
    const hint = `: that file exists, but outside the workspace folder (${root}), which is all your Python may read; open a folder that holds both as the workspace (--workspace on the command line)`;
    return { ...e, message: `${e.message}${hint}`.slice(0, 2000) };
  });
}

/** "device:inode" of the file a path leads to, or null when there is none. */
export function fileIdentity(path: string): string | null {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.dev}:${st.ino}`;
  } catch {
    return null;
  }
}

/** Why an LF may not read a hidden file, as its error says. */
export function hiddenReason(h: HiddenFile): string {
  return `it is ${h.what}, whose gold labels no LF may see (an LF that looked its row's label up would show a precision it does not have); LF files read the row's fields (x.text), not the data files`;
}

function filesIn(dir: string, realDir: string): { path: string; real: string; size: number }[] {
  const out: { path: string; real: string; size: number }[] = [];
  let names: string[];
  try {
    names = readdirSync(realDir).sort();
  } catch {
    return out;
  }
  for (const name of names) {
    try {
      const st = statSync(join(realDir, name));
      if (st.isFile()) out.push({ path: `${dir.replace(/\/+$/, '')}/${name}`, real: join(realDir, name), size: st.size });
    } catch {
      // Vanished meanwhile.
    }
  }
  return out;
}

/**
 * Adds to every file-not-found error of the result why the sandbox did not give it the file: refused above,
 * or (from the path in Python's message, taken relative to the LF file's folder) outside the workspace.
 */
export function explainRefusals(result: FileRunResult, refused: ResourceRefusal[], files: WorkspaceFiles): FileRunResult {
  const fileDir = dirname(result.file);
  return mapErrors(result, (e) => {
    if (!/\b(FileNotFoundError|No such file or directory)\b/.test(e.message)) return e;
    const named = /No such file or directory: '([^']{1,4096})'/.exec(e.message)?.[1];
    const mine = refused.filter((r) => e.message.includes(r.path) || (named !== undefined && resolve(fileDir, named) === r.path));
    // A named path no refusal is about keeps its message: another file's refusal would mislead.
    const use = (mine.length ? mine : named === undefined ? refused : []).slice(0, 3);
    if (use.length === 0 && named !== undefined && files.isOutside(resolve(fileDir, named))) {
      use.push({ path: named, reason: 'it is outside the workspace folder, and LF files read only files inside it' });
    }
    if (use.length === 0) return e;
    const why = use.map((r) => `${r.path} was not loaded: ${r.reason}.`).join(' ');
    // A sentence of its own after Python's message: "...: '/etc/passwd'. /etc/passwd was not loaded: ...".
    return { ...e, message: `${e.message.replace(/\.?$/, '.')} ${why}`.slice(0, 2000) };
  });
}
