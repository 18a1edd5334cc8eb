// A user-facing CLI failure: printed as one line, no stack trace, non-zero exit; and a quiet exit with a code.

export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Ends the command with `exitCode` and prints nothing more (it already said how it ended, e.g. stopped by a signal). */
export class QuietExit extends Error {
  readonly exitCode: number;
  constructor(exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'QuietExit';
    this.exitCode = exitCode;
  }
}
