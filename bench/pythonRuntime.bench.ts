// The native Python runtime (the user's own CPython under bubblewrap, one fresh process per file) against a
// plain python3 loop applying the same LF file to the same rows, measured in the same run: throughput on
// 100k rows x 10 LFs, start-up to first results on 1686 rows, and peak memory. Needs bubblewrap; the
// interpreter is /usr/bin/python3 when present, else python3 on PATH.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bubblewrap, findInterpreter } from '../lf-runtime/src/sandbox/nativeRuntime.ts';
import { createPythonExecutor } from '../lf-runtime/src/sandbox/pythonExecutor.ts';
import { LF_FILE, makeRows, runNative, setUpNative, youtubeTexts, fmt, median } from './support/nativeReference.ts';

const work = mkdtempSync(join(tmpdir(), 'lf-python-bench-'));

async function main(): Promise<void> {
  if (!bubblewrap()) {
    console.log('bubblewrap is not installed: skipped (apt-get install bubblewrap)');
    return;
  }
  setUpNative(work);
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const interpreter = findInterpreter(python);
  const lfPath = join(work, 'lfs.py');
  writeFileSync(lfPath, LF_FILE);
  const rows100k = makeRows(100_000, youtubeTexts());
  const small = rows100k.slice(0, 1686);
  console.log(`interpreter: ${interpreter.executable} (Python ${interpreter.version}); load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  // The reference runs the same interpreter, so the ratio is the runtime's own cost.
  const native = [0, 1, 2].map(() => runNative(work, rows100k, lfPath, undefined, interpreter.executable));
  const runs: number[] = [];
  const wholes: number[] = [];
  let peak = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const ex = createPythonExecutor({ python: { interpreter, workspace: work }, resultCache: false });
    await ex.loadRows('big', rows100k);
    const t1 = performance.now();
    const r = await ex.runFile({ file: lfPath, source: LF_FILE, datasetKey: 'big', cardinality: 2, timeoutMs: 120_000 });
    runs.push(performance.now() - t1);
    wholes.push(performance.now() - t0);
    if (r.lfs.length !== 10 || r.lfs.some((l) => l.errors > 0)) throw new Error('benchmark LF file did not run cleanly');
    peak = Math.max(peak, ...ex.memoryUsageMb());
    await ex.dispose();
  }
  const starts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const ex = createPythonExecutor({ python: { interpreter, workspace: work } });
    await ex.loadRows('small', small);
    await ex.runFile({ file: lfPath, source: LF_FILE, datasetKey: 'small', cardinality: 2, timeoutMs: 30_000 });
    starts.push(performance.now() - t0);
    await ex.dispose();
  }
  const nativeApply = median(native.map((n) => n.applyMs));
  const nativeProcess = median(native.map((n) => n.processMs));
  const nativeSmall = median([0, 1, 2].map(() => runNative(work, small, lfPath, undefined, interpreter.executable).processMs));
  console.log('\nnative Python runtime (bubblewrap, seccomp, fresh process per file), 10 LFs');
  console.log(`  plain python3 loop, 100k rows, apply only      ${fmt(nativeApply)} (reference)`);
  console.log(`  runtime runFile, 100k rows (2 shards)          ${fmt(median(runs))}  ratio ${(median(runs) / nativeApply).toFixed(2)}x`);
  console.log(`  plain python3 whole process, 100k rows         ${fmt(nativeProcess)} (reference)`);
  console.log(`  runtime start + loadRows + runFile, 100k rows  ${fmt(median(wholes))}  ratio ${(median(wholes) / nativeProcess).toFixed(2)}x`);
  console.log(`  plain python3 whole process, 1686 rows         ${fmt(nativeSmall)} (reference)`);
  console.log(`  runtime start to first results, 1686 rows      ${fmt(median(starts))}  ratio ${(median(starts) / nativeSmall).toFixed(2)}x`);
  console.log(`  peak resident memory per worker (100k rows)    ${peak} MB; plain python3 ${median(native.map((n) => n.maxRssMb)).toFixed(0)} MB`);
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
