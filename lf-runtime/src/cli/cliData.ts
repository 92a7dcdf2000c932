// Reading the data files named on the command line, shared by `analyze` and `generate` so both hide the gold
// label from LFs the same way, check the dev set the same way, and name their own flags in every fix.
import { readDataset } from '../data/readDataset.ts';
import type { Dataset } from '../data/types.ts';
import { checkDevGold, type LabelSettingNames } from '../project/projectData.ts';
import { classNamesFor } from './classNames.ts';

export interface CliDataArgs {
  data: string;
  dev: string | null;
  textField: string;
  labelField: string;
  /** From --labels, or null to look for label.json beside the data, then at the gold labels. */
  labels: string[] | null;
}

export interface CliData {
  sample: Dataset;
  dev: Dataset | null;
  /** Class names in class-id order, or null when neither --labels, label.json nor gold labels say. */
  labels: string[] | null;
}

const CLI_SETTING_NAMES: LabelSettingNames = { labelField: '--label-field', labels: '--labels (or label.json)' };

/** Reads sample and dev; throws DataError naming the file, the row and the flag that fixes it. */
export async function readCliData(args: CliDataArgs): Promise<CliData> {
  const options = { textField: args.textField, labelField: args.labelField, textFieldSetting: '--text-field' };
  const sample = await readDataset(args.data, options);
  const dev = args.dev ? await readDataset(args.dev, options) : null;
  const labels = args.labels ?? (await classNamesFor(args.data, [sample, dev]));
  // A dev set without gold labels would quietly give no accuracies; with its gold left in a visible field
  // (the wrong --label-field), LFs could even read the answer.
  if (dev) checkDevGold(dev, { labels: labels ?? [], labelField: args.labelField }, CLI_SETTING_NAMES);
  return { sample, dev, labels };
}
