/**
 * `lf-studio generate --lfs FILE.py --data FILE [--dev FILE] --task TEXT [--tier NAME] [--n N] [--json]`:
 * asks the model for new LFs, runs and scores each candidate in the sandbox against the existing LFs, and
 * prints them with their numbers (or JSON). Uses ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL as the SDK does.
 * Every generation is saved under `<workspace>/.lfstudio/generations/` whatever the outcome.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DataError } from '../data/types.ts';
import { createPythonExecutor } from '../sandbox/pythonExecutor.ts';
import type { LfExecutor } from '../sandbox/types.ts';
import { createAnthropicClient } from '../llm/anthropicClient.ts';
import type { LlmClient } from '../llm/anthropicClient.ts';
import { createSandboxScorer } from '../llm/candidateScoring.ts';
import { generateLfs } from '../llm/generateLfs.ts';
import { saveGeneration } from '../llm/generationStore.ts';
import { LlmError, redactKey } from '../llm/llmErrors.ts';
import { DEFAULT_MODEL, formatUsage } from '../llm/modelPrices.ts';
import { buildPrompt, parsePromptTier, sampleExamples } from '../llm/promptBuilder.ts';
import { isLabelingFunction, splitTopLevel } from '../llm/pythonSource.ts';
import { checkDataOptions, DATA_OPTIONS, readCliData } from './cliData.ts';
import { CliError, type CliIo } from './cliIo.ts';
import type { GenerationRecord, PromptTier, Thresholds } from '../llm/types.ts';

/** Seams for tests: the sandbox (the real one runs Python in a separate process). */
export interface GenerateDeps {
  createExecutor?: () => LfExecutor | Promise<LfExecutor>;
}

const HELP = `usage: lf-studio generate --lfs FILE.py --data FILE [--dev FILE] --task TEXT [options]

  --lfs FILE.py          existing labeling functions (style examples; new names avoid theirs)
  --data FILE            unlabeled sample: WRENCH .json, .csv or .jsonl
  --dev FILE             labeled dev set: dev accuracy, examples per class
  --task TEXT            what the labels mean
  --tier NAME            context to give: task, labels, examples, lfs, heuristics (default: lfs)
  --n N                  how many LFs to ask for (default: 5)
  --json                 print {"candidates": [...], "usage": {...}} instead of a listing
  --labels A,B,...       class names in class-id order (default: label.json beside the data)
  --heuristics TEXT      your own hints, used by the heuristics tier
  --model ID             model id (default: ${DEFAULT_MODEL})
  --min-dev-accuracy X   threshold to accept (default: 0.6)
  --max-overlap X        reject above this overlap with an existing LF (default: 0.95)
  --workspace DIR        where .lfstudio/generations/ is written (default: current folder)
  --text-field NAME      field that holds the text; LFs read it as x.NAME (default: text)
  --label-field NAME     gold label field of the data (hidden from LFs; default: label)
  --timeout-ms N         wall-clock budget per LF (default: 30000)

environment: ANTHROPIC_API_KEY (required), ANTHROPIC_BASE_URL (optional gateway)`;

interface GenerateArgs {
  lfs: string;
  data: string;
  dev: string | null;
  task: string;
  tier: PromptTier;
  n: number;
  json: boolean;
  labels: string[] | null;
  heuristics: string;
  model: string;
  thresholds: Partial<Thresholds>;
  workspace: string;
  textField: string;
  labelField: string;
  timeoutMs: number;
}

export async function runGenerateCommand(argv: string[], io: CliIo, env: NodeJS.ProcessEnv, deps: GenerateDeps = {}): Promise<number> {
  let executor: LfExecutor | null = null;
  const apiKey = env.ANTHROPIC_API_KEY?.trim() ?? '';
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const args = parse(argv);
    if (args === 'help') {
      io.stdout(`${HELP}\n`);
      return 0;
    }
    if (!apiKey) {
      io.stderr('lf-studio generate: no Anthropic API key: set the ANTHROPIC_API_KEY environment variable (export ANTHROPIC_API_KEY=sk-ant-...)\n');
      return 2;
    }
    const client = createAnthropicClient({ apiKey, model: args.model, baseUrl: env.ANTHROPIC_BASE_URL ?? null });
    const { sample, dev, labels } = await readCliData(args);
    if (!labels) throw new CliError(`no class names: pass --labels A,B,... or put a WRENCH label.json beside ${args.data}, or give a --dev set with gold labels`);
    const source = readFileSync(args.lfs, 'utf8');
    const existing = splitTopLevel(source).statements.filter(isLabelingFunction);

    executor = await (deps.createExecutor ?? defaultExecutor)();
    await executor.loadRows('sample', sample.rows);
    if (dev) await executor.loadRows('dev', dev.rows);
    const existingVotes = await runExisting(executor, args, source, labels.length, dev !== null);

    const examplesFrom = dev?.gold ? dev : sample;
    const prompt = buildPrompt({
      task: args.task,
      labels,
      tier: args.tier,
      mode: { kind: 'general' },
      examples: sampleExamples({ rows: examplesFrom.rows, gold: examplesFrom.gold, labels, textField: args.textField, perClass: 4 }),
      existingLfs: existing.map((s) => ({ name: s.defines[0] as string, code: s.text })),
      heuristics: args.heuristics,
      count: args.n,
      textField: args.textField,
    });
    const scorer = createSandboxScorer({
      executor,
      context: { labels, textField: args.textField, sample, dev, ...existingVotes },
      sampleKey: 'sample',
      devKey: dev ? 'dev' : null,
      timeoutMs: args.timeoutMs,
    });
    const record = await runGeneration(client, io, args, prompt, labels, existingVotes.existingNames, scorer, abort.signal);
    const savedTo = await saveGeneration(args.workspace, record, [apiKey]);
    io.stdout(args.json ? `${JSON.stringify(jsonOutput(record, savedTo))}\n` : listing(record, savedTo));
    if (record.problem) {
      io.stderr(`lf-studio generate: ${record.problem}\n`);
      return 1;
    }
    return 0;
  } catch (err) {
    return report(err, io, apiKey);
  } finally {
    process.removeListener('SIGINT', onSigint);
    await executor?.dispose();
  }
}

function defaultExecutor(): LfExecutor {
  return createPythonExecutor();
}

async function runGeneration(
  client: LlmClient,
  io: CliIo,
  args: GenerateArgs,
  prompt: ReturnType<typeof buildPrompt>,
  labels: string[],
  existingNames: string[],
  scorer: ReturnType<typeof createSandboxScorer>,
  signal: AbortSignal,
): Promise<GenerationRecord> {
  return generateLfs({
    client,
    prompt,
    labels,
    existingNames,
    scorer,
    thresholds: args.thresholds,
    signal,
    onProgress: (p) => {
      if (p.stage === 'requesting') io.stderr(`asking ${client.model} for ${args.n} labeling functions (tier: ${args.tier})...\n`);
      if (p.stage === 'retrying') io.stderr(`${p.reason} Retrying in ${(p.delayMs / 1000).toFixed(1)} s (attempt ${p.attempt + 1}).\n`);
    },
  });
}

/** Runs the user's LF file once on sample and dev, to compare candidates against its votes. */
async function runExisting(executor: LfExecutor, args: GenerateArgs, source: string, cardinality: number, hasDev: boolean) {
  const base = { file: args.lfs, source, cardinality, timeoutMs: args.timeoutMs };
  const sample = await executor.runFile({ ...base, datasetKey: 'sample' });
  if (sample.fileError) {
    throw new CliError(`${args.lfs}${sample.fileError.line ? `:${sample.fileError.line}` : ''}: ${sample.fileError.message} (fix the existing LF file first)`);
  }
  const dev = hasDev ? await executor.runFile({ ...base, datasetKey: 'dev' }) : null;
  return {
    existingNames: sample.lfs.map((l) => l.name),
    existingSampleVotes: sample.lfs.map((l) => l.votes),
    existingDevVotes: dev && !dev.fileError ? dev.lfs.map((l) => l.votes) : null,
  };
}

function report(err: unknown, io: CliIo, apiKey: string): number {
  let message: string;
  let code = 1;
  if (err instanceof CliError) {
    message = err.message;
    code = err.code;
  } else if (err instanceof LlmError && (err.kind === 'auth' || err.kind === 'missing-key')) {
    // The CLI has no Set Key command: point at the environment variable instead.
    message = `${err.message.replace(/ Set it with[^.]*\./, '')} Check the key in ANTHROPIC_API_KEY.`;
  } else if (err instanceof LlmError || err instanceof DataError) {
    message = err.message;
  } else {
    message = err instanceof Error ? err.message : String(err);
  }
  io.stderr(`lf-studio generate: ${redactKey(message, apiKey)}\n`);
  return code;
}

function parse(argv: string[]): GenerateArgs | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...DATA_OPTIONS,
        task: { type: 'string' },
        tier: { type: 'string', default: 'lfs' },
        n: { type: 'string', default: '5' },
        heuristics: { type: 'string', default: '' },
        model: { type: 'string', default: DEFAULT_MODEL },
        'min-dev-accuracy': { type: 'string' },
        'max-overlap': { type: 'string' },
        workspace: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new CliError(`${(err as Error).message} (see lf-studio generate --help)`);
  }
  if (values.help) return 'help';
  const data = checkDataOptions(values, 'generate');
  if (!values.task) throw new CliError('--task TEXT is required (see lf-studio generate --help)');
  let tier: PromptTier;
  try {
    tier = parsePromptTier(values.tier ?? 'lfs');
  } catch (err) {
    throw new CliError(`--tier: ${(err as Error).message}`);
  }
  const n = Number(values.n);
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new CliError(`--n must be a whole number from 1 to 50, got '${values.n}'`);
  const thresholds: Partial<Thresholds> = {};
  for (const [flag, key] of [['min-dev-accuracy', 'minDevAccuracy'], ['max-overlap', 'maxOverlap']] as const) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const x = Number(raw);
    if (!Number.isFinite(x) || x < 0 || x > 1) throw new CliError(`--${flag} must be a fraction between 0 and 1, got '${raw}'`);
    thresholds[key] = x;
    if (key === 'minDevAccuracy') thresholds.minEstimatedAccuracy = x;
  }
  return {
    ...data,
    task: values.task,
    tier,
    n,
    heuristics: values.heuristics ?? '',
    model: values.model ?? DEFAULT_MODEL,
    thresholds,
    workspace: resolve(values.workspace ?? process.cwd()),
  };
}

const num = (x: number | null | undefined): string => (x === null || x === undefined ? '  -  ' : x.toFixed(3));

function listing(record: GenerationRecord, savedTo: string): string {
  const lines: string[] = [];
  for (const w of record.warnings) lines.push(`warning: ${w}`);
  for (const c of record.candidates) {
    const s = c.score;
    lines.push(
      `#${c.rank} ${c.passed ? 'PASS' : 'FAIL'} ${c.name}  coverage ${num(s?.coverage)}  est.acc ${num(s?.estimatedAccuracy)}  dev.acc ${num(s?.devAccuracy)}  overlap ${num(s?.maxOverlap)}`,
      `   ${c.reason}`,
      ...c.code.trimEnd().split('\n').map((l) => `   | ${l}`),
      '',
    );
  }
  const passed = record.candidates.filter((c) => c.passed).length;
  lines.push(`${passed} of ${record.candidates.length} candidates pass.`);
  if (record.usage) lines.push(`usage: ${formatUsage(record.usage, record.model)}`);
  lines.push(`saved to ${savedTo}`);
  return `${lines.join('\n')}\n`;
}

function jsonOutput(record: GenerationRecord, savedTo: string): Record<string, unknown> {
  return {
    candidates: record.candidates.map((c) => ({
      name: c.name,
      code: c.code,
      coverage: c.score?.coverage ?? null,
      estimatedAccuracy: c.score?.estimatedAccuracy ?? null,
      devAccuracy: c.score?.devAccuracy ?? null,
      maxOverlap: c.score?.maxOverlap ?? null,
      accepted: c.passed,
      reason: c.reason,
    })),
    usage: record.usage ? { ...record.usage, model: record.model } : null,
    warnings: record.warnings,
    problem: record.problem,
    savedTo,
  };
}

