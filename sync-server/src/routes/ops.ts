// Operations: /healthz (database and counts), /ready (migrations ran), /metrics (Prometheus).
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../auth';
import { metricsSnapshot, tableCounts } from '../db/ops';
import { renderMetrics } from '../metrics';
import { renderProfileMetrics } from '../profiles/metrics';
import type { Services } from '../services';
import { json } from './common';

export function opsRoutes(app: OpenAPIHono<AppEnv>, services: Services) {
  const started = Date.now();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the database answers, with row counts',
      tags: ['ops'],
      responses: {
        200: json(z.looseObject({ status: z.literal('ok') }), 'Healthy'),
        503: json(z.looseObject({ status: z.enum(['starting', 'failed', 'degraded']) }), 'Not healthy'),
      },
    }),
    async (c) => {
      const uptime_seconds = Math.round((Date.now() - started) / 1000);
      const ready = services.ready;
      if (!ready) {
        const status = services.failed ? ('failed' as const) : ('starting' as const);
        return c.json({ status, uptime_seconds, error: services.failed }, 503);
      }
      try {
        const counts = await tableCounts(ready.database.db);
        return c.json(
          {
            status: 'ok' as const,
            uptime_seconds,
            database: { kind: ready.database.kind, reachable: true },
            counts,
          },
          200,
        );
      } catch (err) {
        console.error('healthz: database query failed:', err);
        return c.json(
          {
            status: 'degraded' as const,
            uptime_seconds,
            database: { kind: ready.database.kind, reachable: false },
          },
          503,
        );
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/ready',
      summary: 'Readiness: 200 once the database is open and migrated',
      tags: ['ops'],
      responses: {
        200: json(z.object({ ready: z.literal(true) }), 'Ready'),
        503: json(z.object({ ready: z.literal(false), reason: z.string() }), 'Not ready'),
      },
    }),
    (c) =>
      services.ready
        ? c.json({ ready: true as const }, 200)
        : c.json({ ready: false as const, reason: services.failed ?? 'the database is starting' }, 503),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics',
      tags: ['ops'],
      responses: {
        200: {
          description: 'Text exposition format 0.0.4',
          content: { 'text/plain': { schema: z.string() } },
        },
      },
    }),
    async (c) => {
      const ready = services.ready;
      const snapshot = ready ? await metricsSnapshot(ready.database.db).catch(() => null) : null;
      return c.text(
        renderMetrics(services.counters, snapshot) + renderProfileMetrics(services.profileCounters),
        200,
        {
          'content-type': 'text/plain; version=0.0.4; charset=utf-8',
        },
      );
    },
  );
}
