// The monitor's routes on the edge app: GET /api/v1/monitor and the profile dead letters.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { bearerSecurity, errors, json } from '@pmm/core/http';
import { modelNameSchema } from '@pmm/core/sync';
import type { Runtime } from '../edge-node';
import type { Env } from '../env';
import { EdgeMonitor } from './index';

const isoTime = z.iso.datetime({ offset: true });

const monitorQuerySchema = z.object({
  model: modelNameSchema.optional().describe('A served model name (default: the default model)'),
  since: isoTime.optional().describe('Start of the window, ISO 8601 (default: an hour before `until`)'),
  until: isoTime.optional().describe('End of the window, exclusive (default: now)'),
});

const monitorSchema = z
  .looseObject({
    model: z.string(),
    version: z.string(),
    rows: z.number().int(),
    drift: z.unknown().describe("pmm drift's report from a profile (exact, score_bound, verdict per column)"),
    estimated_performance: z
      .object({ roc_auc: z.unknown(), accuracy: z.unknown() })
      .nullable()
      .describe("CBPE from the profile's score bins, in pmm estimate's chunk-metric shape"),
    detectors: z.array(
      z.looseObject({
        method: z.string(),
        signal: z.literal('score'),
        detected_at: z.string().nullable(),
        state: z.looseObject({}),
      }),
    ),
  })
  .openapi('Monitor');

const routes = {
  monitor: createRoute({
    method: 'get',
    path: '/api/v1/monitor',
    summary: "Drift, estimated performance and change detectors of a model's traffic, from this node alone",
    request: { query: monitorQuerySchema },
    responses: {
      200: json(monitorSchema, 'The window, its drift report, CBPE estimate and detectors'),
      ...errors(404, 409, 422, 503),
    },
  }),
  run: createRoute({
    method: 'post',
    path: '/admin/monitor/run',
    summary: "Run the cron's monitor step now: chunk the log, feed the detectors, ship closed profile chunks",
    security: bearerSecurity,
    responses: {
      200: json(
        z.looseObject({ chunked: z.looseObject({}), shipped: z.looseObject({}) }),
        'What was chunked and shipped',
      ),
      ...errors(401),
    },
  }),
  deadProfiles: createRoute({
    method: 'get',
    path: '/admin/dead-letters/profiles',
    summary: 'Profile chunks the sync server refused, with its reason: kept here, never sent again',
    security: bearerSecurity,
    request: {
      query: z.object({
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        offset: z.coerce.number().int().min(0).default(0),
      }),
    },
    responses: {
      200: json(
        z.looseObject({ kind: z.literal('profile'), total: z.number().int() }),
        'One page of dead chunks',
      ),
      ...errors(401, 422),
    },
  }),
};

/** Adds the monitor's routes; `runtime` gives the isolate's clock and fetch. */
export function registerMonitorRoutes<E extends { Bindings: Env }>(
  app: OpenAPIHono<E>,
  runtime: Runtime,
): void {
  const monitorOf = (env: Env) => new EdgeMonitor(env, runtime);
  app.openapi(routes.monitor, async (c) => c.json(await monitorOf(c.env).report(c.req.valid('query')), 200));
  app.openapi(routes.run, async (c) => c.json(await monitorOf(c.env).cron(), 200));
  app.openapi(routes.deadProfiles, async (c) => {
    const { limit, offset } = c.req.valid('query');
    const store = monitorOf(c.env).store;
    const total = (await store.chunkCounts()).dead;
    return c.json({ kind: 'profile' as const, total, rows: await store.deadChunks(limit, offset) }, 200);
  });
}
