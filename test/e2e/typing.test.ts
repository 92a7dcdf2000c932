/**
 * End to end for the default behaviour, re-running while typing: with lfStudio.runOnChange left at its
 * default, typing into an LF (without saving) must update its CodeLens from the unsaved text. The time from
 * the last keystroke to the updated lens goes into test-results/e2e-timings.json. Expected coverages are
 * counted here from the example's data. Prerequisites: bash scripts/ensure-e2e-tools.sh && npm run package.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { escapeRegExp, keywordCoverage } from './support/exampleData.ts';
import { startSession, step, stopSession } from './support/session.ts';
import type { E2eSession } from './support/session.ts';
import { recordTimings } from './support/timings.ts';

const lfLine = 'def keyword_my(x):';
const timings: Record<string, number> = {};
const observedLenses: Record<string, string> = {};
let session: E2eSession | undefined;

before(async () => {
  const started = performance.now();
  // No lfStudio.runOnChange here on purpose: the product default is what this file tests.
  session = await startSession();
  timings.typingStartCodeServerAndWorkbenchMs = Math.round(performance.now() - started);
});

after(async () => {
  recordTimings({ ...timings, observedLenses });
  console.log(`e2e typing timings: ${JSON.stringify(timings)}`);
  await stopSession(session);
});

test('typing into an LF without saving re-runs it and updates its CodeLens', async () => {
  const s = session;
  assert.ok(s !== undefined, 'the session did not start');
  const { workbench } = s;
  const before = keywordCoverage('my');
  const afterTyping = keywordCoverage('check');
  assert.notEqual(before, afterTyping, 'the edit must change the coverage for this test to mean anything');

  await step(s, 'typing-open-lfs', () => workbench.openFile('lfs.py'));
  const first = await step(s, 'typing-first-codelens', () =>
    workbench.waitForCodeLensAbove(lfLine, new RegExp(`coverage ${escapeRegExp(before)}`), { timeoutMs: 90_000 }),
  );
  observedLenses.beforeTyping = first;

  // Put the selection on the word my inside "my" in ..., then type over it key by key. Every prefix
  // ("c", "ch", ...) is valid Python, so each keystroke is a real re-run request the debounce must absorb.
  await step(s, 'typing-select', async () => {
    await workbench.selectInEditor('"my" in');
    await workbench.page.keyboard.press('ArrowLeft');
    await workbench.page.keyboard.press('ArrowRight');
    await workbench.page.keyboard.press('Shift+ArrowRight');
    await workbench.page.keyboard.press('Shift+ArrowRight');
  });
  const typingStarted = performance.now();
  await step(s, 'typing-type', () => workbench.typeInEditor('check'));
  const lastKeystroke = performance.now();
  const updated = await step(s, 'typing-updated-codelens', () =>
    workbench.waitForCodeLensAbove(lfLine, new RegExp(`coverage ${escapeRegExp(afterTyping)}`), { timeoutMs: 60_000 }),
  );
  const done = performance.now();
  timings.lastKeystrokeToUpdatedCodeLensMs = Math.round(done - lastKeystroke);
  timings.firstKeystrokeToUpdatedCodeLensMs = Math.round(done - typingStarted);
  observedLenses.afterTyping = updated;
  assert.match(updated, /polarity SPAM/, `lens above keyword_my: "${updated}"`);

  // The lens followed the unsaved buffer: the editor shows the edit, the tab is dirty, the file on disk is not.
  const lines = await workbench.visibleEditorLines();
  assert.ok(lines.some((line) => line.includes('"check" in x.text.lower()')), `typed text not in the editor: ${lines.join(' / ')}`);
  assert.ok(await workbench.activeTabIsDirty(), 'the editor was saved; this test is about unsaved edits');
  const onDisk = readFileSync(join(s.server.workspaceDir, 'lfs.py'), 'utf8');
  assert.ok(onDisk.includes('"my" in x.text.lower()') && !onDisk.includes('"check" in'), 'lfs.py on disk changed without a save');
});
