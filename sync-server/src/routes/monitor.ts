// What each drift run computes beside its report, read over HTTP: CBPE and multivariate drift per window, detector alarms.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { NotFoundError } from '@pmm/core/http';
import { type AppEnv, requireRole } from '../auth';
import { getMonitorWindow, listDetectorAlarms, listMonitorWindows } from '../db/monitor';
import type { Services } from '../services';
import { bearer, errors, json } from './common';

const windowSchema = z
  .object({
    drift_report_id: z.string(),
    model_version: z.string(),
    node_id: z.string().nullable(),
    window_start: z.string().nullable(),
    window_end: z.string().nullable(),
    rows: z.number(),
    labelled: z.number(),
    performance: z.record(z.string(), z.unknown()),
    multivariate: z.record(z.string(), z.unknown()),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('MonitorWindow');

const alarmSchema = z
  .object({
    id: z.string(),
    model_version: z.string(),
    stream: z.enum(['score', 'error']),
    method: z.string(),
    position: z.number(),
    prediction_id: z.string(),
    at: z.string(),
    value: z.number(),
    drift_report_id: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('DetectorAlarm');

const listQuery = z.object({
  model_version: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export function monitorRoutes(app: OpenAPIHono<AppEnv>, services: Services) {
  const read = requireRole(services, 'read');

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/monitor/windows',
      summary: 'Estimated performance (CBPE) and multivariate drift per drift window, newest window first',
      tags: ['drift'],
      security: bearer,
      middleware: [read] as const,
      request: { query: listQuery },
      responses: {
        200: json(z.object({ windows: z.array(windowSchema) }), 'Windows'),
        ...errors(401, 403, 422, 503),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const windows = await listMonitorWindows(services.require().database.db, {
        ...(q.model_version !== undefined && { modelVersion: q.model_version }),
        limit: q.limit,
      });
      return c.json({ windows }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/drift/reports/{id}/monitor',
      summary: 'The estimated performance and multivariate drift computed beside one drift report',
      tags: ['drift'],
      security: bearer,
      middleware: [read] as const,
      request: { params: z.object({ id: z.string().regex(/^\d{1,18}$/, 'a report id') }) },
      responses: { 200: json(windowSchema, 'The window'), ...errors(401, 403, 404, 422, 503) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const window = await getMonitorWindow(services.require().database.db, id);
      if (!window) throw new NotFoundError(`drift report ${id} has no monitoring window`);
      return c.json(window, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/monitor/alarms',
      summary: 'Streaming detector alarms (score and error streams), newest first',
      tags: ['drift'],
      security: bearer,
      middleware: [read] as const,
      request: { query: listQuery },
      responses: {
        200: json(z.object({ alarms: z.array(alarmSchema) }), 'Alarms'),
        ...errors(401, 403, 422, 503),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const alarms = await listDetectorAlarms(services.require().database.db, {
        ...(q.model_version !== undefined && { modelVersion: q.model_version }),
        limit: q.limit,
      });
      return c.json({ alarms }, 200);
    },
  );
}
