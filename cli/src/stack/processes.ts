// Child processes of the local stack: each under a watchdog (its own process group, gone when pmm start goes),
// prefixed output, exit tracking, and a stop of every child in reverse order, forced after a bounded time.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WATCHDOG = path.join(path.dirname(fileURLToPath(import.meta.url)), 'watchdog.js');

export interface Managed {
  readonly name: string;
  /** How long it gets after SIGTERM before its group is killed. */
  readonly graceMs: number;
  /** The watchdog process; the part itself leads its own process group (`groupId`). */
  readonly child: ChildProcess;
  /** The part's process group id once the watchdog has reported it. */
  groupId(): number | undefined;
  /** Why it exited, or null while it runs. */
  exited(): string | null;
  /** Resolves when the watchdog (and so the part's whole group) has exited. */
  readonly done: Promise<void>;
  /** Last lines of its output, for error messages. */
  tail(): string;
}

const kill = (pid: number | undefined, signal: NodeJS.Signals) => {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
};

export class Supervisor {
  private readonly children: Managed[] = [];
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly log: (line: string) => void,
    /** How long a part gets to exit after SIGTERM before it is killed. */
    private readonly graceMs = 4_000,
    /** Told when a long-running part exits on its own (not stopped by stopAll). */
    private readonly onUnexpectedExit?: (name: string, why: string) => void,
  ) {
    // If this process exits without stopAll (an uncaught error, process.exit), take the children with it.
    // (After a SIGKILL of this process, each watchdog sees its IPC channel close and stops its part.)
    process.once('exit', () => this.killAllNow());
  }

  /** Starts a child under a watchdog; `show` decides which output lines reach the log (default: all). */
  spawn(
    name: string,
    command: string,
    args: string[],
    options: {
      cwd?: string;
      env?: NodeJS.ProcessEnv;
      show?: (line: string) => boolean;
      /** A step that is meant to end (migrations): its exit is not news. */
      oneShot?: boolean;
      /** Its own grace time (a database closing its files deserves more than a web server). */
      graceMs?: number;
    } = {},
  ): Managed {
    const graceMs = options.graceMs ?? this.graceMs;
    const child = spawn(process.execPath, [WATCHDOG, command, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, PMM_STOP_GRACE_MS: String(graceMs) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Its own process group: a Ctrl-C in the terminal reaches pmm start only, which stops the parts in order.
      detached: true,
    });
    let exit: string | null = null;
    let group: number | undefined;
    child.on('message', (message: { pid?: unknown }) => {
      if (typeof message?.pid === 'number') group = message.pid;
    });
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
    const done = new Promise<void>((resolve) => {
      child.on('exit', (code, signal) => {
        exit = signal ? `killed by ${signal}` : `exit code ${code}`;
        // A watchdog ends after its part's group is gone, unless it was killed itself: then take the group.
        if (group !== undefined) kill(-group, 'SIGKILL');
        if (!this.stopping && !(options.oneShot && code === 0)) this.log(`[${name}] exited (${exit})`);
        if (!this.stopping && !options.oneShot) this.onUnexpectedExit?.(name, exit);
        resolve();
      });
      child.on('error', (error) => {
        exit = error.message;
        resolve();
      });
    });
    const managed: Managed = {
      name,
      graceMs,
      child,
      groupId: () => group,
      exited: () => exit,
      done,
      tail: () => lines.slice(-10).join('\n'),
    };
    this.children.push(managed);
    return managed;
  }

  /** SIGKILL to every part's group and watchdog, now (last resort; used when this process exits). */
  killAllNow(): void {
    for (const managed of this.children) {
      if (managed.exited() !== null) continue;
      const group = managed.groupId();
      if (group !== undefined) kill(-group, 'SIGKILL');
      kill(managed.child.pid, 'SIGKILL');
    }
  }

  /**
   * Stops the children in reverse start order, each waited for: SIGTERM (the watchdog passes it to the part's
   * group and kills the group after the grace time), then SIGKILL from here if even that did not end it.
   */
  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      for (const managed of [...this.children].reverse()) {
        if (managed.exited() !== null) continue;
        kill(managed.child.pid, 'SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const forced = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            const group = managed.groupId();
            if (group !== undefined) kill(-group, 'SIGKILL');
            kill(managed.child.pid, 'SIGKILL');
            resolve();
          }, managed.graceMs + 2_000);
        });
        await Promise.race([managed.done, forced]);
        clearTimeout(timer);
        await managed.done;
      }
    })();
    return this.stopping;
  }
}
