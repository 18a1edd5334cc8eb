// The REAL sync server (src/server.ts) as a child process for other packages' tests and benches: PGlite in a temp
// dir, or a scratch PostgreSQL database when DATABASE_URL is set. stop()/kill()/restart() take it away and back.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createScratchDatabase } from './scratch-database';

const PACKAGE_DIR = path.resolve(import.meta.dirname, '../..');

export type StoreInfo =
  | { readonly kind: 'pglite'; readonly dir: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly database: string };

export interface RequestOptions {
  /** Bearer token: the admin token unless given; null sends none. */
  readonly token?: string | null;
  readonly json?: unknown;
  readonly headers?: Record<string, string>;
}

export interface RealSyncServer {
  /** `http://127.0.0.1:<port>`: the same across restarts (unless `restart({ port })` says otherwise). */
  readonly url: string;
  readonly port: number;
  readonly store: StoreInfo;
  readonly running: boolean;
  readonly adminToken: string;
  readonly readToken: string;
  /** Everything the current (or last) process printed. */
  output(): string;
  /** A request to the running server (admin token unless `token` says otherwise). */
  request(method: string, pathAndQuery: string, options?: RequestOptions): Promise<Response>;
  /** `request` that throws unless the status is 2xx, returning the JSON body. */
  call<T = unknown>(method: string, pathAndQuery: string, options?: RequestOptions): Promise<T>;
  /** SIGTERM and wait for the exit (the server closes its connections, then the database). */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit (a crash: nothing is closed). */
  kill(): Promise<void>;
  /** Starts it again on the same store; on the same port unless `port` is given (0: any free port). */
  restart(options?: { port?: number }): Promise<void>;
  /** Stops the process and deletes the store. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** PMM_ADMIN_TOKEN and PMM_READ_TOKEN (at least 16 characters, different). */
  readonly adminToken: string;
  readonly readToken: string;
  /** Names the temp dir and the scratch database (`<name>_<pid>_<random>`), e.g. `pmm_desktop`. */
  readonly name?: string;
  /** Extra environment for the server (e.g. PMM_SHAPE_PAGE_ROWS). */
  readonly env?: Record<string, string>;
  /** PostgreSQL to create a scratch database on; default process.env.DATABASE_URL; null forces PGlite. */
  readonly databaseUrl?: string | null;
  readonly readyTimeoutMs?: number;
}

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  output: string;
}

async function createStore(
  name: string,
  databaseUrl: string | undefined,
): Promise<{ info: StoreInfo; env: Record<string, string>; drop(): Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), `${name.replaceAll('_', '-')}-`));
  if (databaseUrl) {
    const scratch = await createScratchDatabase(databaseUrl, name);
    return {
      info: { kind: 'postgres', url: scratch.url, database: scratch.name },
      env: { PMM_HOME: root, DATABASE_URL: scratch.url },
      drop: async () => {
        await scratch.drop();
        await rm(root, { recursive: true, force: true });
      },
    };
  }
  const dir = path.join(root, 'db');
  return {
    info: { kind: 'pglite', dir },
    env: { PMM_HOME: root, PMM_DB_DIR: dir },
    drop: () => rm(root, { recursive: true, force: true }),
  };
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function spawnServer(env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const running: Running = {
    child,
    output: '',
    exited: new Promise<void>((resolve) =>
      child.once('exit', () => {
        live.delete(child);
        resolve();
      }),
    ),
  };
  child.stdout!.on('data', (d) => (running.output += d));
  child.stderr!.on('data', (d) => (running.output += d));
  return running;
}

/** Starts the real sync server on a fresh store and waits until `/ready` answers 200. */
export async function startRealSyncServer(options: StartOptions): Promise<RealSyncServer> {
  const databaseUrl =
    options.databaseUrl === null ? undefined : (options.databaseUrl ?? process.env['DATABASE_URL']);
  const store = await createStore(options.name ?? 'pmm_sync_test', databaseUrl || undefined);
  const { adminToken, readToken } = options;
  const baseEnv: Record<string, string> = {
    HOST: '127.0.0.1',
    PMM_ADMIN_TOKEN: adminToken,
    PMM_READ_TOKEN: readToken,
    // Registered test nodes usually point at nowhere: give up on pushing to them at once.
    PMM_PUSH_MAX_ATTEMPTS: '1',
    PMM_PUSH_TIMEOUT_MS: '1000',
    // Nothing inherited decides the store or puts the shapes behind an Electric proxy.
    DATABASE_URL: '',
    PMM_DB_DIR: '',
    ELECTRIC_URL: '',
    ...store.env,
    ...options.env,
  };
  let current: Running | null = null;
  let port = 0;
  let lastOutput = '';

  const launch = async (wanted: number): Promise<void> => {
    const proc = spawnServer({ ...baseEnv, PORT: String(wanted) });
    current = proc;
    let ended = false;
    void proc.exited.then(() => (ended = true));
    const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
    let url: string | undefined;
    while (Date.now() < deadline && !ended) {
      url ??= /listening on (http:\/\/\S+)/.exec(proc.output)?.[1];
      if (url) {
        const ready = await fetch(`${url}/ready`).catch(() => null);
        if (ready?.status === 200) {
          port = Number(new URL(url).port);
          return;
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    proc.child.kill('SIGKILL');
    await proc.exited;
    current = null;
    throw new Error(`the sync server did not become ready:\n${proc.output}`);
  };

  const end = async (signal: NodeJS.Signals) => {
    const proc = current;
    if (!proc) return;
    current = null;
    proc.child.kill(signal);
    await proc.exited;
    lastOutput = proc.output;
  };

  try {
    await launch(0);
  } catch (err) {
    await store.drop();
    throw err;
  }
  const fixedPort = port;

  const request = (method: string, pathAndQuery: string, o: RequestOptions = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    const token = o.token === undefined ? adminToken : o.token;
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    let body: string | undefined;
    if (o.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(o.json);
    }
    return fetch(`http://127.0.0.1:${port}${pathAndQuery}`, { method, headers, body });
  };

  return {
    get url() {
      return `http://127.0.0.1:${fixedPort}`;
    },
    get port() {
      return fixedPort;
    },
    store: store.info,
    get running() {
      return current !== null;
    },
    adminToken,
    readToken,
    output: () => (current as Running | null)?.output ?? lastOutput,
    request,
    async call<T>(method: string, pathAndQuery: string, o: RequestOptions = {}): Promise<T> {
      const response = await request(method, pathAndQuery, o);
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${pathAndQuery}: ${response.status} ${text}`);
      return (text ? JSON.parse(text) : null) as T;
    },
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    async restart(o = {}) {
      await end('SIGTERM');
      await launch(o.port ?? fixedPort);
    },
    async close() {
      await end('SIGTERM');
      await store.drop();
    },
  };
}
