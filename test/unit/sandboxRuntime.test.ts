// Runtime behaviour around the LFs: the per-LF result cache, sharding over a process pool, restarts that
// reload the data, cancellation, the call queue, and clear errors for bad calls.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readDataset } from '../../lf-runtime/src/data/readDataset.ts';
import type { Row } from '../../lf-runtime/src/data/types.ts';
import { isScrubbedEnvironment, planLaunch } from '../../lf-runtime/src/sandbox/isolation.ts';
import { createPythonExecutor } from '../../lf-runtime/src/sandbox/pythonExecutor.ts';
import { asciiJsonBytes, encodeRows, stringsJsonBytes } from '../../lf-runtime/src/sandbox/rowPayload.ts';
import type { ExecutorEvent, LfExecutor } from '../../lf-runtime/src/sandbox/types.ts';

const rows = (n: number): Row[] =>
  Array.from({ length: n }, (_, i) => ({ id: `id${i}`, fields: { text: i % 7 === 0 ? `check my song ${i}` : `hello world ${i}`, n: i } }));

const LF_A = '@labeling_function()\ndef has_my(x):\n    return SPAM if "my" in x.text else ABSTAIN\n';
const LF_B = '@labeling_function()\ndef has_song(x):\n    return HAM if "song" in x.text else ABSTAIN\n';
const LF_C = '@labeling_function()\ndef small_n(x):\n    return HAM if x.n < LIMIT else ABSTAIN\n';
const file = (a = LF_A, limit = 10) => `from snorkel.labeling import labeling_function\nABSTAIN, HAM, SPAM = -1, 0, 1\nLIMIT = ${limit}\n\n${a}\n${LF_B}\n${LF_C}`;

/** JSONL rows whose price is null (row 2) or missing (row 3), and LFs that read it as they would from pandas. */
const PRICES_JSONL = '{"text": "a", "price": 150, "brand": "x"}\n{"text": "b", "price": null, "brand": null}\n{"text": "c"}\n{"text": "d", "price": 50, "brand": "y"}\n';
const PRICES_LFS = `import math
from snorkel.labeling import labeling_function
ABSTAIN, HAM, SPAM = -1, 0, 1

@labeling_function()
def expensive(x):
    return SPAM if x.price > 100 else ABSTAIN

@labeling_function()
def no_price(x):
    # pandas makes a column of numbers with nulls float64: 150.0, not 150.
    return HAM if math.isnan(x.price) else SPAM if type(x.price) is float else ABSTAIN

@labeling_function()
def no_brand(x):
    return HAM if x.brand is None else ABSTAIN
`;
const PRICES_VOTES = [
  ['expensive', [1, -1, -1, -1], 0, null],
  ['no_price', [1, 0, 0, 1], 0, null],
  ['no_brand', [-1, 0, 0, -1], 0, null],
];

describe('sandbox runtime', () => {
  let executor: LfExecutor & { onEvent(l: (e: ExecutorEvent) => void): () => void };
  const events: ExecutorEvent[] = [];

  before(async () => {
    executor = createPythonExecutor();
    executor.onEvent((e) => events.push(e));
    await executor.loadRows('d100', rows(100));
  });
  after(() => executor.dispose());

  it('re-runs only the edited LF; a helper edit re-runs the LFs that share it', async () => {
    const run = (source: string) => executor.runFile({ file: '/p/cache.py', source, datasetKey: 'd100', cardinality: 2, timeoutMs: 5000 });
    const first = await run(file());
    assert.ok(first.lfs.every((l) => l.durationMs > 0));
    const again = await run(file());
    assert.deepEqual(again.lfs.map((l) => l.durationMs), [0, 0, 0], 'unchanged file comes from the cache');
    assert.deepEqual(again.lfs.map((l) => [...l.votes]), first.lfs.map((l) => [...l.votes]));

    const edited = await run(file(LF_A.replace('"my"', '"hello"')));
    assert.equal(edited.lfs[0].name, 'has_my');
    assert.ok(edited.lfs[0].durationMs > 0, 'the edited LF re-ran');
    assert.deepEqual(edited.lfs.slice(1).map((l) => l.durationMs), [0, 0], 'the others did not');
    assert.equal(edited.lfs[0].votes.filter((v) => v === 1).length, 100 - 15);

    const helper = await run(file(LF_A, 20));
    assert.ok(helper.lfs.every((l) => l.durationMs > 0), 'a module-level change re-runs every LF');
    assert.equal(helper.lfs[2].votes.filter((v) => v === 0).length, 20);
  });

  it('ships rows as ASCII and LFs still see every character as it was', async () => {
    const texts = ['héllo wörld', 'emoji 😀 here', 'line\u2028sep and "quotes" \\ back', 'plain', '\u007f del', '日本語', 'tab\there\nnew', 'nul \u0000 \u001f', 'lone \ud800 half', ''];
    for (const payload of [asciiJsonBytes({ fields: ['text'], columns: [texts] }).toString('latin1'), `{"columns":[${stringsJsonBytes(texts).toString('latin1')}]}`]) {
      assert.match(payload, /^[\x20-\x7f]*$/, 'only ASCII on the wire, control characters escaped');
      assert.deepEqual(JSON.parse(payload).columns[0], texts);
    }
    const frame = Buffer.concat(encodeRows(['text'], [texts], texts.length));
    assert.ok(frame.subarray(4).every((b) => b < 0x80), 'the whole frame is ASCII after its length prefix');
    await executor.loadRows('unicode', texts.map((text, i) => ({ id: `u${i}`, fields: { text } })));
    const checks = texts.map((t, i) => `    if x.text == ${JSON.stringify(t)}:\n        return ${i % 2}`).join('\n');
    const source = `from snorkel.labeling import labeling_function\n@labeling_function()\ndef exact(x):\n${checks}\n    return -1\n@labeling_function()\ndef length(x):\n    return 1 if len(x.text) == len(x["text"]) > 4 else 0\n`;
    const r = await executor.runFile({ file: '/p/unicode.py', source, datasetKey: 'unicode', cardinality: 2, timeoutMs: 5000 });
    assert.deepEqual([...r.lfs[0].votes], texts.map((_, i) => i % 2), 'each row matched its own text exactly');
    // Python counts code points: the emoji is one character there, two UTF-16 units here.
    assert.deepEqual([...r.lfs[1].votes], texts.map((t) => ([...t].length > 4 ? 1 : 0)));
  });

  it('gives the worker no variable of the parent environment', () => {
    process.env.LF_STUDIO_TEST_SECRET = 'sk-should-not-leak';
    try {
      const plan = planLaunch({
        nodePath: process.execPath, distDir: '/nowhere', snapshotFile: null, makeSnapshot: false,
        useNetworkNamespace: false, usePermissionModel: false, maxOldSpaceMb: 512,
      });
      assert.ok(!Object.values(plan.env).some((v) => v.includes('sk-should-not-leak')));
      assert.ok(!('PATH' in plan.env) && !('HOME' in plan.env));
      assert.equal(isScrubbedEnvironment(plan.env), true);
      assert.equal(isScrubbedEnvironment({ ...plan.env, LF_STUDIO_TEST_SECRET: 'x' }), false);
      assert.equal(isScrubbedEnvironment({ ...plan.env, MALLOC_ARENA_MAX: 'changed' }), false);
    } finally {
      delete process.env.LF_STUDIO_TEST_SECRET;
    }
  });

  it('re-runs when the rows change under the same key', async () => {
    const source = file();
    await executor.loadRows('swap', rows(30));
    const a = await executor.runFile({ file: '/p/swap.py', source, datasetKey: 'swap', cardinality: 2, timeoutMs: 5000 });
    await executor.loadRows('swap', rows(50));
    const b = await executor.runFile({ file: '/p/swap.py', source, datasetKey: 'swap', cardinality: 2, timeoutMs: 5000 });
    assert.equal(a.lfs[0].votes.length, 30);
    assert.equal(b.lfs[0].votes.length, 50);
  });

  it('gives an LF NaN for a null or missing JSONL number, as pandas does: x.price > 100 abstains there, without an error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-nan-'));
    try {
      writeFileSync(join(dir, 'rows.jsonl'), PRICES_JSONL);
      await executor.loadRows('prices', (await readDataset(join(dir, 'rows.jsonl'), {})).rows);
      const r = await executor.runFile({ file: '/p/prices.py', source: PRICES_LFS, datasetKey: 'prices', cardinality: 2, timeoutMs: 5000 });
      assert.equal(r.fileError, null);
      assert.deepEqual(r.lfs.map((l) => [l.name, [...l.votes], l.errors, l.firstError?.message ?? null]), PRICES_VOTES);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the same results over a pool of shards, with row ids mapped across shards', async () => {
    const pooled = createPythonExecutor({ poolSize: 2, minRowsPerShard: 200 });
    try {
      const data = rows(1000);
      await pooled.loadRows('big', data);
      await executor.loadRows('big', data);
      const source = `${file()}\n@labeling_function()\ndef fails_late(x):\n    return 1 // (x.n - 800) if x.n >= 700 else ABSTAIN\n`;
      const opts = { file: '/p/pool.py', source, datasetKey: 'big', cardinality: 2, timeoutMs: 5000 };
      const [one, two] = [await executor.runFile(opts), await pooled.runFile(opts)];
      assert.deepEqual(two.lfs.map((l) => [...l.votes]), one.lfs.map((l) => [...l.votes]));
      assert.deepEqual(two.lfs[3].errorRowIds, ['id800']);
      assert.equal(two.lfs[3].errors, 1);
      assert.ok((pooled as unknown as { memoryUsageMb(): number[] }).memoryUsageMb().filter((mb) => mb > 0).length === 2, 'two workers ran');
    } finally {
      await pooled.dispose();
    }
  });

  it('restarts after a crash, reloads every dataset and says so', async () => {
    events.length = 0;
    await executor.loadRows('other', rows(10));
    const crash = 'import os\nfrom snorkel.labeling import labeling_function\n@labeling_function()\ndef boom(x):\n    os._exit(9)\n';
    const r = await executor.runFile({ file: '/p/crash.py', source: crash, datasetKey: 'd100', cardinality: 2, timeoutMs: 5000 });
    assert.equal(r.lfs[0].firstError?.kind, 'crash');
    // The worker's start-up diagnostics are no part of it.
    assert.match(String(r.lfs[0].firstError?.message), /^boom crashed its sandbox worker \(exit code \d+\)/);
    assert.doesNotMatch(String(r.lfs[0].firstError?.message), /ready: pyodide|rss \d/);
    const restart = events.find((e) => e.type === 'restarted');
    assert.ok(restart && restart.type === 'restarted' && restart.lf === 'boom' && /boom crashed its sandbox worker/.test(restart.message));
    const after = await executor.runFile({ file: '/p/after.py', source: file(LF_A.replace('"my"', '"world"')), datasetKey: 'other', cardinality: 2, timeoutMs: 5000 });
    assert.equal(after.lfs[0].votes.filter((v) => v === 1).length, 8);
  });

  it('reports a crash in top-level code as a file error', async () => {
    const r = await executor.runFile({ file: '/p/top.py', source: 'import os\nos._exit(1)\n', datasetKey: 'd100', cardinality: 2, timeoutMs: 5000 });
    assert.equal(r.lfs.length, 0);
    assert.equal(r.fileError?.kind, 'crash');
  });

  it('stops a file whose top level never finishes', async () => {
    const source = 'from snorkel.labeling import labeling_function\nwhile True:\n    pass\n';
    const r = await executor.runFile({ file: '/p/hang.py', source, datasetKey: 'd100', cardinality: 2, timeoutMs: 400 });
    assert.equal(r.lfs.length, 0);
    assert.equal(r.fileError?.kind, 'timeout');
    assert.match(r.fileError?.message ?? '', /top level of \/p\/hang\.py ran longer than 400 ms/);
    // Not "the file's other LFs went on": none was listed.
    assert.match(r.fileError?.message ?? '', /none of its LFs could be listed: the cause is a statement outside any function\.$/);
  });

  it('cancels a running call and a queued one with an AbortSignal, then keeps working', async () => {
    const slow = 'import time\nfrom snorkel.labeling import labeling_function\n@labeling_function()\ndef slow(x):\n    time.sleep(0.05)\n    return 1\n';
    const controller = new AbortController();
    const running = executor.runFile({ file: '/p/slow.py', source: slow, datasetKey: 'd100', cardinality: 2, timeoutMs: 60_000, signal: controller.signal });
    const queued = executor.runFile({ file: '/p/slow2.py', source: slow, datasetKey: 'd100', cardinality: 2, timeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(running, /abort/i);
    await assert.rejects(queued, /abort/i);
    const ok = await executor.runFile({ file: '/p/ok.py', source: file(), datasetKey: 'd100', cardinality: 2, timeoutMs: 5000 });
    assert.equal(ok.lfs.length, 3);
  });

  it('serializes concurrent calls', async () => {
    const sources = [file(), file(LF_A.replace('"my"', '"check"'))];
    const [a, b] = await Promise.all(sources.map((source, i) => executor.runFile({ file: `/p/c${i}.py`, source, datasetKey: 'd100', cardinality: 2, timeoutMs: 5000 })));
    assert.equal(a.lfs[0].votes.filter((v) => v === 1).length, 15);
    assert.equal(b.lfs[0].votes.filter((v) => v === 1).length, 15);
    assert.equal(a.file, '/p/c0.py');
    assert.equal(b.file, '/p/c1.py');
  });

  it('makes a sealed memory snapshot in a process of its own, and starts every worker from it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-snapshot-test-'));
    const snapDir = join(dir, 'snapshots');
    try {
      const startups: boolean[] = [];
      const stamps: string[] = [];
      for (let i = 0; i < 2; i++) {
        const ex = createPythonExecutor({ snapshotDir: snapDir });
        ex.onEvent((e) => {
          if (e.type === 'started') startups.push(e.fromSnapshot);
        });
        await ex.isolation();
        await ex.dispose();
        const snap = readdirSync(snapDir).find((f) => f.endsWith('.snapshot'))!;
        stamps.push(`${statSync(join(snapDir, snap)).ino}:${statSync(join(snapDir, snap)).mtimeMs}`);
      }
      // The maker hands its image over and is never used: every worker that serves starts from the image.
      assert.ok(startups.length >= 2 && startups.every((s) => s), JSON.stringify(startups));
      assert.equal(stamps[0], stamps[1], 'the second executor reused the snapshot instead of making another');
      const files = readdirSync(snapDir).sort();
      assert.equal(files.length, 4, files.join(', '));
      assert.ok(files.some((f) => f.endsWith('.snapshot.mac')) && files.some((f) => f.endsWith('.snapshot.verified')) && files.includes('snapshot.key'));
      for (const f of files) assert.equal(statSync(join(snapDir, f)).mode & 0o777, 0o600, f);
      // A new process trusts the sealed record of the last full check only while the file is unchanged: a
      // byte changed in place, even with its times put back, changes the file's ctime and fails the check.
      const snap = join(snapDir, readdirSync(snapDir).find((f) => f.endsWith('.snapshot'))!);
      const checkInNewProcess = () => {
        const code = `import('${join(import.meta.dirname, '..', '..', 'lf-runtime', 'src', 'sandbox', 'snapshotCache.ts')}').then((m) => process.stdout.write((m.checkSnapshot ?? m.default.checkSnapshot)(${JSON.stringify(snap)})))`;
        return spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8' }).stdout;
      };
      assert.equal(checkInNewProcess(), 'ok');
      const before = statSync(snap);
      const bytes = readFileSync(snap);
      bytes[bytes.length >> 1] ^= 0x01;
      writeFileSync(snap, bytes);
      utimesSync(snap, before.atime, before.mtime);
      assert.equal(checkInNewProcess(), 'invalid');
      assert.ok(!existsSync(snap) && !existsSync(`${snap}.verified`), 'the damaged snapshot and its record are gone');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad calls with an error that names the fix', async () => {
    await assert.rejects(executor.runFile({ file: '/p/x.py', source: file(), datasetKey: 'nope', cardinality: 2, timeoutMs: 5000 }), /call loadRows\("nope", rows\) first/);
    assert.throws(() => executor.runFile({ file: '/p/x.py', source: file(), datasetKey: 'd100', cardinality: 0, timeoutMs: 5000 }), /cardinality must be an integer/);
    assert.throws(() => executor.runFile({ file: '/p/x.py', source: file(), datasetKey: 'd100', cardinality: 2, timeoutMs: -1 }), /timeoutMs must be a positive/);
    assert.throws(() => executor.loadRows('bad', [{ id: 'x' } as unknown as Row]), /row 0 has no fields object/);
    assert.throws(() => createPythonExecutor({ distDir: '/nonexistent' }), /has no lfWorker\.js.*npm run build/);
  });
});
