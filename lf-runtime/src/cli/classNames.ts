// Class names for CLI commands that take data files rather than a project: WRENCH keeps them in label.json
// beside the splits; otherwise they are the ids 0..k-1, with k from the largest gold label seen.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readWrenchLabelNames } from '../data/readWrench.ts';
import type { Dataset } from '../data/types.ts';

/** Names from label.json beside `dataPath`, else from gold labels; null when neither says anything. */
export async function classNamesFor(dataPath: string, datasets: (Dataset | null)[]): Promise<string[] | null> {
  if (existsSync(join(dirname(dataPath), 'label.json'))) {
    const names = await readWrenchLabelNames(dirname(dataPath));
    if (names.length >= 2) return names;
  }
  let max = -1;
  for (const d of datasets) for (const g of d?.gold ?? []) if (g !== null && g > max) max = g;
  if (max < 0) return null;
  return Array.from({ length: Math.max(2, max + 1) }, (_, i) => String(i));
}
