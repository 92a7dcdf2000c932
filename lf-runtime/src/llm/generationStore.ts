/**
 * Nothing is lost: every generation (prompt, reply, candidates, scores, decisions) is saved as one JSON file
 * under `<workspace>/.lfstudio/generations/` and can be reopened. Secrets are scrubbed from the serialised
 * text before it touches disk, whatever field they might have slipped into.
 */
import { mkdir, readdir, readFile, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { redactKey } from './llmErrors.ts';
import type { GenerationRecord } from './types.ts';

export const GENERATIONS_DIR = join('.lfstudio', 'generations');

export function generationsDir(workspaceRoot: string): string {
  return join(workspaceRoot, GENERATIONS_DIR);
}

/** A file-name-safe, sortable id from a time: 2026-11-27T05-08-12-345Z. */
export function generationId(at: Date = new Date()): string {
  return at.toISOString().replace(/[:.]/g, '-');
}

/** Writes the record (atomically: temp file then rename) and returns its path. */
export async function saveGeneration(workspaceRoot: string, record: GenerationRecord, secrets: (string | null | undefined)[] = []): Promise<string> {
  const dir = generationsDir(workspaceRoot);
  await mkdir(dir, { recursive: true });
  let text = JSON.stringify(record, null, 2);
  for (const secret of secrets) text = redactKey(text, secret);
  const path = join(dir, `${record.id}.json`);
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text, 'utf8');
  await rename(temp, path);
  return path;
}

export class GenerationFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'GenerationFileError';
  }
}

export async function loadGeneration(path: string): Promise<GenerationRecord> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new GenerationFileError(path, `cannot read the generation file (${(err as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new GenerationFileError(path, `not valid JSON (${(err as Error).message}); it may have been edited by hand`);
  }
  const problem = shapeProblem(value);
  if (problem) throw new GenerationFileError(path, `not an LF Studio generation: ${problem}`);
  return value as GenerationRecord;
}

function shapeProblem(value: unknown): string | null {
  if (!value || typeof value !== 'object') return 'expected a JSON object';
  const v = value as Record<string, unknown>;
  if (v.version !== 1) return `unsupported version ${JSON.stringify(v.version)} (expected 1)`;
  for (const field of ['id', 'model', 'reply', 'createdAt'] as const) {
    if (typeof v[field] !== 'string') return `field "${field}" is missing or not a string`;
  }
  if (!Array.isArray(v.candidates)) return 'field "candidates" is missing or not a list';
  if (!v.prompt || typeof v.prompt !== 'object') return 'field "prompt" is missing';
  return null;
}

/** Saved generations, newest first, as file paths. */
export async function listGenerations(workspaceRoot: string): Promise<string[]> {
  const dir = generationsDir(workspaceRoot);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.json'))
    .sort()
    .reverse()
    .map((n) => join(dir, n));
}
