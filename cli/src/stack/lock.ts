// One stack per state folder and free ports before anything starts: <home>/pmm.lock names the running pmm
// start (pid, ports); a live holder or a taken port stops a second start before it touches any state.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { CliError } from '../util/cli-error';

export interface StackPorts {
  readonly sync: number;
  readonly edge: number;
  /** null when the app is not served. */
  readonly ui: number | null;
}

interface LockFile {
  readonly pid: number;
  readonly started_at: string;
  readonly ports: StackPorts;
}

export function lockPath(home: string): string {
  return path.join(home, 'pmm.lock');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(file: string): Promise<LockFile | null> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<LockFile>;
    return typeof parsed.pid === 'number' && parsed.ports ? (parsed as LockFile) : null;
  } catch {
    return null;
  }
}

const where = (ports: StackPorts) =>
  `sync server :${ports.sync}, edge :${ports.edge}${ports.ui === null ? '' : `, app :${ports.ui}`}`;

/** Resolves when `port` can be bound on 127.0.0.1, or fails naming what it is for and how to change it. */
function checkPortFree(port: number, what: string, variable: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new CliError(
          error.code === 'EADDRINUSE'
            ? `port ${port} (${what}) is taken by something else: stop it, or choose another port with ${variable}`
            : `cannot listen on 127.0.0.1:${port} (${what}): ${error.message}`,
        ),
      );
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve()));
  });
}

/**
 * Takes <home>/pmm.lock for this process, or fails with one line: pmm already running there (pid, ports), or
 * a port taken by something else. A lock left by a process that no longer runs is taken over.
 * Returns the release function.
 */
export async function acquireStackLock(home: string, ports: StackPorts): Promise<() => Promise<void>> {
  const file = lockPath(home);
  await mkdir(home, { recursive: true });
  const mine: LockFile = { pid: process.pid, started_at: new Date().toISOString(), ports };
  let taken = false;
  for (let attempt = 0; attempt < 3 && !taken; attempt++) {
    try {
      await writeFile(file, `${JSON.stringify(mine, null, 2)}\n`, { flag: 'wx' });
      taken = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = await readLock(file);
      if (held && held.pid !== process.pid && alive(held.pid)) {
        throw new CliError(
          `pmm is already running on ${home} (pid ${held.pid}: ${where(held.ports)}; lock ${file})`,
        );
      }
      // Stale (its process is gone) or unreadable: take it over.
      await rm(file, { force: true });
    }
  }
  if (!taken) throw new CliError(`could not take ${file}: another pmm start keeps taking it`);
  const release = async () => {
    const held = await readLock(file);
    if (held?.pid === process.pid) await rm(file, { force: true });
  };
  try {
    await checkPortFree(ports.sync, 'sync server', 'PMM_SYNC_PORT');
    await checkPortFree(ports.edge, 'edge API', 'PMM_EDGE_PORT');
    if (ports.ui !== null) await checkPortFree(ports.ui, 'analyst app', 'PMM_UI_PORT');
  } catch (error) {
    await release();
    throw error;
  }
  return release;
}
