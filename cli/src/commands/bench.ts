// `pmm bench`: the parent of the benchmark commands; each benchmark module registers its own subcommand.
import type { Command } from 'commander';

/** Adds a subcommand to the `bench` parent command. */
export type BenchRegistration = (bench: Command) => void;

/** Creates `pmm bench` and lets each benchmark (`drift`, `train`, …) add itself beneath it. */
export function registerBenchCommands(program: Command, subcommands: readonly BenchRegistration[]): Command {
  const bench = program.command('bench').description('benchmarks: time pmm on generated or reference data');
  for (const register of subcommands) register(bench);
  return bench;
}
