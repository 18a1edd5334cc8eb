// The whole pmm system on one machine: sync server (PGlite or DATABASE_URL), the edge in workerd
// (wrangler dev), and the analyst app's renderer (Vite) — started in order, each waited for, stopped together.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fetchTelco } from '../commands/data';
import { trainToFolder } from '../commands/train';
import { CliError } from '../util/cli-error';
import { REPO_ROOT } from '../util/paths';
import { callJson, expectOk, waitForOk } from './http';
import { acquireStackLock } from './lock';
import { Supervisor } from './processes';
import { type DevTokens, devTokensPath, loadOrCreateDevTokens, saveDevTokens } from './tokens';

export const EDGE_NODE_ID = 'edge-local';

export interface StackOptions {
  /** Where local state lives: the PGlite data, the edge's D1/KV, tokens, trained models. */
  readonly home: string;
  readonly syncPort: number;
  readonly edgePort: number;
  readonly uiPort: number;
  /** A real PostgreSQL for the sync server; PGlite under `home` when absent. */
  readonly databaseUrl?: string | undefined;
  /** Serve the analyst app's renderer (Vite) too. */
  readonly ui: boolean;
  /** The edge's inference engine build: ORT (default) or pmm's lite evaluator. */
  readonly engine?: 'ort' | 'lite';
  /** How often to fire the edge's cron locally (wrangler dev does not run cron triggers by itself). */
  readonly cronIntervalMs?: number;
  /** Extra environment for the sync server (drift schedule, retrain policy, …). */
  readonly syncEnv?: Readonly<Record<string, string>>;
  /** Aborting stops every part started so far (a start in progress then rejects). */
  readonly signal?: AbortSignal;
  /** How long each part gets to exit after SIGTERM before it is killed (default 4 s; the sync server gets at least 10 s). */
  readonly stopGraceMs?: number;
  readonly log: (line: string) => void;
}

export interface Stack {
  readonly urls: { readonly sync: string; readonly edge: string; readonly ui: string | null };
  readonly tokens: DevTokens;
  readonly tokensFile: string;
  readonly productionVersion: string;
  /** Fires the edge's scheduled handler now: ship logs, pull the production model. */
  triggerEdgeCron(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves (with what happened) if a part exits on its own while the stack runs. */
  readonly failed: Promise<string>;
}

const node = process.execPath;

/** wrangler's local runtime tries to fetch the `Request.cf` object from the network; offline that is noise. */
const WRANGLER_NOISE = /Request\.cf|workers\.cloudflare\.com|GetAddrInfoReqWrap|^\s+at /;
const showWrangler = (line: string) => !WRANGLER_NOISE.test(line);
const bin = (pkg: string, file: string) => path.join(REPO_ROOT, 'node_modules', pkg, file);

interface ModelSummary {
  readonly version: string;
  readonly aliases?: readonly string[];
}

/** The production version, or else the model to promote: the newest registered, or a first one trained now. */
async function ensureFirstModel(stack: {
  sync: string;
  tokens: DevTokens;
  home: string;
  /** The verified Telco CSV. */
  data: string;
  log: (l: string) => void;
}): Promise<{ version: string; promoted: boolean }> {
  const { sync, tokens, home, log } = stack;
  const production = await callJson<{ version?: string }>(`${sync}/v1/models/@production`, {
    token: tokens.admin,
  });
  if (production.status === 200 && production.body.version) {
    return { version: production.body.version, promoted: true };
  }
  const listed = await expectOk<{ models: ModelSummary[] }>('listing models', `${sync}/v1/models`, {
    token: tokens.admin,
  });
  const newest = listed.models[0]?.version;
  if (newest) return { version: newest, promoted: false };
  log('registry is empty: training the first model on the Telco data');
  const out = path.join(home, 'models', 'initial');
  const card = await trainToFolder({ data: stack.data, out, seed: 0, progress: false });
  const onnx = await readFile(path.join(out, 'model.onnx'));
  await expectOk('registering the first model', `${sync}/v1/models`, {
    token: tokens.admin,
    body: { model: card, onnx_base64: onnx.toString('base64') },
  });
  log(`registered ${card.version} (holdout ROC AUC ${card.metrics.roc_auc.toFixed(4)})`);
  return { version: card.version, promoted: false };
}

/** Moves the production alias; the sync server then pushes the model to the (ready) edge. */
async function promoteFirstModel(sync: string, tokens: DevTokens, version: string, log: (l: string) => void) {
  await expectOk('promoting the first model', `${sync}/v1/models/${encodeURIComponent(version)}/aliases`, {
    token: tokens.admin,
    body: { alias: 'production', reason: 'first model, set by pmm start' },
  });
  log(`${version} is production`);
}

/** Registers the local edge node once; its ingest token is kept in the tokens file. */
async function ensureEdgeNode(stack: {
  sync: string;
  edge: string;
  tokens: DevTokens;
  home: string;
}): Promise<DevTokens> {
  const { sync, edge, tokens, home } = stack;
  const nodes = await expectOk<{ nodes: { node_id: string }[] }>('listing nodes', `${sync}/v1/nodes`, {
    token: tokens.admin,
  });
  const known = nodes.nodes.some((n) => n.node_id === EDGE_NODE_ID);
  if (known && tokens.ingest) return tokens;
  if (known) {
    throw new Error(
      `node ${EDGE_NODE_ID} is registered but ${devTokensPath(home)} has no ingest token: delete ${home} to start fresh`,
    );
  }
  const registered = await expectOk<{ ingest_token: string }>(
    'registering the edge node',
    `${sync}/v1/nodes`,
    {
      token: tokens.admin,
      body: { node_id: EDGE_NODE_ID, url: edge, admin_token: tokens.edge_admin },
    },
  );
  const updated = { ...tokens, ingest: registered.ingest_token };
  await saveDevTokens(home, updated);
  return updated;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const { log } = options;
  const home = path.resolve(options.home);
  const sync = `http://127.0.0.1:${options.syncPort}`;
  const edge = `http://127.0.0.1:${options.edgePort}`;
  const ui = options.ui ? `http://127.0.0.1:${options.uiPort}` : null;
  // Before anything else: one stack per state folder, and every port free (no migrations, no training).
  const releaseLock = await acquireStackLock(home, {
    sync: options.syncPort,
    edge: options.edgePort,
    ui: options.ui ? options.uiPort : null,
  });
  let partFailed: (why: string) => void = () => undefined;
  const failed = new Promise<string>((resolve) => {
    partFailed = resolve;
  });
  const supervisor = new Supervisor(log, options.stopGraceMs, (name, why) => partFailed(`${name}: ${why}`));
  let cronTimer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      if (cronTimer) clearInterval(cronTimer);
      await supervisor.stopAll();
      await releaseLock();
    })();
    return stopping;
  };
  const onAbort = () => void stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  /** Between steps: a stop requested while starting ends the start. */
  const checkStopped = () => {
    if (stopping) throw new CliError('stopped while starting');
  };
  try {
    checkStopped();
    let { tokens } = await loadOrCreateDevTokens(home);
    // The data step: the first model and every retraining run learn from the verified Telco CSV.
    const data = await fetchTelco({ out: path.join(REPO_ROOT, 'data', 'telco.csv') });
    log(`data: ${data.path} (sha256 verified, from ${data.source})`);

    log(
      `starting the sync server on ${sync} (${options.databaseUrl ? 'PostgreSQL from DATABASE_URL' : `PGlite in ${path.join(home, 'db')}`})`,
    );
    const syncProcess = supervisor.spawn(
      'sync',
      node,
      ['--import', 'tsx', path.join(REPO_ROOT, 'sync-server/src/server.ts')],
      {
        cwd: REPO_ROOT,
        env: {
          HOST: '127.0.0.1',
          PORT: String(options.syncPort),
          PMM_HOME: home,
          PMM_ADMIN_TOKEN: tokens.admin,
          PMM_READ_TOKEN: tokens.read,
          DATABASE_URL: options.databaseUrl ?? '',
          PMM_CORS_ORIGIN: `http://127.0.0.1:${options.uiPort},http://localhost:${options.uiPort}`,
          ...options.syncEnv,
        },
        // PGlite writes its files on close: give it time before anything is forced.
        graceMs: Math.max(10_000, options.stopGraceMs ?? 0),
      },
    );
    await waitForOk('the sync server', `${sync}/ready`, { timeoutMs: 180_000, alive: syncProcess.exited });
    log('sync server ready');

    checkStopped();
    // Promoted only once the edge is up, so the sync server's push of it reaches a listening edge.
    const first = await ensureFirstModel({ sync, tokens, home, data: data.path, log });
    const productionVersion = first.version;
    checkStopped();
    tokens = await ensureEdgeNode({ sync, edge, tokens, home });
    checkStopped();

    const persist = path.join(home, 'edge');
    const envFile = path.join(home, 'edge.env');
    await writeFile(envFile, `EDGE_ADMIN_TOKEN=${tokens.edge_admin}\nINGEST_TOKEN=${tokens.ingest}\n`, {
      mode: 0o600,
    });
    const wrangler = bin('wrangler', 'bin/wrangler.js');
    const config = path.join(REPO_ROOT, 'wrangler.toml');
    const envArgs = options.engine === 'lite' ? ['--env', 'lite'] : [];
    const wranglerEnv = { WRANGLER_SEND_METRICS: 'false', CI: 'true' };
    log(`applying the edge's D1 migrations (${persist})`);
    const migrate = supervisor.spawn(
      'edge-migrate',
      node,
      [
        wrangler,
        'd1',
        'migrations',
        'apply',
        'pmm-edge',
        '--local',
        '--persist-to',
        persist,
        '-c',
        config,
        ...envArgs,
      ],
      { cwd: REPO_ROOT, env: wranglerEnv, show: () => false, oneShot: true },
    );
    await migrate.done;
    checkStopped();
    if (migrate.exited() !== 'exit code 0')
      throw new Error(`edge migrations failed (${migrate.exited()}):\n${migrate.tail()}`);

    log(`starting the edge API in workerd on ${edge} (${options.engine ?? 'ort'} engine)`);
    const edgeProcess = supervisor.spawn(
      'edge',
      node,
      [
        wrangler,
        'dev',
        '-c',
        config,
        ...envArgs,
        '--ip',
        '127.0.0.1',
        '--port',
        String(options.edgePort),
        '--persist-to',
        persist,
        '--env-file',
        envFile,
        '--var',
        `SYNC_URL:${sync}`,
        '--var',
        `NODE_ID:${EDGE_NODE_ID}`,
        '--test-scheduled',
        '--show-interactive-dev-session=false',
        '--log-level',
        'warn',
      ],
      { cwd: REPO_ROOT, env: wranglerEnv, show: showWrangler },
    );
    await waitForOk('the edge API', `${edge}/healthz`, { timeoutMs: 120_000, alive: edgeProcess.exited });
    checkStopped();
    if (!first.promoted) await promoteFirstModel(sync, tokens, productionVersion, log);
    const triggerEdgeCron = async () => {
      await fetch(`${edge}/__scheduled?cron=${encodeURIComponent('*/1 * * * *')}`, {
        signal: AbortSignal.timeout(60_000),
      });
    };
    await triggerEdgeCron();
    await waitForOk('the edge model', `${edge}/ready`, { timeoutMs: 60_000, alive: edgeProcess.exited });
    log('edge ready');
    cronTimer = setInterval(() => {
      triggerEdgeCron().catch(() => undefined);
    }, options.cronIntervalMs ?? 10_000);
    cronTimer.unref();

    checkStopped();
    if (ui) {
      log(`starting the analyst app on ${ui}`);
      const uiProcess = supervisor.spawn(
        'ui',
        node,
        [bin('vite', 'bin/vite.js'), '--host', '127.0.0.1', '--port', String(options.uiPort), '--strictPort'],
        {
          cwd: path.join(REPO_ROOT, 'desktop'),
          env: { VITE_PMM_SYNC_URL: sync, VITE_PMM_READ_TOKEN: tokens.read },
        },
      );
      await waitForOk('the analyst app', ui, { timeoutMs: 60_000, alive: uiProcess.exited });
    }
    checkStopped();
    return {
      urls: { sync, edge, ui },
      tokens,
      tokensFile: devTokensPath(home),
      productionVersion,
      triggerEdgeCron,
      stop,
      failed,
    };
  } catch (error) {
    const stoppedWhileStarting = stopping !== null;
    await stop();
    if (cronTimer) clearInterval(cronTimer);
    if (stoppedWhileStarting) throw new CliError('stopped while starting');
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
