/**
 * End to end for LLM generation in a real VS Code (code-server): "LF Studio: Generate Labeling Functions"
 * talks through the real @anthropic-ai/sdk to a stand-in Messages API on loopback (test/support/fakeAnthropic.ts)
 * that answers with two labeling functions, one useful (".com" in the text) and one that duplicates
 * keyword_my. The review panel must list both with numbers computed by running them; Accept must insert the
 * useful one into lfs.py, where its CodeLens appears. The stand-in key must reach the server and never a
 * saved generation. Expected coverages are counted here from the example's data.
 * Prerequisites: bash scripts/ensure-e2e-tools.sh && npm run package.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startFakeAnthropic } from '../support/fakeAnthropic.ts';
import type { FakeAnthropic } from '../support/fakeAnthropic.ts';
import { escapeRegExp, keywordCoverage } from './support/exampleData.ts';
import { startSession, step, stopSession } from './support/session.ts';
import type { E2eSession } from './support/session.ts';
import { recordTimings } from './support/timings.ts';

/** Not a real key: only the stand-in server accepts it (it answers 401 to any other). */
const standInKey = 'sk-ant-e2e-stand-in-key-0123456789';
const modelFromSettings = 'claude-e2e-stand-in-model';
const passingName = 'mentions_dot_com';
const failingName = 'mentions_my';

const reply = [
  'Here are two labeling functions for the task.',
  '',
  '```python',
  '@labeling_function()',
  `def ${passingName}(x):`,
  '    # Links to other sites are a strong sign of promotion.',
  '    return SPAM if ".com" in x.text.lower() else ABSTAIN',
  '',
  '',
  '@labeling_function()',
  `def ${failingName}(x):`,
  '    return SPAM if "my" in x.text.lower() else ABSTAIN',
  '```',
  '',
].join('\n');

const timings: Record<string, number> = {};
const observedLenses: Record<string, string> = {};
let fake: FakeAnthropic | undefined;
let session: E2eSession | undefined;

before(async () => {
  fake = await startFakeAnthropic([{ kind: 'reply', text: reply, chunkSize: 60 }], { expectedKey: standInKey });
  const started = performance.now();
  session = await startSession({
    userSettings: {
      'lfStudio.llm.baseUrl': fake.url,
      'lfStudio.llm.model': modelFromSettings,
      'lfStudio.llm.candidates': 2,
    },
    env: { ANTHROPIC_API_KEY: standInKey },
  });
  timings.generateStartCodeServerAndWorkbenchMs = Math.round(performance.now() - started);
});

after(async () => {
  recordTimings({ ...timings, observedLenses });
  console.log(`e2e generate timings: ${JSON.stringify(timings)}`);
  await stopSession(session);
  await fake?.close();
});

/** Every file below `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test('Generate Labeling Functions: review panel scores the candidates, Accept inserts one with its CodeLens', async () => {
  const s = session;
  assert.ok(s !== undefined && fake !== undefined, 'the session did not start');
  const { workbench } = s;
  const dotComCoverage = keywordCoverage('.com');
  const myCoverage = keywordCoverage('my');

  // The runtime must have loaded the project before generation asks it for context.
  await step(s, 'generate-open-lfs', () => workbench.openFile('lfs.py'));
  await step(s, 'generate-first-codelens', () =>
    workbench.waitForCodeLensAbove('def keyword_my(x):', new RegExp(`coverage ${escapeRegExp(myCoverage)}`), { timeoutMs: 90_000 }),
  );

  const commandStarted = performance.now();
  const tierQuestion = 'How much context should the prompt give?';
  await step(s, 'generate-command', () => workbench.runCommand('LF Studio: Generate Labeling Functions', { opensQuickPick: tierQuestion }));
  await step(s, 'generate-pick-tier', () => workbench.pickQuickInputItem(tierQuestion, 'Task + labels + example rows'));

  const review = workbench.webviewFrame();
  const passingCard = review.locator(`section.candidate[data-name="${passingName}"]`);
  const failingCard = review.locator(`section.candidate[data-name="${failingName}"]`);
  await step(s, 'review-panel', async () => {
    await passingCard.waitFor({ state: 'visible', timeout: 120_000 });
    await failingCard.waitFor({ state: 'visible', timeout: 10_000 });
    // The monaco editors are drawn last; wait for them so the screenshot shows the code.
    await passingCard.locator('.editor .view-lines').waitFor({ state: 'visible', timeout: 30_000 });
  });
  timings.generateCommandToReviewPanelMs = Math.round(performance.now() - commandStarted);

  const coverageCell = (card: typeof passingCard): typeof passingCard => card.locator('table.numbers tr:has(th:text-is("Coverage")) td');
  await step(s, 'review-numbers', async () => {
    assert.equal((await review.locator('header h1').textContent())?.trim(), '1 of 2 candidates pass');
    assert.equal((await passingCard.locator('.badge').textContent())?.trim(), 'passes');
    assert.equal((await failingCard.locator('.badge').textContent())?.trim(), 'fails');
    // Numbers come from running the candidates on the sample: compare with counts made here.
    assert.equal((await coverageCell(passingCard).textContent())?.trim(), dotComCoverage);
    assert.equal((await coverageCell(failingCard).textContent())?.trim(), myCoverage);
    const failingReason = (await failingCard.locator('.reason').textContent()) ?? '';
    assert.match(failingReason, /overlaps keyword_my on 100%/, `reason shown for ${failingName}: "${failingReason}"`);
    assert.ok((await passingCard.locator('.examples li').count()) > 0, 'the passing candidate shows no example rows');
  });
  await workbench.screenshot('review.png');

  await step(s, 'review-accept', async () => {
    await passingCard.locator('button.accept').click();
    await passingCard.locator('.badge', { hasText: /^accepted$/ }).waitFor({ state: 'visible', timeout: 30_000 });
  });
  const acceptedAt = performance.now();
  await step(s, 'accepted-in-editor', () => workbench.activateTab('lfs.py'));
  const lines = await workbench.visibleEditorLines();
  assert.ok(lines.some((line) => line.includes(`def ${passingName}(x):`)), `accepted LF not shown in lfs.py: ${lines.join(' / ')}`);
  const lens = await step(s, 'accepted-codelens', () =>
    workbench.waitForCodeLensAbove(`def ${passingName}(x):`, new RegExp(`coverage ${escapeRegExp(dotComCoverage)}`), { timeoutMs: 60_000 }),
  );
  timings.acceptToCodeLensMs = Math.round(performance.now() - acceptedAt);
  observedLenses.accepted = lens;
  assert.match(lens, /polarity SPAM/, `lens above ${passingName}: "${lens}"`);

  // What reached the stand-in server: the key from the environment and the model from the settings.
  const calls = fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages');
  assert.equal(calls.length, 1, `expected one Messages API call, got ${fake.requests.length} requests`);
  const call = calls[0];
  assert.ok(call !== undefined);
  assert.equal(call.apiKey, standInKey, 'the request did not carry the key from ANTHROPIC_API_KEY');
  assert.equal(call.body?.model, modelFromSettings, 'the request did not use lfStudio.llm.model');

  // The generation is saved (with the decision) and the key appears in none of its files.
  const saved = filesUnder(join(s.server.workspaceDir, '.lfstudio', 'generations'));
  assert.ok(saved.some((file) => file.endsWith('.json')), `no generation saved under .lfstudio/generations/: ${JSON.stringify(saved)}`);
  for (const file of saved) {
    assert.ok(!readFileSync(file, 'utf8').includes(standInKey), `the API key was written to ${file}`);
  }
  const records = saved.filter((file) => file.endsWith('.json')).map((file) => readFileSync(file, 'utf8'));
  assert.ok(records.some((text) => text.includes('"decision": "accepted"')), 'the Accept decision was not saved with the generation');
});
