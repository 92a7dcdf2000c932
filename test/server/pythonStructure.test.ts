// Python's structure over stdio, as the extension asks for it (the extension runs no Python): the server parses
// texts in its sandbox, and the generation context finds the project's LFs wherever they are defined at
// module level, an LF under a top-level `if` included.
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GenerationContextRequest, PythonStructureRequest } from '../../lf-runtime/src/protocol.ts';
import { LspTestClient, copyWorkspace } from '../support/lspClient.ts';

const GUARDED_LF = `

if True:
    @labeling_function()
    def keyword_free(x):
        return SPAM if "free" in x.text.lower() else ABSTAIN
`;

describe('Python structure over stdio', () => {
  let client: LspTestClient;
  let source: string;
  before(async () => {
    const root = copyWorkspace();
    appendFileSync(join(root, 'lfs.py'), GUARDED_LF);
    client = await LspTestClient.start(root);
    source = await client.open('lfs.py');
    await client.waitFor(() => client.analyses.length > 0, 'the first analysis');
  });
  after(() => client.stop());

  it('parses texts in the sandbox: statements and LFs, or why a text does not parse', async () => {
    const { outcomes } = await client.connection.sendRequest(PythonStructureRequest, { sources: [source, 'def broken(:\n'] });
    assert.equal(outcomes.length, 2);
    const [file, broken] = outcomes;
    assert.ok(file?.ok);
    assert.deepEqual(
      file.structure.lfs.map((lf) => lf.name),
      ['keyword_my', 'keyword_subscribe', 'keyword_link', 'keyword_please', 'keyword_song', 'regex_check_out', 'short_comment', 'keyword_free'],
    );
    const guarded = file.structure.lfs.at(-1)!;
    const lines = source.split('\n');
    assert.equal(lines[guarded.defLine! - 1], '    def keyword_free(x):');
    assert.equal(lines[guarded.decorator!.start - 1], '    @labeling_function()');
    assert.equal(file.structure.statements[guarded.statement]!.kind, 'other');
    assert.ok(broken && !broken.ok);
    assert.equal(broken.line, 1);
  });

  it('refuses malformed parameters with an error, not a crash', async () => {
    await assert.rejects(client.connection.sendRequest(PythonStructureRequest, { sources: [42] as unknown as string[] }), /sources must be at most 64 strings/);
    const again = await client.connection.sendRequest(PythonStructureRequest, { sources: ['x = 1'] });
    assert.ok(again.outcomes[0]?.ok);
  });

  it('the generation context gives the LF under the top-level if, with its code, to improve', async () => {
    const context = await client.connection.sendRequest(GenerationContextRequest, { tier: 'lfs', mode: 'improve', lfName: 'keyword_free' });
    assert.ok(context);
    assert.ok(context.existingLfs.some((lf) => lf.name === 'keyword_free'));
    assert.ok(context.existingNames.includes('keyword_free'));
    assert.equal(context.improveTarget?.code, '@labeling_function()\ndef keyword_free(x):\n    return SPAM if "free" in x.text.lower() else ABSTAIN');
  });
});
