/**
 * Every `lfStudio.*` setting in one table, read and checked in one place. The defaults, types, bounds and
 * scopes come from package.json's `contributes.configuration` (what VS Code's settings editor shows), so
 * there is no second copy to drift. A value that breaks its schema is replaced by the default, with a line
 * saying so. A setting whose scope is `application` or `machine` is taken from user settings only: a value in
 * a workspace's .vscode/settings.json is ignored (and named), because a folder someone sends you must not
 * choose where your API key goes or which files LF Studio reads.
 *
 * No `vscode` import: config.ts feeds it VS Code's `inspect()` results, and tests feed it plain objects.
 */
import packageJson from '../package.json';
import type { ServerInitOptions } from '../lf-runtime/src/protocol.ts';

export const SECTION = 'lfStudio';

/** Each setting under its name without the `lfStudio.` prefix, with the type its value has after checking. */
export interface Settings {
  lfTimeoutMs: number;
  runOnChange: boolean;
  'llm.model': string;
  'llm.baseUrl': string;
  'llm.candidates': number;
  'llm.minDevAccuracy': number;
  'llm.maxOverlap': number;
  'data.allowOutsideWorkspace': boolean;
  runtime: 'auto' | 'sandbox' | 'python';
  'python.interpreter': string;
}
export type SettingKey = keyof Settings;

/** What VS Code's WorkspaceConfiguration.inspect() returns for one setting (the parts read here). */
export interface SettingInspection {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

interface SettingSchema {
  type: 'number' | 'integer' | 'boolean' | 'string';
  default: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  enum?: string[];
  scope?: string;
}

const SETTING_KEYS: readonly SettingKey[] = [
  'lfTimeoutMs',
  'runOnChange',
  'llm.model',
  'llm.baseUrl',
  'llm.candidates',
  'llm.minDevAccuracy',
  'llm.maxOverlap',
  'data.allowOutsideWorkspace',
  'runtime',
  'python.interpreter',
];

/** Settings the language server reads at start: a change restarts it. */
export const SERVER_SETTINGS: readonly SettingKey[] = ['lfTimeoutMs', 'runOnChange', 'data.allowOutsideWorkspace', 'runtime', 'python.interpreter'];

const contributed = packageJson.contributes.configuration.properties as Record<string, SettingSchema | undefined>;

function settingSchema(key: SettingKey): SettingSchema {
  const schema = contributed[`${SECTION}.${key}`];
  if (!schema) throw new Error(`${SECTION}.${key} is not declared in package.json`);
  return schema;
}

/** True for settings only user (or remote machine) settings may set. */
export function isUserOnly(key: SettingKey): boolean {
  const scope = settingSchema(key).scope;
  return scope === 'application' || scope === 'machine';
}

/** Why `value` does not fit `schema`, or null when it does. */
function schemaProblem(key: SettingKey, value: unknown, schema: SettingSchema): string | null {
  switch (schema.type) {
    case 'boolean':
      return typeof value === 'boolean' ? null : 'it must be true or false';
    case 'string':
      if (typeof value !== 'string') return 'it must be a string';
      if (schema.enum && !schema.enum.includes(value.trim())) return `it must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`;
      if (schema.minLength !== undefined && value.trim().length < schema.minLength) return 'it must not be empty';
      if (key === 'llm.baseUrl' && value.trim() !== '' && !/^https?:\/\/[^\s/]+/i.test(value.trim())) return 'it must be empty or an http(s) URL';
      return null;
    case 'number':
    case 'integer': {
      const what = schema.type === 'integer' ? 'a whole number' : 'a number';
      const bounds = [schema.minimum !== undefined ? `>= ${schema.minimum}` : '', schema.maximum !== undefined ? `<= ${schema.maximum}` : ''].filter(Boolean).join(' and ');
      const expected = `it must be ${what}${bounds ? ` ${bounds}` : ''}`;
      if (typeof value !== 'number' || !Number.isFinite(value)) return expected;
      if (schema.type === 'integer' && !Number.isInteger(value)) return expected;
      if (schema.minimum !== undefined && value < schema.minimum) return expected;
      if (schema.maximum !== undefined && value > schema.maximum) return expected;
      return null;
    }
  }
}

export interface ReadSettings {
  settings: Settings;
  /** One line per value that was ignored, naming the setting and what was used instead. */
  problems: string[];
}

/** Reads every setting through `inspect` (VS Code's, or a test's), checked against package.json. */
export function readSettings(inspect: (key: SettingKey) => SettingInspection | undefined): ReadSettings {
  const problems: string[] = [];
  const values: Partial<Record<SettingKey, unknown>> = {};
  for (const key of SETTING_KEYS) {
    const schema = settingSchema(key);
    const found = inspect(key) ?? {};
    const name = `${SECTION}.${key}`;
    let value: unknown;
    if (isUserOnly(key)) {
      value = found.globalValue;
      if (found.workspaceValue !== undefined || found.workspaceFolderValue !== undefined) {
        problems.push(`${name} is set in workspace settings, which are ignored for it: set it in your user settings.`);
      }
    } else {
      value = found.workspaceFolderValue ?? found.workspaceValue ?? found.globalValue;
    }
    if (value === undefined) {
      values[key] = schema.default;
      continue;
    }
    const problem = schemaProblem(key, value, schema);
    if (problem) {
      problems.push(`${name} is ${JSON.stringify(value)}; ${problem}, so ${JSON.stringify(schema.default)} is used.`);
      values[key] = schema.default;
    } else {
      values[key] = typeof value === 'string' ? value.trim() : value;
    }
  }
  return { settings: values as Settings, problems };
}

/** What only the extension host knows: workspace trust, the Python extension's environment, per-workspace choices. */
export interface HostFacts {
  trusted: boolean;
  /** The Python extension's selected interpreter, when it is installed and has one. */
  pythonExtensionInterpreter: string | null;
  /** "Allow Your Python Without a Sandbox in This Workspace" was run here. */
  allowUnsandboxedPython: boolean;
}

/** What the language server is started with (initializationOptions). */
export function serverOptions(settings: Settings, host: HostFacts = { trusted: false, pythonExtensionInterpreter: null, allowUnsandboxedPython: false }): ServerInitOptions {
  return {
    lfTimeoutMs: settings.lfTimeoutMs,
    runOnChange: settings.runOnChange,
    allowDataOutsideWorkspace: settings['data.allowOutsideWorkspace'],
    runtime: settings.runtime,
    // The Python extension's selected environment first, then the setting, then python3 on PATH.
    pythonInterpreter: host.pythonExtensionInterpreter || settings['python.interpreter'] || 'python3',
    workspaceTrusted: host.trusted,
    allowUnsandboxedPython: host.allowUnsandboxedPython,
  };
}

/** The Anthropic API's own endpoint, named explicitly where nothing else may be used. */
export const ANTHROPIC_API_URL = 'https://api.anthropic.com';

/**
 * Where generation sends the API key: the user's lfStudio.llm.baseUrl when set. Otherwise, in a trusted
 * workspace, ANTHROPIC_BASE_URL from the environment or (null) the SDK's default; in an untrusted one the
 * Anthropic API itself, named explicitly so that nothing the workspace may have put in the environment (a dev
 * container's variables, say) redirects the key.
 */
export function llmEndpoint(settings: Pick<Settings, 'llm.baseUrl'>, env: { ANTHROPIC_BASE_URL?: string | undefined }, trusted: boolean): string | null {
  const user = settings['llm.baseUrl'].trim();
  if (user) return user;
  if (!trusted) return ANTHROPIC_API_URL;
  return env.ANTHROPIC_BASE_URL?.trim() || null;
}
