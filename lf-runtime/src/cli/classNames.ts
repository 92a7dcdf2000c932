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

/**
 * When the classes are only the gold ids: the ids below the largest that no gold label uses ("7" among 0s
 * and 1s makes eight classes, five of them empty, and each gets a share of every row's probabilities). Null
 * when every id is used or the classes were named.
 */
export function goldIdGapWarning(datasets: (Dataset | null)[], labels: readonly string[] | null, source: ClassNamesSource | null): string | null {
  if (source !== 'gold ids' || !labels) return null;
  const used = new Set<number>();
  for (const d of datasets) for (const g of d?.gold ?? []) if (g !== null) used.add(g);
  const unused = labels.map((_, c) => c).filter((c) => !used.has(c));
  // Two classes from a single id (all 0s or all 1s) are the least a task has: nothing to say.
  if (unused.length === 0 || labels.length <= 2) return null;
  // Consecutive ids as a range: "2..6".
  const runs: string[] = [];
  for (let i = 0; i < unused.length; ) {
    let j = i;
    while (j + 1 < unused.length && unused[j + 1] === unused[j] + 1) j++;
    runs.push(j - i >= 2 ? `${unused[i]}..${unused[j]}` : unused.slice(i, j + 1).join(', '));
    i = j + 1;
  }
  return (
    `the gold labels use class ids ${[...used].sort((a, b) => a - b).join(', ')} and never ${runs.join(', ')}, yet the classes are taken to be ids 0..${labels.length - 1}, ` +
    `so the label model has ${labels.length} classes; if the largest id is a typo, fix that row, else name the classes with ${labelsSettingFor(null)}`
  );
}

/** goldIdGapWarning for the data a command read, written to its stderr as `lf-studio COMMAND: warning: ...`. */
export function warnGoldIdGap(
  io: { stderr(text: string): void },
  command: string,
  data: { sample: Dataset | null; dev: Dataset | null; labels: readonly string[] | null; labelsSource: ClassNamesSource | null },
): void {
  const gap = goldIdGapWarning([data.sample, data.dev], data.labels, data.labelsSource);
  if (gap) io.stderr(`lf-studio ${command}: warning: ${gap}\n`);
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
