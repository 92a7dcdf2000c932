// The two runtimes an LF file can run in, for tests that check both behave alike: the pyodide sandbox, and the
// user's own Python (Debian's python3 under bubblewrap), skipped with the reason when it cannot run here.
import { existsSync } from 'node:fs';
import { bubblewrap } from '../../lf-runtime/src/sandbox/nativeRuntime.ts';
import { createPythonExecutor } from '../../lf-runtime/src/sandbox/pythonExecutor.ts';
import type { LfExecutor } from '../../lf-runtime/src/sandbox/types.ts';

export const PYTHON = '/usr/bin/python3';

/** [name, make the executor, skip reason or false]; `workspace` is read when the executor is made. */
export function bothRuntimes(workspace: () => string): Array<[string, () => LfExecutor, string | false]> {
  return [
    ['the pyodide sandbox', () => createPythonExecutor({ poolSize: 1, spareWorkers: 1, resultCache: false }), false],
    [
      'the native runtime',
      () => createPythonExecutor({ python: { interpreter: PYTHON, workspace: workspace() }, resultCache: false }),
      !existsSync(PYTHON) ? `${PYTHON} is missing` : !bubblewrap() ? 'bubblewrap is not installed' : false,
    ],
  ];
}
