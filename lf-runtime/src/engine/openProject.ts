/**
 * From a workspace folder to a ready engine: reads lfstudio.json, loads the sample and dev data, and binds
 * them to an executor. Every failure comes back as a list of messages that name the file and the fix.
 */
import { DataError } from '../data/types.ts';
import { loadProjectFile } from '../project/projectFile.ts';
import type { Project } from '../project/projectFile.ts';
import { loadProjectData } from '../project/projectData.ts';
import type { LfExecutor } from '../sandbox/types.ts';
import { AnalysisEngine } from './analysisEngine.ts';

/** Why a project did not open, pointing into lfstudio.json where it can (for a diagnostic there). */
export interface OpenProblem {
  message: string;
  /** JSON pointer to the setting at fault, e.g. "/data/sample". */
  path?: string;
  /** 1-based line in lfstudio.json, when known (JSON syntax errors). */
  line?: number;
}

export type OpenProjectResult =
  | { ok: true; engine: AnalysisEngine; project: Project; warnings: string[] }
  | { ok: false; problems: OpenProblem[]; missingProjectFile: boolean };

export async function openProject(root: string, executor: LfExecutor, timeoutMs: number): Promise<OpenProjectResult> {
  const loaded = await loadProjectFile(root);
  if (!loaded.ok) {
    return {
      ok: false,
      problems: loaded.problems.map(({ message, path, line }) => ({ message, path, line })),
      missingProjectFile: loaded.problems.some((p) => p.missingFile === true),
    };
  }
  const project = loaded.project;
  try {
    const { sample, dev } = await loadProjectData(project);
    const engine = new AnalysisEngine(executor, {
      task: project.task,
      labels: project.labels,
      sample,
      dev,
      lfFiles: project.lfFiles,
      timeoutMs,
    });
    return { ok: true, engine, project, warnings: loaded.warnings.map((w) => w.message) };
  } catch (err) {
    if (err instanceof DataError) {
      const path = err.file === project.data.sample ? '/data/sample' : err.file === project.data.dev ? '/data/dev' : undefined;
      return { ok: false, problems: [{ message: err.message, path }], missingProjectFile: false };
    }
    throw err;
  }
}
