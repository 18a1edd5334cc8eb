// Edge nodes: registration (returns the node's ingest token once), status, and the log of model pushes.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { ConflictError, NotFoundError } from '@pmm/core/http';
import { type AppEnv, requireRole } from '../auth';
import { MAX_JSON_BODY_BYTES } from '../body';
import { getNodeTarget, listNodes, listPushes, registerNode } from '../db/nodes';
import type { Services } from '../services';
import { bearer, errors, json, jsonBody, readBody } from './common';

const nodeId = z.string().min(1).max(128);

const registerNodeSchema = z.strictObject({
  node_id: nodeId,
  url: z.url({ protocol: /^https?$/ }).describe('The edge base URL (pushes go to <url>/admin/models)'),
  admin_token: z.string().min(1).max(4096).describe("The edge's admin token, presented when pushing models"),
});

const pushSchema = z
  .object({
    id: z.string(),
    node_id: z.string(),
    name: z.string().describe('The model name pushed'),
    version: z.string(),
    attempt: z.number().int(),
    status: z.enum(['succeeded', 'failed', 'gave_up', 'rejected', 'superseded']),
    http_status: z.number().int().nullable(),
    error: z.string().nullable(),
    at: z.string(),
  })
  .openapi('NodePush');

const nodeSchema = z
  .object({
    node_id: z.string(),
    url: z.string(),
    registered_at: z.string(),
    last_contact_at: z.string().nullable(),
    sync_lag_seconds: z.number().nullable(),
    active_model_version: z.string().nullable(),
    last_push: pushSchema.nullable(),
  })
  .openapi('Node');

export function nodeRoutes(app: OpenAPIHono<AppEnv>, services: Services) {
  const read = requireRole(services, 'read');
  const admin = requireRole(services);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/nodes',
      summary: 'Register an edge node; answers its ingest token (shown once)',
      tags: ['nodes'],
      security: bearer,
      middleware: [admin, readBody(MAX_JSON_BODY_BYTES)] as const,
      request: { body: jsonBody(registerNodeSchema, '{ node_id, url, admin_token }') },
      responses: {
        201: json(
          z.object({
            node_id: z.string(),
            url: z.string(),
            registered_at: z.string(),
            token_id: z.string(),
            ingest_token: z
              .string()
              .describe('Bearer token for this node’s ingest requests; not retrievable later'),
          }),
          'Registered',
        ),
        ...errors(400, 401, 403, 409, 413, 415, 422, 503),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { database, pusher } = services.require();
      const registered = await registerNode(database.db, {
        nodeId: body.node_id,
        url: body.url,
        adminToken: body.admin_token,
      });
      if (!registered) {
        throw new ConflictError('node_exists', `node ${body.node_id} is already registered`, {
          node_id: body.node_id,
        });
      }
      // A new edge gets the production model without waiting for the next alias move.
      pusher
        .pushProductionTo(body.node_id)
        .catch((err) => console.error('push to new node failed to start:', err));
      return c.json(
        {
          node_id: body.node_id,
          url: body.url,
          registered_at: registered.registeredAt.toISOString(),
          token_id: registered.tokenId,
          ingest_token: registered.ingestToken,
        },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/nodes',
      summary: 'Edge nodes with last contact, sync lag and active model version',
      tags: ['nodes'],
      security: bearer,
      middleware: [read] as const,
      responses: { 200: json(z.object({ nodes: z.array(nodeSchema) }), 'Nodes'), ...errors(401, 403, 503) },
    }),
    async (c) => c.json({ nodes: await listNodes(services.require().database.db, services.now()) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/nodes/{node_id}/pushes',
      summary: 'Model push attempts to a node, newest first',
      tags: ['nodes'],
      security: bearer,
      middleware: [read] as const,
      request: {
        params: z.object({ node_id: nodeId }),
        query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      },
      responses: {
        200: json(z.object({ pushes: z.array(pushSchema) }), 'Attempts'),
        ...errors(401, 403, 404, 503),
      },
    }),
    async (c) => {
      const { node_id } = c.req.valid('param');
      const { db } = services.require().database;
      if (!(await getNodeTarget(db, node_id))) throw new NotFoundError(`node ${node_id} is not registered`);
      return c.json({ pushes: await listPushes(db, node_id, c.req.valid('query').limit) }, 200);
    },
  );
}
