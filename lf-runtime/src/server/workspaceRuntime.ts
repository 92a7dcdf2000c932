// The runtime the editor runs a workspace's LF files in (lfStudio.runtime): the pyodide sandbox, and the user's
// own Python (inside bubblewrap) for files that need packages the sandbox lacks. The user's Python runs only in
// a trusted workspace (VS Code workspace trust); where bubblewrap is missing, only when the user allowed it for
// this workspace. LLM candidates always run in the pyodide sandbox (RuntimeRouter.sandboxOnly).
import type { ServerInitOptions } from '../protocol.ts';
import { createPythonExecutor } from '../sandbox/pythonExecutor.ts';
import { RuntimeRouter } from '../sandbox/runtimeRouter.ts';
import type { LfExecutor } from '../sandbox/types.ts';

export function createWorkspaceRuntime(root: string | null, o: Required<ServerInitOptions>): LfExecutor {
  const sandbox = createPythonExecutor();
  if (o.runtime === 'sandbox') return new RuntimeRouter({ mode: 'sandbox', sandbox, python: null });
  if (!o.workspaceTrusted || !root) {
    // Files still run in the sandbox; one that needs packages is told how to get to the user's Python.
    return new RuntimeRouter({
      mode: 'auto',
      sandbox,
      python: null,
      pythonUnavailable:
        'This workspace is not trusted, so LF Studio does not run your own Python here; trust the workspace ' +
        '(command "Workspaces: Manage Workspace Trust") to run files that need your packages.',
    });
  }
  const python = (): LfExecutor =>
    createPythonExecutor({ python: { interpreter: o.pythonInterpreter, workspace: root, allowUnsandboxed: o.allowUnsandboxedPython } });
  return new RuntimeRouter({ mode: o.runtime, sandbox, python, pythonInterpreter: o.pythonInterpreter });
}
