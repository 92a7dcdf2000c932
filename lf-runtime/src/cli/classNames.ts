// Class names for CLI commands that take data files rather than a project: WRENCH keeps them in label.json
// beside the splits (read before the data, so gold labels may be written as names); otherwise they are the
// ids 0..k-1, with k from the largest gold label seen.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readWrenchLabelNames } from '../data/readWrench.ts';
import type { Dataset } from '../data/types.ts';

/** Where class names came from: only 'gold ids' are numbers standing in for names the user never gave. */
export type ClassNamesSource = '--labels' | 'project' | 'label.json' | 'gold ids';

/**
 * The class names of a WRENCH label.json beside `dataPath` (at least two), else null. Known before the data
 * is read, so gold labels written as these names can be read as their ids.
 */
export async function labelJsonNames(dataPath: string): Promise<string[] | null> {
  if (!existsSync(join(dirname(dataPath), 'label.json'))) return null;
  const names = await readWrenchLabelNames(dirname(dataPath));
  return names.length >= 2 ? names : null;
}

/** The ids "0".."k-1" standing in for class names, k from the largest gold label seen (at least 2); null without gold. */
export function goldIdNames(datasets: (Dataset | null)[]): string[] | null {
  let max = -1;
  for (const d of datasets) for (const g of d?.gold ?? []) if (g !== null && g > max) max = g;
  if (max < 0) return null;
  return Array.from({ length: Math.max(2, max + 1) }, (_, i) => String(i));
}

/** Where class names given from `source` are set, for the fix in messages about gold labels. */
export function labelsSettingFor(source: ClassNamesSource | null): string {
  switch (source) {
    case '--labels':
      return '--labels';
    case 'project':
      return '"labels" in lfstudio.json';
    case 'label.json':
      return 'label.json beside the data (or --labels)';
    default:
      return '--labels A,B,... (or "labels" in lfstudio.json with --project)';
  }
}
