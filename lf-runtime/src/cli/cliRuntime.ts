// `--runtime auto|sandbox|python`, `--python PATH`, `--allow-unsandboxed`: which runtime runs the LF files on
// the command line. The CLI is the user's own intent on their own files, so the user's Python is available
// (inside bubblewrap) for files that need packages the pyodide sandbox lacks.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { findInterpreter } from '../sandbox/nativeRuntime.ts';
import { createPythonExecutor } from '../sandbox/pythonExecutor.ts';
import { RuntimeRouter, type RuntimeMode } from '../sandbox/runtimeRouter.ts';
import type { LfExecutor } from '../sandbox/types.ts';
import { CliError } from './cliIo.ts';

export const RUNTIME_OPTIONS = {
  runtime: { type: 'string', default: 'auto' },
  python: { type: 'string' },
  'allow-unsandboxed': { type: 'boolean', default: false },
  workspace: { type: 'string' },
} as const;

export const RUNTIME_HELP = `  --runtime MODE       auto (default): the pyodide sandbox, and your own Python for a file that imports a
                       package the sandbox lacks; sandbox: pyodide only; python: your Python for every file
  --python PATH        the interpreter of the environment with your packages (default: python3 on PATH)
  --allow-unsandboxed  run your Python without bubblewrap where it is missing (your LF files then run with
                       your permissions)
  --workspace DIR      the folder your LF files may read (read-only), in either runtime (default: the project
                       folder, else the current folder when it holds the LF files, else their common folder,
                       which widens to above its outermost package when it is inside one; never /tmp or your
                       home)`;

export interface RuntimeArgs {
  mode: RuntimeMode;
  python: string;
  allowUnsandboxed: boolean;
  workspace: string;
}

/** A data file this large is likely to hold 40k rows or more (two shards of 20k). */
const SPLIT_HINT_BYTES = 4 * 1024 * 1024;

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** `workspace`: the folder LF files may read when --workspace is not given (ParsedDataOptions.workspace). */
export function checkRuntimeOptions(values: { runtime?: string; python?: string; 'allow-unsandboxed'?: boolean; workspace?: string }, workspace: string): RuntimeArgs {
  const mode = values.runtime ?? 'auto';
  if (mode !== 'auto' && mode !== 'sandbox' && mode !== 'python') {
    throw new CliError(`--runtime must be auto, sandbox or python, got '${mode}'`);
  }
  return { mode, python: values.python ?? 'python3', allowUnsandboxed: values['allow-unsandboxed'] ?? false, workspace: values.workspace !== undefined ? resolve(values.workspace) : workspace };
}


/**
 * The executor for these options; `spares` clean pyodide workers (one per file to come, at most two). With
 * `plan`: how many files will run (no spare is started after the last), and the data files, whose size tells
 * whether the rows will be split across workers (then every shard's worker restores while the data is read).
 */
export function createCliExecutor(r: RuntimeArgs, spares: number, plan: { files: number; data: (string | null)[] } | null = null): LfExecutor {
  const split = plan !== null && plan.data.some((f) => f !== null && fileSize(f) >= SPLIT_HINT_BYTES);
  const sandbox = r.mode === 'python' ? null : createPythonExecutor({ spareWorkers: spares, ...(plan ? { plannedUnits: plan.files, prestartSlots: split ? 2 : 1 } : {}) });
  const python = (): LfExecutor => createPythonExecutor({ python: { interpreter: findInterpreter(r.python), workspace: r.workspace, allowUnsandboxed: r.allowUnsandboxed } });
  if (r.mode === 'python') {
    // Fails here, with the fix, when the interpreter or bubblewrap is missing.
    const ex = python();
    return new RuntimeRouter({ mode: 'python', sandbox: ex, python: () => ex });
  }
  return new RuntimeRouter({
    mode: r.mode,
    sandbox: sandbox!,
    python: r.mode === 'auto' ? python : null,
    pythonInterpreter: r.python,
    ...(r.mode === 'sandbox' ? { pythonUnavailable: 'Run with --runtime auto or python to use your own Python.' } : {}),
  });
}
