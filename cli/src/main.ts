// The pmm command line: builds the commander program from the command modules and maps errors to exit codes.
import { Command, CommanderError } from 'commander';
import { registerBenchCommands } from './commands/bench';
import { registerBenchDrift } from './commands/bench-drift';
import { registerBenchDriftCsv } from './commands/bench-drift-csv';
import { registerBenchTrain } from './commands/bench-train';
import { registerDataCommands } from './commands/data';
import { registerDriftCommand } from './commands/drift';
import { registerPredictCommand } from './commands/predict';
import { registerSimulateCommand } from './commands/simulate';
import { registerStartCommand } from './commands/start';
import { registerTrainCommand } from './commands/train';
import { CliError } from './util/cli-error';

export function buildProgram(): Command {
  const program = new Command('pmm')
    .description('pmm — production ML monitoring: train, serve, and watch a churn model for drift')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerStartCommand(program);
  registerDataCommands(program);
  registerTrainCommand(program);
  registerPredictCommand(program);
  registerSimulateCommand(program);
  registerDriftCommand(program);
  registerBenchCommands(program, [registerBenchDrift, registerBenchDriftCsv, registerBenchTrain]);
  return program;
}

/** Runs the CLI and returns the exit code; user errors print one line to stderr, never a stack trace. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
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
