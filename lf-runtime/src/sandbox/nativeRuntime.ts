/**
 * The native Python runtime: the user's own CPython, with whatever that environment has installed (spaCy,
 * TextBlob, pandas, their own packages), for LF files the pyodide sandbox cannot run. It serves the same
 * protocol through the same pool of per-unit workers (python/native/native_worker.py), so the isolation
 * rules hold here too: a fresh process per unit of trust, strict parsing of everything it sends.
 *
 * On Linux every process runs inside bubblewrap: all namespaces unshared (no network, own PIDs), read-only
 * binds of the system's /usr, the interpreter's prefix, its import path and the workspace, a private /tmp,
 * no home, an empty environment, die-with-parent, no capabilities (also when run as root), a seccomp filter
 * refusing new processes, mounts, namespaces, memfd and Unix-domain sockets (seccomp.ts), and limits on memory
 * and file size set before any user code. Where bwrap is missing (or not on Linux) the native runtime runs
 * only when the caller allows it explicitly, and the isolation report says it is unsandboxed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import type { LaunchPlan } from './isolation.ts';
import { noNewProcessesFilter } from './seccomp.ts';
import { privateStateDir } from './snapshotCache.ts';
import { PRIVATE_DIRS } from './workspaceFiles.ts';
import { scanWorkspace } from './workspaceScan.ts';

export interface PythonInterpreter {
  /** What the user named (a path or a command on PATH). */
  requested: string;
  /** The interpreter as it runs itself (sys.executable, its folder resolved): in a virtual environment, its bin/python. */
  executable: string;
  version: string;
  /** Folders the interpreter needs to read: its prefixes and import path, resolved. */
  readPaths: string[];
}

// The executable's folder resolved, but not the executable itself: a virtual environment's bin/python is a link
// to the base interpreter, and only started by that name does Python find the environment's pyvenv.cfg beside
// it, and with it the environment's packages.
const PROBE = `import json, os, sys
print(json.dumps({"executable": os.path.join(os.path.realpath(os.path.dirname(sys.executable)), os.path.basename(sys.executable)), "version": "%d.%d.%d" % sys.version_info[:3],
  "prefixes": sorted({sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}),
  "path": [p for p in sys.path if p and os.path.isdir(p)]}))`;

/** Finds and probes an interpreter; throws an error that names what was tried and how to fix it. */
export function findInterpreter(requested = 'python3'): PythonInterpreter {
  const command = requested.includes('/') ? resolve(requested) : (onPath(requested) ?? requested);
  const r = spawnSync(command, ['-I', '-c', PROBE], { encoding: 'utf8', timeout: 20_000 });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr || `exit code ${r.status}`).trim().split('\n').slice(-1)[0];
    throw new Error(
      `LF Studio cannot run the Python interpreter "${requested}" (${why}). Set lfStudio.python.interpreter (or --python) to the python3 of the environment that has your packages.`,
    );
  }
  const info = JSON.parse(r.stdout.trim().split('\n').pop()!) as { executable: string; version: string; prefixes: string[]; path: string[] };
  const readPaths = new Set<string>();
  for (const p of [...info.prefixes, ...info.path, dirname(info.executable)]) {
    try {
      readPaths.add(realpathSync(p));
    } catch {
      // A prefix that does not exist needs no bind.
    }
  }
  return { requested, executable: info.executable, version: info.version, readPaths: [...readPaths] };
}

function onPath(name: string): string | null {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    if (d && existsSync(join(d, name))) return join(d, name);
  }
  return null;
}

let bwrapPath: string | null | undefined;

/** The bwrap binary when it works here (it needs unprivileged or root user namespaces), else null. */
export function bubblewrap(): string | null {
  if (bwrapPath !== undefined) return bwrapPath;
  bwrapPath = null;
  if (process.platform !== 'linux') return null;
  const bin = ['/usr/bin/bwrap', '/bin/bwrap', ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'bwrap'))].find((p) => p && existsSync(p));
  if (!bin) return null;
  const r = spawnSync(bin, ['--ro-bind', '/', '/', '--unshare-all', '--die-with-parent', '--', '/bin/true'], { stdio: 'ignore', timeout: 10_000 });
  if (r.status === 0) bwrapPath = bin;
  return bwrapPath;
}

let filterFile: string | null | undefined;

/** The seccomp program written once to a private file (bwrap reads it from a descriptor). */
function seccompFile(): string | null {
  if (filterFile !== undefined) return filterFile;
  const bpf = noNewProcessesFilter();
  filterFile = null;
  if (!bpf) return null;
  const dir = mkdtempSync(join(tmpdir(), 'lf-studio-seccomp-'));
  filterFile = join(dir, 'no-new-processes.bpf');
  writeFileSync(filterFile, bpf, { mode: 0o600 });
  return filterFile;
}

/** The private /tmp of a native worker: tmpfs pages, outside the worker's memory cap. */
export const TMP_BYTES = 64 * 1024 * 1024;
/** The private /dev/shm of a native worker (also tmpfs, also outside the cap). */
export const DEV_SHM_BYTES = 16 * 1024 * 1024;
/** Each empty tmpfs laid over a private folder: one page, and read-only. */
const EMPTY_TMPFS_BYTES = 4096;

/** One string-hash seed for every native worker, so sets of strings iterate alike in each (see planNativeLaunch). */
export const HASH_SEED = { PYTHONHASHSEED: '0' } as const;

export interface NativeLaunchOptions {
  interpreter: PythonInterpreter;
  /** dist/python: the runner, the native worker and the snorkel stand-in. */
  pythonDir: string;
  /** Readable (read-only) by LF files: the workspace folder. */
  workspace: string;
  memoryMb: number;
  /** Run without bubblewrap where it is missing (the user allowed it). */
  allowUnsandboxed: boolean;
  /**
   * Files inside the binds no LF may read (the data files with gold labels, RunFileOptions.hiddenFiles): an
   * empty file that nobody may open is mounted over each, so the kernel refuses them however they are named
   * (a descriptor of their folder, a link swapped after a check); the worker's audit hook says why first.
   */
  hidden?: readonly string[];
  /** Project .lfstudio folders to hide besides those found from `hidden` (the ones above the LF file run). */
  stateDirs?: readonly string[];
}

export interface NativeLaunch extends LaunchPlan {
  osSandbox: 'bubblewrap' | null;
  noNewProcesses: boolean;
}

/**
 * The private folders (PRIVATE_DIRS: the project folder, version-control stores) of every folder from `file`'s
 * up to `workspace`, those folders inside it, whether they exist or not: where a project holding the file keeps
 * its saved prompts, and a repository holding it every committed copy of its dev set.
 */
export function stateDirsAbove(file: string, workspace: string): string[] {
  const top = resolve(workspace);
  const out: string[] = [];
  for (let dir = dirname(resolve(file)); dir.startsWith(`${top}/`); dir = dirname(dir)) for (const name of PRIVATE_DIRS) out.push(join(dir, name));
  return out;
}

/** A Python installation or virtual environment (its prefix): bound for the interpreter, not walked. */
function isPythonInstall(dir: string): boolean {
  return ['pyvenv.cfg', 'bin/python3', 'bin/python'].some((f) => existsSync(join(dir, f)));
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The command line for one native worker; throws when bubblewrap is missing and that was not allowed. */
export function planNativeLaunch(o: NativeLaunchOptions): NativeLaunch {
  const worker = join(o.pythonDir, 'native', 'native_worker.py');
  // -s -B rather than -I: -I (through -E) ignores PYTHONHASHSEED, and every worker of a unit (one per shard,
  // and each replacement) must run the file's top level alike: an LF list built from a set of strings
  // (`list(set(phrases))`, common in real LF files) is in a different order under another hash seed, and the
  // unit would fail as defining different LFs each time. The environment is ours alone (empty but for this).
  const pyArgs = ['-s', '-B', worker, `--memory-mb=${o.memoryMb}`, `--private-dirs=${PRIVATE_DIRS.join(',')}`];
  const bwrap = bubblewrap();
  if (!bwrap) {
    if (!o.allowUnsandboxed) {
      throw new Error(
        process.platform === 'linux'
          ? 'The Python runtime runs inside bubblewrap, which is not installed (or does not work) here: install it (Debian/Ubuntu: sudo apt-get install bubblewrap), or allow the Python runtime without a sandbox for this workspace.'
          : `The Python runtime is sandboxed only on Linux (bubblewrap); on ${process.platform} allow it without a sandbox for this workspace, or use the pyodide sandbox.`,
      );
    }
    return { command: o.interpreter.executable, args: pyArgs, env: { ...HASH_SEED }, nodePermissionModel: false, networkNamespace: false, osSandbox: null, noNewProcesses: false };
  }
  const binds = new Set<string>(['/usr']);
  const ro: string[] = [];
  const addRo = (p: string): void => {
    let real: string;
    try {
      real = realpathSync(p);
    } catch {
      return;
    }
    if ([...binds].some((b) => real === b || real.startsWith(`${b}/`))) return;
    binds.add(real);
    ro.push('--ro-bind', real, real);
  };
  for (const p of o.interpreter.readPaths) addRo(p);
  addRo(o.pythonDir);
  addRo(o.workspace);
  // LF Studio's private folder (the snapshots' MAC key) when a bind holds it (a workspace of /tmp): an empty
  // tmpfs over it. Made first if need be, so a key written there while this worker lives stays hidden too.
  const hidden: string[] = [];
  // Each an empty tmpfs of one page, read-only once the masks inside are mounted (bwrap's default is half the
  // host's RAM, writable, and counted against no limit of the worker).
  const readOnly: string[] = [];
  const emptyFolder = (path: string) => {
    hidden.push('--size', String(EMPTY_TMPFS_BYTES), '--tmpfs', path);
    readOnly.push('--remount-ro', path);
  };
  try {
    mkdirSync(privateStateDir(), { recursive: true, mode: 0o700 });
    const privateDir = realpathSync(privateStateDir());
    if ([...binds].some((b) => privateDir === b || privateDir.startsWith(`${b}/`))) emptyFolder(privateDir);
  } catch {
    // Cannot be made (a read-only temporary folder): then it holds no key either.
  }
  // The project's .lfstudio folder (saved generations: prompts with dev rows and their gold labels): an empty
  // tmpfs over it, so files saved there while this worker lives stay hidden too. The workspace's own, the one
  // holding a hidden file (the editor's labels file of a project below the workspace root), and the one of
  // every folder from a hidden file (the dev set) up to the workspace, which holds a project's below the root.
  const stateDirs = new Set<string>();
  // Likewise the version-control stores there (.git: every committed copy of the dev set).
  const candidates = [...PRIVATE_DIRS.map((name) => join(o.workspace, name)), ...(o.stateDirs ?? [])];
  // And those at any depth of the workspace (a vendored repository's .git), and other hard links to the
  // hidden files (workspaceScan.ts); likewise in a project folder the interpreter's path holds (an editable
  // install's .pth names the project's root, .git and all). Folders of installed packages are not walked.
  const scan = scanWorkspace(o.workspace, o.hidden ?? []);
  const links = [...scan.links];
  candidates.push(...scan.privateDirs);
  // The workspace is walked above; LF Studio's own Python files hold no private folder.
  const notWalked = new Set([realpathOr(o.workspace), realpathOr(o.pythonDir)]);
  for (const bound of binds) {
    if (bound === '/usr' || bound.startsWith('/usr/') || /\/(site|dist)-packages(\/|$)/.test(bound) || notWalked.has(bound) || isPythonInstall(bound)) continue;
    const other = scanWorkspace(bound, o.hidden ?? []);
    candidates.push(...other.privateDirs);
    links.push(...other.links);
  }
  for (const file of o.hidden ?? []) {
    if (PRIVATE_DIRS.includes(basename(dirname(file)))) candidates.push(dirname(file));
    candidates.push(...stateDirsAbove(file, o.workspace));
  }
  for (const candidate of candidates) {
    try {
      const state = realpathSync(candidate);
      if (statSync(state).isDirectory() && [...binds].some((b) => state.startsWith(`${b}/`)) && !stateDirs.has(state)) {
        stateDirs.add(state);
        emptyFolder(state);
      }
    } catch {
      // No such folder: nothing to hide.
    }
  }
  // Child descriptors 3, 4, ... in the order they are pushed: the seccomp filter, then one /dev/null per
  // hidden file, whose (empty) content --ro-bind-data copies.
  const extraFds: number[] = [];
  const passFd = (fd: number): string => String(3 + extraFds.push(fd) - 1);
  const filter = seccompFile();
  const seccomp = filter ? ['--seccomp', passFd(openSync(filter, 'r'))] : [];
  const masks: string[] = [];
  for (const path of new Set([...(o.hidden ?? []), ...links.map((l) => l.path)])) {
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      continue;
    }
    if (![...binds].some((b) => real === b || real.startsWith(`${b}/`))) continue;
    masks.push('--perms', '0000', '--ro-bind-data', passFd(openSync('/dev/null', 'r')), real);
  }
  const args = [
    '--ro-bind', '/usr', '/usr',
    '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/sbin', '/sbin',
    // Shared-library choices (BLAS for numpy) and the loader cache live in /etc; nothing else of it.
    '--ro-bind-try', '/etc/alternatives', '/etc/alternatives', '--ro-bind-try', '/etc/ld.so.cache', '/etc/ld.so.cache',
    // Debian keeps matplotlib's defaults there (python3-matplotlib); without it `import matplotlib.pyplot` fails.
    '--ro-bind-try', '/etc/matplotlibrc', '/etc/matplotlibrc',
    // bwrap's /dev (and the /dev/shm in it) is a tmpfs of half the host's RAM: pages written there count against
    // no limit of the worker (RLIMIT_AS, the parent's RSS watch). So /dev is read-only and /dev/shm a small tmpfs
    // of its own (POSIX semaphores and small shared memory still work), like the private /tmp.
    '--proc', '/proc', '--dev', '/dev', '--size', String(DEV_SHM_BYTES), '--tmpfs', '/dev/shm', '--remount-ro', '/dev',
    // /proc read-only: run as root, the worker is root outside too (capabilities do not guard /proc/sys, its
    // files' owner bits do), and bwrap leaves /proc/sys writable where its own probe finds it read-only, so an
    // LF could set kernel.core_pattern to run a program as the host's root. A read-only mount refuses that.
    '--remount-ro', '/proc',
    '--size', String(TMP_BYTES), '--tmpfs', '/tmp',
    // After the private /tmp, so a workspace or interpreter under /tmp stays visible (read-only).
    ...ro,
    ...hidden,
    ...masks,
    ...readOnly,
    // The root bwrap builds (a tmpfs of half the host's RAM holding the mount points) read-only: written there,
    // files would count against no limit of the worker. Only the private /tmp and /dev/shm, each capped, take writes.
    '--remount-ro', '/',
    // Run as root, bwrap would leave the process every capability in its namespaces, and one remount makes a
    // read-only bind (the workspace, the interpreter) writable: none are kept, whoever runs it.
    '--cap-drop', 'ALL',
    '--unshare-all', '--die-with-parent', '--new-session', '--clearenv', '--setenv', 'HOME', '/tmp', '--setenv', 'LANG', 'C.UTF-8',
    ...Object.entries(HASH_SEED).flatMap(([k, v]) => ['--setenv', k, v]),
    '--chdir', '/tmp',
  ];
  // The worker's audit hook says why a link is refused, as for the file it links to.
  if (links.length > 0) pyArgs.push(`--hidden-links=${JSON.stringify(links)}`);
  args.push(...seccomp, '--', o.interpreter.executable, ...pyArgs);
  return { command: bwrap, args, env: {}, extraFds, nodePermissionModel: false, networkNamespace: true, osSandbox: 'bubblewrap', noNewProcesses: filter !== null };
}
