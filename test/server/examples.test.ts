// The rows behind the figures over stdio, as the editor asks for them: each lens part carries the question
// whose rows it counts; the examples request answers it with exactly those rows (counted here from the data
// files, without the product); a gold label given in the view is appended to the project's labels file and
// changes dev precision in the lens at once; taking it back restores it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HoverRequest, type CodeLens } from 'vscode-languageserver-protocol';
import { ExamplesRequest, SetGoldLabelRequest, type ExamplesFilter } from '../../lf-runtime/src/protocol.ts';
import { LspTestClient, copyWorkspace } from '../support/lspClient.ts';

type WrenchRows = Record<string, { label: number; data: { text: string } }>;
const read = (root: string, file: string) => Object.entries(JSON.parse(readFileSync(join(root, 'data', file), 'utf8')) as WrenchRows);
const SPAM = 1;

describe('examples view over stdio', () => {
  let client: LspTestClient;
  let line: number;
  const lenses = async () => (await client.codeLenses('lfs.py')).filter((l) => l.range.start.line === line);
  const part = (ls: CodeLens[], prefix: string) => ls.find((l) => l.command?.title.startsWith(prefix))?.command;

  before(async () => {
    client = await LspTestClient.start(copyWorkspace());
    const source = await client.open('lfs.py');
    line = source.split('\n').findIndex((l) => l.includes('def keyword_my')) - 1;
    await client.waitFor(() => client.analyses.length > 0, 'the first analysis');
  });
  after(() => client.stop());

  it('opens the coverage lens on exactly the rows the LF fires on', async () => {
    const coverage = part(await lenses(), 'coverage');
    assert.equal(coverage?.command, 'lfStudio.showExamples');
    const filter = coverage!.arguments![0] as ExamplesFilter;
    assert.deepEqual(filter, { split: 'sample', lf: 'keyword_my', lfFile: join(client.root, 'lfs.py'), vote: 'fires' });
    const page = await client.connection.sendRequest(ExamplesRequest, { filter, order: 'seeded', seed: 1, offset: 0, limit: 20 });
    const hits = read(client.root, 'train.json').filter(([, r]) => r.data.text.toLowerCase().includes('my'));
    assert.equal(page.total, hits.length);
    assert.equal(page.rows.length, 20);
    const j = page.lfNames.indexOf('keyword_my');
    assert.ok(page.rows.every((r) => r.votes[j] === SPAM && r.text.toLowerCase().includes('my')));
    assert.ok(page.rows.every((r) => r.highlights.length > 0 && r.text.slice(...r.highlights[0]).toLowerCase() === 'my'), 'the keyword is highlighted');
  });

  it('opens dev precision on exactly the labeled rows it gets wrong', async () => {
    const precision = part(await lenses(), 'dev precision');
    const filter = precision!.arguments![0] as ExamplesFilter;
    assert.deepEqual(filter, { split: 'labeled', lf: 'keyword_my', lfFile: join(client.root, 'lfs.py'), outcome: 'wrong' });
    const page = await client.connection.sendRequest(ExamplesRequest, { filter, order: 'data', seed: 1, offset: 0, limit: 100 });
    const wrong = read(client.root, 'valid.json').filter(([, r]) => r.data.text.toLowerCase().includes('my') && r.label !== SPAM);
    assert.ok(wrong.length > 0, 'the example has dev rows keyword_my gets wrong');
    assert.deepEqual(page.rows.map((r) => r.id).sort(), wrong.map(([id]) => id).sort());
    assert.ok(page.rows.every((r) => r.split === 'dev' && r.gold !== SPAM));
  });

  it('counts a label given in the view as a dev label at once, and takes it back', async () => {
    const before = client.analyses.at(-1)!.lfs.find((l) => l.name === 'keyword_my')!;
    const firing = await client.connection.sendRequest(ExamplesRequest, {
      filter: { split: 'sample', lf: 'keyword_my', vote: 'fires' },
      order: 'data',
      seed: 1,
      offset: 0,
      limit: 1,
    });
    const row = firing.rows[0];
    const count = client.analyses.length;
    const result = await client.connection.sendRequest(SetGoldLabelRequest, { split: 'sample', id: row.id, label: 0 });
    assert.equal(result.previous, null);
    await client.waitFor(() => client.analyses.length > count, 'an analysis after labeling');
    const after = client.analyses.at(-1)!.lfs.find((l) => l.name === 'keyword_my')!;
    assert.equal(after.incorrect, (before.incorrect ?? 0) + 1);
    assert.equal(after.correct, before.correct);
    const title = part(await lenses(), 'dev precision')!.title;
    assert.match(title, new RegExp(`\\(${before.correct}/${(before.correct ?? 0) + (before.incorrect ?? 0) + 1}\\)`));
    const file = readFileSync(join(client.root, '.lfstudio', 'labels.jsonl'), 'utf8');
    assert.deepEqual(file.trim().split('\n').map((l) => JSON.parse(l)), [{ split: 'sample', id: row.id, label: 0 }]);

    const undo = await client.connection.sendRequest(SetGoldLabelRequest, { split: 'sample', id: row.id, label: null });
    assert.equal(undo.previous, 0);
    const restored = undo.analysis!.lfs.find((l) => l.name === 'keyword_my')!;
    assert.deepEqual([restored.correct, restored.incorrect], [before.correct, before.incorrect]);
    assert.equal(readFileSync(join(client.root, '.lfstudio', 'labels.jsonl'), 'utf8').trim().split('\n').length, 2, 'appended, never rewritten');
  });

  it('refuses a label for a row that does not exist, naming it', async () => {
    await assert.rejects(client.connection.sendRequest(SetGoldLabelRequest, { split: 'sample', id: 'no-such-row', label: 1 }), /no sample row with id "no-such-row"/);
  });

  it('shows rows and conflict partners in the hover, with links to the examples view', async () => {
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: client.uri('lfs.py') }, position: { line: line + 1, character: 6 } });
    const value = hover && typeof hover.contents === 'object' && 'value' in hover.contents ? hover.contents.value : '';
    assert.match(value, /Votes on \d+ rows, e\.g\./);
    assert.match(value, /Wrong on \d+ labeled rows/);
    assert.match(value, /Conflicts most with: \[/);
    assert.match(value, /\(command:lfStudio\.showExamples\?/);
  });
});
