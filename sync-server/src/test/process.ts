// Runs the real server (src/server.ts through tsx) as a child process, for crash and shutdown tests.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
  /** Resolves with the exit code (or signal) once the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnServer(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: ServerProcess['exited'];
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/** Starts the server and waits until /ready answers 200. */
export async function startServerProcess(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ServerProcess> {
  const proc = spawnServer(env);
  const deadline = Date.now() + timeoutMs;
  let url: string | undefined;
  let ended = false;
  proc.exited.then(() => (ended = true));
  while (Date.now() < deadline && !ended) {
    url ??= /listening on (http:\/\/\S+)/.exec(proc.output())?.[1];
    if (url) {
      const ready = await fetch(`${url}/ready`).catch(() => null);
      if (ready?.status === 200) return { ...proc, url };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.child.kill('SIGKILL');
  throw new Error(`server did not become ready:\n${proc.output()}`);
}
