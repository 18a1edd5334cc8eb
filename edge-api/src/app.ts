// The edge API as a Hono app: routes declared with their zod schemas; bindings and the engine come from outside.

import { swaggerUI } from '@hono/swagger-ui';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { modelSchemaOf } from '@pmm/core/model';
import {
  EXAMPLE_FEATURES,
  MAX_BATCH_ROWS,
  requestValidatorFor,
  toFieldIssues,
  type ValidationResult,
} from '@pmm/core/schema';
import type { MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requireBearer } from './auth';
import { MAX_BODY_BYTES, MAX_MODEL_UPLOAD_BYTES, readJsonBody } from './body';
import { ConfigError, type Env } from './env';
import {
  ApiError,
  MalformedJsonError,
  ModelRejectedError,
  NotFoundError,
  toErrorBody,
  UnavailableError,
  ValidationError,
} from './errors';
import { modelCardSchema } from './model-card';
import type { EdgeNode, Runtime } from './node';

type AppEnv = { Bindings: Env; Variables: { node: EdgeNode } };

const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.unknown(),
    }),
  })
  .openapi('Error');

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
  outcome: z.union([z.literal(0), z.literal(1)]).describe('The true outcome: 1 = churned'),
});

// The routes check only the envelope; the features are validated by the served model's own schema
// (its model.json, a validator built once per version): field names, kinds, closed sets.
const featuresRecord = z
  .record(z.string(), z.union([z.string(), z.number(), z.null()]))
  .openapi({ description: "The served model's features (GET /api/v1/model)", example: EXAMPLE_FEATURES });
const predictEnvelope = z.strictObject({ features: featuresRecord });
const predictBatchEnvelope = z.strictObject({ rows: z.array(featuresRecord).min(1).max(MAX_BATCH_ROWS) });

/** The active model's request validator (built from its schema once per version). */
async function servedValidator(node: EdgeNode) {
  const { card } = await node.activeModel();
  return requestValidatorFor(card.version, modelSchemaOf(card));
}

/** The validated value, or a 422 naming the field. */
function validated<T>(result: ValidationResult<T>): T {
  if (!result.ok) throw new ValidationError(result.issues);
  return result.value;
}

const installRequestSchema = z.strictObject({
  model: modelCardSchema.describe('model.json (ModelCard) of the version to install'),
  onnx_base64: z.string().min(1).describe('model.onnx, base64'),
});

const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: `Error (${s})`, content: { 'application/json': { schema: errorSchema } } },
    ]),
  );

const jsonBody = <T extends z.ZodType>(schema: T, description: string) => ({
  required: true,
  description,
  content: { 'application/json': { schema } },
});

const ok = <T extends z.ZodType>(schema: T, description: string) => ({
  200: { description, content: { 'application/json': { schema } } },
});

/** Reads the body under `limit` and hands it to the route's validator (415 / 413 / 400 before any 422). */
const readBody =
  (limit: number): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const body = await readJsonBody(c.req.raw, limit);
    (c.req.bodyCache as { json?: Promise<unknown> }).json = Promise.resolve(body);
    await next();
  };

const adminOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  await requireBearer(c.req.header('authorization'), c.get('node').config.adminToken);
  await next();
};

const bearer = [{ bearer: [] }];

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
    summary: 'P(churn) for one customer',
    middleware: [readBody(MAX_BODY_BYTES)] as const,
    request: { body: jsonBody(predictEnvelope, "The served model's features") },
    responses: { ...ok(predictionSchema, 'The prediction'), ...errors(400, 413, 415, 422, 503) },
  }),
  predictBatch: createRoute({
    method: 'post',
    path: '/api/v1/predict/batch',
    summary: 'P(churn) for up to 1,000 customers, in order',
    middleware: [readBody(MAX_BODY_BYTES)] as const,
    request: { body: jsonBody(predictBatchEnvelope, "Rows of the served model's features") },
    responses: {
      ...ok(z.object({ predictions: z.array(predictionSchema) }), 'One prediction per row, in order'),
      ...errors(400, 413, 415, 422, 503),
    },
  }),
  feedback: createRoute({
    method: 'post',
    path: '/api/v1/feedback',
    summary: 'Record the true outcome of a prediction',
    middleware: [readBody(MAX_BODY_BYTES)] as const,
    request: { body: jsonBody(feedbackRequestSchema, 'The prediction id and its outcome') },
    responses: {
      ...ok(z.object({ prediction_id: z.uuid(), outcome: z.union([z.literal(0), z.literal(1)]) }), 'Stored'),
      ...errors(400, 404, 413, 415, 422),
    },
  }),
  model: createRoute({
    method: 'get',
    path: '/api/v1/model',
    summary: "The active model's metadata",
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
    summary: 'Install and activate a model version (pushed by the sync server)',
    security: bearer,
    middleware: [readBody(MAX_MODEL_UPLOAD_BYTES)] as const,
    request: { body: jsonBody(installRequestSchema, 'model.json and the base64 model.onnx') },
    responses: {
      ...ok(
        z.object({ version: z.string(), previous_version: z.string().nullable(), activated_at: z.string() }),
        'Installed and active',
      ),
      ...errors(400, 401, 413, 415, 422),
    },
  }),
  rollback: createRoute({
    method: 'post',
    path: '/admin/models/rollback',
    summary: 'Re-activate the previous model version',
    security: bearer,
    responses: {
      ...ok(
        z.object({ version: z.string(), rolled_back_from: z.string(), activated_at: z.string() }),
        'Previous version active',
      ),
      ...errors(401, 409),
    },
  }),
  sync: createRoute({
    method: 'post',
    path: '/admin/sync',
    summary: 'Ship waiting prediction logs and feedback to the sync server now',
    security: bearer,
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
};

function decodeBase64(text: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text.replace(/\s+/g, ''));
  } catch {
    throw new ModelRejectedError('invalid_artifact', 'onnx_base64 is not valid base64');
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Builds the app around a runtime (engine + isolate caches); worker.ts and worker-lite.ts pass theirs. */
export function createApp(runtime: Runtime) {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw new ValidationError(toFieldIssues(result.error as z.ZodError));
    },
  });

  app.onError((err, c) => {
    let error: unknown = err;
    if (err instanceof ConfigError) error = new UnavailableError('misconfigured', err.message);
    else if (err instanceof HTTPException && !(err instanceof ApiError)) {
      error =
        err.status === 400
          ? new MalformedJsonError(err.message || undefined)
          : new ApiError(err.status === 413 ? 413 : 400, 'bad_request', err.message || 'bad request');
    }
    const { status, body } = toErrorBody(error);
    if (status === 500) console.error('unhandled error', err);
    return c.json(body, status);
  });
  app.notFound((c) => {
    const { status, body } = toErrorBody(new NotFoundError(`no route for ${c.req.method} ${c.req.path}`));
    return c.json(body, status);
  });

  app.use('*', async (c, next) => {
    c.set('node', runtime.node(c.env));
    await next();
  });
  app.use('/admin/*', adminOnly);

  app.openapi(routes.healthz, async (c) => c.json(await c.get('node').health(), 200));

  app.openapi(routes.livez, (c) => c.json({ ok: true as const }, 200));

  app.openapi(routes.ready, async (c) => {
    const node = c.get('node');
    const reason = await node.notReadyReason();
    if (reason) throw new UnavailableError('not_ready', reason);
    const { pointer } = await node.activeModel();
    return c.json({ ready: true as const, model_version: pointer.version }, 200);
  });

  app.openapi(routes.predict, async (c) => {
    const validator = await servedValidator(c.get('node'));
    const features = validated(validator.validateRequest(c.req.valid('json')));
    const [result] = await c.get('node').predict([features], c.executionCtx);
    return c.json(result!, 200);
  });

  app.openapi(routes.predictBatch, async (c) => {
    const validator = await servedValidator(c.get('node'));
    const rows = validated(validator.validateBatch(c.req.valid('json')));
    return c.json({ predictions: await c.get('node').predict(rows, c.executionCtx) }, 200);
  });

  app.openapi(routes.feedback, async (c) => {
    const { prediction_id, outcome } = c.req.valid('json');
    return c.json(await c.get('node').feedback(prediction_id, outcome), 200);
  });

  app.openapi(routes.model, async (c) => c.json(await c.get('node').modelInfo(), 200));

  app.openapi(routes.installModel, async (c) => {
    const { model, onnx_base64 } = c.req.valid('json');
    return c.json(await c.get('node').installModel(model, decodeBase64(onnx_base64)), 200);
  });

  app.openapi(routes.rollback, async (c) => c.json(await c.get('node').rollback(), 200));

  app.openapi(routes.sync, async (c) => c.json(await c.get('node').sync(), 200));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'pmm edge API',
      version: '1',
      description:
        'Churn predictions at the edge; every prediction is logged and shipped to the sync server.',
    },
  });
  app.get('/docs', swaggerUI({ url: '/openapi.json', title: 'pmm edge API' }));

  return app;
}
