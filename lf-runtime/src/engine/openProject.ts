/**
 * From a workspace folder to a ready engine: reads lfstudio.json, checks that its data files stay inside the
 * workspace folder (unless the user allows otherwise), loads the sample and dev data, and binds them to an
 * executor. Every failure comes back as a list of messages that name the file and the fix, placed at the
 * setting in lfstudio.json where that is known.
 */
import { DataError } from '../data/types.ts';
import { dataOutsideWorkspace } from '../project/dataLocation.ts';
import { loadProjectFile } from '../project/projectFile.ts';
import type { Project } from '../project/projectFile.ts';
import { loadProjectData } from '../project/projectData.ts';
import { settingPosition } from '../project/settingLocation.ts';
import type { LfExecutor } from '../sandbox/types.ts';
import { AnalysisEngine } from './analysisEngine.ts';

/** Why a project did not open, pointing into lfstudio.json where it can (for a diagnostic there). */
export interface OpenProblem {
  message: string;
  /** JSON pointer to the setting at fault, e.g. "/data/sample". */
  path?: string;
  /** 1-based line in lfstudio.json: of a JSON syntax error, or of the setting `path` names. */
  line?: number;
}

export interface OpenProjectOptions {
  /**
   * Read data.sample / data.dev even when they resolve (after following symbolic links) outside the
   * workspace folder. Default false. Pass the user-level setting "lfStudio.data.allowOutsideWorkspace"
   * (ALLOW_OUTSIDE_WORKSPACE_SETTING), never a workspace-level value.
   */
  allowOutsideWorkspace?: boolean;
}

export type OpenProjectResult =
  | { ok: true; engine: AnalysisEngine; project: Project; warnings: string[] }
  | { ok: false; problems: OpenProblem[]; missingProjectFile: boolean };

export async function openProject(
  root: string,
  executor: LfExecutor,
  timeoutMs: number,
  options: OpenProjectOptions = {},
): Promise<OpenProjectResult> {
  const loaded = await loadProjectFile(root);
  if (!loaded.ok) {
    return {
      ok: false,
      problems: loaded.problems.map(({ message, path, line }) => ({ message, path, line })),
      missingProjectFile: loaded.problems.some((p) => p.missingFile === true),
    };
  }
  const project = loaded.project;
  const locationOptions = { allowOutsideWorkspace: options.allowOutsideWorkspace === true };
  const outside = await dataOutsideWorkspace(project, locationOptions);
  if (outside.length > 0) {
    return {
      ok: false,
      problems: outside.map(({ message, path }) => ({ message, path, line: settingPosition(loaded.source, path).line })),
      missingProjectFile: false,
    };
  }
  try {
    const { sample, dev } = await loadProjectData(project, locationOptions);
    const engine = new AnalysisEngine(executor, {
      task: project.task,
      labels: project.labels,
      sample,
      dev,
      lfFiles: project.lfFiles,
      timeoutMs,
      readRoot: root,
      hiddenFiles: [{ path: project.data.labels, what: 'the gold labels added in the editor' }],
    });
    return { ok: true, engine, project, warnings: loaded.warnings.map((w) => w.message) };
  } catch (err) {
    if (err instanceof DataError) {
      const path = err.file === project.data.sample ? '/data/sample' : err.file === project.data.dev ? '/data/dev' : undefined;
      const line = path === undefined ? undefined : settingPosition(loaded.source, path).line;
      return { ok: false, problems: [{ message: err.message, path, line }], missingProjectFile: false };
    }
    throw err;
  }
}
