/**
 * `lf-studio analyze --lfs FILE.py --data FILE [--dev FILE] [--json]`: the editor's numbers, headless.
 * Runs the LF file in the same sandbox as the editor and prints Snorkel's LFAnalysis table (or JSON).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DataError } from '../data/types.ts';
import { AnalysisEngine } from '../engine/analysisEngine.ts';
import { createPythonExecutor } from '../sandbox/pythonExecutor.ts';
import type { LfExecutor } from '../sandbox/types.ts';
import { readCliData } from './cliData.ts';
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
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        lfs: { type: 'string' },
        data: { type: 'string' },
        dev: { type: 'string' },
        json: { type: 'boolean', default: false },
        'text-field': { type: 'string', default: 'text' },
        'label-field': { type: 'string', default: 'label' },
        labels: { type: 'string' },
        'timeout-ms': { type: 'string', default: '30000' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new CliError(`${(err as Error).message} (see lf-studio analyze --help)`);
  }
  if (values.help) return 'help';
  if (!values.lfs) throw new CliError('--lfs FILE.py is required');
  if (!values.data) throw new CliError('--data FILE is required');
  for (const [flag, path] of [['--lfs', values.lfs], ['--data', values.data], ['--dev', values.dev]] as const) {
    if (path && !existsSync(path)) throw new CliError(`${flag} ${path}: file not found`);
  }
  const timeoutMs = Number(values['timeout-ms']);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new CliError(`--timeout-ms must be a positive number of milliseconds, got '${values['timeout-ms']}'`);
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

