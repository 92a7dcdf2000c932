// A runaway LF must not freeze the editor: it is stopped at its budget, marked timed out where it is defined,
// the status says it was stopped, and every other LF keeps its figures.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LspTestClient, copyWorkspace } from '../support/lspClient.ts';

describe('language server with a runaway LF', () => {
  it('times the LF out, reports it on its line, and keeps the other LFs right', async () => {
    const root = copyWorkspace();
    const lfs = join(root, 'lfs.py');
    const source = readFileSync(lfs, 'utf8');
    writeFileSync(lfs, `${source}\n\n@labeling_function()\ndef spins_forever(x):\n    while True:\n        try:\n            pass\n        except KeyboardInterrupt:\n            pass\n`);
    const defLine = readFileSync(lfs, 'utf8').split('\n').findIndex((l) => l.startsWith('def spins_forever')) - 1;
    const client = await LspTestClient.start(root, { lfTimeoutMs: 1500 });
    try {
      await client.open('lfs.py');
      const analysis = await client.waitFor(() => client.analyses.find((a) => a.lfs.some((l) => l.name === 'spins_forever')), 'an analysis with spins_forever', 120_000);
      const spin = analysis.lfs.find((l) => l.name === 'spins_forever')!;
      assert.equal(spin.timedOut, true);
      assert.equal(spin.coverage, 0);
      const my = analysis.lfs.find((l) => l.name === 'keyword_my')!;
      const texts = Object.values(JSON.parse(readFileSync(join(root, 'data', 'train.json'), 'utf8')) as Record<string, { data: { text: string } }>);
      assert.equal(my.coverage, texts.filter((r) => r.data.text.toLowerCase().includes('my')).length / texts.length);
      const diags = await client.waitFor(() => client.diagnostics.get(client.uri('lfs.py'))?.filter((d) => d.code === 'timeout'), 'a timeout diagnostic');
      assert.equal(diags[0].range.start.line, defLine);
      const ready = await client.waitFor(() => client.statuses.findLast((s) => s.state === 'ready'), 'a ready status');
      assert.ok(ready.isolation.includes('separate process per file and candidate'), JSON.stringify(ready.isolation));
      assert.ok(client.statuses.some((s) => /spins_forever ran longer than 1500 ms and was stopped/.test(s.detail)), 'the status says the LF was stopped');
    } finally {
      await client.stop();
    }
  });
});
