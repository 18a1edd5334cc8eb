// Retraining: start a run by hand, list runs and read one.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { NotFoundError, optionalJsonBodyLimit } from '@pmm/core/http';
import { modelNameSchema } from '@pmm/core/sync';
import { type AppEnv, requireRole } from '../auth';
import { MAX_JSON_BODY_BYTES } from '../body';
import { getRun, listRuns } from '../db/retrain';
import type { Services } from '../services';
import { bearer, errors, json } from './common';

const runSchema = z
  .object({
    id: z.string(),
    model_name: z.string(),
    status: z.enum(['running', 'succeeded', 'failed', 'skipped']),
    trigger: z.string(),
    started_at: z.string(),
    finished_at: z.string().nullable(),
    challenger_version: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi('RetrainRun');

export function retrainRoutes(app: OpenAPIHono<AppEnv>, services: Services) {
  const read = requireRole(services, 'read');
  const admin = requireRole(services);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/retrain',
      summary:
        'Start a retraining run of a model name (default churn; the new version becomes its challenger); 409 while one runs, 422 for an imported model',
      tags: ['retrain'],
      security: bearer,
      middleware: [admin, optionalJsonBodyLimit(MAX_JSON_BODY_BYTES)] as const,
      request: {
        body: {
          required: false,
          description: '{ name?, reason? }',
          content: {
            'application/json': {
              schema: z.strictObject({
                name: modelNameSchema.optional(),
                reason: z.string().max(1000).optional(),
              }),
            },
          },
        },
      },
      responses: {
        202: json(z.object({ id: z.string(), status: z.literal('running'), run: runSchema }), 'Started'),
        ...errors(400, 401, 403, 409, 415, 422, 503),
      },
    }),
    async (c) => {
      const body = c.req.valid('json') ?? {};
      const run = await services.automation.retrainer.start('manual', {
        reason: body.reason,
        ...(body.name !== undefined && { name: body.name }),
      });
      c.header('Location', `/v1/retrain/runs/${run.id}`);
      return c.json({ id: run.id, status: 'running' as const, run: run as z.infer<typeof runSchema> }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/retrain/runs',
      summary: 'Retraining runs, newest first',
      tags: ['retrain'],
      security: bearer,
      middleware: [read] as const,
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) }) },
      responses: { 200: json(z.object({ runs: z.array(runSchema) }), 'Runs'), ...errors(401, 403, 422, 503) },
    }),
    async (c) => {
      const runs = await listRuns(services.require().database.db, c.req.valid('query').limit);
      return c.json({ runs: runs as z.infer<typeof runSchema>[] }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/retrain/runs/{id}',
      summary: 'One retraining run',
      tags: ['retrain'],
      security: bearer,
      middleware: [read] as const,
      request: { params: z.object({ id: z.string().regex(/^\d{1,18}$/, 'a run id') }) },
      responses: { 200: json(runSchema, 'The run'), ...errors(401, 403, 404, 422, 503) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const run = await getRun(services.require().database.db, id);
      if (!run) throw new NotFoundError(`retraining run ${id} does not exist`);
      return c.json(run as z.infer<typeof runSchema>, 200);
    },
  );
}
