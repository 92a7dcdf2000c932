// The language server while the project itself changes under it: a file with no LFs, lfstudio.json broken
// and mended while running, and .py files appearing outside the lfFiles patterns.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DidChangeWatchedFilesNotification, FileChangeType } from 'vscode-languageserver-protocol';
import { LspTestClient, copyWorkspace } from '../support/lspClient.ts';

const HELPERS = 'import re\n\ndef helper(x):\n    return 1\n';

describe('language server while the project changes', () => {
  let client: LspTestClient;
  let projectText: string;
  const notify = (file: string, type: FileChangeType) =>
    client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [{ uri: pathToFileURL(join(client.root, file)).toString(), type }],
    });

  before(async () => {
    const root = copyWorkspace();
    const project = JSON.parse(readFileSync(join(root, 'lfstudio.json'), 'utf8'));
    project.lfFiles = ['lfs.py', 'helpers.py'];
    projectText = JSON.stringify(project, null, 2);
    writeFileSync(join(root, 'lfstudio.json'), projectText);
    writeFileSync(join(root, 'helpers.py'), HELPERS);
    client = await LspTestClient.start(root);
    await client.open('lfs.py');
    await client.waitFor(() => client.analyses.length > 0, 'the first analysis');
  });
  after(() => client.stop());

  it('warns on line 1 of an LF file that defines no labeling functions', async () => {
    const diags = await client.waitFor(() => client.diagnostics.get(client.uri('helpers.py')), 'diagnostics for helpers.py');
    assert.equal(diags.length, 1);
    assert.equal(diags[0].severity, 2, 'a warning, not an error');
    assert.equal(diags[0].range.start.line, 0);
    assert.match(String(diags[0].message), /helpers\.py defines no labeling functions; decorate each one with @labeling_function\(\)/);
  });

  it('does not reload the project when a .py file outside the lfFiles patterns appears', async () => {
    const statusesBefore = client.statuses.length;
    const analysesBefore = client.analyses.length;
    mkdirSync(join(client.root, '.venv'), { recursive: true });
    writeFileSync(join(client.root, '.venv', 'six.py'), 'x = 1\n');
    await notify('.venv/six.py', FileChangeType.Created);
    // An edit after the event: its analysis arrives after any reload the event would have started.
    const source = readFileSync(join(client.root, 'lfs.py'), 'utf8');
    await client.change('lfs.py', source.replace('"my" in x.text.lower()', '"mine" in x.text.lower()'));
    await client.save('lfs.py');
    await client.waitFor(() => client.analyses.length > analysesBefore, 'an analysis after the edit');
    const states = client.statuses.slice(statusesBefore).map((s) => s.state);
    assert.ok(!states.includes('starting'), `no reload expected, saw states ${states.join(', ')}`);
  });

  it('drops stale diagnostics and lenses while lfstudio.json is broken, and recovers when it is mended', async () => {
    await client.waitFor(() => client.diagnostics.get(client.uri('helpers.py'))?.length, 'the helpers.py warning');
    writeFileSync(join(client.root, 'lfstudio.json'), projectText.replace('"labels"', '"lables"'));
    await notify('lfstudio.json', FileChangeType.Changed);
    const status = await client.waitFor(() => client.statuses.at(-1)?.state === 'error' && client.statuses.at(-1), 'a project error');
    assert.match(status.detail, /unknown property "lables"/);
    await client.waitFor(() => client.diagnostics.get(client.uri('helpers.py'))?.length === 0, 'helpers.py diagnostics cleared');
    assert.deepEqual(await client.codeLenses('lfs.py'), []);
    assert.ok(client.clearedAnalyses > 0, 'the dashboard is told the old figures no longer hold');

    const analysesBefore = client.analyses.length;
    writeFileSync(join(client.root, 'lfstudio.json'), projectText);
    await notify('lfstudio.json', FileChangeType.Changed);
    await client.waitFor(() => client.analyses.length > analysesBefore, 'an analysis after the fix');
    assert.ok((await client.codeLenses('lfs.py')).some((l) => l.command?.title.startsWith('coverage')));
  });
});
