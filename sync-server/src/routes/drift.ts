// Drift runs and reports: run the drift engine on a window of logged predictions, list and read the reports.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { type DriftReport, renderDriftHtml } from '@pmm/core/drift';
import { NotFoundError } from '@pmm/core/http';
import { modelNameSchema } from '@pmm/core/sync';
import { type AppEnv, requireRole } from '../auth';
import { MAX_JSON_BODY_BYTES } from '../body';
import { getDriftReport, listDriftReports, type StoredDriftReport } from '../db/drift';
import type { Services } from '../services';
import { bearer, errors, json, jsonBody, readBody } from './common';

const isoTime = z.iso.datetime({ offset: true });

const runSchema = z.strictObject({
  name: modelNameSchema.optional().describe('Model name (default churn): its production version is run'),
  model_version: z.string().min(1).max(128).optional().describe("Default: the name's production alias"),
  window: z
    .strictObject({
      last_n: z
        .number()
        .int()
        .min(1)
        .max(1_000_000)
        .optional()
        .describe('Newest N predictions (default 1000)'),
      from: isoTime.optional().describe('created_at >= from'),
      to: isoTime.optional().describe('created_at < to'),
    })
    .refine((w) => w.from === undefined || w.to === undefined || Date.parse(w.from) < Date.parse(w.to), {
      message: 'from must be before to',
      path: ['from'],
    })
    .optional(),
  node_id: z.string().min(1).max(128).optional().describe('Only this edge node’s predictions'),
});

const reportSchema = z
  .object({
    id: z.string(),
    model_name: z.string(),
    model_version: z.string(),
    node_id: z.string().nullable(),
    window: z.record(z.string(), z.unknown()),
    dataset_drift: z.boolean(),
    drift_share: z.number(),
    created_at: z.string(),
    report: z.record(z.string(), z.unknown()),
  })
  .openapi('DriftReport');

const idParam = z.object({ id: z.string().regex(/^\d{1,18}$/, 'a report id') });

export function driftRoutes(app: OpenAPIHono<AppEnv>, services: Services) {
  const read = requireRole(services, 'read');
  const admin = requireRole(services);

  const find = async (id: string): Promise<StoredDriftReport> => {
    const report = await getDriftReport(services.require().database.db, id);
    if (!report) throw new NotFoundError(`drift report ${id} does not exist`);
    return report;
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/drift/run',
      summary:
        'Run the drift report on a window of logged predictions against the version’s reference profile',
      tags: ['drift'],
      security: bearer,
      middleware: [admin, readBody(MAX_JSON_BODY_BYTES)] as const,
      request: {
        body: jsonBody(runSchema, '{ name?, model_version?, window?: { last_n?, from?, to? }, node_id? }'),
      },
      responses: {
        201: json(
          reportSchema.extend({ retrain_run_id: z.string().nullable() }),
          'The stored report (and the retraining run it started, if any)',
        ),
        ...errors(400, 401, 403, 404, 415, 422, 503),
      },
    }),
    async (c) => {
      const { report, retrainRunId } = await services.automation.runDrift(c.req.valid('json'));
      return c.json({ ...report, retrain_run_id: retrainRunId }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/drift/reports',
      summary: 'Drift reports, newest first (per-column distributions only with full=1)',
      tags: ['drift'],
      security: bearer,
      middleware: [read] as const,
      request: {
        query: z.object({
          name: modelNameSchema.optional().describe("Only this model name's reports"),
          model_version: z.string().min(1).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(50),
          full: z.enum(['0', '1', 'true', 'false']).optional(),
        }),
      },
      responses: {
        200: json(z.object({ reports: z.array(reportSchema) }), 'Reports'),
        ...errors(401, 403, 422, 503),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const reports = await listDriftReports(services.require().database.db, {
        ...(q.name !== undefined && { modelName: q.name }),
        ...(q.model_version !== undefined && { modelVersion: q.model_version }),
        limit: q.limit,
        full: q.full === '1' || q.full === 'true',
      });
      return c.json({ reports }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/drift/reports/{id}',
      summary: 'One drift report, in full',
      tags: ['drift'],
      security: bearer,
      middleware: [read] as const,
      request: { params: idParam },
      responses: { 200: json(reportSchema, 'The report'), ...errors(401, 403, 404, 422, 503) },
    }),
    async (c) => c.json(await find(c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/drift/reports/{id}/html',
      summary: 'One drift report as a self-contained HTML page',
      tags: ['drift'],
      security: bearer,
      middleware: [read] as const,
      request: { params: idParam },
      responses: {
        200: { description: 'HTML', content: { 'text/html': { schema: z.string() } } },
        ...errors(401, 403, 404, 422, 503),
      },
    }),
    async (c) => {
      const stored = await find(c.req.valid('param').id);
      const window = stored.window as { rows?: number; first_created_at?: string; last_created_at?: string };
      const html = renderDriftHtml(stored.report as unknown as DriftReport, {
        title: `Data drift: ${stored.model_version}${stored.node_id ? ` on ${stored.node_id}` : ''} (report ${stored.id})`,
        reference: `reference profile of ${stored.model_version}`,
        current: `logged predictions ${window.first_created_at ?? '?'} – ${window.last_created_at ?? '?'}`,
        generatedAt: stored.created_at,
      });
      return c.html(html, 200);
    },
  );
}
