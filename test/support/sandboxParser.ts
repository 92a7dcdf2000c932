// Python's own parser in the real sandbox (lf_runner.parse_structure on a clean worker), for tests of code that
// cuts Python along its structure. One small executor per test file, started on first use and disposed after
// the file's tests.
import { after } from 'node:test';
import type { PythonParser } from '../../lf-runtime/src/llm/pythonSource.ts';
import { createPythonExecutor } from '../../lf-runtime/src/sandbox/pythonExecutor.ts';

let executor: ReturnType<typeof createPythonExecutor> | null = null;

export function sandboxParser(): PythonParser {
  executor ??= createPythonExecutor({ poolSize: 1, spareWorkers: 1, resultCache: false });
  return executor;
}

after(async () => {
  await executor?.dispose();
  executor = null;
});
