// `--project lfstudio.json` on the command line: the project file read by the same code as the editor's, so
// the CLI takes task, labels, data, dev and LF files from where the editor does.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { loadProjectFile, type Project } from '../project/projectFile.ts';
import { PROJECT_FILE_NAME } from '../project/validateProject.ts';
import { CliError } from './cliIo.ts';

/** Loads the project named by `--project` (lfstudio.json itself or the folder holding it). */
export async function loadCliProject(path: string): Promise<Project> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new CliError(`--project ${path}: file not found (give the path of ${PROJECT_FILE_NAME} or its folder)`);
  let root = absolute;
  if (!statSync(absolute).isDirectory()) {
    if (basename(absolute) !== PROJECT_FILE_NAME) {
      throw new CliError(`--project ${path}: expected a file named ${PROJECT_FILE_NAME} (or the folder holding it)`);
    }
    root = dirname(absolute);
  }
  const loaded = await loadProjectFile(root);
  if (!loaded.ok) {
    throw new CliError(`--project ${path}: ${loaded.problems.map((p) => p.message).join('; ')}`, 1);
  }
  return loaded.project;
}
