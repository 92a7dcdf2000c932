/**
 * `lf-studio export-job (--project lfstudio.json | --lfs ... --data ...) --out DIR`: a self-contained Python job
 * that applies the project's LFs and its fitted label model to data of any size on a Dask cluster. The LF
 * files run in the sandbox over the training (and dev) rows exactly as for `lf-studio label`, the default
 * label model is fitted, and its parameters are written beside the LF files, a Snorkel stand-in and the
 * driver (see export/jobFiles.ts and export/modelParams.ts).
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DataError } from '../data/types.ts';
import { jobFiles, jobLfPaths, type JobSupportFile } from '../export/jobFiles.ts';
import { exportLabelModel, ModelExportError } from '../export/modelParams.ts';
import { count, ProjectRunError, runAndFit, runWarnings, undefinedLfErrors, type FittedProject } from '../export/projectFit.ts';
import { siblingModulePaths } from '../engine/siblingModules.ts';
import { LabelModelInputError } from '../labelModel/types.ts';
import type { Project } from '../project/projectFile.ts';
import type { HiddenFile, LfExecutor } from '../sandbox/types.ts';
import { MAX_RESOURCE_BYTES, WorkspaceFiles } from '../sandbox/workspaceFiles.ts';
import { sanitizeLine } from '../text/controlChars.ts';
import { checkDataOptions, DATA_OPTIONS, dataFormatsHelp, type ParsedDataOptions, readCliData, warnAboutInputs } from './cliData.ts';
import { CliError, safeIo, type CliIo } from './cliIo.ts';
import { loadCliProject } from './cliProject.ts';
import { checkRuntimeOptions, createCliExecutor, RUNTIME_HELP, RUNTIME_OPTIONS, type RuntimeArgs } from './cliRuntime.ts';

const HELP = `usage: lf-studio export-job (--project lfstudio.json | --lfs FILE.py [--lfs FILE.py ...] --data TRAIN [--dev DEV]) --out DIR

  Writes a Python job that applies the LFs and the fitted label model to data of any size with Dask:
    python3 DIR/run.py --input PATH_OR_GLOB --output OUT_DIR [--scheduler ADDRESS] [--partition-rows N]
  It writes OUT_DIR/part-*.jsonl with the rows "lf-studio label" writes ({"id", "probs", "label", "votes"}).

  --project FILE       lfstudio.json (or its folder): LF files, data, dev set, labels and fields from there
  --lfs FILE.py        labeling-function file; repeat for several (default with --project: its "lfFiles")
  --data TRAIN         rows the label model is fitted on: ${dataFormatsHelp(23)}
  --dev DEV            labeled dev set: chooses and calibrates the label model, as in the editor
  --out DIR            folder for the job (created; must be empty unless --force)
  --force              write into a folder that is not empty (files of an earlier export are replaced)
  --json               print a JSON summary instead of text
  --text-field NAME    field that holds the text (default: the project's, else text)
  --label-field NAME   gold label field, hidden from LFs (default: the project's, else label)
  --id-field NAME      field whose values are the row ids (unique; default: the project's, else WRENCH keys,
                       1-based CSV record or JSONL line numbers)
  --labels A,B,...     class names in class-id order (default: the project's, label.json beside the data,
                       else ids from the gold labels)
  --timeout-ms N       wall-clock budget per LF on the training rows (default: 30000)
${RUNTIME_HELP}`;

interface ExportArgs extends ParsedDataOptions {
  out: string;
  force: boolean;
  runtime: RuntimeArgs;
}

export interface ExportJobDeps {
  createExecutor?: () => LfExecutor;
}

export async function runExportJobCommand(argv: string[], rawIo: CliIo, _env: NodeJS.ProcessEnv = {}, deps: ExportJobDeps = {}): Promise<number> {
  const io = safeIo(rawIo);
  const progress = (line: string) => io.stderr(`lf-studio export-job: ${line}\n`);
  let executor: LfExecutor | null = null;
  try {
    const args = await parse(argv);
    if (args === 'help') {
      io.stdout(`${HELP}\n`);
      return 0;
    }
    executor = deps.createExecutor
      ? deps.createExecutor()
      : createCliExecutor(args.runtime, Math.min(2, args.lfs.length), { files: args.lfs.length, data: [args.data, args.dev] });
    progress('reading data');
    const data = await readCliData(args);
    warnAboutInputs(io, 'export-job', args, data);
    const labels = data.labels ?? ['0', '1'];
    const sources = args.lfs.map((f) => readFileSync(f, 'utf8'));
    const project = await runAndFit({
      executor,
      lfFiles: args.lfs,
      sources,
      labels,
      sample: data.sample,
      dev: data.dev,
      timeoutMs: args.timeoutMs,
      readRoot: args.runtime.workspace,
      hiddenFiles: args.hiddenFiles,
      progress,
    });
    for (const file of args.lfs) {
      const names = project.lfs.filter((lf) => lf.file === file).map((lf) => lf.name);
      const twice = names.find((n, i) => names.indexOf(n) !== i);
      if (twice) throw new CliError(`${file}: two LFs are named '${twice}'; the job finds LFs by name, so give each a unique name`, 1);
    }
    progress('writing the label model as parameters and checking them against it');
    const support = supportFiles(project.lfFiles, new WorkspaceFiles(args.runtime.workspace), project.hiddenFiles);
    const placed = jobLfPaths(
      args.lfs,
      support.map((f) => f.file),
    );
    const lfs = project.lfs.map((lf) => ({ name: lf.name, file: placed[args.lfs.indexOf(lf.file)].path }));
    const model = exportLabelModel({ fit: project.fit, trainL: project.trainL, dev: project.dev, classes: labels, lfs });
    const files = jobFiles({
      classes: labels,
      data: { textField: args.textField, labelField: args.labelField, idField: args.idField },
      lfFiles: project.lfFiles.map(({ file, source }) => ({ file, source, lfs: project.lfs.filter((lf) => lf.file === file).map((lf) => lf.name) })),
      supportFiles: support,
      model,
      training: { data: data.sample.path, dev: data.dev?.path ?? null, rows: project.trainL.n, devRows: project.dev ? project.dev.L.n : null },
    });
    mkdirSync(args.out, { recursive: true });
    for (const f of files) {
      const path = join(args.out, ...f.path.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content);
      if (f.executable) chmodSync(path, 0o755);
    }
    // The model was fitted on these votes: an LF that failed here (a package missing) abstained in the fit.
    const warnings = [
      ...runWarnings(project),
      ...project.lfFiles
        .filter((f) => f.runtime === 'python')
        .map(
          (f) =>
            `${f.file} ran in your own Python: the job's workers need the packages it imports, ` +
            'and only the helper modules and packages beside it are copied into the job (resource files it reads are not; put them beside it in the job\'s lfs/ folder)',
        ),
    ];
    for (const line of warnings) io.stderr(`lf-studio export-job: warning: ${sanitizeLine(line)}\n`);
    const summary = {
      out: args.out,
      warnings,
      files: files.map((f) => f.path),
      model: model.name,
      scorer: model.scorer.kind,
      classes: labels,
      lfs: model.lfs.map((lf) => lf.name),
      overrides: model.overrides.map((o) => ({ narrow: model.lfs[o.narrow].name, broad: model.lfs[o.broad].name })),
      trainRows: project.trainL.n,
      devRows: project.dev ? project.dev.L.n : null,
      checkedRows: model.fit.checkedRows,
      maxDifference: model.fit.maxDifference,
    };
    if (args.json) io.stdout(`${JSON.stringify(summary)}\n`);
    else {
      io.stdout(
        [
          `wrote the job to ${args.out} (${files.length} files)`,
          `label model: ${model.name} (${model.scorer.kind}), fitted on ${count(summary.trainRows)} rows; ` +
            `its parameters reproduce it to ${model.fit.maxDifference.toExponential(1)} on ${count(model.fit.checkedRows)} checked vote patterns`,
          `LFs: ${summary.lfs.join(', ')}`,
          `run it: python3 ${join(args.out, 'run.py')} --input DATA --output OUT_DIR [--scheduler ADDRESS]`,
        ].join('\n') + '\n',
      );
    }
    const undefinedLfs = undefinedLfErrors(project);
    for (const line of undefinedLfs) io.stderr(`lf-studio export-job: ${sanitizeLine(line)}\n`);
    // As label: the job is written, but an LF that failed on every training row abstained in the fit.
    const dead = project.lfs.filter((lf) => project.trainL.n > 0 && (lf.train.errors >= project.trainL.n || lf.train.timedOut));
    for (const lf of dead) io.stderr(`lf-studio export-job: ${sanitizeLine(lf.name)} failed on every training row, so the label model was fitted with it abstaining (exit code 1)\n`);
    return undefinedLfs.length > 0 || dead.length > 0 ? 1 : 0;
  } catch (err) {
    if (
      err instanceof CliError ||
      err instanceof DataError ||
      err instanceof ProjectRunError ||
      err instanceof LabelModelInputError ||
      err instanceof ModelExportError
    ) {
      for (const line of err.message.split('\n')) io.stderr(`lf-studio export-job: ${sanitizeLine(line)}\n`);
      return err instanceof CliError || err instanceof ProjectRunError ? err.code : 1;
    }
    throw err;
  } finally {
    await executor?.dispose();
  }
}

/**
 * What the LF files need beside them, copied into the job: the helper modules next to each (which the sandbox
 * imports from there), the Python files of the packages beside a file that ran in the user's Python (which
 * reports no reads), and the workspace files the sandbox gave a file because it read them. LF files
 * themselves are not repeated. Each is read as the sandbox reads workspace files (WorkspaceFiles.readChecked).
 */
function supportFiles(lfFiles: FittedProject['lfFiles'], workspace: WorkspaceFiles, hidden: readonly HiddenFile[]): JobSupportFile[] {
  const own = new Set(lfFiles.map((f) => resolve(f.file)));
  const seen = new Set<string>();
  const out: JobSupportFile[] = [];
  for (const f of lfFiles) {
    // The packages beside a file the user's Python ran, the whole package a file lies in (its helpers may
    // import from the package above: `from ..shared import WORDS`), and the modules beside that package (the
    // folder above it is on the import path, as it is in the editor: `import common` from label/lfs/kw.py).
    const root = packageRoot(dirname(f.file));
    const packages = [
      ...(f.runtime === 'python' ? packageModulePaths(dirname(f.file)) : []),
      ...(root ? [...packageModulePaths(dirname(root), basename(root)), ...siblingModulePaths(root)] : []),
    ];
    for (const path of [...siblingModulePaths(f.file), ...packages, ...f.reads].map((p) => resolve(p))) {
      if (own.has(path) || seen.has(path)) continue;
      seen.add(path);
      // As the sandbox reads them: nothing outside the workspace, no gold labels, no device or pipe. One gone
      // since the run is left out: the job then fails on it as the editor would.
      const content = workspace.readChecked(path, MAX_RESOURCE_BYTES, hidden);
      if (content) out.push({ file: path, content });
    }
  }
  return out;
}

/** Most package files, and folder depth, taken from beside one LF file. */
const MAX_PACKAGE_FILES = 500;
const MAX_PACKAGE_DEPTH = 6;

/**
 * The outermost package (folder with an __init__.py, named as a module) that `dir` lies in, or null; `dir`
 * itself may lack an __init__.py inside one (a namespace portion: hmm/labeling/ in hmm/).
 */
function packageRoot(dir: string): string | null {
  let root: string | null = null;
  const start = !existsSync(join(dir, '__init__.py')) && /^[A-Za-z_]\w*$/.test(basename(dir)) ? dirname(dir) : dir;
  for (let d = start; existsSync(join(d, '__init__.py')) && /^[A-Za-z_]\w*$/.test(basename(d)); d = dirname(d)) {
    root = d;
    if (dirname(d) === d) break;
  }
  return root;
}

/**
 * The .py files of the packages (folders with an __init__.py) in `dir`, subpackages included, within bounds;
 * with `only`, of that package alone.
 */
function packageModulePaths(dir: string, only?: string): string[] {
  const out: string[] = [];
  const walk = (folder: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(folder).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (out.length >= MAX_PACKAGE_FILES) return;
      const path = join(folder, name);
      try {
        const st = statSync(path);
        if (st.isFile() && name.endsWith('.py') && depth > 0) out.push(path);
        else if (st.isDirectory() && depth < MAX_PACKAGE_DEPTH && /^[A-Za-z_]\w*$/.test(name) && (depth > 0 || only === undefined || name === only) && existsSync(join(path, '__init__.py'))) walk(path, depth + 1);
      } catch {
        // Vanished meanwhile.
      }
    }
  };
  walk(dir, 0);
  return out;
}

async function parse(argv: string[]): Promise<ExportArgs | 'help'> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { ...DATA_OPTIONS, ...RUNTIME_OPTIONS, project: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean', default: false } },
    }));
  } catch (err) {
    throw new CliError(`${(err as Error).message} (see lf-studio export-job --help)`);
  }
  if (values.help) return 'help';
  if (!values.out) throw new CliError('--out DIR is required: the folder to write the job to (see lf-studio export-job --help)');
  const out = resolve(values.out);
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new CliError(`--out ${values.out} is a file; give a folder for the job`);
    if (readdirSync(out).length > 0 && !values.force) {
      throw new CliError(`--out ${values.out} is not empty; choose a new folder, or pass --force to write into it`);
    }
  } else if (!existsSync(dirname(out))) {
    throw new CliError(`--out ${values.out}: folder ${dirname(out)} does not exist; create it first`);
  }
  const project: Project | null = values.project !== undefined ? await loadCliProject(values.project) : null;
  const data = checkDataOptions(values, 'export-job', project);
  return { ...data, out, force: values.force ?? false, runtime: checkRuntimeOptions(values, data.workspace) };
}
