// Test helper: runs the real `pmm` executable in a child process and captures its output.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './paths';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): CliRun {
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'cli/bin/pmm.js'), ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    env: { ...process.env, ...options.env, FORCE_COLOR: '0' },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A user-facing failure: non-zero exit, exactly one line on stderr starting with `pmm:`, no stack trace. */
export function isCleanFailure(run: CliRun): boolean {
  const lines = run.stderr.trim().split('\n');
  return (
    run.code !== 0 && lines.length === 1 && lines[0]!.startsWith('pmm: ') && !/\n\s+at /.test(run.stderr)
  );
}
