// POST /v1/ingest/predictions and /v1/ingest/feedback: edge log batches, idempotent by prediction id.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { ForbiddenError } from '@pmm/core/http';
import { INGEST_FEEDBACK_PATH, INGEST_PREDICTIONS_PATH } from '@pmm/core/sync';
import { type AppEnv, requireRole } from '../auth';
import { MAX_INGEST_BODY_BYTES } from '../body';
import { ingestFeedback, ingestPredictions, ingestRequestSchema, ingestResultSchema } from '../ingest';
import type { Services } from '../services';
import { notifyShapeChange } from '../shapes';
import { bearer, errors, json, jsonBody, readBody } from './common';

export function ingestRoutes(app: OpenAPIHono<AppEnv>, services: Services) {
  const route = (path: string, summary: string) =>
    createRoute({
      method: 'post',
      path,
      summary,
      tags: ['ingest'],
      security: bearer,
      middleware: [requireRole(services, 'ingest'), readBody(MAX_INGEST_BODY_BYTES)] as const,
      request: { body: jsonBody(ingestRequestSchema, '{ node_id, rows } with up to 5,000 rows') },
      responses: {
        200: json(
          ingestResultSchema,
          'New rows, rows already stored, the rows refused (by index and field) and the conflicting ones',
        ),
        ...errors(400, 401, 403, 413, 415, 422, 503),
      },
    });

  const nodeOf = (principal: AppEnv['Variables']['principal'], nodeId: string) => {
    if (principal.role === 'ingest' && principal.nodeId !== nodeId) {
      throw new ForbiddenError(`this token ingests for node ${principal.nodeId}, not ${nodeId}`);
    }
    return nodeId;
  };

  app.openapi(route(INGEST_PREDICTIONS_PATH, 'Store a batch of prediction logs'), async (c) => {
    const body = c.req.valid('json');
    const nodeId = nodeOf(c.get('principal'), body.node_id);
    const result = await ingestPredictions(services.require().database.db, nodeId, body.rows);
    services.counters.add('predictions', {
      ...result,
      rejected: result.rejected.length,
      conflicts: result.conflicts.length,
    });
    if (result.accepted > 0) notifyShapeChange('predictions');
    return c.json(result, 200);
  });

  app.openapi(route(INGEST_FEEDBACK_PATH, 'Store a batch of feedback (true outcomes)'), async (c) => {
    const body = c.req.valid('json');
    const nodeId = nodeOf(c.get('principal'), body.node_id);
    const result = await ingestFeedback(services.require().database.db, nodeId, body.rows);
    services.counters.add('feedback', {
      ...result,
      rejected: result.rejected.length,
      conflicts: result.conflicts.length,
    });
    if (result.accepted > 0) notifyShapeChange('feedback');
    return c.json(result, 200);
  });
}
