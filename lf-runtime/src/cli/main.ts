// Entry point of the CLI bundle (dist/cli.js, run as `lf-studio`): dispatches subcommands and turns any
// escaped error into one line on stderr and a non-zero exit, never a stack trace.
import { runAnalyzeCommand } from './analyzeCommand.ts';
import { safeIo, type CliIo } from './cliIo.ts';
import { runExportJobCommand } from './exportJobCommand.ts';
import { runFitCommand } from './fitCommand.ts';
import { runGenerateCommand } from './generateCommand.ts';
import { runLabelCommand } from './labelCommand.ts';
import { runSuggestCommand } from './suggestCommand.ts';
import { sanitizeLine } from '../text/controlChars.ts';

const USAGE = `usage: lf-studio <command> [options]

commands:
  analyze   --project lfstudio.json  or  --lfs FILE.py [--lfs FILE.py ...] --data FILE [--dev FILE]  [--json]
            run LF files (in the sandbox, or your Python for packages it lacks) as one project and print
            LFAnalysis figures (with each LF's file)
  fit       <wrench-dir> [--model NAME|all] [--json]
            fit label models on WRENCH weak labels
  generate  --project lfstudio.json [...]  or  --lfs FILE.py --data FILE --task TEXT --labels A,B,... [...]
            ask the LLM for new LFs and score them against the existing ones
  label     --project lfstudio.json  or  --lfs FILE.py --data TRAIN [--dev DEV]  [--apply FILE] --out FILE.jsonl|.csv
            [--votes-out L.npy] [--uncovered abstain|predict] [--json]
            write training labels (probabilities, label, votes per row) from the LFs and the fitted label model
  export-job --project lfstudio.json  or  --lfs FILE.py --data TRAIN [--dev DEV]  --out DIR
            write a Python job that applies the LFs and the fitted label model with Dask (python3 DIR/run.py)
  suggest   --project lfstudio.json  or  --data TRAIN --dev LABELED  [--max-lfs N] [--seed S] [--out FILE.py] [--json]
            suggest LFs (keywords, phrases, patterns, field tests) learned from labeled rows, without an LLM

Run \`lf-studio <command> --help\` for a command's options.`;

type Command = (argv: string[], io: CliIo, env: NodeJS.ProcessEnv) => Promise<number>;

const commands: Record<string, Command> = {
  analyze: runAnalyzeCommand,
  fit: runFitCommand,
  generate: runGenerateCommand,
  label: runLabelCommand,
  'export-job': runExportJobCommand,
  suggest: runSuggestCommand,
};

// `lf-studio fit ... | head` closes stdout early: that is the reader being done, not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

async function main(argv: string[]): Promise<number> {
  // Every byte the CLI prints passes the sanitiser: LF names and error texts may carry escape sequences.
  const io: CliIo = safeIo({ stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) });
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.stdout(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`lf-studio: unknown command '${sanitizeLine(name)}' (expected one of: ${Object.keys(commands).join(', ')})\n`);
    return 2;
  }
  return command(rest, io, process.env);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`lf-studio: ${sanitizeLine(err instanceof Error ? err.message : String(err))}\n`);
    process.exitCode = 1;
  },
);
