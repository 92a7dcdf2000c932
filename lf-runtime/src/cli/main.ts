// Entry point of the CLI bundle (dist/cli.js, run as `lf-studio`): dispatches subcommands and turns any
// escaped error into one line on stderr and a non-zero exit, never a stack trace.
import { runAnalyzeCommand } from './analyzeCommand.ts';
import type { CliIo } from './cliIo.ts';
import { runFitCommand } from './fitCommand.ts';
import { runGenerateCommand } from './generateCommand.ts';

const USAGE = `usage: lf-studio <command> [options]

commands:
  analyze   --lfs FILE.py --data FILE [--dev FILE] [--json]   run LFs in the sandbox and print LFAnalysis figures
  fit       <wrench-dir> [--model NAME|all] [--json]          fit label models on WRENCH weak labels
  generate  --lfs FILE.py --data FILE --task TEXT [...]       ask the LLM for new LFs and score them

Run \`lf-studio <command> --help\` for a command's options.`;

type Command = (argv: string[], io: CliIo, env: NodeJS.ProcessEnv) => Promise<number>;

const commands: Record<string, Command> = {
  analyze: runAnalyzeCommand,
  fit: runFitCommand,
  generate: runGenerateCommand,
};

// `lf-studio fit ... | head` closes stdout early: that is the reader being done, not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

async function main(argv: string[]): Promise<number> {
  const io: CliIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.stdout(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`lf-studio: unknown command '${name}' (expected one of: ${Object.keys(commands).join(', ')})\n`);
    return 2;
  }
  return command(rest, io, process.env);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`lf-studio: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
