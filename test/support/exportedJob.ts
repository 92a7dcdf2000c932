// The exported job as tests run it: the built CLI, a python3 with NumPy (and Dask), the job's output rows, and
// the comparison of those rows with `lf-studio label`'s.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repo = join(import.meta.dirname, '..', '..');
export const wrench = join(repo, 'test', 'fixtures', 'wrench');
export const cli = (...args: string[]) => spawnSync(process.execPath, [join(repo, 'bin', 'lf-studio.js'), ...args], { encoding: 'utf8', timeout: 300_000 });

export function pythonWith(modules: string[]): string | null {
  for (const exe of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(exe, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8' });
    if (r.status === 0) return exe;
  }
  return null;
}
export const numpyPython = pythonWith(['numpy']);
export const daskPython = pythonWith(['numpy', 'dask', 'distributed']);
export const NO_NUMPY = 'no python3 with NumPy (tried /usr/bin/python3 and python3 on PATH)';
export const NO_DASK = 'no python3 with NumPy, dask and distributed (tried /usr/bin/python3 and python3 on PATH; Debian: apt install python3-dask python3-distributed)';
/** The exported job's run.py, run by the Python with NumPy, on `input` into `output`. */
export const runJob = (job: string, input: string, output: string, ...args: string[]) =>
  spawnSync(numpyPython!, [join(job, 'run.py'), '--input', input, '--output', output, ...args], { encoding: 'utf8' });

export interface OutRow {
  id: string;
  probs: number[];
  label: number;
  votes: number[];
}
export const readJsonl = (text: string): OutRow[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as OutRow);
export const readParts = (dir: string): OutRow[] =>
  readdirSync(dir)
    .filter((f) => /^part-\d{5}\.jsonl$/.test(f))
    .sort()
    .flatMap((f) => readJsonl(readFileSync(join(dir, f), 'utf8')));

/** Same ids and votes in the same order; probabilities within 1e-9; the same label unless a near-tie. */
export function assertSameLabels(expected: OutRow[], got: OutRow[]): void {
  assert.equal(got.length, expected.length, 'one output row per input row');
  let maxDiff = 0;
  expected.forEach((e, i) => {
    const g = got[i];
    assert.equal(g.id, e.id, `row ${i}: ids in input order`);
    assert.deepEqual(g.votes, e.votes, `row ${e.id}: votes`);
    assert.equal(g.probs.length, e.probs.length);
    e.probs.forEach((p, c) => (maxDiff = Math.max(maxDiff, Math.abs(p - g.probs[c]))));
    const sorted = [...e.probs].sort((a, b) => b - a);
    if (sorted.length < 2 || sorted[0] - sorted[1] > 1e-7) assert.equal(g.label, e.label, `row ${e.id}: label`);
  });
  assert.ok(maxDiff <= 1e-9, `probabilities differ by up to ${maxDiff}`);
}

/**
 * `lf-studio label` on `input` with `args` (the LF files and options both commands take), then `export-job` with
 * the same and the job run in one process on `input` (with `jobArgs` too: `--partition-rows 2`), each asserted to
 * succeed, and the job's rows asserted to be label's. Returns what each printed and label's rows, for the checks
 * a test adds.
 */
export function labelThenJob(dir: string, args: readonly string[], input: string, jobArgs: readonly string[] = []) {
  const labelled = join(dir, 'labels.jsonl');
  const label = cli('label', ...args, '--data', input, '--out', labelled, '--json');
  assert.equal(label.status, 0, label.stderr);
  const expected = readJsonl(readFileSync(labelled, 'utf8'));
  const job = join(dir, 'job');
  const exported = cli('export-job', ...args, '--data', input, '--out', job, '--json');
  assert.equal(exported.status, 0, exported.stderr);
  const out = join(dir, 'out');
  const run = runJob(job, input, out, '--serial', ...jobArgs);
  assert.equal(run.status, 0, run.stderr);
  assertSameLabels(expected, readParts(out));
  return { label, expected, exported, run, out };
}
