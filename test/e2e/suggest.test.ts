/**
 * End to end for LFs suggested from labeled rows in a real VS Code (code-server): "LF Studio: Suggest Labeling
 * Functions from Labeled Rows" mines the example's dev set, the review panel lists the suggestions with
 * numbers computed by running them in the sandbox, and Accept inserts one into lfs.py, where its CodeLens
 * appears. The accepted LF's coverage is recounted here by running its code (from the saved generation) with
 * a plain python3 over the example's sample texts. No LLM and no API key are involved.
 * Prerequisites: bash scripts/ensure-e2e-tools.sh && npm run package.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { escapeRegExp, exampleSampleTexts } from './support/exampleData.ts';
import { startSession, step, stopSession } from './support/session.ts';
import type { E2eSession } from './support/session.ts';
import { recordTimings } from './support/timings.ts';

const timings: Record<string, number> = {};
let session: E2eSession | undefined;

before(async () => {
  const started = performance.now();
  session = await startSession();
  timings.suggestStartCodeServerAndWorkbenchMs = Math.round(performance.now() - started);
});

after(async () => {
  recordTimings(timings);
  console.log(`e2e suggest timings: ${JSON.stringify(timings)}`);
  await stopSession(session);
});

/** Coverage of an LF's code over the sample texts, run by a plain python3 with a stand-in decorator, as "8.1%". */
function nativeCoverage(code: string, name: string): string {
  const script = `
import json, sys, types
snorkel = types.ModuleType("snorkel"); labeling = types.ModuleType("snorkel.labeling")
labeling.labeling_function = lambda **kw: (lambda f: f)
sys.modules["snorkel"] = snorkel; sys.modules["snorkel.labeling"] = labeling
ns = {}
exec(compile(sys.argv[1], "suggested.py", "exec"), ns)
lf = ns[sys.argv[2]]
class Row:
    def __init__(self, text): self.text = text
    def __getitem__(self, key): return getattr(self, key)
texts = json.load(sys.stdin)
print(sum(1 for t in texts if lf(Row(t)) not in (None, -1)))
`;
  const texts = exampleSampleTexts();
  const r = spawnSync('python3', ['-c', script, code, name], { input: JSON.stringify(texts), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return `${((100 * Number(r.stdout.trim())) / texts.length).toFixed(1)}%`;
}

test('Suggest Labeling Functions from Labeled Rows: the review panel scores suggestions, Accept inserts one with its CodeLens', async () => {
  const s = session;
  assert.ok(s !== undefined, 'the session did not start');
  const { workbench } = s;

  await step(s, 'suggest-open-lfs', () => workbench.openFile('lfs.py'));
  await step(s, 'suggest-first-codelens', () => workbench.waitForCodeLensAbove('def keyword_my(x):', /coverage \d/, { timeoutMs: 90_000 }));

  const commandStarted = performance.now();
  await step(s, 'suggest-command', () => workbench.runCommand('LF Studio: Suggest Labeling Functions from Labeled Rows'));
  const review = workbench.webviewFrame();
  const passing = review.locator('section.candidate:has(.badge:text-is("passes"))').first();
  await step(s, 'suggest-review-panel', async () => {
    await passing.waitFor({ state: 'visible', timeout: 180_000 });
    await passing.locator('.editor .view-lines').waitFor({ state: 'visible', timeout: 30_000 });
  });
  timings.suggestCommandToReviewPanelMs = Math.round(performance.now() - commandStarted);

  const name = await passing.getAttribute('data-name');
  assert.ok(name && /^\w+$/.test(name), `the passing suggestion has no usable name: ${name}`);
  const shownCoverage = (await passing.locator('table.numbers tr:has(th:text-is("Coverage")) td').textContent())?.trim() ?? '';
  await workbench.screenshot('suggest-review.png');

  // The saved generation holds the suggestion's code: recount its coverage with a plain python3.
  const generations = join(s.server.workspaceDir, '.lfstudio', 'generations');
  assert.ok(existsSync(generations), 'the suggestions were not saved under .lfstudio/generations/');
  const records = readdirSync(generations)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(generations, f), 'utf8')) as { source?: string; candidates?: { name?: string; code?: string }[] });
  const record = records.find((r) => r.source === 'suggester' && r.candidates?.some((c) => c.name === name));
  assert.ok(record, `no saved generation from the suggester holds ${name}`);
  const code = record.candidates!.find((c) => c.name === name)!.code!;
  const expected = nativeCoverage(code, name);
  assert.equal(shownCoverage, expected, `coverage shown for ${name}`);

  await step(s, 'suggest-accept', async () => {
    await passing.locator('button.accept').click();
    await review.locator(`section.candidate[data-name="${name}"] .badge`, { hasText: /^accepted$/ }).waitFor({ state: 'visible', timeout: 30_000 });
  });
  const acceptedAt = performance.now();
  await step(s, 'suggest-accepted-in-editor', () => workbench.activateTab('lfs.py'));
  const lens = await step(s, 'suggest-accepted-codelens', () =>
    workbench.waitForCodeLensAbove(`def ${name}(x):`, new RegExp(`coverage ${escapeRegExp(expected)}`), { timeoutMs: 60_000 }),
  );
  timings.suggestAcceptToCodeLensMs = Math.round(performance.now() - acceptedAt);
  assert.match(lens, /polarity (HAM|SPAM)/, `lens above ${name}: "${lens}"`);
});
