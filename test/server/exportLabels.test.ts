// "Export Labels" over stdio: the file holds one row per sample row in file order, the probabilities the
// editor shows for those rows, -1 for rows no LF votes on, and equals what `lf-studio label --project` writes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExamplesRequest, ExportLabelsRequest } from '../../lf-runtime/src/protocol.ts';
import { LspTestClient, copyWorkspace, repoRoot } from '../support/lspClient.ts';

interface Line {
  id: string;
  probs: number[];
  label: number;
  votes: number[];
}
const readLines = (file: string): Line[] => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);

describe('Export Labels over stdio', () => {
  let client: LspTestClient;
  before(async () => {
    client = await LspTestClient.start(copyWorkspace());
    await client.open('lfs.py');
    await client.waitFor(() => client.analyses.length > 0, 'the first analysis');
  });
  after(() => client.stop());

  it('writes every sample row with the probabilities the editor shows, and what lf-studio label writes', async () => {
    const out = join(client.root, 'labels.jsonl');
    const result = await client.connection.sendRequest(ExportLabelsRequest, { out, uncovered: 'abstain' });
    const lines = readLines(out);
    const ids = Object.keys(JSON.parse(readFileSync(join(client.root, 'data', 'train.json'), 'utf8')) as object);
    assert.deepEqual(lines.map((l) => l.id), ids);
    assert.equal(result.rows, ids.length);
    const uncovered = lines.filter((l) => l.votes.every((v) => v === -1));
    assert.equal(result.covered, ids.length - uncovered.length);
    assert.ok(uncovered.length > 0 && uncovered.every((l) => l.label === -1));
    assert.ok(lines.every((l) => Math.abs(l.probs.reduce((a, b) => a + b, 0) - 1) < 1e-9));

    const page = await client.connection.sendRequest(ExamplesRequest, { filter: { split: 'sample', conflicts: true }, order: 'data', seed: 1, offset: 0, limit: 30 });
    assert.ok(page.rows.length > 0);
    const byId = new Map(lines.map((l) => [l.id, l]));
    for (const r of page.rows) {
      const line = byId.get(r.id)!;
      r.probs!.forEach((p, c) => assert.ok(Math.abs(p - line.probs[c]) < 1e-12, `row ${r.id} class ${c}: view ${p}, file ${line.probs[c]}`));
    }

    const cliOut = join(client.root, 'cli-labels.jsonl');
    const cli = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'label', '--project', join(client.root, 'lfstudio.json'), '--out', cliOut], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    const fromCli = readLines(cliOut);
    assert.deepEqual(fromCli.map((l) => [l.id, l.label, l.votes]), lines.map((l) => [l.id, l.label, l.votes]));
    fromCli.forEach((l, i) => l.probs.forEach((p, c) => assert.ok(Math.abs(p - lines[i].probs[c]) < 1e-9)));
  });

  it('refuses a file name it cannot write as labels, naming the formats', async () => {
    await assert.rejects(client.connection.sendRequest(ExportLabelsRequest, { out: join(client.root, 'labels.txt'), uncovered: 'abstain' }), /\.jsonl, \.ndjson or \.csv/);
  });
});
