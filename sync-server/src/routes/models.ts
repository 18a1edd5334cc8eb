// The model registry API: register artifacts, read cards and ONNX bytes, move aliases (alias-changes.ts does the work).

import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { limitBody } from '@pmm/core/http';
import {
  DEFAULT_MODEL_NAME,
  modelNameSchema,
  SERVED_MODELS_PATH,
  servedModelsResponseSchema,
} from '@pmm/core/sync';
import { type AppEnv, actorOf, requireRole } from '../auth';
import { MAX_JSON_BODY_BYTES, MAX_MODEL_BODY_BYTES } from '../body';
import type { Db } from '../db/client';
import {
  aliasHistoryPage,
  getArtifact,
  getModel,
  insertModel,
  listAliases,
  listModels,
  modelNames,
  resolveAlias,
  servedModels,
} from '../db/registry';
import { ConflictError, NotFoundError } from '../errors';
import type { Services } from '../services';
import { notifyShapeChange } from '../shapes';
import { readUpload } from '../upload';
import { AliasChanges, type AliasRequester, type AliasResult } from './alias-changes';
import { bearer, errors, json, jsonBody, readBody } from './common';

export const ALIAS_PATTERN = /^[a-z][a-z0-9_-]*$/;
const aliasName = z
  .string()
  .max(64)
  .regex(ALIAS_PATTERN, 'lowercase letters, digits, "_" or "-", starting with a letter');

const modelSummarySchema = z
  .object({
    name: z.string().describe('The model name this version belongs to'),
    version: z.string(),
    created_at: z.string(),
    registered_at: z.string(),
    registered_by: z.string().nullable(),
    parent_version: z.string().nullable(),
    training_data_sha256: z.string(),
    onnx_sha256: z.string(),
    onnx_bytes: z.number().int(),
    metrics: z.record(z.string(), z.number()),
    aliases: z.array(z.string()),
  })
  .openapi('ModelSummary');

const aliasChangeSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    alias: z.string(),
    from_version: z.string().nullable(),
    to_version: z.string().nullable(),
    actor: z.string(),
    reason: z.string().nullable(),
    at: z.string(),
    seq: z.string(),
  })
  .openapi('AliasChange');

const setAliasSchema = z.strictObject({
  alias: aliasName,
  reason: z.string().max(1000).optional(),
  expected_version: z
    .string()
    .nullable()
    .optional()
    .describe('Optimistic concurrency: the version the alias must point to now (null: it must not exist)'),
});

const aliasResultSchema = z.object({
  name: z.string(),
  alias: z.string(),
  version: z.string().nullable(),
  previous_version: z.string().nullable(),
  changed: z.boolean(),
  change: aliasChangeSchema.nullable(),
  challenger_cleared: aliasChangeSchema
    .nullable()
    .describe('Promoting the challenger to production clears the challenger alias: that history entry'),
}) satisfies z.ZodType<AliasResult>;

const idempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .optional()
    .describe('Makes a retried request a no-op that returns the original result'),
});

const cardSchema = z.looseObject({ version: z.string() }).openapi('ModelCard');
const refParam = z.object({
  ref: z.string().min(1).describe(`A version, or @alias of ${DEFAULT_MODEL_NAME} (e.g. @production)`),
});
const nameParam = modelNameSchema.describe('A model name');
const aliasEntrySchema = z.object({
  name: z.string(),
  alias: z.string(),
  version: z.string(),
  updated_at: z.string(),
});

/** A version, or `@alias` of `name` (today's URLs: of churn). */
async function resolveRef(db: Db, ref: string, name: string = DEFAULT_MODEL_NAME): Promise<string> {
  if (!ref.startsWith('@')) return ref;
  const version = await resolveAlias(db, ref.slice(1), name);
  if (!version) throw new NotFoundError(`alias ${ref.slice(1)} of ${name} is not set`);
  return version;
}

export function modelRoutes(app: OpenAPIHono<AppEnv>, services: Services) {
  const read = requireRole(services, 'read');
  /** Edges pull cards and artifacts with their ingest token. */
  const pull = requireRole(services, 'read', 'ingest');
  const admin = requireRole(services);

  const aliases = new AliasChanges(() => services.require());
  const requester = (
    c: { get(key: 'principal'): AppEnv['Variables']['principal'] },
    idempotencyKey: string | undefined,
  ): AliasRequester => {
    const principal = c.get('principal');
    return { tokenId: principal.tokenId, actor: actorOf(principal), idempotencyKey };
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/models',
      summary:
        'Register a model version under a name (multipart model.onnx + model.json [+ name], or JSON { name?, model, onnx_base64 }; name defaults to churn)',
      tags: ['registry'],
      security: bearer,
      middleware: [admin, limitBody(MAX_MODEL_BODY_BYTES)] as const,
      responses: {
        201: json(modelSummarySchema, 'Registered'),
        ...errors(400, 401, 403, 409, 413, 415, 422, 503),
      },
    }),
    async (c) => {
      const { name, card, onnx } = await readUpload(c.req.raw);
      const { db } = services.require().database;
      if (!(await insertModel(db, card, onnx, actorOf(c.get('principal')), name))) {
        throw new ConflictError('version_exists', `model version ${card.version} is already registered`, {
          version: card.version,
        });
      }
      notifyShapeChange('models');
      const stored = await getModel(db, card.version);
      return c.json(stored!.summary, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/models',
      summary:
        'List model versions (of every name, or of ?name=) with their metrics and aliases, newest first',
      tags: ['registry'],
      security: bearer,
      middleware: [read] as const,
      request: { query: z.object({ name: nameParam.optional() }) },
      responses: {
        200: json(z.object({ models: z.array(modelSummarySchema) }), 'Versions'),
        ...errors(401, 403, 422, 503),
      },
    }),
    async (c) =>
      c.json({ models: await listModels(services.require().database.db, c.req.valid('query').name) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/models/{ref}',
      summary: 'model.json of a version (or of @alias); its aliases in the Pmm-Aliases header',
      tags: ['registry'],
      security: bearer,
      middleware: [pull] as const,
      request: { params: refParam },
      responses: { 200: json(cardSchema, 'model.json as registered'), ...errors(401, 403, 404, 503) },
    }),
    async (c) => {
      const { db } = services.require().database;
      const version = await resolveRef(db, c.req.valid('param').ref);
      const model = await getModel(db, version);
      if (!model) throw new NotFoundError(`model version ${version} is not registered`);
      c.header('Pmm-Aliases', model.summary.aliases.join(','));
      c.header('Pmm-Version', version);
      return c.json(model.card as z.infer<typeof cardSchema>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/models/{ref}/artifact',
      summary: 'model.onnx of a version (or of @alias); ETag = its sha256',
      tags: ['registry'],
      security: bearer,
      middleware: [pull] as const,
      request: { params: refParam },
      responses: {
        200: {
          description: 'The ONNX bytes',
          content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
        },
        304: { description: 'Not modified (If-None-Match)' },
        ...errors(401, 403, 404, 503),
      },
    }),
    async (c) => {
      const { db } = services.require().database;
      const version = await resolveRef(db, c.req.valid('param').ref);
      const artifact = await getArtifact(db, version);
      if (!artifact) throw new NotFoundError(`model version ${version} is not registered`);
      const etag = `"${artifact.sha256}"`;
      const headers = { etag, 'pmm-version': version, 'cache-control': 'no-cache' };
      const match = c.req.header('if-none-match');
      if (match?.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
        return new Response(null, { status: 304, headers });
      }
      return new Response(artifact.onnx as Uint8Array<ArrayBuffer>, {
        status: 200,
        headers: { ...headers, 'content-type': 'application/octet-stream' },
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/models/{version}/aliases',
      summary:
        "Point an alias of this version's model name at it (production moves push the model to every edge)",
      tags: ['registry'],
      security: bearer,
      middleware: [admin, readBody(MAX_JSON_BODY_BYTES)] as const,
      request: {
        params: z.object({ version: z.string().min(1) }),
        headers: idempotencyHeader,
        body: jsonBody(setAliasSchema, '{ alias, reason?, expected_version? }'),
      },
      responses: {
        200: json(aliasResultSchema, 'The alias now'),
        ...errors(400, 401, 403, 404, 409, 415, 422, 503),
      },
    }),
    async (c) => {
      const { version } = c.req.valid('param');
      const body = c.req.valid('json');
      const outcome = await aliases.set(requester(c, c.req.valid('header')['idempotency-key']), {
        version,
        alias: body.alias,
        reason: body.reason,
        ...(body.expected_version !== undefined ? { expectedVersion: body.expected_version } : {}),
      });
      if (outcome.replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(outcome.result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/models/aliases/{alias}',
      summary: 'Remove an alias of churn, or of ?name= (edges keep the model they run)',
      tags: ['registry'],
      security: bearer,
      middleware: [admin] as const,
      request: {
        params: z.object({ alias: aliasName }),
        headers: idempotencyHeader,
        query: z.object({
          name: nameParam.optional(),
          reason: z.string().max(1000).optional(),
          expected_version: z.string().optional(),
        }),
      },
      responses: { 200: json(aliasResultSchema, 'Removed'), ...errors(401, 403, 404, 409, 422, 503) },
    }),
    async (c) => {
      const { alias } = c.req.valid('param');
      const query = c.req.valid('query');
      const outcome = await aliases.remove(requester(c, c.req.valid('header')['idempotency-key']), {
        name: query.name,
        alias,
        reason: query.reason,
        expectedVersion: query.expected_version,
      });
      if (outcome.replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(outcome.result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/aliases',
      summary: 'Current aliases of every name, or of ?name=',
      tags: ['registry'],
      security: bearer,
      middleware: [read] as const,
      request: { query: z.object({ name: nameParam.optional() }) },
      responses: {
        200: json(z.object({ aliases: z.array(aliasEntrySchema) }), 'Aliases'),
        ...errors(401, 403, 422, 503),
      },
    }),
    async (c) =>
      c.json({ aliases: await listAliases(services.require().database.db, c.req.valid('query').name) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/aliases/history',
      summary: 'Alias changes (of every name, or of ?name=), newest first (append-only)',
      tags: ['registry'],
      security: bearer,
      middleware: [read] as const,
      request: {
        query: z.object({
          name: nameParam.optional(),
          alias: aliasName.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
      responses: {
        200: json(z.object({ history: z.array(aliasChangeSchema) }), 'History'),
        ...errors(401, 403, 422, 503),
      },
    }),
    async (c) => {
      const { name, alias, limit } = c.req.valid('query');
      const history = await aliasHistoryPage(services.require().database.db, {
        limit,
        ...(name !== undefined && { name }),
        ...(alias !== undefined && { alias }),
      });
      return c.json({ history }, 200);
    },
  );

  namedRoutes(app, services, aliases, requester);
}

/** The registry by model name: `/v1/registry/...` and `/v1/served-models` (what the edges serve). */
function namedRoutes(
  app: OpenAPIHono<AppEnv>,
  services: Services,
  aliases: AliasChanges,
  requester: (
    c: { get(key: 'principal'): AppEnv['Variables']['principal'] },
    idempotencyKey: string | undefined,
  ) => AliasRequester,
) {
  const read = requireRole(services, 'read');
  const pull = requireRole(services, 'read', 'ingest');
  const admin = requireRole(services);
  const namedRegistrySchema = z
    .object({
      name: z.string(),
      aliases: z.array(aliasEntrySchema),
      versions: z.array(modelSummarySchema).describe('Newest first'),
    })
    .openapi('RegisteredModel');

  app.openapi(
    createRoute({
      method: 'get',
      path: SERVED_MODELS_PATH,
      summary: 'Every model name with a production alias and that version (what the edges serve)',
      tags: ['registry'],
      security: bearer,
      middleware: [pull] as const,
      responses: { 200: json(servedModelsResponseSchema, 'Served models'), ...errors(401, 403, 503) },
    }),
    async (c) => c.json({ models: await servedModels(services.require().database.db) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/registry',
      summary: 'Registered model names, each with its aliases and versions',
      tags: ['registry'],
      security: bearer,
      middleware: [read] as const,
      responses: {
        200: json(z.object({ models: z.array(namedRegistrySchema) }), 'Model names'),
        ...errors(401, 403, 503),
      },
    }),
    async (c) => {
      const { db } = services.require().database;
      const [names, versions, current] = await Promise.all([modelNames(db), listModels(db), listAliases(db)]);
      const models = names.map((name) => ({
        name,
        aliases: current.filter((a) => a.name === name),
        versions: versions.filter((v) => v.name === name),
      }));
      return c.json({ models }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/registry/{name}/{ref}',
      summary: 'model.json of a version of this name, or of @alias of this name',
      tags: ['registry'],
      security: bearer,
      middleware: [pull] as const,
      request: {
        params: z.object({
          name: nameParam,
          ref: z.string().min(1).describe('A version of this name, or @alias (e.g. @production)'),
        }),
      },
      responses: { 200: json(cardSchema, 'model.json as registered'), ...errors(401, 403, 404, 422, 503) },
    }),
    async (c) => {
      const { name, ref } = c.req.valid('param');
      const { db } = services.require().database;
      const version = await resolveRef(db, ref, name);
      const model = await getModel(db, version);
      if (!model || model.summary.name !== name)
        throw new NotFoundError(`model ${name} has no version ${version}`);
      c.header('Pmm-Aliases', model.summary.aliases.join(','));
      c.header('Pmm-Version', version);
      c.header('Pmm-Model-Name', name);
      return c.json(model.card as z.infer<typeof cardSchema>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/registry/{name}/aliases',
      summary: 'Point an alias of this name at one of its versions (production moves push it to every edge)',
      tags: ['registry'],
      security: bearer,
      middleware: [admin, readBody(MAX_JSON_BODY_BYTES)] as const,
      request: {
        params: z.object({ name: nameParam }),
        headers: idempotencyHeader,
        body: jsonBody(
          setAliasSchema.extend({ version: z.string().min(1) }),
          '{ alias, version, reason?, expected_version? }',
        ),
      },
      responses: {
        200: json(aliasResultSchema, 'The alias now'),
        ...errors(400, 401, 403, 404, 409, 415, 422, 503),
      },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      const body = c.req.valid('json');
      const outcome = await aliases.set(requester(c, c.req.valid('header')['idempotency-key']), {
        name,
        version: body.version,
        alias: body.alias,
        reason: body.reason,
        ...(body.expected_version !== undefined ? { expectedVersion: body.expected_version } : {}),
      });
      if (outcome.replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(outcome.result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/registry/{name}/aliases/{alias}',
      summary: 'Remove an alias of this name (edges keep the model they run)',
      tags: ['registry'],
      security: bearer,
      middleware: [admin] as const,
      request: {
        params: z.object({ name: nameParam, alias: aliasName }),
        headers: idempotencyHeader,
        query: z.object({
          reason: z.string().max(1000).optional(),
          expected_version: z.string().optional(),
        }),
      },
      responses: { 200: json(aliasResultSchema, 'Removed'), ...errors(401, 403, 404, 409, 422, 503) },
    }),
    async (c) => {
      const { name, alias } = c.req.valid('param');
      const query = c.req.valid('query');
      const outcome = await aliases.remove(requester(c, c.req.valid('header')['idempotency-key']), {
        name,
        alias,
        reason: query.reason,
        expectedVersion: query.expected_version,
      });
      if (outcome.replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(outcome.result, 200);
    },
  );
}
