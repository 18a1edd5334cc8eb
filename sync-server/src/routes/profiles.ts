// POST /v1/ingest/profiles (edge profile chunks) and GET /v1/drift/fleet (drift and CBPE of the summed chunks).
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { ForbiddenError, NotFoundError } from '@pmm/core/http';
import { type AppEnv, requireRole } from '../auth';
import { MAX_INGEST_BODY_BYTES } from '../body';
import { fleetReport } from '../profiles/fleet';
import { ingestProfiles, profileIngestRequestSchema, profileIngestResultSchema } from '../profiles/ingest';
import { resolveModel, versionLayout } from '../profiles/model';
import type { Services } from '../services';
import { notifyShapeChange } from '../shapes';
import { bearer, errors, json, jsonBody, readBody } from './common';

export const INGEST_PROFILES_PATH = '/v1/ingest/profiles';

const isoTime = z.iso.datetime({ offset: true });

const fleetQuery = z
  .object({
    model: z.string().min(1).max(128).describe('A model name (its production version) or a version'),
    from: isoTime.describe('Chunks starting at or after this instant'),
    to: isoTime.describe('Chunks starting before this instant'),
    node: z.string().min(1).max(128).optional().describe('Only this edge node’s chunks'),
  })
  .refine((q) => Date.parse(q.from) < Date.parse(q.to), { message: 'must be after from', path: ['to'] });

const fleetSchema = z
  .object({
    model: z.string(),
    version: z.string(),
    from: z.string(),
    to: z.string(),
    node: z.string().nullable(),
    nodes: z.number().int(),
    rows: z.number().int(),
    drift: z.record(z.string(), z.unknown()).nullable(),
    estimated_performance: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('FleetDrift');

export function profileRoutes(app: OpenAPIHono<AppEnv>, services: Services) {
  app.openapi(
    createRoute({
      method: 'post',
      path: INGEST_PROFILES_PATH,
      summary: 'Store a batch of profile chunks (idempotent by chunk_id)',
      tags: ['ingest'],
      security: bearer,
      middleware: [requireRole(services, 'ingest'), readBody(MAX_INGEST_BODY_BYTES)] as const,
      request: {
        body: jsonBody(
          profileIngestRequestSchema,
          '{ node_id, chunks: [{ chunk_id, model_version, start, end, profile }] } with up to 1,000 chunks',
        ),
      },
      responses: {
        200: json(
          profileIngestResultSchema,
          'New chunks, chunks already stored, and the chunks refused (by index, with the reason)',
        ),
        ...errors(400, 401, 403, 413, 415, 422, 503),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const principal = c.get('principal');
      if (principal.role === 'ingest' && principal.nodeId !== body.node_id)
        throw new ForbiddenError(`this token ingests for node ${principal.nodeId}, not ${body.node_id}`);
      const result = await ingestProfiles(services.require().database.db, body.node_id, body.chunks);
      services.profileCounters.add(result);
      if (result.accepted > 0) notifyShapeChange('profile_chunks');
      const { accepted, duplicates, refused } = result;
      return c.json({ accepted, duplicates, refused }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/drift/fleet',
      summary:
        'Drift and estimated performance of a model over a window, from the edges’ profile chunks summed in the database',
      tags: ['drift'],
      security: bearer,
      middleware: [requireRole(services, 'read')] as const,
      request: { query: fleetQuery },
      responses: {
        200: json(fleetSchema, 'The summed window’s drift report (null without rows) and CBPE metrics'),
        ...errors(401, 403, 404, 422, 503),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const db = services.require().database.db;
      const version = await resolveModel(db, q.model);
      if (!version) throw new NotFoundError(`model ${q.model} is not registered`);
      const layout = await versionLayout(db, version);
      if (!layout) throw new NotFoundError(`model ${q.model} is not registered`);
      if (!layout.spec)
        throw new NotFoundError(`model ${q.model} (${version}) has no profile layout: ${layout.problem}`);
      const report = await fleetReport(db, layout.card, layout.spec, {
        model: q.model,
        node: q.node ?? null,
        from: new Date(q.from),
        to: new Date(q.to),
      });
      return c.json(report as unknown as z.infer<typeof fleetSchema>, 200);
    },
  );
}
