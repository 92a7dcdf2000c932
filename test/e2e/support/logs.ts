/**
 * Failure evidence for end-to-end tests: copies code-server's own output and VS Code's server and
 * extension-host logs into test-results/, and picks the lines worth putting in an assertion message.
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { resultPath, resultsDir } from './paths.ts';

export function readLogTail(path: string, lines: number): string {
  if (!existsSync(path)) return `(no log at ${path})`;
  const all = readFileSync(path, 'utf8').split('\n');
  return all.slice(-lines).join('\n');
}

/** Every *.log file below `dir` (VS Code nests them by session, window and extension host). */
export function findLogFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const stats = statSync(path);
    if (stats.isDirectory()) found.push(...findLogFiles(path));
    else if (entry.endsWith('.log')) found.push(path);
  }
  return found.sort();
}

/** Lines that explain an extension failure: errors, and anything LF Studio or its server wrote. */
const relevantLine = /\[error\]|exception|lf[- ]?studio|lfStudio/i;

export function relevantLogLines(files: string[], root: string, maxLines = 60): string {
  const picked: string[] = [];
  for (const file of files) {
    const name = relative(root, file);
    const isLfStudioChannel = /lf.?studio/i.test(name);
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      if (isLfStudioChannel || relevantLine.test(line)) picked.push(`${name}: ${line}`);
    }
  }
  return picked.length <= maxLines ? picked.join('\n') : ['...', ...picked.slice(-maxLines)].join('\n');
}

export interface SavedLogs {
  /** Folder in test-results/ holding the copies. */
  dir: string;
  /** The relevant lines, for an assertion message. */
  excerpt: string;
}

/**
 * Copies `serverLogPath` and every log under `userDataDir/logs` into test-results/<label>-logs/ and returns
 * the lines worth reading first.
 */
export function saveLogs(label: string, serverLogPath: string, userDataDir: string): SavedLogs {
  const dir = resultPath(`${label}-logs`);
  const vscodeLogs = join(userDataDir, 'logs');
  if (existsSync(serverLogPath)) cpSync(serverLogPath, join(dir, 'code-server.log'));
  if (existsSync(vscodeLogs)) cpSync(vscodeLogs, join(dir, 'vscode'), { recursive: true });
  const files = findLogFiles(vscodeLogs);
  const excerpt = [
    '--- code-server output (tail) ---',
    readLogTail(serverLogPath, 15),
    '--- VS Code server / extension host (relevant lines) ---',
    relevantLogLines(files, vscodeLogs) || '(no relevant lines)',
  ].join('\n');
  return { dir, excerpt };
}

/**
 * Removes failure screenshots and log copies left by an earlier run, so test-results/ describes this one.
 * `node --test` runs each file in its own child process; they share the runner as parent, so only the first
 * file of a run clears, and a later file cannot wipe the evidence of an earlier file's failure.
 */
export function clearFailureEvidence(): void {
  if (!existsSync(resultsDir)) return;
  const marker = join(resultsDir, '.evidence-cleared-for');
  const run = String(process.ppid);
  if (existsSync(marker) && readFileSync(marker, 'utf8') === run) return;
  writeFileSync(marker, run);
  for (const entry of readdirSync(resultsDir)) {
    if (entry.endsWith('-failure.png') || entry.endsWith('-logs')) rmSync(join(resultsDir, entry), { recursive: true, force: true });
  }
}
