// Editor-loop benchmark, over LSP exactly as the editor drives the language server (dist/server.js), and the
// CLI as a whole process: start to first lens, didSave -> updated CodeLens at 10k rows x 20 LFs, and
// `lf-studio analyze` on 100k rows x 10 LFs. References measured in the same run: native python3 running the
// same LF file in a plain loop over the same rows (the whole process, and the one edited LF alone).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Row } from '../lf-runtime/src/data/types.ts';
import { LspTestClient } from '../test/support/lspClient.ts';
import { LF_FILE, LF_FILE_20, makeRows, runNative, setUpNative, youtubeTexts, fmt, median } from './support/nativeReference.ts';

const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'lf-editor-bench-'));
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

function wrench(rows: Row[]): string {
  return JSON.stringify(Object.fromEntries(rows.map((r, i) => [String(i), { data: { text: r.fields.text }, label: -1 }])));
}

/**
 * The edited LF's test for edit `i`: the keyword cycles through three spellings (so the coverage changes),
 * and a no-op term makes every edit's text new, so the edited LF re-runs each time instead of being served
 * from the result cache as an earlier edit's text.
 */
function editedTest(word: string, i: number): string {
  return `"${word}" in x.text.lower() and ${i} > 0`;
}

function workspace(rows: Row[], lfFile: string): string {
  const dir = mkdtempSync(join(work, 'ws-'));
  writeFileSync(join(dir, 'sample.json'), wrench(rows));
  writeFileSync(join(dir, 'dev.json'), readFileSync(join(root, 'test', 'fixtures', 'wrench', 'youtube', 'valid.json')));
  writeFileSync(join(dir, 'lfs.py'), lfFile);
  writeFileSync(
    join(dir, 'lfstudio.json'),
    JSON.stringify({ task: 'spam', labels: ['HAM', 'SPAM'], data: { sample: 'sample.json', dev: 'dev.json' }, lfFiles: ['lfs.py'] }),
  );
  return dir;
}

async function editorLoop(rows: Row[]): Promise<{ firstLensMs: number; saves: number[]; backToBack: number[] }> {
  const dir = workspace(rows, LF_FILE_20);
  const t0 = performance.now();
  const client = await LspTestClient.start(dir, { runOnChange: false });
  try {
    await client.open('lfs.py');
    await client.waitFor(() => client.analyses.find((a) => a.lfs.length === 20), 'the first analysis', 120_000);
    const lenses = await client.codeLenses('lfs.py');
    if (!lenses.some((l) => /coverage \d/.test(l.command?.title ?? ''))) throw new Error('no lens with figures');
    const firstLensMs = performance.now() - t0;
    const texts = rows.map((r) => String(r.fields.text).toLowerCase());
    const measureSave = async (i: number): Promise<number> => {
      const word = `subscribe${'e'.repeat(i % 3)}${i}`.slice(0, 9 + (i % 3));
      const edited = LF_FILE_20.replace('"subscribe" in x.text.lower()', editedTest(word, i));
      const expected = texts.filter((t) => t.includes(word)).length / texts.length;
      const before = client.analyses.length;
      await client.change('lfs.py', edited);
      const t = performance.now();
      await client.save('lfs.py');
      await client.waitFor(
        () => client.analyses.slice(before).find((a) => a.lfs.find((l) => l.name === 'keyword_subscribe')?.coverage === expected),
        `an analysis after save ${i}`,
        60_000,
      );
      await client.codeLenses('lfs.py');
      return performance.now() - t;
    };
    const saves: number[] = [];
    for (let i = 1; i <= 15; i++) {
      // A user pauses between saves; the sandbox uses the pause to get a fresh worker ready.
      await new Promise((r) => setTimeout(r, 1500));
      saves.push(await measureSave(i));
    }
    const backToBack: number[] = [];
    for (let i = 16; i <= 25; i++) backToBack.push(await measureSave(i));
    return { firstLensMs, saves, backToBack };
  } finally {
    await client.stop();
  }
}

/**
 * didChange alone (runOnChange on, no save) -> updated CodeLens: a user pauses after an edit. The server's
 * debounce (adaptive, 100-400 ms) is part of what is measured, as it is part of what the user waits for.
 */
async function typingLoop(rows: Row[]): Promise<number[]> {
  const dir = workspace(rows, LF_FILE_20);
  const client = await LspTestClient.start(dir, { runOnChange: true });
  try {
    await client.open('lfs.py');
    await client.waitFor(() => client.analyses.find((a) => a.lfs.length === 20), 'the first analysis', 120_000);
    const texts = rows.map((r) => String(r.fields.text).toLowerCase());
    const out: number[] = [];
    for (let i = 1; i <= 15; i++) {
      await new Promise((r) => setTimeout(r, 1500));
      const word = `subscribe${'e'.repeat(i % 3)}${i}`.slice(0, 9 + (i % 3));
      const expected = texts.filter((t) => t.includes(word)).length / texts.length;
      const before = client.analyses.length;
      const t = performance.now();
      await client.change('lfs.py', LF_FILE_20.replace('"subscribe" in x.text.lower()', editedTest(word, i)));
      await client.waitFor(
        () => client.analyses.slice(before).find((a) => a.lfs.find((l) => l.name === 'keyword_subscribe')?.coverage === expected),
        `an analysis after edit ${i}`,
        60_000,
      );
      await client.codeLenses('lfs.py');
      out.push(performance.now() - t);
    }
    return out;
  } finally {
    await client.stop();
  }
}

function analyzeProcess(rows: Row[]): number {
  const dir = workspace(rows, LF_FILE);
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'analyze', '--lfs', join(dir, 'lfs.py'), '--data', join(dir, 'sample.json'), '--json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`lf-studio analyze failed: ${r.stderr}`);
  return ms;
}

async function main(): Promise<void> {
  setUpNative(work);
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const base = youtubeTexts();
  const rows10k = makeRows(10_000, base);
  const rows100k = makeRows(100_000, base);
  writeFileSync(join(work, 'lfs20.py'), LF_FILE_20);
  writeFileSync(join(work, 'lfs10.py'), LF_FILE);

  // Warm the snapshot cache first, as any earlier session would have.
  await editorLoop(rows10k.slice(0, 500)).catch((e: unknown) => console.log(`warm-up failed: ${String(e)}`));
  const loop = await editorLoop(rows10k);
  const nativeWhole = median([0, 1, 2].map(() => runNative(work, rows10k, join(work, 'lfs20.py')).processMs));
  const nativeOne = median([0, 1, 2].map(() => runNative(work, rows10k, join(work, 'lfs20.py'), 'keyword_subscribe').applyMs));
  console.log('\neditor over LSP, 10k rows x 20 LFs (dev set: youtube valid, 120 rows), runOnChange off');
  console.log(`  native python3 whole process, 20 LFs   ${fmt(nativeWhole)} (reference)`);
  console.log(`  server start + open -> first lens      ${fmt(loop.firstLensMs)}  ratio ${(loop.firstLensMs / nativeWhole).toFixed(2)}x`);
  console.log(`  native python3, the edited LF alone    ${nativeOne.toFixed(1)} ms (reference)`);
  console.log(
    `  didSave -> updated lens, 1.5 s apart   p50 ${fmt(median(loop.saves))} p95 ${fmt(pct(loop.saves, 0.95))}  ratio p50 ${(median(loop.saves) / nativeOne).toFixed(2)}x  (target p50 <= 100 ms)`,
  );
  console.log(`  didSave -> updated lens, back to back  p50 ${fmt(median(loop.backToBack))} p95 ${fmt(pct(loop.backToBack, 0.95))}`);
  const typing = await typingLoop(rows10k);
  console.log(
    `  didChange alone -> updated lens        p50 ${fmt(median(typing))} p95 ${fmt(pct(typing, 0.95))}  ratio p50 ${(median(typing) / nativeOne).toFixed(2)}x  (targets p50 <= 250 ms, p95 <= 500 ms)`,
  );

  // Alternated, 5 of each: on this kind of machine the cost of fresh memory drifts for a while after the editor
  // phases above, and runs taken in two blocks would give one side the slow stretch.
  const analyzeRuns: number[] = [];
  const nativeRuns: number[] = [];
  for (let i = 0; i < 5; i++) {
    analyzeRuns.push(analyzeProcess(rows100k));
    nativeRuns.push(runNative(work, rows100k, join(work, 'lfs10.py')).processMs);
  }
  const analyze = median(analyzeRuns);
  const native100k = median(nativeRuns);
  console.log('\nlf-studio analyze as a whole process, 100k rows x 10 LFs (read data, sandbox, label model, report)');
  console.log(`  native python3 whole process           ${fmt(native100k)} (reference)`);
  console.log(`  lf-studio analyze                      ${fmt(analyze)}  speed ${(native100k / analyze).toFixed(2)}x native  (target >= 0.5x)`);
  console.log(`  runs, in order: analyze ${analyzeRuns.map(fmt).join(', ')}; native ${nativeRuns.map(fmt).join(', ')}`);
  console.log(`\nload average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
