/**
 * Second half of scripts/check-first-run.sh: given the URL `npm run example` printed, load it in Chromium as
 * a new user would, open lfs.py and wait for a CodeLens with figures above an LF. Exits non-zero (with the
 * reason) when the workbench or the lens does not appear. Not a *.test.ts file: `npm test` does not run it;
 * CI runs it through scripts/check-first-run.sh against the README's own command.
 */
import { Workbench } from './support/workbench.ts';
import { resultPath } from './support/paths.ts';

const url = process.argv[2];
if (!url || !/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) {
  console.error('usage: node --import tsx test/e2e/firstRun.check.ts http://127.0.0.1:PORT/?folder=...');
  process.exit(2);
}

const lfLine = 'def keyword_my(x):';
const figures = /coverage \d+(\.\d+)?% \| overlaps \d+(\.\d+)?%/;

async function main(): Promise<void> {
  const started = performance.now();
  const workbench = await Workbench.open(url!, { timeoutMs: 120_000 });
  try {
    await workbench.openFile('lfs.py', { timeoutMs: 60_000 });
    const lens = await workbench.waitForCodeLensAbove(lfLine, figures, { timeoutMs: 180_000 });
    await workbench.page.screenshot({ path: resultPath('first-run.png') });
    console.log(`[first-run] CodeLens above ${lfLine} "${lens}" after ${Math.round((performance.now() - started) / 1000)} s`);
  } catch (error) {
    await workbench.page.screenshot({ path: resultPath('first-run-failure.png') }).catch(() => undefined);
    const errors = workbench.consoleErrors.slice(-10).join('\n  ');
    throw new Error(`${error instanceof Error ? error.message : String(error)}${errors ? `\nbrowser errors:\n  ${errors}` : ''}`);
  } finally {
    await workbench.close();
  }
}

main().catch((error: unknown) => {
  console.error(`[first-run] FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
