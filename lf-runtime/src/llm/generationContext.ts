/**
 * The language-server side of generation: gathers what a prompt needs from the loaded project (examples per
 * class, existing LFs, rows no LF covers, one LF's mistakes to improve) and scores candidates for the review
 * panel. The API key never comes here: the editor calls the model itself and only sends code to score.
 * Everything works on a plain `ProjectSnapshot`, so the server wires it to its engine in a few lines.
 */
import type { EngineSnapshot } from '../engine/analysisEngine.ts';
import type { GenerationContext, GenerationContextParams } from '../protocol.ts';
import { textOf, sampleExamples } from './promptBuilder.ts';
import { labelingFunctionsOf, type PythonParser } from './pythonSource.ts';
import type { ImproveTarget, PromptExample } from './types.ts';

/**
 * What the server knows about the project right now: the engine's data and latest votes (columns follow
 * `lfNames`), plus the parts of lfstudio.json prompts use.
 */
export type ProjectSnapshot = Omit<EngineSnapshot, 'timeoutMs'> & {
  labelDescriptions: Record<string, string>;
  textField: string;
};

const UNCOVERED_ROWS = 12;
const MISTAKES_SHOWN = 8;

/** `parser` reads the project's LF files (Python's own parser: the sandbox's, on the language server). */
export async function buildGenerationContext(project: ProjectSnapshot, params: GenerationContextParams, parser: PythonParser, signal?: AbortSignal): Promise<GenerationContext> {
  const examplesFrom = project.dev?.gold ? project.dev : project.sample;
  const examples = sampleExamples({
    rows: examplesFrom.rows,
    gold: examplesFrom.gold,
    labels: project.labels,
    textField: project.textField,
    perClass: params.examplesPerClass ?? 4,
  });
  const existingLfs = await labelingFunctionsOf(project.lfFiles.map((f) => f.source), parser, signal);
  let improveTarget: ImproveTarget | null = null;
  if (params.mode === 'improve') {
    if (!params.lfName) throw new Error('"improve" needs the name of the LF to improve');
    improveTarget = improveTargetFor(project, params.lfName, existingLfs.find((l) => l.name === params.lfName)?.code ?? '');
  }
  return {
    task: project.task,
    labels: project.labels,
    labelDescriptions: project.labelDescriptions,
    textField: project.textField,
    examples,
    existingLfs,
    existingNames: [...new Set([...project.lfNames, ...existingLfs.map((l) => l.name)])],
    lfFiles: project.lfFiles.map((f) => f.file),
    uncoveredRows: params.mode === 'uncovered' ? uncoveredRows(project) : [],
    improveTarget,
  };
}

/** Sample rows no LF votes on, spread over the sample rather than the first few. */
export function uncoveredRows(project: ProjectSnapshot): PromptExample[] {
  const n = project.sample.rows.length;
  const uncovered: number[] = [];
  for (let i = 0; i < n; i++) if (project.sampleVotes.every((col) => col[i] === -1)) uncovered.push(i);
  const step = Math.max(1, Math.floor(uncovered.length / UNCOVERED_ROWS));
  const out: PromptExample[] = [];
  for (let k = 0; k < uncovered.length && out.length < UNCOVERED_ROWS; k += step) {
    const row = project.sample.rows[uncovered[k] as number];
    if (row) out.push({ id: row.id, text: textOf(row, project.textField), label: null });
  }
  return out;
}

/** The LF's wrong votes and misses on the dev set, and where it conflicts with other LFs on the sample. */
export function improveTargetFor(project: ProjectSnapshot, name: string, code: string): ImproveTarget {
  const j = project.lfNames.indexOf(name);
  if (j < 0) throw new Error(`no LF named ${name} in the project (known: ${project.lfNames.join(', ') || 'none'})`);
  const label = (v: number): string => project.labels[v] ?? String(v);
  const target: ImproveTarget = { name, code, falsePositives: [], falseNegatives: [], conflicts: [] };
  const dev = project.dev;
  const devCol = project.devVotes?.[j];
  if (dev?.gold && devCol) {
    const polarity = new Set(Array.from(devCol).filter((v) => v !== -1));
    dev.rows.forEach((row, i) => {
      const v = devCol[i] as number;
      const g = dev.gold?.[i];
      if (g === null || g === undefined) return;
      if (v !== -1 && v !== g && target.falsePositives.length < MISTAKES_SHOWN) {
        target.falsePositives.push({ text: textOf(row, project.textField), voted: label(v), gold: label(g) });
      } else if (v === -1 && polarity.has(g) && target.falseNegatives.length < MISTAKES_SHOWN) {
        target.falseNegatives.push({ text: textOf(row, project.textField), gold: label(g) });
      }
    });
  }
  const mine = project.sampleVotes[j];
  if (mine) {
    for (let i = 0; i < mine.length && target.conflicts.length < MISTAKES_SHOWN; i++) {
      const v = mine[i] as number;
      if (v === -1) continue;
      const other = project.sampleVotes.findIndex((col, o) => o !== j && col[i] !== -1 && col[i] !== v);
      if (other < 0) continue;
      const row = project.sample.rows[i];
      if (row) target.conflicts.push({ text: textOf(row, project.textField), otherLf: project.lfNames[other] ?? '?', otherVote: label(project.sampleVotes[other]?.[i] as number) });
    }
  }
  return target;
}
