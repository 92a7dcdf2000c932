/**
 * Where pyodide memory snapshots live between runs. A snapshot turns a 3.5-5.7 s cold start into well
 * under a second. The worker cannot write files (permission model), so a dedicated process that never runs
 * user code hands the bytes to the parent, which stores them in a per-user directory (0700) keyed by the
 * pyodide version and the worker bundle's hash: any change to the runtime code or pyodide makes a new key.
 *
 * A snapshot decides what every later sandbox runs, so it is sealed: beside it the parent keeps an
 * HMAC-SHA256 of its bytes under a per-user key (`snapshot.key`, 0600) that no worker may read (the
 * permission model lets a worker read the snapshot file itself and nothing else of this directory). Before
 * each use the file is checked against its MAC (the full digest is recomputed whenever the file's identity,
 * size or times changed since the last check, which a sealed record beside it remembers across processes);
 * one that fails is deleted and rebuilt.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';

/**
 * LF Studio's private per-user folder in the temporary folder (the snapshots and their MAC key live there).
 * No LF may read it, even when its workspace holds it (a workspace of /tmp): both runtimes hide it.
 */
export function privateStateDir(): string {
  let user = 'user';
  try {
    user = String(userInfo().uid >= 0 ? userInfo().uid : userInfo().username);
  } catch {
    // No user database entry (containers): one shared name is fine, the directory is still 0700.
  }
  return join(tmpdir(), `lf-studio-${user}`);
}

export function defaultSnapshotDir(): string {
  return join(privateStateDir(), 'snapshots');
}

/** The runtime's version: pyodide's, and a digest of the worker bundle and this Node (keys snapshots and results). */
export function runtimeVersion(distDir: string): { pyodide: string; digest: string } {
  const worker = readFileSync(join(distDir, 'lfWorker.js'));
  let pyodide = 'unknown';
  try {
    pyodide = (JSON.parse(readFileSync(join(distDir, 'pyodide', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // Missing package.json: the bundle hash still keys the snapshot.
  }
  return { pyodide, digest: createHash('sha256').update(worker).update(pyodide).update(process.version).digest('hex').slice(0, 16) };
}

export function snapshotFileFor(distDir: string, cacheDir: string): string {
  const v = runtimeVersion(distDir);
  return join(cacheDir, `pyodide-${v.pyodide}-${v.digest}.snapshot`);
}

const KEY_FILE = 'snapshot.key';

/** The per-user MAC key, created on first use; null when the directory is not private or not writable. */
function macKey(dir: string): Buffer | null {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!privateDirectory(dir)) return null;
    const file = join(dir, KEY_FILE);
    if (!existsSync(file)) {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, randomBytes(32), { mode: 0o600 });
      renameSync(tmp, file);
    }
    const st = statSync(file);
    if (typeof process.getuid === 'function' && (st.uid !== process.getuid() || (st.mode & 0o077) !== 0)) return null;
    const key = readFileSync(file);
    return key.length === 32 ? key : null;
  } catch {
    return null;
  }
}

function mac(key: Buffer, bytes: Buffer): Buffer {
  return createHmac('sha256', key).update(bytes).digest();
}

/** File identity and times at the last successful check, so an unchanged file is not hashed again. */
const verified = new Map<string, string>();

function identity(file: string): string | null {
  try {
    const st = statSync(file, { bigint: true });
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return null;
  }
}

export type SnapshotCheck = 'ok' | 'missing' | 'invalid';

/**
 * Checks the snapshot against its MAC. 'invalid' (wrong MAC, missing MAC, unreadable, not in a private
 * directory) deletes the snapshot and its MAC so the caller rebuilds it.
 */
export function checkSnapshot(file: string): SnapshotCheck {
  if (!existsSync(file)) return 'missing';
  const id = identity(file);
  if (id !== null && verified.get(file) === id) return 'ok';
  const key = macKey(dirname(file));
  if (id !== null && key && recordedAsVerified(file, key, id)) {
    verified.set(file, id);
    return 'ok';
  }
  let ok = false;
  try {
    const expected = Buffer.from(readFileSync(`${file}.mac`, 'utf8').trim(), 'hex');
    const actual = key ? mac(key, readFileSync(file)) : null;
    ok = actual !== null && expected.length === actual.length && timingSafeEqual(expected, actual) && identity(file) === id;
  } catch {
    ok = false;
  }
  if (ok && id !== null) {
    markVerified(file, key!, id);
    return 'ok';
  }
  deleteSnapshot(file);
  return 'invalid';
}

/**
 * Hashing the 31 MB snapshot takes ~0.2 s, which every CLI run (a new process) would pay before its first
 * worker starts. So a full check leaves a record beside the snapshot: the file's identity and times then
 * (device, inode, size, mtime, ctime), sealed with the same key. A later process that finds the file with
 * that identity skips the hash: the kernel changes ctime on any write, rename or chmod, and a replaced file
 * has another inode, so any change to the bytes brings the full check back. Workers cannot write files.
 */
function markVerified(file: string, key: Buffer, id: string): void {
  verified.set(file, id);
  try {
    const tmp = `${file}.verified.${process.pid}.tmp`;
    writeFileSync(tmp, `${id}\n${recordMac(file, key, id)}\n`, { mode: 0o600 });
    renameSync(tmp, `${file}.verified`);
  } catch {
    // Without the record the next process hashes the file again.
  }
}

function recordedAsVerified(file: string, key: Buffer, id: string): boolean {
  try {
    const [recorded, seal] = readFileSync(`${file}.verified`, 'utf8').split('\n');
    const expected = Buffer.from(recordMac(file, key, id), 'hex');
    const actual = Buffer.from(seal ?? '', 'hex');
    return recorded === id && actual.length === expected.length && timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

function recordMac(file: string, key: Buffer, id: string): string {
  return createHmac('sha256', key).update(`verified ${basename(file)} ${id}`).digest('hex');
}

/**
 * A snapshot decides what the sandbox runs, so only trust one in a directory that is ours and closed to
 * other users (someone could have created the shared tmp path first).
 */
function privateDirectory(dir: string): boolean {
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return true;
  try {
    const st = statSync(dir);
    return st.isDirectory() && st.uid === process.getuid() && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** Removes a snapshot and its MAC (the next check reports it missing, which rebuilds it). */
export function deleteSnapshot(file: string): void {
  verified.delete(file);
  rmSync(`${file}.verified`, { force: true });
  rmSync(file, { force: true });
  rmSync(`${file}.mac`, { force: true });
}

/**
 * Atomically stores a snapshot and its MAC; returns false (and leaves no partial file) when the disk refuses.
 * Only bytes from the snapshot-making process, which never runs user code, may come here.
 */
export function storeSnapshot(file: string, bytes: Buffer): boolean {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const key = macKey(dirname(file));
    if (!key || !privateDirectory(dirname(file))) return false;
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes, { mode: 0o600 });
    writeFileSync(`${tmp}.mac`, mac(key, bytes).toString('hex'), { mode: 0o600 });
    // The MAC lands first: a snapshot is never visible without it (a crash in between leaves a mismatch,
    // which the next check treats as invalid and rebuilds).
    renameSync(`${tmp}.mac`, `${file}.mac`);
    renameSync(tmp, file);
    const id = identity(file);
    if (id !== null) markVerified(file, key, id);
    removeStaleSnapshots(file);
    return true;
  } catch {
    return false;
  }
}

/** Older builds' snapshots are 31 MB each: drop those not used for a day (other checkouts may share the dir). */
function removeStaleSnapshots(current: string): void {
  const dir = dirname(current);
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  try {
    for (const name of readdirSync(dir)) {
      if (name.startsWith(basename(current)) || !/^pyodide-.*\.snapshot(\.mac|\.verified)?$/.test(name)) continue;
      const full = join(dir, name);
      if (statSync(full).atimeMs < dayAgo && statSync(full).mtimeMs < dayAgo) rmSync(full, { force: true });
    }
  } catch {
    // Cleaning up is best effort.
  }
}
