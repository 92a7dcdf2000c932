// What a CLI subcommand writes to, so tests can run subcommands in-process and read their output.
export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
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
