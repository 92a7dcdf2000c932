// Class names for CLI commands that take data files rather than a project: WRENCH keeps them in label.json
// beside the splits; otherwise they are the ids 0..k-1, with k from the largest gold label seen.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readWrenchLabelNames } from '../data/readWrench.ts';
import type { Dataset } from '../data/types.ts';

/** Where class names came from: only 'gold ids' are numbers standing in for names the user never gave. */
export type ClassNamesSource = '--labels' | 'project' | 'label.json' | 'gold ids';

/** Names from label.json beside `dataPath`, else ids from gold labels; null when neither says anything. */
export async function classNamesFor(
  dataPath: string,
  datasets: (Dataset | null)[],
): Promise<{ names: string[]; source: 'label.json' | 'gold ids' } | null> {
  if (existsSync(join(dirname(dataPath), 'label.json'))) {
    const names = await readWrenchLabelNames(dirname(dataPath));
    if (names.length >= 2) return { names, source: 'label.json' };
  }
  let max = -1;
  for (const d of datasets) for (const g of d?.gold ?? []) if (g !== null && g > max) max = g;
  if (max < 0) return null;
  return { names: Array.from({ length: Math.max(2, max + 1) }, (_, i) => String(i)), source: 'gold ids' };
}
