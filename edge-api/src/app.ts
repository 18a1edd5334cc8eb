// The edge API as a Hono app: routes declared with their zod schemas; bindings and the engine come from outside.

import { swaggerUI } from '@hono/swagger-ui';
import { createRoute, z } from '@hono/zod-openapi';
import {
  bearer,
  bearerSecurity,
  createApiApp,
  decodeBase64,
  errors,
  json,
  jsonBody,
  jsonBodyLimit,
  MalformedJsonError,
  tokenMatches,
  UnavailableError,
  ValidationError,
} from '@pmm/core/http';
import { modelCardSchema } from '@pmm/core/model';
import {
  EXAMPLE_FEATURES,
  type FeatureRecord,
  MAX_BATCH_ROWS,
  type RequestValidator,
  type ValidationResult,
} from '@pmm/core/schema';
import { modelNameSchema } from '@pmm/core/sync';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { checkedModelName, type EdgeNode, type Runtime, type WaitUntil } from './edge-node';
import { ConfigError, type Env } from './env';
import { EdgeMonitor } from './monitor';
import { registerMonitorRoutes } from './monitor/routes';

/** Body limit for the public API. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Body limit for `POST /admin/models` (a model card plus a base64 ONNX artifact). */
export const MAX_MODEL_UPLOAD_BYTES = 16 * 1024 * 1024;

type AppEnv = { Bindings: Env; Variables: { node: EdgeNode } };

const predictionSchema = z
  .object({
    prediction_id: z.uuid(),
    probability: z.number().min(0).max(1),
    label: z.union([z.literal(0), z.literal(1)]),
    model_version: z.string(),
  })
  .openapi('Prediction');

const feedbackRequestSchema = z.strictObject({
  prediction_id: z.uuid(),
  outcome: z.union([z.literal(0), z.literal(1)]).describe('The true outcome: 1 = the positive class'),
});

// The routes check only the envelope; the features are validated by the served model's own schema
// (its model.json, a validator built once per name and version): field names, kinds, closed sets.
// The example is only documentation: the built-in demo model's request.
const featuresRecord = z.record(z.string(), z.union([z.string(), z.number(), z.null()])).openapi({
  description: "The served model's features (its schema: GET /api/v1/models)",
  example: EXAMPLE_FEATURES,
});
const namedFeaturesRecord = z
  .record(z.string(), z.union([z.string(), z.number(), z.null()]))
  .openapi({ description: "The named model's features (its schema: GET /api/v1/models)" });
const predictEnvelope = z.strictObject({ features: featuresRecord });
const predictBatchEnvelope = z.strictObject({ rows: z.array(featuresRecord).min(1).max(MAX_BATCH_ROWS) });
const namedPredictEnvelope = z.strictObject({ features: namedFeaturesRecord });
const namedPredictBatchEnvelope = z.strictObject({
  rows: z.array(namedFeaturesRecord).min(1).max(MAX_BATCH_ROWS),
});

/** Scores validated rows with a name's active model (the default model when `name` is undefined). */
async function predictRows(
  node: EdgeNode,
  name: string | undefined,
  body: unknown,
  ctx: WaitUntil,
  validate: (v: RequestValidator, body: unknown) => ValidationResult<FeatureRecord | FeatureRecord[]>,
) {
  const model = await node.activeModel(name);
  const value = validated(validate(node.validator(model), body));
  return node.score(model, Array.isArray(value) ? value : [value], ctx);
}

const nameParam = z.object({
  name: z.string().openapi({
    param: { name: 'name', in: 'path' },
    description: 'The model name (lower-case letters, digits, "-" or "_")',
    example: 'churn',
  }),
});

/** The path's model name: a 400 naming `name` when it is not one, a 404 naming the model when none is served under it. */
const servedName = createMiddleware<AppEnv>(async (c, next) => {
  const name = checkedModelName(c.req.param('name') ?? '');
  await c.get('node').requireServed(name);
  await next();
});

/** `name` from an optional JSON body `{ "name": ... }` (the rollback route also takes `?name=`). */
async function bodyName(c: Context): Promise<string | undefined> {
  if (!/json/i.test(c.req.header('content-type') ?? '')) return undefined;
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new MalformedJsonError();
  }
  const name = (body as { name?: unknown } | null)?.name;
  if (name === undefined || name === null) return undefined;
  return typeof name === 'string' ? name : JSON.stringify(name);
}

/** The validated value, or a 422 naming the field. */
function validated<T>(result: ValidationResult<T>): T {
  if (!result.ok) throw new ValidationError(result.issues);
  return result.value;
}

const installRequestSchema = z.strictObject({
  name: modelNameSchema
    .optional()
    .describe('The model name to install it under; absent: the default model (DEFAULT_MODEL)'),
  model: modelCardSchema.describe('model.json (ModelCard) of the version to install'),
  onnx_base64: z.string().min(1).describe('model.onnx, base64'),
});

const deadLettersQuerySchema = z.object({
  kind: z.enum(['prediction', 'feedback']).describe('Which log: predictions or their outcomes'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

const deadLetterFields = {
  prediction_id: z.uuid(),
  created_at: z.string().describe('When the row was logged'),
  dead_at: z.string().describe('When the centre refused it'),
  reason: z.string().describe("The centre's reason: the field and its message"),
};

const deadLettersSchema = z
  .object({
    kind: z.enum(['prediction', 'feedback']),
    total: z.number().int().describe('Dead letters of this kind in all'),
    rows: z.array(
      z.union([
        z.object({
          ...deadLetterFields,
          node_id: z.string(),
          model_name: z.string(),
          model_version: z.string(),
          features: z.record(z.string(), z.unknown()).nullable(),
          probability: z.number(),
          label: z.union([z.literal(0), z.literal(1)]),
        }),
        z.object({ ...deadLetterFields, outcome: z.union([z.literal(0), z.literal(1)]) }),
      ]),
    ),
  })
  .openapi('DeadLetters');

const ok = <T extends z.ZodType>(schema: T, description: string) => ({ 200: json(schema, description) });

/** Only the node's configured admin token (none configured: nobody). */
const adminOnly = bearer<Context<AppEnv>>((token, c) => tokenMatches(token, c.get('node').config.adminToken));

const routes = {
  healthz: createRoute({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness and node status',
    responses: ok(z.looseObject({ status: z.enum(['ok', 'degraded']) }), 'Status, D1, model and sync state'),
  }),
  livez: createRoute({
    method: 'get',
    path: '/livez',
    summary: 'Liveness only: no D1, KV or model access (the bench baseline)',
    responses: ok(z.object({ ok: z.literal(true) }), 'The isolate answers'),
  }),
  ready: createRoute({
    method: 'get',
    path: '/ready',
    summary: 'Readiness: a model is loaded and D1 answers',
    responses: {
      ...ok(z.object({ ready: z.literal(true), model_version: z.string() }), 'Ready'),
      ...errors(503),
    },
  }),
  predict: createRoute({
    method: 'post',
    path: '/api/v1/predict',
    summary: 'P(positive class) for one row, by the default model',
    middleware: [jsonBodyLimit(MAX_BODY_BYTES)] as const,
    request: { body: jsonBody(predictEnvelope, "The served model's features") },
    responses: { ...ok(predictionSchema, 'The prediction'), ...errors(400, 413, 415, 422, 503) },
  }),
  predictBatch: createRoute({
    method: 'post',
    path: '/api/v1/predict/batch',
    summary: 'P(positive class) for up to 1,000 rows, in order, by the default model',
    middleware: [jsonBodyLimit(MAX_BODY_BYTES)] as const,
    request: { body: jsonBody(predictBatchEnvelope, "Rows of the served model's features") },
    responses: {
      ...ok(z.object({ predictions: z.array(predictionSchema) }), 'One prediction per row, in order'),
      ...errors(400, 413, 415, 422, 503),
    },
  }),
  models: createRoute({
    method: 'get',
    path: '/api/v1/models',
    summary: 'Every served model: its name, the version answering and its schema',
    responses: ok(
      z.object({
        default_model: z.string().describe('The model POST /api/v1/predict serves'),
        models: z.array(
          z.looseObject({
            name: z.string(),
            version: z.string(),
            default: z.boolean(),
            features: z.array(
              z.looseObject({ name: z.string(), kind: z.enum(['categorical', 'numerical']) }),
            ),
          }),
        ),
      }),
      'Served models, by name',
    ),
  }),
  namedModel: createRoute({
    method: 'get',
    path: '/api/v1/models/{name}',
    summary: "A served model's metadata",
    middleware: [servedName] as const,
    request: { params: nameParam },
    responses: {
      ...ok(
        z.looseObject({ name: z.string(), version: z.string() }),
        'Version, metrics, creation time, sha256',
      ),
      ...errors(400, 404, 503),
    },
  }),
  namedPredict: createRoute({
    method: 'post',
    path: '/api/v1/models/{name}/predict',
    summary: 'P(positive class) for one row, by the named model',
    middleware: [servedName, jsonBodyLimit(MAX_BODY_BYTES)] as const,
    request: {
      params: nameParam,
      body: jsonBody(namedPredictEnvelope, "The named model's features"),
    },
    responses: { ...ok(predictionSchema, 'The prediction'), ...errors(400, 404, 413, 415, 422, 503) },
  }),
  namedPredictBatch: createRoute({
    method: 'post',
    path: '/api/v1/models/{name}/predict/batch',
    summary: 'P(positive class) for up to 1,000 rows, in order, by the named model',
    middleware: [servedName, jsonBodyLimit(MAX_BODY_BYTES)] as const,
    request: {
      params: nameParam,
      body: jsonBody(namedPredictBatchEnvelope, "Rows of the named model's features"),
    },
    responses: {
      ...ok(z.object({ predictions: z.array(predictionSchema) }), 'One prediction per row, in order'),
      ...errors(400, 404, 413, 415, 422, 503),
    },
  }),
  feedback: createRoute({
    method: 'post',
    path: '/api/v1/feedback',
    summary: 'Record the true outcome of a prediction',
    middleware: [jsonBodyLimit(MAX_BODY_BYTES)] as const,
    request: { body: jsonBody(feedbackRequestSchema, 'The prediction id and its outcome') },
    responses: {
      ...ok(z.object({ prediction_id: z.uuid(), outcome: z.union([z.literal(0), z.literal(1)]) }), 'Stored'),
      ...errors(400, 404, 413, 415, 422),
    },
  }),
  model: createRoute({
    method: 'get',
    path: '/api/v1/model',
    summary: "The default model's metadata",
    responses: {
      ...ok(
        z.looseObject({
          version: z.string(),
          created_at: z.string(),
          sha256: z.string(),
          metrics: z.looseObject({}),
        }),
        'Version, metrics, creation time, sha256',
      ),
      ...errors(503),
    },
  }),
  installModel: createRoute({
    method: 'post',
    path: '/admin/models',
    summary: 'Install and activate a model version under a name (pushed by the sync server)',
    security: bearerSecurity,
    middleware: [jsonBodyLimit(MAX_MODEL_UPLOAD_BYTES)] as const,
    request: { body: jsonBody(installRequestSchema, 'The model name, model.json and the base64 model.onnx') },
    responses: {
      ...ok(
        z.object({
          name: z.string(),
          version: z.string(),
          previous_version: z.string().nullable(),
          activated_at: z.string(),
        }),
        'Installed and active',
      ),
      ...errors(400, 401, 413, 415, 422),
    },
  }),
  rollback: createRoute({
    method: 'post',
    path: '/admin/models/rollback',
    summary:
      "Re-activate a model's previous version (?name= or a JSON body { name }; default: DEFAULT_MODEL)",
    security: bearerSecurity,
    request: { query: z.object({ name: z.string().optional().describe('The model name') }) },
    responses: {
      ...ok(
        z.object({
          name: z.string(),
          version: z.string(),
          rolled_back_from: z.string(),
          activated_at: z.string(),
        }),
        'Previous version active',
      ),
      ...errors(400, 401, 404, 409),
    },
  }),
  sync: createRoute({
    method: 'post',
    path: '/admin/sync',
    summary: 'Ship waiting prediction logs and feedback to the sync server now',
    security: bearerSecurity,
    responses: {
      ...ok(
        z.object({
          predictions_sent: z.number().int(),
          feedback_sent: z.number().int(),
          complete: z.boolean(),
          error: z.string().nullable(),
        }),
        'What was shipped; complete = nothing left waiting',
      ),
      ...errors(401),
    },
  }),
  deadLetters: createRoute({
    method: 'get',
    path: '/admin/dead-letters',
    summary: 'Rows the sync server refused, with its reason: kept here, never sent again, oldest first',
    security: bearerSecurity,
    request: { query: deadLettersQuerySchema },
    responses: {
      ...ok(deadLettersSchema, 'One page of dead letters and how many there are of that kind'),
      ...errors(401, 422),
    },
  }),
};

/** The monitor's part of /healthz; a D1 failure shows as an error there, never fails the health check. */
async function profileHealth(env: Env, runtime: Runtime) {
  return new EdgeMonitor(env, runtime).health().catch((err) => ({
    error: err instanceof Error ? err.message : String(err),
  }));
}

/** Builds the app around a runtime (engine + isolate caches); worker.ts and worker-lite.ts pass theirs. */
export function createApp(runtime: Runtime) {
  const app = createApiApp<AppEnv>({
    map: (err) => (err instanceof ConfigError ? new UnavailableError('misconfigured', err.message) : null),
  });

  app.use('*', async (c, next) => {
    c.set('node', runtime.node(c.env));
    await next();
  });
  app.use('/admin/*', adminOnly);
  registerMonitorRoutes(app, runtime);

  app.openapi(routes.healthz, async (c) =>
    c.json({ ...(await c.get('node').health()), profiles: await profileHealth(c.env, runtime) }, 200),
  );

  app.openapi(routes.livez, (c) => c.json({ ok: true as const }, 200));

  app.openapi(routes.ready, async (c) => {
    const node = c.get('node');
    const reason = await node.notReadyReason();
    if (reason) throw new UnavailableError('not_ready', reason);
    const { pointer } = await node.activeModel();
    return c.json({ ready: true as const, model_version: pointer.version }, 200);
  });

  app.openapi(routes.predict, async (c) => {
    const body = c.req.valid('json');
    const [result] = await predictRows(c.get('node'), undefined, body, c.executionCtx, (v, b) =>
      v.validateRequest(b),
    );
    return c.json(result!, 200);
  });

  app.openapi(routes.predictBatch, async (c) => {
    const body = c.req.valid('json');
    const predictions = await predictRows(c.get('node'), undefined, body, c.executionCtx, (v, b) =>
      v.validateBatch(b),
    );
    return c.json({ predictions }, 200);
  });

  app.openapi(routes.models, async (c) => c.json(await c.get('node').listModels(), 200));

  app.openapi(routes.namedModel, async (c) =>
    c.json(await c.get('node').modelInfo(c.req.valid('param').name), 200),
  );

  app.openapi(routes.namedPredict, async (c) => {
    const { name } = c.req.valid('param');
    const [result] = await predictRows(c.get('node'), name, c.req.valid('json'), c.executionCtx, (v, b) =>
      v.validateRequest(b),
    );
    return c.json(result!, 200);
  });

  app.openapi(routes.namedPredictBatch, async (c) => {
    const { name } = c.req.valid('param');
    const predictions = await predictRows(c.get('node'), name, c.req.valid('json'), c.executionCtx, (v, b) =>
      v.validateBatch(b),
    );
    return c.json({ predictions }, 200);
  });

  app.openapi(routes.feedback, async (c) => {
    const { prediction_id, outcome } = c.req.valid('json');
    return c.json(await c.get('node').feedback(prediction_id, outcome), 200);
  });

  app.openapi(routes.model, async (c) => c.json(await c.get('node').modelInfo(), 200));

  app.openapi(routes.installModel, async (c) => {
    const { name, model, onnx_base64 } = c.req.valid('json');
    const onnx = decodeBase64(onnx_base64, 'onnx_base64');
    return c.json(await c.get('node').installModel(model, onnx, name), 200);
  });

  app.openapi(routes.rollback, async (c) => {
    const name = c.req.valid('query').name ?? (await bodyName(c));
    return c.json(await c.get('node').rollback(name === undefined ? undefined : checkedModelName(name)), 200);
  });

  app.openapi(routes.sync, async (c) => c.json(await c.get('node').sync(), 200));

  app.openapi(routes.deadLetters, async (c) => {
    const { kind, limit, offset } = c.req.valid('query');
    return c.json(await c.get('node').deadLetters(kind, limit, offset), 200);
  });

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'pmm edge API',
      version: '1',
      description:
        "Predictions of pmm's served models at the edge (the default model at /api/v1/predict, every model at /api/v1/models/{name}/predict); every prediction is logged and shipped to the sync server.",
    },
  });
  app.get('/docs', swaggerUI({ url: '/openapi.json', title: 'pmm edge API' }));

  return app;
}
