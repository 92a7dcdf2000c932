/**
 * End to end in code-server: the rows behind the figures. A click on a lens part opens the examples view on
 * the right rows (the count is made here from the example's data), the dev-precision part shows exactly the
 * dev rows the LF gets wrong, labeling one of them with the keyboard changes dev precision in the lens, and
 * the view is photographed in a dark, a light and a high-contrast theme (test-results/examples-*.png), where
 * its rows must take the theme's contrast border.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { exampleSampleTexts } from './support/exampleData.ts';
import { exampleWorkspace } from './support/paths.ts';
import { startSession, step, stopSession } from './support/session.ts';
import type { E2eSession } from './support/session.ts';

const lfLine = 'def keyword_my(x):';
const SPAM = 1;
let session: E2eSession | undefined;

/** Dev rows (id, gold) where keyword_my ("my" in the lower-cased text) votes SPAM. */
function devVotes(): { id: string; gold: number }[] {
  const rows = JSON.parse(readFileSync(join(exampleWorkspace, 'data', 'valid.json'), 'utf8')) as Record<string, { label: number; data: { text: string } }>;
  return Object.entries(rows)
    .filter(([, r]) => r.data.text.toLowerCase().includes('my'))
    .map(([id, r]) => ({ id, gold: r.label }));
}

before(async () => {
  session = await startSession({ userSettings: { 'lfStudio.runOnChange': false, 'workbench.colorTheme': 'Default Dark Modern' } });
});

after(async () => {
  await stopSession(session);
});

test('a lens part opens its rows, the dev bucket is exactly the wrong rows, and a label changes dev precision', async () => {
  const s = session;
  assert.ok(s !== undefined, 'the session did not start');
  const { workbench } = s;
  await step(s, 'open-lfs', () => workbench.openFile('lfs.py'));
  await step(s, 'first-codelens', () => workbench.waitForCodeLensAbove(lfLine, /coverage \d/, { timeoutMs: 90_000 }));

  // Coverage -> the rows keyword_my votes on, counted here from the sample.
  const fires = exampleSampleTexts().filter((t) => t.toLowerCase().includes('my')).length;
  await step(s, 'click-coverage', () => workbench.clickCodeLensAbove(lfLine, /^coverage/));
  const view = () => workbench.webviewFrame();
  const summary = view().locator('p.summary');
  await step(s, 'examples-open', () => summary.filter({ hasText: new RegExp(`^${fires.toLocaleString('en-US')} rows ·`) }).waitFor({ timeout: 60_000 }));
  assert.match((await view().locator('h2').textContent()) ?? '', /Sample rows where keyword_my votes on/);
  const firstText = (await view().locator('li.row .text').first().textContent()) ?? '';
  assert.match(firstText.toLowerCase(), /my/);
  assert.equal((await view().locator('li.row').first().locator('mark').first().textContent())?.toLowerCase(), 'my', 'the keyword is highlighted');
  await workbench.screenshot('examples-dark.png');

  // Dev precision -> exactly the dev rows it gets wrong.
  const votes = devVotes();
  const wrong = votes.filter((v) => v.gold !== SPAM).map((v) => v.id).sort();
  const right = votes.length - wrong.length;
  assert.ok(wrong.length > 0, 'the example has dev rows keyword_my gets wrong');
  await step(s, 'activate-lfs', () => workbench.activateTab('lfs.py'));
  await step(s, 'click-dev-precision', () => workbench.clickCodeLensAbove(lfLine, /^dev precision/));
  await step(s, 'wrong-bucket', () => view().locator('h2', { hasText: 'Labeled rows where keyword_my votes wrong' }).waitFor({ timeout: 30_000 }));
  await step(s, 'wrong-count', () => summary.filter({ hasText: new RegExp(`^${wrong.length} rows? ·`) }).waitFor({ timeout: 30_000 }));
  const ids = (await view().locator('li.row .row-id').allTextContents()).map((t) => t.replace(/^dev #/, '')).sort();
  assert.deepEqual(ids, wrong);

  // Label the first wrong row SPAM with the keyboard (key 2 = class 1): keyword_my is now right on it.
  await view().locator('li.row').first().click();
  await view().locator('li.row').first().press('2');
  // The view has the focus; the lens is read in the editor.
  await step(s, 'back-to-lfs', () => workbench.activateTab('lfs.py'));
  await step(s, 'lens-after-label', () =>
    workbench.waitForCodeLensAbove(lfLine, new RegExp(`dev precision \\d+(\\.\\d)?% \\(${right + 1}/${votes.length}\\)`), { timeoutMs: 60_000 }),
  );
  const labels = readFileSync(join(s.server.workspaceDir, '.lfstudio', 'labels.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; label: number });
  assert.equal(labels.length, 1);
  assert.equal(labels[0].label, SPAM);
  assert.ok(wrong.includes(labels[0].id));

  // The label is taken back (appended as null) and the lens returns to its figures.
  // Undo (the button; the key u does the same where the view has the focus): the label is taken back.
  await step(s, 'undo', () => view().locator('button#undo:not([disabled])').click({ timeout: 30_000 }));
  await step(s, 'back-to-lfs-again', () => workbench.activateTab('lfs.py'));
  await step(s, 'lens-after-undo', () =>
    workbench.waitForCodeLensAbove(lfLine, new RegExp(`dev precision \\d+(\\.\\d)?% \\(${right}/${votes.length}\\)`), { timeoutMs: 60_000 }),
  );

  // A chart mark opens the rows behind it: the confusion matrix cell "gold HAM, label model SPAM".
  await step(s, 'open-dashboard', () => workbench.runCommand('LF Studio: Open Dashboard'));
  const dashboard = await step(s, 'dashboard-frame', () => workbench.webviewFrameWith('#confusion-matrix', { timeoutMs: 60_000 }));
  const cell = dashboard.locator('#confusion-matrix [data-gold="0"][data-pred="1"]');
  await step(s, 'confusion-cell', () => cell.waitFor({ timeout: 60_000 }));
  const cellCount = Number(((await cell.textContent()) ?? '').replace(/[^0-9]/g, ''));
  await workbench.screenshot('dashboard-dark.png');
  await cell.click();
  const rows = await step(s, 'rows-frame', () => workbench.webviewFrameWith('h2:has-text("the label model says SPAM")', { timeoutMs: 30_000 }));
  assert.match((await rows.locator('h2').textContent()) ?? '', /Labeled rows where gold is HAM, the label model says SPAM/);
  await step(s, 'confusion-rows', () => rows.locator('p.summary').filter({ hasText: new RegExp(`^${cellCount} rows? ·`) }).waitFor({ timeout: 30_000 }));

  await step(s, 'light-theme', () => workbench.runCommand('Preferences: Toggle between Light/Dark Themes'));
  await new Promise((r) => setTimeout(r, 1500));
  await workbench.screenshot('examples-light.png');

  // High contrast, picked as a user would: the view takes the theme's contrast border.
  await step(s, 'high-contrast-theme', async () => {
    await workbench.selectColorTheme('Dark High Contrast');
    await rows.locator('body.vscode-high-contrast').waitFor({ state: 'attached', timeout: 30_000 });
  });
  // Run in the page: the DOM's types are not in the tests' Node configuration.
  type Page = { getComputedStyle(e: unknown): { borderTopColor: string; getPropertyValue(name: string): string }; document: { documentElement: unknown } };
  const contrastBorder = await rows.locator('body').evaluate(() => {
    const page = globalThis as unknown as Page;
    return page.getComputedStyle(page.document.documentElement).getPropertyValue('--vscode-contrastBorder').trim();
  });
  assert.match(contrastBorder, /^#[0-9a-f]{6}$/i, `the high-contrast theme gave no contrast border colour: "${contrastBorder}"`);
  const rgb = `rgb(${[1, 3, 5].map((i) => parseInt(contrastBorder.slice(i, i + 2), 16)).join(', ')})`;
  const rowBorder = await rows.locator('li.row').first().evaluate((el) => (globalThis as unknown as Page).getComputedStyle(el).borderTopColor);
  assert.equal(rowBorder, rgb, 'rows in high contrast are not outlined with the contrast border');
  await workbench.screenshot('examples-high-contrast.png');
});
