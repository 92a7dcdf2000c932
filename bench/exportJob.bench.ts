// Exported Dask job benchmark: `lf-studio export-job` on the youtube example (10 LFs, dev set), then the job over
// 200k and 1M rows made from the youtube comments, on a LocalCluster of two worker processes, against the same
// job in one python3 process (--serial: read, apply, label, write) and against a plain python3 loop that only
// applies the LF file to the texts (bench/support/nativeReference.ts), all in this run. rows/s counts rows
// labelled and written; "wall" includes cluster start-up and planning, "labelling" only the tasks.
// Needs a python3 with NumPy, dask and distributed (Debian: /usr/bin/python3 with python3-dask, python3-distributed).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LF_FILE, makeRows, runNative, setUpNative, youtubeTexts } from './support/nativeReference.ts';

const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'lf-job-bench-'));
const SIZES = [200_000, 1_000_000];
const PARTITION_ROWS = 50_000;

function pythonWith(modules: string[]): string | null {
  for (const exe of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(exe, ['-c', modules.map((m) => `import ${m}`).join('; ')]).status === 0) return exe;
  }
  return null;
}

interface JobSummary {
  rows: number;
  seconds: number;
  processingSeconds: number;
}

function runJob(python: string, job: string, input: string, out: string, extra: string[]): JobSummary {
  rmSync(out, { recursive: true, force: true });
  const r = spawnSync(python, [join(job, 'run.py'), '--input', input, '--output', out, '--partition-rows', String(PARTITION_ROWS), '--quiet', ...extra], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`job failed: ${r.stderr}`);
  return JSON.parse(readFileSync(join(out, '_summary.json'), 'utf8')) as JobSummary;
}

/** Every output row of `a` and `b` has the same id and votes, and probabilities within 1e-9. */
function sameOutput(a: string, b: string): boolean {
  const parts = (d: string) => readdirSync(d).filter((f) => f.startsWith('part-')).sort();
  const pa = parts(a);
  if (pa.join() !== parts(b).join()) return false;
  for (const f of pa) {
    const la = readFileSync(join(a, f), 'utf8').split('\n');
    const lb = readFileSync(join(b, f), 'utf8').split('\n');
    if (la.length !== lb.length) return false;
    for (let i = 0; i < la.length; i++) {
      if (la[i] === lb[i]) continue;
      const x = JSON.parse(la[i]);
      const y = JSON.parse(lb[i]);
      if (x.id !== y.id || x.votes.join() !== y.votes.join()) return false;
      if (x.probs.some((p: number, c: number) => Math.abs(p - y.probs[c]) > 1e-9)) return false;
    }
  }
  return true;
}

function writeRows(path: string, n: number, base: string[]): string[] {
  // In slices, so 1M rows never sit in memory as one string; the texts are kept for the plain-loop reference.
  const fd = openSync(path, 'w');
  const texts: string[] = [];
  const SLICE = 100_000;
  for (let start = 0; start < n; start += SLICE) {
    const rows = makeRows(Math.min(SLICE, n - start), base.slice(start % base.length).concat(base.slice(0, start % base.length)));
    writeSync(fd, rows.map((r) => JSON.stringify({ text: r.fields.text })).join('\n') + '\n');
    for (const r of rows) texts.push(String(r.fields.text));
  }
  closeSync(fd);
  return texts;
}

const python = pythonWith(['numpy', 'dask', 'distributed']);
if (!python) {
  console.log('skipped: no python3 with NumPy, dask and distributed (tried /usr/bin/python3 and python3 on PATH)');
  process.exit(0);
}
console.log(`${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}; ${python}; partitions of ${PARTITION_ROWS.toLocaleString('en-US')} rows`);

const lfFile = join(work, 'lfs.py');
writeFileSync(lfFile, LF_FILE);
const job = join(work, 'job');
const wrench = join(root, 'test', 'fixtures', 'wrench', 'youtube');
const t0 = performance.now();
const exported = spawnSync(
  process.execPath,
  [join(root, 'bin', 'lf-studio.js'), 'export-job', '--lfs', lfFile, '--data', join(wrench, 'train.json'), '--dev', join(wrench, 'valid.json'), '--out', job, '--json'],
  { encoding: 'utf8' },
);
if (exported.status !== 0) throw new Error(`export-job failed: ${exported.stderr}`);
const summary = JSON.parse(exported.stdout);
console.log(`export-job: ${((performance.now() - t0) / 1000).toFixed(1)} s (${summary.lfs.length} LFs, ${summary.model}, ${summary.scorer})`);
setUpNative(work);
const base = youtubeTexts();

const rate = (rows: number, s: number) => `${Math.round(rows / s).toLocaleString('en-US')} rows/s`;
for (const n of SIZES) {
  const input = join(work, `rows-${n}.jsonl`);
  const texts = writeRows(input, n, base);
  const serial = runJob(python, job, input, join(work, `serial-${n}`), ['--serial']);
  const dask = runJob(python, job, input, join(work, `dask-${n}`), ['--workers', '2']);
  const native = runNative(work, texts.map((text, i) => ({ id: String(i), fields: { text } })), lfFile);
  const same = sameOutput(join(work, `serial-${n}`), join(work, `dask-${n}`));
  console.log(`\n${n.toLocaleString('en-US')} rows x ${summary.lfs.length} LFs`);
  console.log(`  Dask LocalCluster, 2 workers   wall ${dask.seconds.toFixed(1)} s  ${rate(n, dask.seconds)}   labelling ${dask.processingSeconds.toFixed(1)} s  ${rate(n, dask.processingSeconds)}`);
  console.log(`  one python3 process (--serial) wall ${serial.seconds.toFixed(1)} s  ${rate(n, serial.seconds)}`);
  console.log(`  plain python3 loop, LFs only   apply ${(native.applyMs / 1000).toFixed(1)} s  ${rate(n, native.applyMs / 1000)}   whole process ${(native.processMs / 1000).toFixed(1)} s`);
  console.log(`  Dask output equals the single-process output: ${same ? 'yes' : 'NO'}; load average now ${loadavg()[0].toFixed(1)}`);
  rmSync(input);
  for (const d of [`serial-${n}`, `dask-${n}`]) rmSync(join(work, d), { recursive: true, force: true });
}
rmSync(work, { recursive: true, force: true });
