// The pmm command line: builds the commander program from the command modules and maps errors to exit codes.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerBenchCommands } from './commands/bench';
import { registerBenchDrift } from './commands/bench-drift';
import { registerBenchDriftCsv } from './commands/bench-drift-csv';
import { registerBenchTrain } from './commands/bench-train';
import { registerDataCommands } from './commands/data';
import { registerDetectCommand } from './commands/detect';
import { registerDriftCommand } from './commands/drift';
import { registerEstimateCommand } from './commands/estimate';
import { registerImportCommand } from './commands/import';
import { registerModelsCommand } from './commands/models';
import { registerMultivariateCommand } from './commands/multivariate';
import { registerPredictCommand } from './commands/predict';
import { registerProfileCommands } from './commands/profile';
import { registerSimulateCommand } from './commands/simulate';
import { registerStartCommand } from './commands/start';
import { registerTrainCommand } from './commands/train';
import { CliError, QuietExit } from './util/cli-error';
import { handleClosedPipes } from './util/output';

const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export function buildProgram(): Command {
  const program = new Command('pmm')
    .description('pmm — production ML monitoring: train, serve, and watch a churn model for drift')
    .version(VERSION, '-V, --version', 'print the pmm version')
    // `pmm --version` prints pmm's; after a subcommand `--version` is its own (`pmm models alias --version V`).
    .enablePositionalOptions()
    // Errors are printed by main() as one `pmm: …` line; commander's own lines are left out.
    .configureOutput({ outputError: () => undefined })
    .exitOverride();
  registerStartCommand(program);
  registerDataCommands(program);
  registerTrainCommand(program);
  registerImportCommand(program);
  registerModelsCommand(program);
  registerPredictCommand(program);
  registerSimulateCommand(program);
  registerDriftCommand(program);
  registerProfileCommands(program);
  registerDetectCommand(program);
  registerEstimateCommand(program);
  registerMultivariateCommand(program);
  registerBenchCommands(program, [registerBenchDrift, registerBenchDriftCsv, registerBenchTrain]);
  return program;
}

/** The (sub)command that `args` (without node and the script) name, e.g. `bench drift`. */
function commandFor(program: Command, args: readonly string[]): Command {
  let command = program;
  for (const arg of args) {
    if (arg === '--') break;
    if (arg.startsWith('-')) continue;
    const sub = command.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!sub) break;
    command = sub;
  }
  return command;
}

/** The first `--flag` in `args` that `command` does not know, if any. */
function unknownFlag(command: Command, args: readonly string[]): string | undefined {
  const known = new Set<string>(['--help']);
  for (let c: Command | null = command; c; c = c.parent) {
    for (const option of c.options) if (option.long) known.add(option.long);
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    if (!arg.startsWith('--')) continue;
    const flag = arg.split('=')[0]!;
    if (!known.has(flag)) return flag;
    const option = command.options.find((o) => o.long === flag);
    if (option && (option.required || option.optional) && !arg.includes('=')) i++;
  }
  return undefined;
}

/** commander's message as one line: `unknown option '--x' (did you mean --y?)`. */
function oneLine(message: string): string {
  return message
    .replace(/^error: /, '')
    .replace(/\s*\n\s*\(Did you mean/i, ' (did you mean')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/** A mistyped flag beside a required one: name the mistyped flag (with commander's suggestion), not the missing one. */
function explainUnknownFlag(program: Command, args: readonly string[]): string | undefined {
  const command = commandFor(program, args);
  const flag = unknownFlag(command, args);
  if (!flag) return undefined;
  try {
    // commander's own message and suggestion (unknownOption is public in its JavaScript, not in its types).
    (command as unknown as { unknownOption(flag: string): never }).unknownOption(flag);
  } catch (error) {
    if (error instanceof CommanderError) return oneLine(error.message);
  }
  return `unknown option '${flag}'`;
}

/** Runs the CLI and returns the exit code; user errors print one line to stderr, never a stack trace. */
export async function main(argv: readonly string[]): Promise<number> {
  handleClosedPipes();
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return 0;
  } catch (error) {
    if (error instanceof QuietExit) return error.exitCode;
    if (error instanceof CommanderError) {
      // --help, --version, and the help shown for `pmm` alone: already printed.
      if (error.exitCode === 0 || error.code === 'commander.help') return error.exitCode;
      const message =
        error.code === 'commander.missingMandatoryOptionValue'
          ? (explainUnknownFlag(program, argv.slice(2)) ?? oneLine(error.message))
          : oneLine(error.message);
      process.stderr.write(`pmm: ${message}\n`);
      return error.exitCode;
    }
    if (error instanceof CliError) {
      process.stderr.write(`pmm: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`pmm: ${message}\n`);
    if (process.env.PMM_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
