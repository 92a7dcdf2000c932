// The examples view over the engine: gold labels the user gives count as dev labels at once, and every page
// answers with the rows, votes and probabilities of the latest analysis. A stand-in executor votes by a rule
// written beside each LF's name (`def NAME(x):  # WORD -> CLASS`), so every answer can be counted by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnalysisEngine } from '../../lf-runtime/src/engine/analysisEngine.ts';
import { ExamplesService } from '../../lf-runtime/src/examples/examplesService.ts';
import { emptyGoldLabels } from '../../lf-runtime/src/examples/goldLabels.ts';
import type { Dataset } from '../../lf-runtime/src/data/types.ts';
import { standInExecutor } from '../support/standInExecutor.ts';
import type { ExamplesQuery } from '../../lf-runtime/src/protocol.ts';


const sampleTexts = ['check my channel', 'nice song', 'check this song', 'subscribe please', 'hello', 'my song is great'];
const sample: Dataset = { path: '/ws/train.json', rows: sampleTexts.map((text, i) => ({ id: `s${i}`, fields: { text, views: i * 10 } })), gold: null };
const devTexts = ['check it', 'song', 'check song', 'bye'];
const dev: Dataset = { path: '/ws/valid.json', rows: devTexts.map((text, i) => ({ id: `d${i}`, fields: { text } })), gold: [1, 0, 0, 0] };
const source = 'def check(x):  # check -> 1\ndef song(x):  # song -> 0\ndef my(x):  # my -> 1\n';

async function engineWithRun(withDev: boolean): Promise<AnalysisEngine> {
  const e = new AnalysisEngine(standInExecutor(), { task: 't', labels: ['HAM', 'SPAM'], sample, dev: withDev ? dev : null, lfFiles: ['/ws/lfs.py'], timeoutMs: 1000 });
  await e.runFile('/ws/lfs.py', source);
  return e;
}

const q = (filter: ExamplesQuery['filter'], extra: Partial<ExamplesQuery> = {}): ExamplesQuery => ({ filter, order: 'data', seed: 1, offset: 0, limit: 50, ...extra });

describe('gold labels given in the editor', () => {
  it('count as dev labels: without a dev file, labeled sample rows give dev precision', async () => {
    const e = await engineWithRun(false);
    assert.equal(e.analyze().lfs[0].empiricalAccuracy, null);
    const labels = emptyGoldLabels();
    // check votes SPAM on s0 and s2; label s0 SPAM (right) and s2 HAM (wrong).
    labels.sample.set('s0', 1).set('s2', 0);
    e.setUserLabels(labels);
    const a = e.analyze();
    const check = a.lfs.find((l) => l.name === 'check')!;
    assert.deepEqual([check.correct, check.incorrect], [1, 1]);
    assert.equal(a.devRows, 2);
  });

  it('add to the dev file rows, and a user label overrides the file label', async () => {
    const e = await engineWithRun(true);
    const before = e.analyze().lfs.find((l) => l.name === 'check')!;
    // On dev, check votes on d0 (gold 1, right) and d2 (gold 0, wrong).
    assert.deepEqual([before.correct, before.incorrect], [1, 1]);
    const labels = emptyGoldLabels();
    labels.dev.set('d2', 1); // the user says d2 is SPAM after all
    labels.sample.set('s2', 0); // and the sample row "check this song" is HAM
    e.setUserLabels(labels);
    const after = e.analyze();
    const check = after.lfs.find((l) => l.name === 'check')!;
    assert.deepEqual([check.correct, check.incorrect], [2, 1]);
    assert.equal(after.devRows, 5);
  });
});

describe('examples service', () => {
  it('lists the rows an LF fires on, with every vote, probabilities and highlights', async () => {
    const e = await engineWithRun(false);
    const a = e.analyze();
    const service = new ExamplesService('text', '.lfstudio/labels.jsonl');
    const page = service.query(e.rowsView()!, q({ split: 'sample', lf: 'song', vote: 'fires' }));
    assert.equal(page.version, a.version);
    assert.equal(page.total, 3);
    assert.equal(page.total, Math.round(a.lfs.find((l) => l.name === 'song')!.coverage * sample.rows.length));
    assert.deepEqual(page.rows.map((r) => r.id), ['s1', 's2', 's5']);
    assert.deepEqual(page.rows[1].votes, [1, 0, -1]);
    assert.equal(page.rows[1].probs?.length, 2);
    assert.ok(Math.abs(page.rows[1].probs!.reduce((x, y) => x + y, 0) - 1) < 1e-9);
    assert.deepEqual(page.rows[0].fields, { views: '10' });
    assert.equal(page.title, 'Sample rows where song votes on');
  });

  it('answers conflicts, uncovered rows and the wrong bucket over dev and user-labeled rows', async () => {
    const e = await engineWithRun(true);
    const labels = emptyGoldLabels();
    labels.sample.set('s5', 1); // "my song is great": song votes HAM, wrong
    e.setUserLabels(labels);
    e.analyze();
    const service = new ExamplesService('text', 'labels.jsonl');
    const view = e.rowsView()!;
    assert.deepEqual(service.query(view, q({ split: 'sample', lf: 'check', conflicts: true })).rows.map((r) => r.id), ['s2']);
    assert.deepEqual(service.query(view, q({ split: 'sample', uncovered: true })).rows.map((r) => r.id), ['s3', 's4']);
    // song on labeled rows: d1 (gold 0, right), d2 (gold 0, right), s5 (user gold 1, wrong).
    const wrong = service.query(view, q({ split: 'labeled', lf: 'song', outcome: 'wrong' }));
    assert.deepEqual(wrong.rows.map((r) => [r.split, r.id, r.gold, r.goldFromUser]), [['sample', 's5', 1, true]]);
    const right = service.query(view, q({ split: 'labeled', lf: 'song', outcome: 'right' }));
    assert.deepEqual(right.rows.map((r) => r.id), ['d1', 'd2']);
  });

  it('pages a seeded sample: the same seed gives the same rows, pages do not overlap', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ id: String(i), fields: { text: i % 3 === 0 ? 'check' : 'song' } }));
    const big: Dataset = { path: '/ws/big.json', rows, gold: null };
    const e = new AnalysisEngine(standInExecutor(), { task: 't', labels: ['HAM', 'SPAM'], sample: big, dev: null, lfFiles: ['/ws/lfs.py'], timeoutMs: 1000 });
    await e.runFile('/ws/lfs.py', source);
    e.analyze();
    const service = new ExamplesService('text', 'labels.jsonl');
    const filter = { split: 'sample' as const, lf: 'check', vote: 'fires' as const };
    const p1 = service.query(e.rowsView()!, q(filter, { order: 'seeded', seed: 3, limit: 20 }));
    const p2 = service.query(e.rowsView()!, q(filter, { order: 'seeded', seed: 3, offset: 20, limit: 20 }));
    const again = new ExamplesService('text', 'labels.jsonl').query(e.rowsView()!, q(filter, { order: 'seeded', seed: 3, limit: 20 }));
    assert.equal(p1.total, 334);
    assert.deepEqual(again.rows.map((r) => r.id), p1.rows.map((r) => r.id));
    assert.equal(new Set([...p1.rows, ...p2.rows].map((r) => r.id)).size, 40);
    assert.ok(p1.rows.every((r) => Number(r.id) % 3 === 0));
  });

  it('gives hover rows: some it fires on, one it gets wrong, its main conflict partner', async () => {
    const e = await engineWithRun(true);
    e.analyze();
    const rows = new ExamplesService('text', 'labels.jsonl').hoverRows(e.rowsView()!, 'check');
    assert.equal(rows.firesTotal, 2);
    assert.equal(rows.fires.length, 2);
    assert.equal(rows.wrong?.text, 'check song');
    assert.equal(rows.wrongTotal, 1);
    assert.deepEqual(rows.partners, [{ name: 'song', rows: 1 }]);
  });

  it("tells apart LFs of the same name in two files: each file's lens, hover and conflicts show its own rows", async () => {
    const e = new AnalysisEngine(standInExecutor(), { task: 't', labels: ['HAM', 'SPAM'], sample, dev, lfFiles: ['/ws/a.py', '/ws/b.py'], timeoutMs: 1000 });
    await e.runFile('/ws/a.py', 'def check(x):  # check -> 1\n    return SPAM if "check" in x.text else ABSTAIN\n');
    await e.runFile('/ws/b.py', 'def check(x):  # song -> 0\n    return HAM if "song" in x.text else ABSTAIN\n');
    e.analyze();
    const view = e.rowsView()!;
    const service = new ExamplesService('text', 'labels.jsonl');
    const ids = (lfFile?: string) => service.query(view, q({ split: 'sample', lf: 'check', lfFile, vote: 'fires' })).rows.map((r) => r.id);
    assert.deepEqual(ids('/ws/a.py'), ['s0', 's2']);
    assert.deepEqual(ids('/ws/b.py'), ['s1', 's2', 's5']);
    assert.deepEqual(ids(), ['s0', 's2'], 'without a file, the first of the name');
    const b = service.hoverRows(view, 'check', '/ws/b.py');
    assert.equal(b.firesTotal, 3);
    assert.ok(b.fires.every((r) => r.vote === 0), JSON.stringify(b.fires));
    assert.equal(b.wrong, null, "b.py's check is right on both dev rows it votes on");
    assert.equal(service.hoverRows(view, 'check', '/ws/a.py').wrong?.text, 'check song', "a.py's check votes SPAM on a HAM dev row");
    assert.deepEqual(b.partners, [{ name: 'check', rows: 1 }]);
    // The pair: a.py's check against its namesake in b.py, not against itself.
    const pair = service.query(view, q({ split: 'sample', lf: 'check', lfFile: '/ws/a.py', conflictsWith: 'check' }));
    assert.deepEqual(pair.rows.map((r) => r.id), ['s2']);
    const page = service.query(view, q({ split: 'sample', lf: 'check', lfFile: '/ws/b.py', vote: 'fires' }));
    assert.deepEqual(page.rows.find((r) => r.id === 's1')?.highlights, [[5, 9]], "highlights come from b.py's code: 'song' in 'nice song'");
    assert.equal(page.title, 'Sample rows where check (ws/b.py) votes on');
  });
});
