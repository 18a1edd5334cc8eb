// Child processes of the local stack: prefixed output, exit tracking, and a clean stop of every child.
import { type ChildProcess, spawn } from 'node:child_process';

export interface Managed {
  readonly name: string;
  readonly child: ChildProcess;
  /** Why it exited, or null while it runs. */
  exited(): string | null;
  /** Last lines of its output, for error messages. */
  tail(): string;
}

export class Supervisor {
  private readonly children: Managed[] = [];
  private stopping = false;

  constructor(private readonly log: (line: string) => void) {
    // If this process goes away without stopAll (an uncaught error, process.exit), take the children with it.
    process.once('exit', () => this.killAllNow());
  }

  /** Starts a child in its own process group; `show` decides which output lines reach the log (default: all). */
  spawn(
    name: string,
    command: string,
    args: string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv; show?: (line: string) => boolean } = {},
  ): Managed {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let exit: string | null = null;
    const lines: string[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split(/\r?\n/)) {
        if (!line.trim()) continue;
        lines.push(line);
        if (lines.length > 40) lines.shift();
        if (options.show?.(line) ?? true) this.log(`[${name}] ${line}`);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code, signal) => {
      exit = signal ? `killed by ${signal}` : `exit code ${code}`;
      if (!this.stopping) this.log(`[${name}] exited (${exit})`);
    });
    child.on('error', (error) => {
      exit = error.message;
    });
    const managed: Managed = { name, child, exited: () => exit, tail: () => lines.slice(-10).join('\n') };
    this.children.push(managed);
    return managed;
  }

  private killAllNow(): void {
    for (const managed of this.children) {
      if (managed.exited() !== null || managed.child.pid === undefined) continue;
      try {
        process.kill(-managed.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** Stops children in reverse start order: SIGTERM to the process group, SIGKILL after `graceMs`. */
  async stopAll(graceMs = 8_000): Promise<void> {
    this.stopping = true;
    for (const managed of [...this.children].reverse()) {
      const { child } = managed;
      if (managed.exited() !== null || child.pid === undefined) continue;
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        continue;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, graceMs);
      await done;
      clearTimeout(timer);
    }
  }
}
