// `pmm start` as a user runs it: the real executable in its own process group on free (never the default)
// ports and a temp state folder. A second start stops at once; SIGTERM, SIGHUP and a SIGKILL of pmm start
// itself leave nothing listening; the next start comes up on the same state.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, listening, requireParts, telcoCsvPath } from '@pmm/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../util/paths';
import { runCli } from '../util/run-cli';

const ready = requireParts('the pmm start test', { 'Telco data': telcoCsvPath() });

/** Seconds until none of `ports` listens, or null when something still does after `timeoutMs`. */
async function secondsUntilFree(ports: number[], timeoutMs: number): Promise<number | null> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const busy = await Promise.all(ports.map(listening));
    if (!busy.some(Boolean)) return (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}

/** The pid of the sync server listening on `port` (found in /proc by its command line and PORT). */
function syncServerPid(port: number): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      // The server itself, not the watchdog that runs it (whose command line names it too).
      if (!cmdline.includes('sync-server/src/server.ts') || cmdline.includes('watchdog.js')) continue;
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (environ.includes(`PORT=${port}`)) return Number(entry);
    } catch {
      // gone, or not ours
    }
  }
  return null;
}

interface Started {
  readonly child: ChildProcess;
  output(): string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe.skipIf(!ready)('pmm start and stop', () => {
  const home = mkdtempSync(path.join(tmpdir(), 'pmm-start-'));
  const env: NodeJS.ProcessEnv = {};
  const running: Started[] = [];
  let ports: number[] = [];
  let firstVersion = '';

  beforeAll(async () => {
    ports = [await freePort(), await freePort(), await freePort()];
    Object.assign(env, {
      ...process.env,
      PMM_SYNC_PORT: String(ports[0]),
      PMM_EDGE_PORT: String(ports[1]),
      PMM_UI_PORT: String(ports[2]),
      PMM_HOME: home,
      // PGlite under the temp home: what npm start uses on a fresh clone.
      DATABASE_URL: '',
      FORCE_COLOR: '0',
    });
  });

  afterAll(async () => {
    for (const started of running) {
      if (started.child.exitCode === null && started.child.signalCode === null && started.child.pid) {
        try {
          process.kill(-started.child.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    rmSync(home, { recursive: true, force: true });
  });

  /** Starts `pmm start` in a process group of its own (as a terminal or service manager would). */
  const start = (extraEnv: NodeJS.ProcessEnv = {}): Started => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'cli/bin/pmm.js'), 'start'], {
      cwd: REPO_ROOT,
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let text = '';
    child.stdout?.on('data', (c: Buffer) => {
      text += c.toString();
    });
    child.stderr?.on('data', (c: Buffer) => {
      text += c.toString();
    });
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const started = { child, output: () => text, exit };
    running.push(started);
    return started;
  };

  const up = async (started: Started, timeoutMs: number): Promise<string> => {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      const match = /pmm is up in [\d.]+ s — production model (\S+)/.exec(started.output());
      if (match) return match[1]!;
      if (started.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`pmm start did not come up:\n${started.output()}`);
  };

  it('a second start stops at once with one line, and the first stack keeps serving', async () => {
    const first = start();
    firstVersion = await up(first, 240_000);
    expect(await Promise.all(ports.map(listening))).toEqual([true, true, true]);

    const t0 = Date.now();
    const second = runCli(['start'], { env });
    expect(second.code).not.toBe(0);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toMatch(
      new RegExp(
        `^pmm: pmm is already running on .* \\(pid ${first.child.pid}: sync server :${ports[0]}, edge :${ports[1]}, app :${ports[2]};`,
      ),
    );
    // Before touching anything: no data step, no migrations.
    expect(second.stdout).toBe('');
    expect(Date.now() - t0).toBeLessThan(15_000);

    // Another state folder on the same ports: the port is named as taken.
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'pmm-start-other-'));
    const third = runCli(['start', '--home', elsewhere], { env });
    rmSync(elsewhere, { recursive: true, force: true });
    expect(third.code).not.toBe(0);
    expect(third.stderr.trim()).toBe(
      `pmm: port ${ports[0]} (sync server) is taken by something else: stop it, or choose another port with PMM_SYNC_PORT`,
    );

    const serving = await fetch(`http://127.0.0.1:${ports[0]}/ready`);
    expect(serving.status).toBe(200);
    const edge = await fetch(`http://127.0.0.1:${ports[1]}/ready`);
    expect(edge.status).toBe(200);

    // SIGTERM to the process group, as a service manager or container runtime sends it.
    process.kill(-first.child.pid!, 'SIGTERM');
    const freed = await secondsUntilFree(ports, 15_000);
    expect(freed, `still listening 15 s after SIGTERM:\n${first.output()}`).not.toBeNull();
    expect(await first.exit).toEqual({ code: 128 + 15, signal: null });
    expect(first.output()).toMatch(/SIGTERM: stopping…\n[\s\S]*\nstopped\n$/);
  }, 300_000);

  it('SIGHUP (a closed terminal) stops everything too; the next start comes up on the same state', async () => {
    const again = start();
    expect(await up(again, 180_000)).toBe(firstVersion);
    expect(again.output()).not.toMatch(/training the first model/);
    process.kill(-again.child.pid!, 'SIGHUP');
    const freed = await secondsUntilFree(ports, 15_000);
    expect(freed, `still listening 15 s after SIGHUP:\n${again.output()}`).not.toBeNull();
    expect(await again.exit).toEqual({ code: 128 + 1, signal: null });
  }, 240_000);

  it('when pmm start itself is killed (SIGKILL), its parts go too, and the next start takes over', async () => {
    const doomed = start();
    expect(await up(doomed, 180_000)).toBe(firstVersion);
    // Only pmm start, not its group: the parts notice on their own.
    process.kill(doomed.child.pid!, 'SIGKILL');
    const freed = await secondsUntilFree(ports, 15_000);
    expect(freed, 'still listening 15 s after pmm start was killed').not.toBeNull();

    const next = start();
    expect(await up(next, 180_000)).toBe(firstVersion);
    process.kill(-next.child.pid!, 'SIGINT');
    expect(await next.exit).toEqual({ code: 128 + 2, signal: null });
    expect(await secondsUntilFree(ports, 15_000)).not.toBeNull();
  }, 420_000);

  it('when a part dies on its own, pmm start stops the rest and exits 1 with one line', async () => {
    const started = start();
    await up(started, 180_000);
    const pid = syncServerPid(ports[0]!);
    expect(pid, 'the sync server process').not.toBeNull();
    process.kill(pid!, 'SIGKILL');
    expect(await started.exit).toEqual({ code: 1, signal: null });
    expect(started.output()).toMatch(/(^|\n)pmm: the stack stopped: sync: killed by SIGKILL\n/);
    expect(await secondsUntilFree(ports, 15_000)).not.toBeNull();
  }, 300_000);
});
