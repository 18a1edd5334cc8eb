// Builds the Workers handler (HTTP + Cron Trigger) around a runtime; each build entry picks its engine.
import { createApp } from './app';
import type { Runtime } from './edge-node';
import type { Env } from './env';

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
    },
  };
}
