// What a CLI subcommand writes to, so tests can run subcommands in-process and read their output.
import { sanitizeMultiline } from '../text/controlChars.ts';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/**
 * The same outputs with every write made terminal-safe (see text/controlChars.ts): LF names, exception texts
 * and printed output can carry escape sequences, and nothing a command prints may reach the terminal raw.
 * Line breaks and tabs stay, so tables and tracebacks keep their shape.
 */
export function safeIo(io: CliIo): CliIo {
  return { stdout: (s) => io.stdout(sanitizeMultiline(s)), stderr: (s) => io.stderr(sanitizeMultiline(s)) };
}

/** A usage or input problem: the dispatcher prints its message as one line and exits with `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A count with its noun, singular for one: `rowCount(1)` is "1 row", `rowCount(3)` "3 rows". */
export function rowCount(n: number): string {
  return `${n} ${n === 1 ? 'row' : 'rows'}`;
}
