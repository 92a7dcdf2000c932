/**
 * Shape checks for lfstudio.json, without touching the file system. Every problem names the field (as a
 * JSON pointer for editors, and in dotted form in the message) and says how to fix it. The same rules are
 * written down for editors in schemas/lfstudio.schema.json; a unit test keeps the two in agreement.
 */
import { DEFAULT_LABEL_FIELD, DEFAULT_TEXT_FIELD } from '../data/datasetBuilder.ts';

export const PROJECT_FILE_NAME = 'lfstudio.json';

export interface ProjectProblem {
  message: string;
  /** JSON pointer to the offending value, e.g. "/data/sample"; absent for whole-file problems. */
  path?: string;
  /**
   * 1-based position in lfstudio.json: of a JSON syntax error, or of the setting `path` names (filled in by
   * loadProjectFile; validateProjectJson alone has no text to place it in).
   */
  line?: number;
  column?: number;
  /** True when there is no lfstudio.json at all (the workspace is not an LF Studio project). */
  missingFile?: boolean;
}

/** lfstudio.json after shape checks and defaults, paths still as written (relative to the root). */
export interface ProjectConfig {
  task: string;
  /** Class names in class-id order. */
  labels: string[];
  labelDescriptions: Record<string, string>;
  heuristics: string | null;
  /** `labels`: where gold labels given in the editor are appended (JSON Lines, inside the workspace). */
  data: { sample: string; dev: string | null; labels: string };
  textField: string;
  labelField: string;
  idField: string | null;
  lfFiles: string[];
}

/** Top-level property names; the schema must list exactly these. */
export const PROJECT_PROPERTY_NAMES = [
  '$schema',
  'task',
  'labels',
  'labelDescriptions',
  'heuristics',
  'data',
  'textField',
  'labelField',
  'idField',
  'lfFiles',
] as const;

export const DATA_PROPERTY_NAMES = ['sample', 'dev', 'labels'] as const;

/** Where gold labels given in the editor go unless data.labels says otherwise. */
export const DEFAULT_LABELS_FILE = '.lfstudio/labels.jsonl';

export const PROJECT_DEFAULTS = {
  task: '',
  textField: DEFAULT_TEXT_FIELD,
  labelField: DEFAULT_LABEL_FIELD,
  idField: null,
  lfFiles: ['lfs.py'],
} as const;

type Json = Record<string, unknown>;

/** Checks a parsed lfstudio.json. Returns the config when there are no problems, else null and the problems. */
export function validateProjectJson(value: unknown): { config: ProjectConfig | null; problems: ProjectProblem[] } {
  const problems: ProjectProblem[] = [];
  const report = (path: string, message: string): void => {
    problems.push({ path, message: `${PROJECT_FILE_NAME}: ${message}` });
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    report('', 'the file must hold one JSON object, e.g. {"labels": ["HAM", "SPAM"], "data": {"sample": "data/train.json"}}');
    return { config: null, problems };
  }
  const json = value as Json;
  rejectUnknown(json, PROJECT_PROPERTY_NAMES, '', '', report);

  const task = optionalString(json, 'task', report) ?? PROJECT_DEFAULTS.task;
  const labels = checkLabels(json.labels, report);
  const labelDescriptions = checkLabelDescriptions(json.labelDescriptions, labels, report);
  const heuristics = optionalString(json, 'heuristics', report) ?? null;
  const data = checkData(json.data, report);
  const textField = fieldName(json, 'textField', report) ?? PROJECT_DEFAULTS.textField;
  const labelField = fieldName(json, 'labelField', report) ?? PROJECT_DEFAULTS.labelField;
  const idField = json.idField === null ? null : (fieldName(json, 'idField', report) ?? null);
  if (idField !== null && idField === labelField) report('/idField', `idField and labelField are both "${idField}"; the id column cannot also hold the gold label`);
  if (textField === labelField) report('/labelField', `textField and labelField are both "${textField}"; the gold label must be a separate field the LFs never see`);
  const lfFiles = checkLfFiles(json.lfFiles, report);

  if (problems.length > 0 || labels === null || data === null || lfFiles === null) return { config: null, problems };
  return {
    config: { task, labels, labelDescriptions, heuristics, data, textField, labelField, idField, lfFiles },
    problems,
  };
}

type Report = (path: string, message: string) => void;

function rejectUnknown(json: Json, known: readonly string[], pointer: string, dotted: string, report: Report): void {
  for (const key of Object.keys(json)) {
    if (known.includes(key)) continue;
    const close = known.find((k) => k.toLowerCase() === key.toLowerCase());
    const hint = close ? `did you mean "${close}"?` : `known properties: ${known.filter((k) => k !== '$schema').join(', ')}`;
    report(`${pointer}/${escapePointer(key)}`, `unknown property "${dotted}${key}"; ${hint}`);
  }
}

function optionalString(json: Json, key: string, report: Report): string | undefined {
  const v = json[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    report(`/${key}`, `${key} must be a string, found ${typeName(v)}`);
    return undefined;
  }
  return v;
}

function fieldName(json: Json, key: string, report: Report): string | undefined {
  const v = optionalString(json, key, report);
  if (v !== undefined && v.trim() === '') {
    report(`/${key}`, `${key} is empty; give the name of a field in the data (or remove it to use the default)`);
    return undefined;
  }
  return v;
}

function checkLabels(v: unknown, report: Report): string[] | null {
  const example = 'e.g. "labels": ["HAM", "SPAM"] (class names in class-id order)';
  if (v === undefined) {
    report('/labels', `labels is missing; list the class names, ${example}`);
    return null;
  }
  if (!Array.isArray(v)) {
    report('/labels', `labels must be an array of class names, ${example}`);
    return null;
  }
  let ok = true;
  const seen = new Set<string>();
  v.forEach((name, i) => {
    if (typeof name !== 'string' || name.trim() === '') {
      report(`/labels/${i}`, `labels[${i}] must be a non-empty string, found ${typeName(name)}`);
      ok = false;
    } else if (seen.has(name)) {
      report(`/labels/${i}`, `labels[${i}] "${name}" appears twice; class names must be unique`);
      ok = false;
    } else seen.add(name);
  });
  if (v.length < 2) {
    report('/labels', `labels needs at least 2 classes, found ${v.length}; ${example}`);
    ok = false;
  }
  if (v.length > 127) {
    report('/labels', `labels has ${v.length} classes; at most 127 are supported`);
    ok = false;
  }
  return ok ? (v as string[]) : null;
}

function checkLabelDescriptions(v: unknown, labels: string[] | null, report: Report): Record<string, string> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    report('/labelDescriptions', 'labelDescriptions must be an object mapping class names to descriptions, e.g. {"SPAM": "Self-promotion"}');
    return {};
  }
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(v as Json)) {
    const pointer = `/labelDescriptions/${escapePointer(name)}`;
    if (labels && !labels.includes(name)) {
      report(pointer, `labelDescriptions names "${name}", which is not in labels (${labels.join(', ')}); use one of those names`);
    } else if (typeof text !== 'string') {
      report(pointer, `labelDescriptions.${name} must be a string, found ${typeName(text)}`);
    } else out[name] = text;
  }
  return out;
}

function checkData(v: unknown, report: Report): ProjectConfig['data'] | null {
  const example = 'e.g. "data": {"sample": "data/train.json", "dev": "data/valid.json"}';
  if (v === undefined) {
    report('/data', `data is missing; say where the example data is, ${example}`);
    return null;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    report('/data', `data must be an object, ${example}`);
    return null;
  }
  const json = v as Json;
  rejectUnknown(json, DATA_PROPERTY_NAMES, '/data', 'data.', report);
  let sample: string | null = null;
  if (json.sample === undefined) report('/data/sample', `data.sample is missing; give the path of the data the LFs run on, ${example}`);
  else if (typeof json.sample !== 'string' || json.sample.trim() === '') {
    report('/data/sample', `data.sample must be a file path (string), found ${typeName(json.sample)}`);
  } else sample = json.sample;
  let dev: string | null = null;
  if (json.dev !== undefined && json.dev !== null) {
    if (typeof json.dev !== 'string' || json.dev.trim() === '') {
      report('/data/dev', `data.dev must be a file path (string) or null, found ${typeName(json.dev)}`);
    } else dev = json.dev;
  }
  let labels: string = DEFAULT_LABELS_FILE;
  if (json.labels !== undefined) {
    if (typeof json.labels !== 'string' || !/\.jsonl$/i.test(json.labels.trim())) {
      report('/data/labels', `data.labels must be the path of a .jsonl file inside the workspace (where labels you give rows in the editor are kept), found ${JSON.stringify(json.labels)}`);
    } else if (/^([\\/]|[A-Za-z]:)/.test(json.labels) || json.labels.split(/[\\/]/).includes('..')) {
      report('/data/labels', `data.labels "${json.labels}" must be a relative path inside the workspace, e.g. "${DEFAULT_LABELS_FILE}"`);
    } else labels = json.labels;
  }
  return sample === null ? null : { sample, dev, labels };
}

function checkLfFiles(v: unknown, report: Report): string[] | null {
  if (v === undefined) return [...PROJECT_DEFAULTS.lfFiles];
  if (!Array.isArray(v) || v.length === 0) {
    report('/lfFiles', 'lfFiles must be a non-empty array of paths or globs of Python files, e.g. ["lfs.py"] or ["lfs/**/*.py"]');
    return null;
  }
  let ok = true;
  v.forEach((p, i) => {
    if (typeof p !== 'string' || p.trim() === '') {
      report(`/lfFiles/${i}`, `lfFiles[${i}] must be a path or glob (string), found ${typeName(p)}`);
      ok = false;
    } else if (!p.endsWith('.py')) {
      report(`/lfFiles/${i}`, `lfFiles[${i}] "${p}" does not name Python files; entries must end in .py, e.g. "lfs/*.py"`);
      ok = false;
    }
  });
  return ok ? (v as string[]) : null;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
