/**
 * The labeled rows the suggester learns from: the dev set's gold labels, and labels the user gave rows in the
 * editor (the project's gold-labels file, read by examples/goldLabels.ts).
 */
import type { Dataset, Row } from '../data/types.ts';
import type { GoldLabels } from '../examples/goldLabels.ts';

export interface LabeledRows {
  rows: Row[];
  gold: number[];
  /** Where they came from: dev rows with a label (the file's or the user's), sample rows the user labeled. */
  fromDev: number;
  fromSample: number;
  /** Dev rows without any label (left out), and user labels naming rows that do not exist. */
  devUnlabeled: number;
  unknownIds: number;
}

/**
 * Dev rows with a gold label (the user's label replaces the file's), then sample rows the user labeled, in
 * file order. Labels outside 0..k-1 in the dev file are left to the caller to reject (checkLabels).
 */
export function collectLabeledRows(sample: Dataset, dev: Dataset | null, user: GoldLabels): LabeledRows {
  const rows: Row[] = [];
  const gold: number[] = [];
  let devUnlabeled = 0;
  const devIds = new Set<string>();
  if (dev) {
    dev.rows.forEach((row, i) => {
      devIds.add(row.id);
      const label = user.dev.get(row.id) ?? dev.gold?.[i] ?? null;
      if (label === null) devUnlabeled++;
      else {
        rows.push(row);
        gold.push(label);
      }
    });
  }
  const fromDev = rows.length;
  const sampleIds = new Set<string>();
  for (const row of sample.rows) {
    sampleIds.add(row.id);
    const label = user.sample.get(row.id);
    if (label !== undefined) {
      rows.push(row);
      gold.push(label);
    }
  }
  let unknownIds = 0;
  for (const id of user.sample.keys()) if (!sampleIds.has(id)) unknownIds++;
  for (const id of user.dev.keys()) if (!devIds.has(id)) unknownIds++;
  return { rows, gold, fromDev, fromSample: rows.length - fromDev, devUnlabeled, unknownIds };
}
