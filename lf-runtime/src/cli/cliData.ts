// Reading the data files named on the command line, shared by `analyze` and `generate` so both hide the gold
// label from LFs the same way, check the dev set the same way, and name their own flags in every fix.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { readDataset } from '../data/readDataset.ts';
import type { Dataset } from '../data/types.ts';
import { checkDevGold, type LabelSettingNames } from '../project/projectData.ts';
import { classNamesFor } from './classNames.ts';
import { CliError } from './cliIo.ts';

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

/** The parseArgs options both commands take: the LF file, the data and how to read it, output and limits. */
export const DATA_OPTIONS = {
  lfs: { type: 'string' },
  data: { type: 'string' },
  dev: { type: 'string' },
  json: { type: 'boolean', default: false },
  labels: { type: 'string' },
  'text-field': { type: 'string', default: 'text' },
  'label-field': { type: 'string', default: 'label' },
  'timeout-ms': { type: 'string', default: '30000' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export interface DataOptionValues {
  lfs?: string;
  data?: string;
  dev?: string;
  json?: boolean;
  labels?: string;
  'text-field'?: string;
  'label-field'?: string;
  'timeout-ms'?: string;
}

export interface ParsedDataOptions extends CliDataArgs {
  lfs: string;
  json: boolean;
  timeoutMs: number;
}

/** Checks the shared options (required files exist, numbers and class names make sense) and resolves paths. */
export function checkDataOptions(values: DataOptionValues, command: string): ParsedDataOptions {
  if (!values.lfs) throw new CliError(`--lfs FILE.py is required (see lf-studio ${command} --help)`);
  if (!values.data) throw new CliError(`--data FILE is required (see lf-studio ${command} --help)`);
  for (const [flag, path] of [['--lfs', values.lfs], ['--data', values.data], ['--dev', values.dev]] as const) {
    if (path && !existsSync(path)) throw new CliError(`${flag} ${path}: file not found`);
  }
  const timeoutMs = Number(values['timeout-ms']);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new CliError(`--timeout-ms must be a positive number of milliseconds, got '${values['timeout-ms']}'`);
  }
  const labels = values.labels ? values.labels.split(',').map((s) => s.trim()).filter(Boolean) : null;
  if (labels && labels.length < 2) throw new CliError('--labels needs at least two class names, e.g. --labels HAM,SPAM');
  return {
    lfs: resolve(values.lfs),
    data: resolve(values.data),
    dev: values.dev ? resolve(values.dev) : null,
    json: values.json ?? false,
    textField: values['text-field'] ?? 'text',
    labelField: values['label-field'] ?? 'label',
    labels,
    timeoutMs,
  };
}
