// Builds the Workers handler (HTTP + Cron Trigger) around a runtime; each build entry picks its engine.
import { createApp } from './app';
import type { Runtime } from './edge-node';
import type { Env } from './env';
import { EdgeMonitor } from './monitor';

export function createWorker(runtime: Runtime): ExportedHandler<Env> {
  const app = createApp(runtime);
  return {
    fetch: (request, env, ctx) => app.fetch(request, env, ctx),
    async scheduled(_controller, env, ctx) {
      const node = runtime.node(env);
      // Ship first: a model pull can take a while and the logs should not wait behind it.
      ctx.waitUntil(
        (async () => {
          const shipped = await node.sync();
          const pulled = await node.pullModels();
          console.log(JSON.stringify({ event: 'cron', shipped, pulled }));
        })(),
      );
      // Profile chunks, detectors and profile shipping: beside the logs, never in their way.
      ctx.waitUntil(
        new EdgeMonitor(env, runtime)
          .cron()
          .then((monitor) => console.log(JSON.stringify({ event: 'cron_monitor', monitor })))
          .catch((err) => console.error('monitor cron failed', err instanceof Error ? err.message : err)),
      );
    },
  };
}
