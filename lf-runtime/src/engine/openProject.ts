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

export type OpenProjectResult =
  | { ok: true; engine: AnalysisEngine; project: Project; warnings: string[] }
  | { ok: false; problems: string[]; missingProjectFile: boolean };

export async function openProject(root: string, executor: LfExecutor, timeoutMs: number): Promise<OpenProjectResult> {
  const loaded = await loadProjectFile(root);
  if (!loaded.ok) {
    return {
      ok: false,
      problems: loaded.problems.map((p) => p.message),
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
    if (err instanceof DataError) return { ok: false, problems: [err.message], missingProjectFile: false };
    throw err;
  }
}
