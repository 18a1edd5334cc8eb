// Node entry: reads the configuration, listens at once (/ready says when the store is up), stops cleanly on signals.
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createApp } from './app';
import { type Config, ConfigError, readConfig } from './config';
import { Services } from './services';
import { startStore } from './start';

const log = (message: string) => console.log(`pmm sync-server: ${message}`);
const fail = (message: string): never => {
  console.error(`pmm sync-server: ${message}`);
  process.exit(1);
};

let config: Config;
try {
  config = readConfig(process.env);
} catch (err) {
  fail(err instanceof ConfigError ? err.message : String(err));
}

const services = new Services();
services.configure({ drift: config!.drift, retrain: config!.retrain }, log);
const app = createApp(services, config!.shapes);
const server = serve({ fetch: app.fetch, port: config!.port, hostname: config!.host }) as Server;

server.on('error', (err: NodeJS.ErrnoException) =>
  fail(err.code === 'EADDRINUSE' ? `port ${config.port} is already in use` : `cannot listen: ${err.message}`),
);
server.on('listening', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  log(`listening on http://${host}:${port}`);
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) process.exit(1);
  stopping = true;
  log(`${signal}: shutting down`);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const force = setTimeout(() => server.closeAllConnections(), 5_000);
  await closed;
  clearTimeout(force);
  const ready = services.ready;
  if (ready) {
    await services.stopAutomation().catch((err) => log(`stopping drift and retraining: ${String(err)}`));
    await ready.pusher.close();
    await ready.database.close();
  }
  log('stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  const ready = await startStore(config!, log);
  if (stopping) {
    await ready.database.close();
  } else {
    services.setReady(ready);
    log(`ready (${ready.database.kind}: ${ready.database.location})`);
    const resumed = await ready.pusher.reconcile();
    if (resumed > 0) log(`resuming the production push to ${resumed} node(s)`);
    if (!stopping) {
      await services.automation
        .start()
        .catch((err) => log(`drift scheduler and retraining did not start: ${String(err)}`));
    }
  }
} catch (err) {
  const message = rootCause(err);
  services.setFailed(message);
  fail(`cannot open the database: ${message}`);
}

/** The innermost error message (drizzle wraps the driver's), on one line. */
function rootCause(err: unknown): string {
  let e = err;
  while (e instanceof Error && e.cause !== undefined) e = e.cause;
  const text = e instanceof Error ? e.message || String((e as { code?: unknown }).code ?? e.name) : String(e);
  return text.split('\n')[0]!;
}
