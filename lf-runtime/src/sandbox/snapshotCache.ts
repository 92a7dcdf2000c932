/**
 * Where pyodide memory snapshots live between runs. A snapshot turns a 3.5-5.7 s cold start into well
 * under a second. The worker cannot write files (permission model), so it hands the bytes to the parent,
 * which stores them in a per-user directory (0700) keyed by the pyodide version and the worker bundle's
 * hash: any change to the runtime code or pyodide makes a new key.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';

export function defaultSnapshotDir(): string {
  let user = 'user';
  try {
    user = String(userInfo().uid >= 0 ? userInfo().uid : userInfo().username);
  } catch {
    // No user database entry (containers): one shared name is fine, the directory is still 0700.
  }
  return join(tmpdir(), `lf-studio-${user}`, 'snapshots');
}

export function snapshotFileFor(distDir: string, cacheDir: string): string {
  const worker = readFileSync(join(distDir, 'lfWorker.js'));
  let pyodideVersion = 'unknown';
  try {
    pyodideVersion = (JSON.parse(readFileSync(join(distDir, 'pyodide', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // Missing package.json: the bundle hash still keys the snapshot.
  }
  const key = createHash('sha256').update(worker).update(pyodideVersion).update(process.version).digest('hex').slice(0, 16);
  return join(cacheDir, `pyodide-${pyodideVersion}-${key}.snapshot`);
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

/** The snapshot path if a complete one exists in a private directory. */
export function existingSnapshot(file: string): string | null {
  try {
    return privateDirectory(dirname(file)) && existsSync(file) && statSync(file).size > 1024 * 1024 ? file : null;
  } catch {
    return null;
  }
}

/** Atomically stores a snapshot; returns false (and leaves no partial file) when the disk refuses. */
export function storeSnapshot(file: string, base64: string): boolean {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    if (!privateDirectory(dirname(file))) return false;
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(base64, 'base64'), { mode: 0o600 });
    renameSync(tmp, file);
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
      if (name === basename(current) || !/^pyodide-.*\.snapshot$/.test(name)) continue;
      const full = join(dir, name);
      if (statSync(full).atimeMs < dayAgo && statSync(full).mtimeMs < dayAgo) rmSync(full, { force: true });
    }
  } catch {
    // Cleaning up is best effort.
  }
}
