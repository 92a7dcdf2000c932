/**
 * Loads a workspace's lfstudio.json: parses it (reporting syntax errors by line and column), checks its
 * shape, resolves every path against the workspace root and expands the LF file globs. The result is either
 * a ready Project or a list of problems, each naming the field and the fix, for the status item and CLI.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { conversionHint, dataFormatOf, SUPPORTED_DATA_EXTENSIONS } from '../data/readDataset.ts';
import { findDuplicateKeys, findJsonSyntaxError, placesList, timesWord } from '../data/jsonSyntax.ts';
import type { DuplicateKey } from '../data/jsonSyntax.ts';
import { decodeUtf8, invalidUtf8Message } from '../data/utf8.ts';
import { expandLfPattern } from './lfFileGlobs.ts';
import { settingPosition } from './settingLocation.ts';
import { PROJECT_FILE_NAME, validateProjectJson } from './validateProject.ts';
import type { ProjectConfig, ProjectProblem } from './validateProject.ts';

export type { ProjectProblem } from './validateProject.ts';

/** The checked lfstudio.json with its paths resolved: what the rest of LF Studio works from. */
export interface Project extends Omit<ProjectConfig, 'data' | 'lfFiles'> {
  /** Absolute workspace root (the folder holding lfstudio.json). */
  root: string;
  /** Absolute path of lfstudio.json. */
  file: string;
  /** Number of classes, labels.length (>= 2). */
  cardinality: number;
  /** Absolute paths; `labels` is the gold-labels file the editor appends to (it may not exist yet). */
  data: { sample: string; dev: string | null; labels: string };
  /** The data paths as lfstudio.json writes them, for messages. */
  dataAsWritten: { sample: string; dev: string | null };
  /** Absolute paths of the LF files, expanded from the patterns, sorted, without duplicates. */
  lfFiles: string[];
  /** The lfFiles entries as written, so callers can watch for new files that match. */
  lfFilePatterns: string[];
}

/**
 * Problems and warnings that concern a setting carry its `line` and `column` in lfstudio.json (from
 * settingPosition), so editors can show them where they are fixed. `source` is the text that was read,
 * when there was one, for placing later problems (bad data) the same way.
 */
export type ProjectLoadResult =
  | { ok: true; project: Project; warnings: ProjectProblem[]; source: string }
  | { ok: false; problems: ProjectProblem[]; source?: string };

/** Reads and checks `<root>/lfstudio.json`. Never throws for bad input: problems come back in the result. */
export async function loadProjectFile(root: string): Promise<ProjectLoadResult> {
  const absRoot = resolve(root);
  const file = join(absRoot, PROJECT_FILE_NAME);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? `${PROJECT_FILE_NAME} not found in ${absRoot}; create one with "labels" and "data.sample" to make this folder an LF Studio project`
        : `${PROJECT_FILE_NAME}: cannot read ${file} (${err instanceof Error ? err.message : String(err)})`;
    return { ok: false, problems: [{ message, missingFile: code === 'ENOENT' }] };
  }
  const decoded = decodeUtf8(bytes);
  if ('invalid' in decoded) {
    const { line, column } = decoded.invalid;
    return { ok: false, problems: [{ message: `${PROJECT_FILE_NAME}: ${invalidUtf8Message(file, decoded.invalid)}`, line, column }] };
  }
  const text = decoded.text;
  if (text.trim() === '') {
    return { ok: false, problems: [{ message: `${PROJECT_FILE_NAME} is empty; it needs at least {"labels": [...], "data": {"sample": "..."}}` }] };
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const where = findJsonSyntaxError(text);
    const detail = where?.message ?? (err instanceof Error ? err.message : String(err));
    return {
      ok: false,
      problems: [
        {
          message: `${PROJECT_FILE_NAME}: invalid JSON at line ${where?.line ?? 1}, column ${where?.column ?? 1}: ${detail}`,
          line: where?.line ?? 1,
          column: where?.column ?? 1,
        },
      ],
    };
  }

  const { config, problems } = validateProjectJson(parsed);
  const duplicates = repeatedSettings(text);
  if (config === null) return { ok: false, problems: placed(text, [...problems, ...duplicates]), source: text };
  const result = await resolveProject(absRoot, file, config);
  if (!result.ok) return { ok: false, problems: placed(text, result.problems), source: text };
  return { ...result, warnings: placed(text, [...duplicates, ...result.warnings]), source: text };
}

/** Adds the line and column of each problem's setting, unless it already has a place. */
function placed(text: string, problems: ProjectProblem[]): ProjectProblem[] {
  return problems.map((p) => {
    if (p.line !== undefined || p.path === undefined) return p;
    const { line, column } = settingPosition(text, p.path);
    return { ...p, line, column };
  });
}

/**
 * A setting written twice (two "data" objects, say) is legal JSON, and the last one silently wins; say so,
 * as a warning, since lfstudio.json has always accepted such files.
 */
function repeatedSettings(text: string): ProjectProblem[] {
  let duplicates: DuplicateKey[];
  try {
    duplicates = findDuplicateKeys(text);
  } catch {
    return [];
  }
  return duplicates.map((d) => {
    const setting = [...d.path, d.key].join('.');
    return {
      message: `${PROJECT_FILE_NAME}: "${setting}" is set ${timesWord(d.lines.length)} (${placesList(d)}); only the last one counts, remove the others`,
      line: d.lines[d.lines.length - 1],
      column: d.columns[d.columns.length - 1],
    };
  });
}

/** Turns relative paths into absolute ones and checks that the files exist. */
async function resolveProject(
  root: string,
  file: string,
  config: ProjectConfig,
): Promise<{ ok: true; project: Project; warnings: ProjectProblem[] } | { ok: false; problems: ProjectProblem[] }> {
  const problems: ProjectProblem[] = [];
  const warnings: ProjectProblem[] = [];
  const sample = await checkDataPath(root, config.data.sample, 'sample', problems);
  const dev = config.data.dev === null ? null : await checkDataPath(root, config.data.dev, 'dev', problems);
  if (sample !== null && dev !== null && sample === dev) {
    warnings.push({
      path: '/data/dev',
      message: `${PROJECT_FILE_NAME}: data.dev is the same file as data.sample, so dev accuracies are measured on the rows the LFs were written against; use a held-out file`,
    });
  }

  const lfFiles = new Set<string>();
  for (const [i, pattern] of config.lfFiles.entries()) {
    const expanded = await expandLfPattern(root, pattern);
    for (const f of expanded.files) lfFiles.add(f);
    if (expanded.files.length === 0) {
      warnings.push({
        path: `/lfFiles/${i}`,
        message: expanded.isGlob
          ? `${PROJECT_FILE_NAME}: lfFiles[${i}] "${pattern}" matches no files yet (patterns are relative to the workspace root)`
          : `${PROJECT_FILE_NAME}: lfFiles[${i}] "${pattern}" does not exist; create it or fix the path (paths are relative to the workspace root)`,
      });
    }
  }

  if (problems.length > 0 || sample === null) return { ok: false, problems };
  return {
    ok: true,
    warnings,
    project: {
      root,
      file,
      task: config.task,
      labels: config.labels,
      cardinality: config.labels.length,
      labelDescriptions: config.labelDescriptions,
      heuristics: config.heuristics,
      data: { sample, dev, labels: join(root, config.data.labels) },
      dataAsWritten: { sample: config.data.sample, dev: config.data.dev },
      textField: config.textField,
      labelField: config.labelField,
      idField: config.idField,
      lfFiles: [...lfFiles].sort(),
      lfFilePatterns: [...config.lfFiles],
    },
  };
}

async function checkDataPath(root: string, written: string, key: 'sample' | 'dev', problems: ProjectProblem[]): Promise<string | null> {
  const path = resolve(root, written);
  const pointer = `/data/${key}`;
  if (dataFormatOf(path) === null) {
    const hint = conversionHint(written);
    problems.push({
      path: pointer,
      message: `${PROJECT_FILE_NAME}: data.${key} '${written}' is not a supported data file; use ${Object.keys(SUPPORTED_DATA_EXTENSIONS).join(', ')} (WRENCH JSON or pandas DataFrame.to_json, CSV or TSV with a header, JSON Lines)${hint ? `; ${hint}` : ''}`,
    });
    return null;
  }
  try {
    if ((await stat(path)).isFile()) return path;
    problems.push({ path: pointer, message: `${PROJECT_FILE_NAME}: data.${key} '${written}' is a folder; point it at a data file` });
  } catch {
    problems.push({
      path: pointer,
      message: `${PROJECT_FILE_NAME}: data.${key} '${written}' does not exist (paths are relative to the workspace root)`,
    });
  }
  return null;
}

/**
 * The nearest folder at or above `startDir` that holds lfstudio.json, or null if none does (up to the
 * file-system root).
 */
export async function findProjectRoot(startDir: string): Promise<string | null> {
  let dir = resolve(startDir);
  for (;;) {
    try {
      if ((await stat(join(dir, PROJECT_FILE_NAME))).isFile()) return dir;
    } catch {
      // not here; keep climbing
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
