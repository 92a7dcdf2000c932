// "Suggest Labeling Functions from Labeled Rows" over stdio: LFs mined from the example's dev rows come back as
// review-panel candidates with fresh names, and each one runs and scores in the sandbox like an LLM candidate.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ScoreCandidatesRequest, SuggestLfsRequest } from '../../lf-runtime/src/protocol.ts';
import { LspTestClient, copyWorkspace } from '../support/lspClient.ts';

describe('suggestions over stdio', () => {
  let client: LspTestClient;
  before(async () => {
    client = await LspTestClient.start(copyWorkspace());
    await client.open('lfs.py');
    await client.waitFor(() => client.analyses.length > 0, 'the first analysis');
  });
  after(() => client.stop());

  it('suggests LFs from the dev rows that run and score in the sandbox', async () => {
    const result = await client.connection.sendRequest(SuggestLfsRequest, { maxLfs: 5 });
    assert.ok(result.candidates.length > 0 && result.candidates.length <= 5, result.summary);
    assert.match(result.summary, /^from 120 labeled rows \(120 dev, 0 labeled by you\)/);
    const existing = new Set(result.existingNames);
    assert.ok(result.candidates.every((c) => !existing.has(c.name)), 'names do not collide with the project');
    const scored = await client.connection.sendRequest(ScoreCandidatesRequest, { candidates: result.candidates.slice(0, 2) });
    for (const outcome of scored.outcomes) {
      assert.ok(outcome.ok, JSON.stringify(outcome));
      if (outcome.ok) assert.ok(outcome.score.coverage > 0, 'a suggestion votes on some sample rows');
    }
  });
});
