/**
 * test-results/e2e-timings.json is shared by every end-to-end file: each records its own figures into it,
 * keeping the fields other files wrote (in this run or the last one), so running one file alone never
 * drops the others' numbers. Nested objects (e.g. observedLenses) are merged one level deep.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resultPath } from './paths.ts';

export const timingsFileName = 'e2e-timings.json';

type TimingFields = Record<string, unknown>;

function isPlainObject(value: unknown): value is TimingFields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The current contents, or {} when the file is missing or unreadable (it is only a results file). */
export function readTimings(): TimingFields {
  const path = resultPath(timingsFileName);
  if (!existsSync(path)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return isPlainObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** Merges `fields` into the shared file, stamps measuredAt, and returns what was written. */
export function recordTimings(fields: TimingFields): TimingFields {
  const merged: TimingFields = { ...readTimings() };
  for (const [key, value] of Object.entries(fields)) {
    const previous = merged[key];
    merged[key] = isPlainObject(previous) && isPlainObject(value) ? { ...previous, ...value } : value;
  }
  merged.measuredAt = new Date().toISOString();
  writeFileSync(resultPath(timingsFileName), `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}
