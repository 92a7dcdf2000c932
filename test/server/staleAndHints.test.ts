// Nothing stale without a mark, and LF files the project misses: over stdio, as the editor sees it.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CodeActionRequest, DidChangeWatchedFilesNotification, FileChangeType, type CodeAction, type TextEdit } from 'vscode-languageserver-protocol';
import { LspTestClient, copyWorkspace } from '../support/lspClient.ts';

describe('stale figures and unlisted LF files', () => {
  let client: LspTestClient;
  let source: string;
  let line: number;
  const titles = async () =>
    (await client.codeLenses('lfs.py')).filter((l) => l.range.start.line === line).map((l) => l.command?.title ?? '');

  before(async () => {
    client = await LspTestClient.start(copyWorkspace());
    source = await client.open('lfs.py');
    line = source.split('\n').findIndex((l) => l.includes('def keyword_my')) - 1;
    await client.waitFor(() => client.analyses.length > 0, 'the first analysis');
  });
  after(() => client.stop());

  it('marks figures of the last version that loaded while the file has a syntax error, and drops the mark after the fix', async () => {
    assert.ok(!(await titles()).some((t) => t.includes('last version that loaded')));
    await client.change('lfs.py', source.replace('def keyword_song(x):', 'def keyword_song(x)'));
    await client.waitFor(() => client.diagnostics.get(client.uri('lfs.py'))?.some((d) => d.severity === 1), 'the syntax error');
    const marked = await titles();
    assert.match(marked[0], /figures of the last version that loaded: .*line \d+/);
    assert.ok(marked.some((t) => /^coverage \d/.test(t)), 'the older figures are still shown, after the mark');
    const count = client.analyses.length;
    await client.change('lfs.py', source);
    await client.waitFor(() => client.analyses.length > count, 'an analysis after the fix');
    // The lens request is async, so poll it (waitFor takes a synchronous predicate).
    let now = await titles();
    for (let i = 0; i < 100 && now.some((t) => t.includes('last version') || t.includes('updating')); i++) {
      await new Promise((r) => setTimeout(r, 100));
      now = await titles();
    }
    assert.ok(!now.some((t) => t.includes('last version')), `lenses after the fix: ${JSON.stringify(now)}`);
    assert.match(now[0], /^coverage \d/);
  });

  it('hints a Python file with LFs that lfFiles does not list, and its quick fix adds it', async () => {
    writeFileSync(join(client.root, 'more_lfs.py'), 'from snorkel.labeling import labeling_function\n\n@labeling_function()\ndef keyword_love(x):\n    return 0 if "love" in x.text.lower() else -1\n');
    await client.open('more_lfs.py');
    const hint = await client.waitFor(() => client.diagnostics.get(client.uri('more_lfs.py'))?.find((d) => d.code === 'not-in-lfFiles'), 'the hint');
    assert.equal(hint.range.start.line, 2);
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: client.uri('more_lfs.py') },
      range: hint.range,
      context: { diagnostics: [hint] },
    })) as CodeAction[];
    const fix = actions.find((a) => a.title.includes('Add more_lfs.py'));
    assert.ok(fix?.edit?.changes, JSON.stringify(actions));
    const [uri, edits] = Object.entries(fix.edit.changes)[0] as [string, TextEdit[]];
    assert.equal(uri, client.uri('lfstudio.json'));
    // Apply the edit as the editor would, save, and tell the server.
    const file = join(client.root, 'lfstudio.json');
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const off = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((s, l) => s + l.length + 1, 0) + p.character;
    let out = text;
    for (const e of [...edits].sort((a, b) => off(b.range.start) - off(a.range.start))) out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
    assert.deepEqual(JSON.parse(out).lfFiles, ['lfs.py', 'more_lfs.py']);
    writeFileSync(file, out);
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: client.uri('lfstudio.json'), type: FileChangeType.Changed }] });
    await client.waitFor(() => client.analyses.at(-1)?.lfs.some((l) => l.name === 'keyword_love'), 'the new file in the analysis');
    await client.waitFor(() => !client.diagnostics.get(client.uri('more_lfs.py'))?.some((d) => d.code === 'not-in-lfFiles'), 'the hint gone');
  });

  it('names lfstudio.json in the status when the project file is broken', async () => {
    const file = join(client.root, 'lfstudio.json');
    writeFileSync(file, '{"labels": ["HAM", "SPAM"], "data": {}}');
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: client.uri('lfstudio.json'), type: FileChangeType.Changed }] });
    const status = await client.waitFor(() => client.statuses.find((s) => s.state === 'error' && s.projectFile), 'a project error status');
    assert.equal(status.projectFile, file);
    assert.match(status.detail, /data\.sample is missing/);
  });
});
