// The language server over stdio, as an editor drives it: open lfs.py, get CodeLens with the right
// figures, edit, get updated figures; broken files and projects give diagnostics and messages, not crashes.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HoverRequest, type Diagnostic } from 'vscode-languageserver-protocol';
import { LspTestClient, copyWorkspace } from '../support/lspClient.ts';

/** Coverage of `substring in text.lower()` over the example's sample, computed without the product. */
function expectedCoverage(root: string, substring: string): string {
  const data = JSON.parse(readFileSync(join(root, 'data', 'train.json'), 'utf8')) as Record<string, { data: { text: string } }>;
  const rows = Object.values(data);
  const hits = rows.filter((r) => r.data.text.toLowerCase().includes(substring)).length;
  return `${((hits / rows.length) * 100).toFixed(1)}%`;
}

const text = (d: Diagnostic) => (typeof d.message === 'string' ? d.message : d.message.value);

/** The lenses on one line as the editor shows them: each figure its own lens, joined by " | ". */
function lensFor(lenses: { range: { start: { line: number } }; command?: { title: string } }[], line: number): string | undefined {
  const titles = lenses.filter((l) => l.range.start.line === line && l.command).map((l) => l.command!.title);
  return titles.length ? titles.join(' | ') : undefined;
}

describe('language server over stdio', () => {
  let client: LspTestClient;
  let source: string;
  let myLine: number;

  before(async () => {
    client = await LspTestClient.start(copyWorkspace());
    source = await client.open('lfs.py');
    myLine = source.split('\n').findIndex((l) => l.includes('def keyword_my')) - 1; // the decorator line
    await client.waitFor(() => client.analyses.length > 0, 'the first analysis');
  });
  after(() => client.stop());

  it('shows coverage, overlaps, conflicts and polarity above each LF', async () => {
    const lenses = await client.codeLenses('lfs.py');
    const title = lensFor(lenses, myLine);
    assert.ok(title, `no lens on line ${myLine}: ${JSON.stringify(lenses.map((l) => [l.range.start.line, l.command?.title]))}`);
    assert.match(title, new RegExp(`^coverage ${expectedCoverage(client.root, 'my').replace('.', '\\.')} \\| overlaps \\d+\\.\\d% \\| conflicts \\d+\\.\\d% \\| polarity SPAM \\|`));
    const analysis = client.analyses.at(-1)!;
    assert.deepEqual(
      analysis.lfs.map((l) => l.name),
      ['keyword_my', 'keyword_subscribe', 'keyword_link', 'keyword_please', 'keyword_song', 'regex_check_out', 'short_comment'],
    );
    assert.equal(analysis.rows, 1586 + 100);
    assert.ok(analysis.lfs.every((l) => l.correct !== null), 'the dev set gives correct/incorrect counts');
  });

  it('shows all figures in a hover over the LF header, and nothing inside its body', async () => {
    const hover = (line: number) =>
      client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: client.uri('lfs.py') }, position: { line, character: 6 } });
    const onDef = await hover(myLine + 1);
    const value = onDef && typeof onDef.contents === 'object' && 'value' in onDef.contents ? onDef.contents.value : '';
    assert.match(value, /\*\*keyword_my\*\* on 1686 sample rows/);
    assert.match(value, /precision/);
    assert.equal(await hover(myLine + 2), null, 'the return line has no LF hover');
  });

  it('re-runs an edited LF and updates its lens', async () => {
    const before = client.analyses.length;
    await client.change('lfs.py', source.replace('"my" in x.text.lower()', '"check" in x.text.lower()'));
    await client.save('lfs.py');
    await client.waitFor(() => client.analyses.length > before, 'an analysis after the edit');
    const title = lensFor(await client.codeLenses('lfs.py'), myLine);
    assert.ok(title?.startsWith(`coverage ${expectedCoverage(client.root, 'check')} |`), title);
  });

  it('reports a syntax error as a diagnostic on its line and keeps the last figures', async () => {
    const broken = source.replace('def keyword_song(x):', 'def keyword_song(x)');
    const brokenLine = broken.split('\n').findIndex((l) => l.startsWith('def keyword_song'));
    await client.change('lfs.py', broken);
    const diags = await client.waitFor(() => {
      const d = client.diagnostics.get(client.uri('lfs.py'));
      return d?.some((x) => x.severity === 1) ? d : undefined;
    }, 'a syntax-error diagnostic');
    const err = diags.find((d) => d.severity === 1)!;
    assert.equal(err.range.start.line, brokenLine);
    assert.match(text(err), /SyntaxError|expected ':'/i);
    assert.ok(lensFor(await client.codeLenses('lfs.py'), myLine), 'lenses stay while the file is broken');
  });

  it('reports an LF that raises as a warning with the failing line', async () => {
    const raising = source.replace('return HAM if "song" in x.text.lower() else ABSTAIN', 'return HAM if 1 / 0 else ABSTAIN');
    const line = raising.split('\n').findIndex((l) => l.includes('1 / 0'));
    await client.change('lfs.py', raising);
    const diags = await client.waitFor(() => {
      const d = client.diagnostics.get(client.uri('lfs.py'));
      return d?.some((x) => text(x).includes('ZeroDivisionError')) ? d : undefined;
    }, 'a ZeroDivisionError diagnostic');
    const warning = diags.find((d) => text(d).includes('ZeroDivisionError'))!;
    assert.equal(warning.range.start.line, line);
    assert.match(text(warning), /keyword_song failed on 1686 of 1686 rows/);
  });
});

describe('language server with a broken project', () => {
  it('names the missing data file in its status instead of crashing', async () => {
    const root = copyWorkspace();
    const project = JSON.parse(readFileSync(join(root, 'lfstudio.json'), 'utf8'));
    project.data.sample = 'data/missing.json';
    writeFileSync(join(root, 'lfstudio.json'), JSON.stringify(project, null, 2));
    const client = await LspTestClient.start(root);
    try {
      const status = await client.waitFor(() => client.statuses.find((s) => s.state === 'error'), 'an error status');
      assert.match(status.detail, /missing\.json/);
      // The problem is also shown where it is fixed: on the "sample" line of lfstudio.json.
      const diags = await client.waitFor(() => client.diagnostics.get(client.uri('lfstudio.json')), 'a diagnostic in lfstudio.json');
      const sampleLine = readFileSync(join(root, 'lfstudio.json'), 'utf8').split('\n').findIndex((l) => l.includes('"sample"'));
      assert.equal(diags[0].range.start.line, sampleLine);
      assert.match(text(diags[0]), /missing\.json/);
    } finally {
      await client.stop();
    }
  });
});
