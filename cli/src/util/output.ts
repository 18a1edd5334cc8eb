// Output helpers shared by the commands: --format parsing, JSON printing, and a quiet end on a closed pipe.
import { CliError } from './cli-error';

export type Format = 'text' | 'json';

/** Validates an option whose value is one of a fixed set, naming the option in the error. */
export function parseChoice<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CliError(`${option} must be one of ${allowed.join(', ')} (got "${value}")`);
}

/** Validates a `--format` value against the formats a command supports. */
export function parseFormat<T extends string>(value: string, allowed: readonly T[]): T {
  return parseChoice('--format', value, allowed);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Parses a number option, naming the option in the error. */
export function parseNumberOption(
  name: string,
  value: string,
  check?: (n: number) => boolean,
  rule?: string,
): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (check && !check(n))) {
    throw new CliError(`${name} must be ${rule ?? 'a number'} (got "${value}")`);
  }
  return n;
}

let closedPipe: () => void = () => process.exit(0);

/** What to do when the reader of stdout/stderr goes away (`pmm drift … | head`); default: exit quietly. */
export function onClosedPipe(handler: () => void): void {
  closedPipe = handler;
}

/** Installs the handlers that turn a closed stdout/stderr into a quiet end instead of a stack trace. */
export function handleClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // EPIPE: the pipe's reader exited; EIO: the terminal was closed.
      if (error.code !== 'EPIPE' && error.code !== 'EIO') throw error;
      stream.destroy();
      closedPipe();
    });
  }
}
