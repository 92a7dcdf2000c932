/**
 * `lf-studio analyze --lfs FILE.py --data FILE [--dev FILE] [--json]`: the editor's numbers, headless.
 * Runs the LF file in the same sandbox as the editor and prints Snorkel's LFAnalysis table (or JSON).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DataError } from '../data/types.ts';
import { AnalysisEngine } from '../engine/analysisEngine.ts';
import { createPythonExecutor } from '../sandbox/pythonExecutor.ts';
import type { LfExecutor } from '../sandbox/types.ts';
import { checkDataOptions, DATA_OPTIONS, readCliData } from './cliData.ts';
import { CliError, type CliIo } from './cliIo.ts';
import { analysisJson, analysisTable } from './analyzeOutput.ts';

const HELP = `usage: lf-studio analyze --lfs FILE.py --data FILE [--dev FILE] [--json]

  --lfs FILE.py        labeling-function file (Snorkel style)
  --data FILE          unlabeled sample: WRENCH .json, .csv or .jsonl
  --dev FILE           labeled dev set (adds correct, incorrect and empirical accuracy)
  --json               print one JSON object instead of a table
  --text-field NAME    field that holds the text; LFs read it as x.NAME (default: text)
  --label-field NAME   gold label column of CSV/JSONL dev sets (default: label)
  --labels A,B,...     class names in class-id order (default: label.json beside the data, else ids from the gold labels)
  --timeout-ms N       wall-clock budget per LF (default: 30000)`;

export async function runAnalyzeCommand(argv: string[], io: CliIo, _env: NodeJS.ProcessEnv = {}): Promise<number> {
  let executor: LfExecutor | null = null;
  try {
    const args = parse(argv);
    if (args === 'help') {
      io.stdout(`${HELP}\n`);
      return 0;
    }
    const data = await readCliData(args);
    const { sample, dev } = data;
    const source = readFileSync(args.lfs, 'utf8');
    const labels = data.labels ?? ['0', '1'];
    const sandbox = createPythonExecutor();
    executor = sandbox;
    const engine = new AnalysisEngine(sandbox, {
      task: '',
      labels,
      sample,
      dev,
      lfFiles: [args.lfs],
      timeoutMs: args.timeoutMs,
    });
    const started = performance.now();
    await engine.runFile(args.lfs, source);
    const analysis = engine.analyze(Math.round(performance.now() - started));
    const fileError = engine.fileResult(args.lfs)?.fileError;
    if (fileError) {
      io.stderr(`lf-studio: ${args.lfs}${fileError.line ? `:${fileError.line}` : ''}: ${fileError.message}\n`);
      return 1;
    }
    if (analysis.lfs.length === 0) {
      // An empty table with exit 0 would look like a run that worked; this is what scripts must notice.
      const problem = analysis.fileProblems.find((p) => p.file === args.lfs);
      io.stderr(`lf-studio analyze: ${args.lfs}: ${problem?.message ?? 'no labeling functions found'}\n`);
      return 1;
    }
    const isolation = await sandbox.isolation();
    io.stdout(args.json ? `${JSON.stringify(analysisJson(analysis, isolation))}\n` : `${analysisTable(analysis, isolation)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof CliError || err instanceof DataError) {
      io.stderr(`lf-studio analyze: ${err.message}\n`);
      return err instanceof CliError ? err.code : 1;
    }
    throw err;
  } finally {
    await executor?.dispose();
  }
}

interface AnalyzeArgs {
  lfs: string;
  data: string;
  dev: string | null;
  json: boolean;
  textField: string;
  labelField: string;
  labels: string[] | null;
  timeoutMs: number;
}

function parse(argv: string[]): AnalyzeArgs | 'help' {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: DATA_OPTIONS }));
  } catch (err) {
    throw new CliError(`${(err as Error).message} (see lf-studio analyze --help)`);
  }
  if (values.help) return 'help';
  return checkDataOptions(values, 'analyze');
}

