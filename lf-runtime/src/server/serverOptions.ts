// The settings the extension hands the language server at start. They come from the user's settings.json,
// where nothing stops a string or a negative number, so each is checked here rather than trusted.
import type { ServerInitOptions } from '../protocol.ts';

export const DEFAULT_SERVER_OPTIONS: Required<ServerInitOptions> = {
  lfTimeoutMs: 5000,
  runOnChange: true,
  allowDataOutsideWorkspace: false,
  runtime: 'auto',
  pythonInterpreter: 'python3',
  // Nothing said about trust is treated as untrusted: the user's own Python then never starts.
  workspaceTrusted: false,
  allowUnsandboxedPython: false,
};

/** Below this an LF cannot even be called on a sample; matches the setting's schema minimum. */
export const MIN_LF_TIMEOUT_MS = 100;

export interface CheckedServerOptions {
  options: Required<ServerInitOptions>;
  /** One line per setting that was ignored, naming the setting and what was used instead. */
  warnings: string[];
}

export function checkServerOptions(raw: unknown): CheckedServerOptions {
  const options = { ...DEFAULT_SERVER_OPTIONS };
  const warnings: string[] = [];
  if (raw === null || typeof raw !== 'object') return { options, warnings };
  const { lfTimeoutMs, runOnChange, allowDataOutsideWorkspace } = raw as Record<string, unknown>;
  if (lfTimeoutMs !== undefined) {
    if (typeof lfTimeoutMs === 'number' && Number.isFinite(lfTimeoutMs) && lfTimeoutMs >= MIN_LF_TIMEOUT_MS) {
      options.lfTimeoutMs = lfTimeoutMs;
    } else {
      warnings.push(
        `lfStudio.lfTimeoutMs is ${JSON.stringify(lfTimeoutMs)}; it must be a number of milliseconds >= ${MIN_LF_TIMEOUT_MS}, ` +
          `so ${options.lfTimeoutMs} is used. Fix it in your settings.`,
      );
    }
  }
  if (runOnChange !== undefined) {
    if (typeof runOnChange === 'boolean') options.runOnChange = runOnChange;
    else warnings.push(`lfStudio.runOnChange is ${JSON.stringify(runOnChange)}; it must be true or false, so ${options.runOnChange} is used.`);
  }
  // Only `true` allows data outside the workspace; anything else keeps the default (refuse).
  if (allowDataOutsideWorkspace !== undefined) {
    if (typeof allowDataOutsideWorkspace === 'boolean') options.allowDataOutsideWorkspace = allowDataOutsideWorkspace;
    else warnings.push(`lfStudio.data.allowOutsideWorkspace is ${JSON.stringify(allowDataOutsideWorkspace)}; it must be true or false, so false is used.`);
  }
  const { runtime, pythonInterpreter, workspaceTrusted, allowUnsandboxedPython } = raw as Record<string, unknown>;
  if (runtime !== undefined) {
    if (runtime === 'auto' || runtime === 'sandbox' || runtime === 'python') options.runtime = runtime;
    else warnings.push(`lfStudio.runtime is ${JSON.stringify(runtime)}; it must be "auto", "sandbox" or "python", so "auto" is used.`);
  }
  if (typeof pythonInterpreter === 'string' && pythonInterpreter.trim()) options.pythonInterpreter = pythonInterpreter.trim();
  options.workspaceTrusted = workspaceTrusted === true;
  options.allowUnsandboxedPython = allowUnsandboxedPython === true;
  return { options, warnings };
}
