/**
 * `lf-studio analyze --lfs FILE.py [--lfs FILE.py ...] --data FILE [--dev FILE] [--json]`: the editor's
 * numbers, headless. Runs each LF file in the same sandbox and through the same engine as the editor (one run
 * per file, as the language server does), combines their LFs into one project, and prints Snorkel's
 * LFAnalysis table (or JSON) with the file each LF came from.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DataError } from '../data/types.ts';
import { AnalysisEngine } from '../engine/analysisEngine.ts';
import type { FileProblem, ProjectAnalysis } from '../protocol.ts';
import type { LfExecutor } from '../sandbox/types.ts';
import { sanitizeLine } from '../text/controlChars.ts';
import { checkDataOptions, DATA_OPTIONS, dataFormatsHelp, type ParsedDataOptions, readCliData, warnAboutInputs } from './cliData.ts';
import { loadCliProject } from './cliProject.ts';
import { checkRuntimeOptions, createCliExecutor, RUNTIME_HELP, RUNTIME_OPTIONS, type RuntimeArgs } from './cliRuntime.ts';
import { CliError, safeIo, type CliIo } from './cliIo.ts';
import { analysisJsonText, analysisTable } from './analyzeOutput.ts';

const HELP = `usage: lf-studio analyze --lfs FILE.py [--lfs FILE.py ...] --data FILE [--dev FILE] [--json]
       lf-studio analyze --project lfstudio.json [options]   every LF file, the data and dev set of the project

  --lfs FILE.py        labeling-function file (Snorkel style); repeat it to analyze several files as one
                       project: all their LFs together in the figures and the label model, each file run
                       on its own, the file of each LF in the output
  --data FILE          unlabeled sample: ${dataFormatsHelp(23)}
  --dev FILE           labeled dev set (adds correct, incorrect and empirical accuracy)
  --json               print one JSON object instead of a table
  --text-field NAME    field that holds the text; LFs read it as x.NAME (default: the project's, else text)
  --label-field NAME   gold label field of the dev set (default: the project's, else label)
  --id-field NAME      field whose values are the row ids (unique; default: the project's, else WRENCH keys,
                       1-based CSV record or JSONL line numbers)
  --labels A,B,...     class names in class-id order, needed for gold labels written as names (default: the
                       project's, label.json beside the data, else ids from the gold labels)
  --timeout-ms N       wall-clock budget per LF (default: 30000)
  --project FILE       lfstudio.json (or its folder): its LF files, data, dev set, labels and fields, exactly
                       what the editor shows (flags given as well take precedence)
${RUNTIME_HELP}

Exit code: 0 when every file loaded and every LF ran; 1 when a file failed to load, a statement that
defines an LF raised (so the LF is missing), or an LF failed on every row of the sample or of the dev set
(figures are still printed), or the data could not be read; 2 for bad options. --json always prints one
object: {"error": ...} when the run stopped before any figures.`;

/** Seams for tests: the sandbox (the real one runs Python in a separate process). */
export interface AnalyzeDeps {
  createExecutor?: () => LfExecutor;
}

export async function runAnalyzeCommand(argv: string[], rawIo: CliIo, _env: NodeJS.ProcessEnv = {}, deps: AnalyzeDeps = {}): Promise<number> {
  const io = safeIo(rawIo);
  let executor: LfExecutor | null = null;
  try {
    const parsed = await parse(argv);
    if (parsed === 'help') {
      io.stdout(`${HELP}\n`);
      return 0;
    }
    const { args, runtime } = parsed;
    // Started before the data is read, so the sandbox restores its workers meanwhile. Each file is a unit of
    // trust that takes fresh workers: one spare per file to come, at most two.
    const sandbox = deps.createExecutor ? deps.createExecutor() : createCliExecutor(runtime, Math.min(2, args.lfs.length), { files: args.lfs.length, data: [args.data, args.dev] });
    executor = sandbox;
    const data = await readCliData(args);
    warnAboutInputs(io, 'analyze', args, data);
    const sources = args.lfs.map((file) => readFileSync(file, 'utf8'));
    const engine = new AnalysisEngine(sandbox, {
      task: '',
      labels: data.labels ?? ['0', '1'],
      sample: data.sample,
      dev: data.dev,
      lfFiles: args.lfs,
      lfFilesListedIn: args.lfsListedIn,
      timeoutMs: args.timeoutMs,
      readRoot: runtime.workspace,
      hiddenFiles: args.hiddenFiles,
    });
    const started = performance.now();
    for (const [i, file] of args.lfs.entries()) await engine.runFile(file, sources[i]);
    const analysis = engine.analyze(Math.round(performance.now() - started));
    const failures = [...fileFailures(engine, args, analysis), ...undefinedLfs(analysis), ...lfsFailingEverywhere(analysis)];
    const isolation = await sandbox.isolation();
    // One object (or table) whatever happened, file-level errors included; what failed goes to stderr too.
    io.stdout(args.json ? `${analysisJsonText(analysis, isolation, failures)}\n` : `${analysisTable(analysis, isolation)}\n`);
    for (const f of failures) io.stderr(`${f}\n`);
    // Files that load but leave something to fix (e.g. two LFs with one name): figures printed, problem named.
    const failedFiles = new Set(args.lfs.filter((f) => engine.fileResult(f)?.fileError || !engine.fileResult(f)?.lfs.length));
    // One line per distinct warning: a name used by several LFs, a missing import's cascade, say it once each.
    const warned = new Set<string>();
    for (const p of analysis.fileProblems.filter((fp) => !failedFiles.has(fp.file) && !fp.undefinedLfs)) {
      const line = `lf-studio analyze: warning: ${where(p)}: ${sanitizeLine(p.message)}\n`;
      if (!warned.has(line)) io.stderr(line);
      warned.add(line);
    }
    return failures.length > 0 ? 1 : 0;
  } catch (err) {
    // --json always prints one object: here, what stopped the run (also on stderr).
    if (argv.includes('--json')) io.stdout(`${JSON.stringify({ error: sanitizeLine(err instanceof Error ? err.message : String(err)) })}\n`);
    if (err instanceof CliError || err instanceof DataError) {
      io.stderr(`lf-studio analyze: ${sanitizeLine(err.message)}\n`);
      return err instanceof CliError ? err.code : 1;
    }
    throw err;
  } finally {
    await executor?.dispose();
  }
}

const where = (p: { file: string; line: number | null }) => `${p.file}${p.line ? `:${p.line}` : ''}`;

/**
 * One line per LF file that gives no figures: it failed to load, or defines no LFs. An empty table with exit 0
 * would look like a run that worked; this is what scripts must notice.
 */
function fileFailures(engine: AnalysisEngine, args: ParsedDataOptions, analysis: ProjectAnalysis): string[] {
  const out: string[] = [];
  for (const file of args.lfs) {
    const fileError = engine.fileResult(file)?.fileError;
    if (fileError) {
      out.push(`lf-studio: ${where({ file, line: fileError.line })}: ${sanitizeLine(fileError.message)}`);
      // The engine's word on defining LFs, when the file builds them in a function (the error is not why none was made).
      const hint = analysis.fileProblems.find((p) => p.file === file && p.severity === 'warning');
      if (hint) out.push(`lf-studio analyze: ${file}: ${sanitizeLine(hint.message)}`);
    } else if (!engine.fileResult(file)?.lfs.length) {
      // No LF at all. (A file whose LFs all come from another LF file of the project, listed in its lfs, is fine:
      // they count there.)
      const problem: FileProblem | undefined = analysis.fileProblems.find((p) => p.file === file);
      out.push(`lf-studio analyze: ${file}: ${sanitizeLine(problem?.message ?? 'no labeling functions found')}`);
    }
  }
  return out;
}

/**
 * Statements that raised where they define LFs (a decorator needing a package that is not installed): the file
 * ran on, but the LFs are missing from the figures, which a script must notice as a failure.
 */
function undefinedLfs(analysis: ProjectAnalysis): string[] {
  return analysis.fileProblems.filter((p) => p.undefinedLfs).map((p) => `lf-studio analyze: ${where(p)}: ${sanitizeLine(p.message)}`);
}

/**
 * LFs that raised (or timed out) on every sample row, or on every dev row: their figures (or their dev
 * figures) are empty, so the run did not work.
 */
function lfsFailingEverywhere(analysis: ProjectAnalysis): string[] {
  const sample = analysis.lfs
    .filter((lf) => analysis.rows > 0 && (lf.timedOut || lf.errors >= analysis.rows))
    .map((lf) => `lf-studio analyze: ${where({ file: lf.file, line: lf.line })}: ${sanitizeLine(lf.name)} failed on every row${lf.firstError ? `: ${sanitizeLine(lf.firstError.message)}` : ''}`);
  const devRows = analysis.devRows ?? 0;
  const dev = analysis.lfs
    .filter((lf) => devRows > 0 && !(lf.timedOut || lf.errors >= analysis.rows) && (lf.devErrors ?? 0) >= devRows)
    .map(
      (lf) =>
        `lf-studio analyze: ${where({ file: lf.file, line: lf.line })}: ${sanitizeLine(lf.name)} failed on every dev row, so its dev figures are empty` +
        `${lf.devFirstError ? `: ${sanitizeLine(lf.devFirstError.message)}` : ''} (do the dev file's fields match the sample's?)`,
    );
  return [...sample, ...dev];
}

async function parse(argv: string[]): Promise<{ args: ParsedDataOptions; runtime: RuntimeArgs } | 'help'> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: { ...DATA_OPTIONS, ...RUNTIME_OPTIONS, project: { type: 'string' } } }));
  } catch (err) {
    throw new CliError(`${(err as Error).message} (see lf-studio analyze --help)`);
  }
  if (values.help) return 'help';
  const project = values.project !== undefined ? await loadCliProject(values.project) : null;
  const args = checkDataOptions(values, 'analyze', project);
  return { args, runtime: checkRuntimeOptions(values, args.workspace) };
}
