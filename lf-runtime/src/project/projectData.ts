/**
 * Reads the data a project names: the sample the LFs run on, and the optional dev set whose gold labels
 * give correct/incorrect/empirical accuracy. A dev set is only useful if every row has a gold label in
 * range, so that is checked here, once, with the row named. Gold labels are class ids or the project's
 * class names ("labels"), read as ids (see goldClassId in data/datasetBuilder.ts).
 */
import { readDataset } from '../data/readDataset.ts';
import { DataError } from '../data/types.ts';
import type { Dataset } from '../data/types.ts';
import { dataOutsideWorkspace } from './dataLocation.ts';
import type { DataLocationOptions } from './dataLocation.ts';
import type { Project } from './projectFile.ts';

export interface ProjectData {
  /** Rows the LFs run on. Its gold labels, if any, are never given to LFs. */
  sample: Dataset;
  /** Held-out rows with a gold label on every row, or null when the project has no dev set. */
  dev: Dataset | null;
}

/**
 * Reads sample and dev data with the project's field settings. Throws DataError naming file, row and fix,
 * including for a data file that resolves outside the workspace folder while `allowOutsideWorkspace` is
 * off (the default; see dataLocation.ts).
 */
export async function loadProjectData(
  project: Pick<Project, 'root' | 'data' | 'textField' | 'labelField' | 'idField' | 'labels'> & Partial<Pick<Project, 'dataAsWritten'>>,
  locationOptions: DataLocationOptions = {},
): Promise<ProjectData> {
  const [outside] = await dataOutsideWorkspace(project, locationOptions);
  if (outside !== undefined) {
    const file = outside.path === '/data/dev' ? (project.data.dev as string) : project.data.sample;
    throw new DataError(file, null, outside.message.replace(/^lfstudio\.json: /, 'in lfstudio.json, '));
  }
  // Gold labels may be written as the class names the project lists, in the sample as in the dev set.
  const options = { textField: project.textField, labelField: project.labelField, idField: project.idField, classNames: project.labels };
  const sample = await readDataset(project.data.sample, options);
  const dev = project.data.dev === null ? null : await readDataset(project.data.dev, options);
  if (dev !== null) checkDevGold(dev, project);
  return { sample, dev };
}

/** Where the user sets the label field and the class names, for the fix in messages. */
export interface LabelSettingNames {
  labelField: string;
  labels: string;
}

const PROJECT_SETTING_NAMES: LabelSettingNames = { labelField: '"labelField" in lfstudio.json', labels: 'lfstudio.json' };

/**
 * Every dev row needs a gold class id in 0..k-1. `settings` names where the user changes what is wrong
 * (the command line passes its flags).
 */
export function checkDevGold(
  dev: Dataset,
  project: Pick<Project, 'labels' | 'labelField'>,
  settings: LabelSettingNames = PROJECT_SETTING_NAMES,
): void {
  const k = project.labels.length;
  const field = project.labelField;
  if (dev.gold === null) {
    const fields = dev.rows.length > 0 ? Object.keys(dev.rows[0].fields).map((f) => `"${f}"`).join(', ') : '(none)';
    throw new DataError(
      dev.path,
      null,
      `the dev set has no gold labels in field "${field}" (fields found: ${fields}); ` +
        `label every dev row, or set ${settings.labelField} to the field that holds the gold label`,
    );
  }
  for (let i = 0; i < dev.rows.length; i++) {
    const y = dev.gold[i];
    // Where the row is: its line in a CSV or JSONL file (not its id: a header, quoted newlines), else its id.
    const line = dev.rowLines?.[i];
    const id = dev.rows[i].id;
    const location = line !== undefined ? String(line) : id;
    const row = `dev row "${id}"${line !== undefined && String(line) !== id ? ` (line ${line})` : ''}`;
    if (y === null) {
      throw new DataError(dev.path, location, `${row} has no gold label in field "${field}"; every dev row needs one (remove the row or label it)`);
    }
    if (y >= k) {
      throw new DataError(
        dev.path,
        location,
        `${row} has gold label ${y}, but ${settings.labels} lists ${k} labels (${project.labels.join(', ')}), so ids run 0..${k - 1}`,
      );
    }
  }
}
