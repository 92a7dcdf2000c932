// The settings the extension hands the language server at start. They come from the user's settings.json,
// where nothing stops a string or a negative number, so each is checked here rather than trusted.
import type { ServerInitOptions } from '../protocol.ts';

export const DEFAULT_SERVER_OPTIONS: Required<ServerInitOptions> = { lfTimeoutMs: 5000, runOnChange: true };

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
  const { lfTimeoutMs, runOnChange } = raw as Record<string, unknown>;
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
  return { options, warnings };
}
