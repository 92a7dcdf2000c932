/**
 * `lf-studio generate --lfs FILE.py --data FILE [--dev FILE] --task TEXT --labels A,B [--tier NAME] [--n N]
 * [--json]`, or `lf-studio generate --project lfstudio.json [...]` with the same settings from the project:
 * asks the model for new LFs, runs and scores each candidate in the sandbox against the existing LFs, and
 * prints them with their numbers (or JSON). Uses ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL as the SDK does.
 * Every generation is saved under `<workspace>/.lfstudio/generations/` whatever the outcome.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DataError } from '../data/types.ts';
import { AnalysisEngine, DEV_KEY, SAMPLE_KEY } from '../engine/analysisEngine.ts';
import type { Project } from '../project/projectFile.ts';
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
import { asPythonParser, labelingFunctionsOf, type PythonParser } from '../llm/pythonSource.ts';
import { safeJsonStringify, sanitizeLine } from '../text/controlChars.ts';
import { checkDataOptions, type CliData, DATA_OPTIONS, dataFormatsHelp, type ParsedDataOptions, readCliData, warnAboutInputs } from './cliData.ts';
import { CliError, safeIo, type CliIo } from './cliIo.ts';
import { loadCliProject } from './cliProject.ts';
import type { GenerationRecord, PromptTier, Thresholds } from '../llm/types.ts';

/** Seams for tests: the sandbox (the real one runs Python in a separate process) and Python's parser (default: the sandbox's). */
export interface GenerateDeps {
  createExecutor?: () => LfExecutor | Promise<LfExecutor>;
  parser?: PythonParser;
}

const HELP = `usage: lf-studio generate --lfs FILE.py --data FILE [--dev FILE] --task TEXT --labels A,B,... [options]
       lf-studio generate --project lfstudio.json [options]

  --project FILE         lfstudio.json (or its folder): task, labels, label descriptions, heuristics, data,
                         dev, text and label fields and LF files come from it; flags given as well win
  --lfs FILE.py          existing labeling functions (style examples; new names avoid theirs); repeat it
                         for several files (default with --project: its "lfFiles")
  --data FILE            unlabeled sample: ${dataFormatsHelp(25)}
  --dev FILE             labeled dev set: dev accuracy, examples per class
  --task TEXT            what the labels mean
  --tier NAME            context to give: task, labels, examples, lfs, heuristics (default: lfs)
  --n N                  how many LFs to ask for (default: 5)
  --json                 print {"candidates": [...], "usage": {...}} instead of a listing
  --labels A,B,...       class names in class-id order, as the model will see them (default: the project's
                         "labels", else label.json beside WRENCH data; required otherwise)
  --heuristics TEXT      your own hints, used by the heuristics tier
  --model ID             model id (default: ${DEFAULT_MODEL})
  --min-dev-accuracy X   threshold to accept (default: 0.6)
  --max-overlap X        reject above this overlap with an existing LF (default: 0.95)
  --workspace DIR        where .lfstudio/generations/ is written (default: the project folder, else the current one)
  --text-field NAME      field that holds the text; LFs read it as x.NAME (default: the project's, else text)
  --label-field NAME     gold label field of the data (hidden from LFs; default: the project's, else label)
  --id-field NAME        field whose values are the row ids (unique; default: the project's, else WRENCH keys,
                         1-based CSV record or JSONL line numbers)
  --timeout-ms N         wall-clock budget per LF (default: 30000)

environment: ANTHROPIC_API_KEY (required), ANTHROPIC_BASE_URL (optional gateway)`;

interface GenerateArgs extends ParsedDataOptions {
  task: string;
  tier: PromptTier;
  n: number;
  heuristics: string;
  labelDescriptions: Record<string, string>;
  model: string;
  thresholds: Partial<Thresholds>;
  workspace: string;
}

export async function runGenerateCommand(argv: string[], rawIo: CliIo, env: NodeJS.ProcessEnv, deps: GenerateDeps = {}): Promise<number> {
  const io = safeIo(rawIo);
  let executor: LfExecutor | null = null;
  const apiKey = env.ANTHROPIC_API_KEY?.trim() ?? '';
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const args = await parse(argv);
    if (args === 'help') {
      io.stdout(`${HELP}\n`);
      return 0;
    }
    if (!apiKey) {
      io.stderr('lf-studio generate: no Anthropic API key: set the ANTHROPIC_API_KEY environment variable (export ANTHROPIC_API_KEY=sk-ant-...)\n');
      return 2;
    }
    const client = createAnthropicClient({ apiKey, model: args.model, baseUrl: env.ANTHROPIC_BASE_URL ?? null });
    const data = await readCliData(args);
    warnAboutInputs(io, 'generate', args, data);
    const { sample, dev } = data;
    const labels = classNames(data, args);
    const sources = args.lfs.map((file) => readFileSync(file, 'utf8'));

    executor = await (deps.createExecutor ?? defaultExecutor)();
    const parser = deps.parser ?? asPythonParser(executor);
    if (!parser) throw new CliError('the LF runtime cannot parse Python, which reading LF files and candidates needs');
    const existingVotes = await runExisting(executor, args, sources, data, labels);
    const existing = await labelingFunctionsOf(sources, parser, abort.signal);

    const examplesFrom = dev?.gold ? dev : sample;
    const prompt = buildPrompt({
      task: args.task,
      labels,
      labelDescriptions: args.labelDescriptions,
      tier: args.tier,
      mode: { kind: 'general' },
      examples: sampleExamples({ rows: examplesFrom.rows, gold: examplesFrom.gold, labels, textField: args.textField, perClass: 4 }),
      existingLfs: existing,
      heuristics: args.heuristics,
      count: args.n,
      textField: args.textField,
    });
    const scorer = createSandboxScorer({
      executor,
      context: { labels, textField: args.textField, sample, dev, ...existingVotes },
      sampleKey: SAMPLE_KEY,
      devKey: dev ? DEV_KEY : null,
      timeoutMs: args.timeoutMs,
    });
    const record = await runGeneration(client, io, args, prompt, labels, existingVotes.existingNames, scorer, parser, abort.signal);
    const savedTo = await saveGeneration(args.workspace, record, [apiKey]);
    io.stdout(args.json ? `${safeJsonStringify(jsonOutput(record, savedTo))}\n` : listing(record, savedTo));
    if (record.problem) {
      io.stderr(`lf-studio generate: ${sanitizeLine(record.problem)}\n`);
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
  parser: PythonParser,
  signal: AbortSignal,
): Promise<GenerationRecord> {
  return generateLfs({
    client,
    prompt,
    labels,
    existingNames,
    scorer,
    parser,
    thresholds: args.thresholds,
    signal,
    onProgress: (p) => {
      if (p.stage === 'requesting') io.stderr(`asking ${client.model} for ${args.n} labeling functions (tier: ${args.tier})...\n`);
      if (p.stage === 'retrying') io.stderr(`${p.reason} Retrying in ${(p.delayMs / 1000).toFixed(1)} s (attempt ${p.attempt + 1}).\n`);
    },
  });
}

/**
 * The class names the prompt gives the model. Ids standing in for names ("0 = 0, 1 = 1") would tell it
 * nothing about the classes, so without real names this stops and says where to give them.
 */
function classNames(data: CliData, args: GenerateArgs): string[] {
  if (data.labels && data.labelsSource !== 'gold ids') return data.labels;
  const why = data.labels ? `the data only gives the class ids ${data.labels.join(', ')}` : 'the data does not say which classes there are';
  throw new CliError(
    `no class names for the prompt: ${why}; pass --labels with the names in class-id order (e.g. --labels HAM,SPAM), ` +
      `or --project lfstudio.json to take its "labels" (a WRENCH label.json beside ${args.data} also works)`,
  );
}

/**
 * Runs the existing LF files once on sample and dev, through the engine the editor uses (one run per file),
 * to compare candidates against their votes.
 */
async function runExisting(executor: LfExecutor, args: GenerateArgs, sources: string[], data: CliData, labels: string[]) {
  const engine = new AnalysisEngine(executor, {
    task: args.task,
    labels,
    sample: data.sample,
    dev: data.dev,
    lfFiles: args.lfs,
    lfFilesListedIn: args.lfsListedIn,
    timeoutMs: args.timeoutMs,
    readRoot: args.workspace,
    hiddenFiles: args.hiddenFiles,
  });
  for (const [i, file] of args.lfs.entries()) {
    await engine.runFile(file, sources[i]);
    const fileError = engine.fileResult(file)?.fileError;
    if (fileError) {
      throw new CliError(`${file}${fileError.line ? `:${fileError.line}` : ''}: ${sanitizeLine(fileError.message)} (fix the existing LF file first)`);
    }
  }
  const snap = engine.snapshot();
  return { existingNames: snap.lfNames, existingSampleVotes: snap.sampleVotes, existingDevVotes: snap.devVotes };
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
  io.stderr(`lf-studio generate: ${sanitizeLine(redactKey(message, apiKey))}\n`);
  return code;
}

async function parse(argv: string[]): Promise<GenerateArgs | 'help'> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...DATA_OPTIONS,
        project: { type: 'string' },
        task: { type: 'string' },
        tier: { type: 'string', default: 'lfs' },
        n: { type: 'string', default: '5' },
        heuristics: { type: 'string' },
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
  const project: Project | null = values.project !== undefined ? await loadCliProject(values.project) : null;
  const data = checkDataOptions(values, 'generate', project);
  const task = values.task ?? project?.task ?? '';
  if (!task.trim()) {
    throw new CliError(
      project
        ? `--task TEXT is required: "task" in ${project.file} is empty (write what the labels mean there, or pass --task)`
        : '--task TEXT is required (see lf-studio generate --help)',
    );
  }
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
    task,
    tier,
    n,
    heuristics: values.heuristics ?? project?.heuristics ?? '',
    labelDescriptions: project?.labelDescriptions ?? {},
    model: values.model ?? DEFAULT_MODEL,
    thresholds,
    workspace: resolve(values.workspace ?? project?.root ?? process.cwd()),
  };
}

const num = (x: number | null | undefined): string => (x === null || x === undefined ? '  -  ' : x.toFixed(3));

function listing(record: GenerationRecord, savedTo: string): string {
  const lines: string[] = [];
  for (const w of record.warnings) lines.push(`warning: ${w}`);
  for (const c of record.candidates) {
    const s = c.score;
    lines.push(
      `#${c.rank} ${c.passed ? 'PASS' : 'FAIL'} ${sanitizeLine(c.name)}  coverage ${num(s?.coverage)}  est.acc ${num(s?.estimatedAccuracy)}  dev.acc ${num(s?.devAccuracy)}  overlap ${num(s?.maxOverlap)}`,
      `   ${sanitizeLine(c.reason)}`,
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

