/**
 * The files of an exported Dask job (`lf-studio export-job --out DIR`):
 *
 *   DIR/run.py               the driver: python3 DIR/run.py --input ... --output ... [--scheduler ...]
 *   DIR/lfstudio_runtime/    what each task runs: read a partition, apply the LFs and the label model, write it
 *   DIR/snorkel_compat.py    the Snorkel labeling API, served as `snorkel` where Snorkel is not installed
 *   DIR/label_model.json     the fitted label model's parameters (modelParams.ts)
 *   DIR/job.json             classes, data fields, and the LF files with their LFs in column order
 *   DIR/lfs/...              the project's LF files, byte for byte, and the files they need beside them: the
 *                            helper modules next to them and the workspace files they read (resource files,
 *                            packages), so the job runs where none of the project's files are
 *   DIR/README.md            how to run it
 *
 * The Python sources are bundled as text (.py files are loaded as strings by the build).
 */
import { basename, dirname, relative, sep } from 'node:path';
import runPy from './python/run.py';
import runtimeInit from './python/lfstudio_runtime/__init__.py';
import runtimeApply from './python/lfstudio_runtime/apply.py';
import runtimeErrors from './python/lfstudio_runtime/errors.py';
import runtimeInputs from './python/lfstudio_runtime/inputs.py';
import runtimeJsJson from './python/lfstudio_runtime/js_json.py';
import runtimeJsonShapes from './python/lfstudio_runtime/json_shapes.py';
import runtimeLabelModel from './python/lfstudio_runtime/label_model.py';
import runtimeLfFiles from './python/lfstudio_runtime/lf_files.py';
import runtimePartition from './python/lfstudio_runtime/partition.py';
import runtimeRows from './python/lfstudio_runtime/rows.py';
// The editor's row classes (a link to sandbox/python/lf_row_class.py): LFs see the same rows in the job.
import runtimeRowClass from './python/lfstudio_runtime/row_class.py';
// The editor's nested JSON values (a link to sandbox/python/lf_nested.py).
import runtimeNested from './python/lfstudio_runtime/nested.py';
// The editor's reading of what an LF returns (a link to sandbox/python/lf_votes.py).
import runtimeVotes from './python/lfstudio_runtime/votes.py';
// The editor's statement-by-statement top level and LF discovery (a link to sandbox/python/lf_statements.py).
import runtimeStatements from './python/lfstudio_runtime/statements.py';
// The editor's snorkel stand-in, served by the job as its `snorkel` modules where Snorkel is not installed.
import compatPy from '../sandbox/python/snorkel/_compat.py';
import type { LabelModelParams } from './modelParams.ts';

export const JOB_FORMAT = 'lf-studio-job/1';

/** The job's runtime package, module by module (its __init__.py lists them). */
const RUNTIME_PACKAGE: Record<string, string> = {
  '__init__.py': runtimeInit,
  'apply.py': runtimeApply,
  'errors.py': runtimeErrors,
  'inputs.py': runtimeInputs,
  'js_json.py': runtimeJsJson,
  'json_shapes.py': runtimeJsonShapes,
  'label_model.py': runtimeLabelModel,
  'lf_files.py': runtimeLfFiles,
  'nested.py': runtimeNested,
  'partition.py': runtimePartition,
  'row_class.py': runtimeRowClass,
  'rows.py': runtimeRows,
  'statements.py': runtimeStatements,
  'votes.py': runtimeVotes,
};

export interface JobLfFile {
  /** Absolute path of the project's file. */
  file: string;
  source: string;
  /** Its LFs' names, in the label model's column order. */
  lfs: string[];
}

/** A file the LF files need (a helper module, a resource file), copied into the job. */
export interface JobSupportFile {
  /** Absolute path of the project's file. */
  file: string;
  content: Buffer;
}

export interface JobInput {
  classes: string[];
  data: { textField: string; labelField: string; idField: string | null };
  lfFiles: JobLfFile[];
  supportFiles?: JobSupportFile[];
  model: LabelModelParams;
  training: { data: string; dev: string | null; rows: number; devRows: number | null };
}

export interface JobFile {
  /** Path inside DIR, '/'-separated. */
  path: string;
  content: string | Buffer;
  executable?: boolean;
}

/**
 * Where each LF file goes inside DIR (lfs/ plus its path relative to the files' common folder) and the module
 * name it is executed as: its stem, as in the editor, so files may import each other; a stem that is no
 * identifier (or repeats in another folder) gets a private name. `support`: the files copied beside them, which
 * share the common folder.
 */
export function jobLfPaths(files: string[], support: string[] = []): { path: string; module: string }[] {
  const root = jobRoot(files, support);
  const usedModules = new Set<string>();
  return files.map((file, i) => {
    const rel = relative(root, file).split(sep).join('/');
    const stem = basename(file).replace(/\.py$/, '');
    const module = /^[A-Za-z_][A-Za-z0-9_]*$/.test(stem) && !usedModules.has(stem) ? stem : `lf_module_${i}`;
    usedModules.add(module);
    return { path: `lfs/${rel}`, module };
  });
}

/** Where a support file goes inside DIR, beside the LF files as it lies beside them in the project. */
function supportPaths(lfFiles: string[], support: string[]): string[] {
  const root = jobRoot(lfFiles, support);
  return support.map((file) => `lfs/${relative(root, file).split(sep).join('/')}`);
}

/** The files to write into DIR. */
export function jobFiles(input: JobInput): JobFile[] {
  const support = input.supportFiles ?? [];
  const placed = jobLfPaths(
    input.lfFiles.map((f) => f.file),
    support.map((f) => f.file),
  );
  const supportAt = supportPaths(
    input.lfFiles.map((f) => f.file),
    support.map((f) => f.file),
  );
  const lfEntries = input.lfFiles.map((f, i) => ({ ...placed[i], original: f.file, lfs: f.lfs }));
  const job = {
    format: JOB_FORMAT,
    createdBy: 'lf-studio export-job',
    classes: input.classes,
    data: input.data,
    lfFiles: lfEntries,
    supportFiles: supportAt,
    training: input.training,
  };
  return [
    { path: 'run.py', content: runPy, executable: true },
    ...Object.entries(RUNTIME_PACKAGE).map(([file, content]) => ({ path: `lfstudio_runtime/${file}`, content })),
    { path: 'snorkel_compat.py', content: compatPy },
    { path: 'label_model.json', content: `${JSON.stringify(input.model, null, 1)}\n` },
    { path: 'job.json', content: `${JSON.stringify(job, null, 1)}\n` },
    ...input.lfFiles.map((f, i) => ({ path: lfEntries[i].path, content: f.source })),
    ...support.map((f, i) => ({ path: supportAt[i], content: f.content })),
    { path: 'README.md', content: readme(input, lfEntries.map((e) => e.path), supportAt) },
  ];
}

/**
 * The project folder the job's lfs/ stands for: the files' common folder, but above every package they hold
 * (a folder with an __init__.py), so a package keeps its name in the job (`import label.lfs` still finds it).
 */
function jobRoot(files: string[], support: string[]): string {
  const all = [...files, ...support];
  return commonDir([...all, ...all.filter((f) => basename(f) === '__init__.py').map((f) => dirname(f))]);
}

/** The deepest folder holding every file. */
function commonDir(files: string[]): string {
  let dir = dirname(files[0]);
  while (!files.every((f) => f.startsWith(dir.endsWith(sep) ? dir : dir + sep))) {
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return dir;
}

function readme(input: JobInput, lfPaths: string[], supportAt: string[]): string {
  const m = input.model;
  return `# LF Studio labeling job

Applies ${m.lfs.length} labeling functions (${lfPaths.join(', ')}) and the label model fitted on
${input.training.rows} rows of ${basename(input.training.data)}${input.training.dev ? ` (dev set ${basename(input.training.dev)})` : ''}
(${m.name}; classes ${m.classes.join(', ')}) to any amount of data with Dask.

    python3 run.py --input 'data/*.jsonl' --output labels/                      # LocalCluster on this machine
    python3 run.py --input data.csv --output labels/ --scheduler tcp://HOST:8786 # an existing cluster
    python3 run.py --input data.csv --output labels/ --serial                   # one process, no Dask

Input: CSV, JSONL, .json (WRENCH or pandas to_json), or Parquet (with pyarrow). The text is read from the field
"${input.data.textField}"${input.data.labelField ? `; "${input.data.labelField}" is hidden from the LFs` : ''}.
Output: labels/part-00000.jsonl, ... one {"id", "probs", "label", "votes"} per input row, in input order,
and labels/_summary.json with coverage, label counts and per-LF error counts.

Workers need Python 3.9+ with NumPy (and pyarrow for Parquet), and the packages the LF files import; the LF
files${supportAt.length ? ` and the ${supportAt.length} file(s) beside them in lfs/ (helper modules, resource files)` : ''}, the Snorkel stand-in (used
when \`import snorkel\` fails) and label_model.json are sent with the tasks: each worker writes the lfs/ files
to a folder of its own and runs each LF file from its folder there, as the editor does. With --scheduler, the workers
must be able to read the input and write the output folder. The LFs run as plain Python here, outside LF
Studio's sandbox: run only LF files you trust.
`;
}
