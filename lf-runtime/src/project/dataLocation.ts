/**
 * Keeps a project's data inside its workspace folder. The rows of data.sample and data.dev are handed to
 * labeling functions and quoted in LLM prompts, and lfstudio.json comes with the repository a user opens:
 * a path like "../../other-project/customers.csv", an absolute path, or a symbolic link in the repository
 * that points elsewhere would send files the user never chose to a model. So paths are compared after
 * resolving every link (realpath), and one outside the workspace is refused unless the user has allowed it
 * in their own settings, which a repository cannot change.
 *
 * The command line does not go through this check: a path given with `--data` is the user's own choice.
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Project } from './projectFile.ts';
import { PROJECT_FILE_NAME } from './validateProject.ts';
import type { ProjectProblem } from './validateProject.ts';

/** The user-level VS Code setting that lets data.sample / data.dev point outside the workspace folder. */
export const ALLOW_OUTSIDE_WORKSPACE_SETTING = 'lfStudio.data.allowOutsideWorkspace';

export interface DataLocationOptions {
  /**
   * Read data files that resolve outside the workspace folder. False unless the user turned on
   * ALLOW_OUTSIDE_WORKSPACE_SETTING (an application-scope setting, so a workspace cannot set it).
   */
  allowOutsideWorkspace?: boolean;
}

/** True when `path` is `folder` or inside it (both already absolute and resolved). */
export function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/**
 * One problem per data file of `project` that resolves outside its workspace folder (none when allowed).
 * Each names the setting in lfstudio.json (path "/data/sample" or "/data/dev"), where it leads, and the two
 * ways out: move the file into the workspace, or allow it in the user settings.
 */
export async function dataOutsideWorkspace(
  project: Pick<Project, 'root' | 'data'> & Partial<Pick<Project, 'dataAsWritten'>>,
  options: DataLocationOptions = {},
): Promise<ProjectProblem[]> {
  if (options.allowOutsideWorkspace === true) return [];
  const root = await realpathOr(project.root);
  const problems: ProjectProblem[] = [];
  for (const key of ['sample', 'dev'] as const) {
    const file = project.data[key];
    if (file === null) continue;
    const real = await realpathOr(file);
    if (isInside(root, real)) continue;
    const written = project.dataAsWritten?.[key] ?? file;
    const lexical = resolve(project.root, written);
    const how = isInside(resolve(project.root), lexical)
      ? `is a symbolic link (or inside a linked folder) that resolves to ${real}`
      : real === lexical
        ? `resolves to ${real}`
        : `resolves (through a symbolic link) to ${real}`;
    problems.push({
      path: `/data/${key}`,
      message:
        `${PROJECT_FILE_NAME}: data.${key} '${written}' ${how}, outside the workspace folder ${root}. ` +
        'LF Studio does not read data from outside the workspace unless you allow it, because its rows are passed to the ' +
        'labeling functions and into LLM prompts. Move or copy the file into the workspace folder, or, if you trust this project, ' +
        `turn on "${ALLOW_OUTSIDE_WORKSPACE_SETTING}" in your User settings (it cannot be set per workspace). ` +
        'The command line reads any file you name: lf-studio analyze --data PATH.',
    });
  }
  return problems;
}

/** realpath, or the path itself when it cannot be resolved (a missing file is reported by the reader). */
async function realpathOr(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return resolve(path);
  }
}
