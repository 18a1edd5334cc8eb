// The sync server as a Hono app: routes declared with their zod schemas; the database and pusher come from Services.
import { createApiApp } from '@pmm/core/http';
import { cors } from 'hono/cors';
import type { AppEnv } from './auth';
import { databaseError, sqlState } from './errors';
import { driftRoutes } from './routes/drift';
import { ingestRoutes } from './routes/ingest';
import { modelRoutes } from './routes/models';
import { monitorRoutes } from './routes/monitor';
import { nodeRoutes } from './routes/nodes';
import { noteRoutes } from './routes/notes';
import { opsRoutes } from './routes/ops';
import { profileRoutes } from './routes/profiles';
import { retrainRoutes } from './routes/retrain';
import type { Services } from './services';
import { createShapeRoutes, DEFAULT_SHAPE_CONFIG, SHAPE_PATH, type ShapeConfig } from './shapes';

/** The app over `services`; `shapes` is the parsed configuration's (`readConfig(env).shapes`). */
export function createApp(services: Services, shapes: ShapeConfig = DEFAULT_SHAPE_CONFIG) {
  const app = createApiApp<AppEnv>({
    map: databaseError,
    log: (err, c, status) => {
      const state = sqlState(err);
      if (status === 500) console.error(`${c.req.method} ${c.req.path} failed:`, err);
      else if (state)
        console.error(`${c.req.method} ${c.req.path}: the database refused it (SQLSTATE ${state})`);
    },
  });

  // Browsers (the analyst app served on another origin) call every route; the shape route sets its own CORS.
  const origins = shapes.corsOrigin.split(',').map((o) => o.trim());
  const corsForApi = cors({
    origin: origins.includes('*') ? '*' : origins,
    allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
    exposeHeaders: ['pmm-aliases', 'idempotent-replayed', 'etag'],
    maxAge: 600,
  });
  app.use('*', (c, next) => (c.req.path === SHAPE_PATH ? next() : corsForApi(c, next)));
  opsRoutes(app, services);
  ingestRoutes(app, services);
  modelRoutes(app, services);
  nodeRoutes(app, services);
  driftRoutes(app, services);
  monitorRoutes(app, services);
  retrainRoutes(app, services);
  noteRoutes(app, services);
  profileRoutes(app, services);
  app.route('/', createShapeRoutes({ database: () => services.require().database, config: shapes }));

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'pmm sync server',
      version: '0.1.0',
      description:
        'Edge log ingest, model registry, edge pushes, drift reports, retraining and analyst notes. Tokens: admin, read (GET only), ingest (one node).',
    },
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
