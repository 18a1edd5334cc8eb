// The HTTP API and the Cron Trigger of the lite build (src/worker-lite.ts), driven inside workerd with real D1/KV.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { LogStore } from '../src/log-store';
import worker from '../src/worker-lite';
import { centre } from './centre';
import { env } from './env';
import { ADMIN_TOKEN, artifact, artifactFailingCanary, EXAMPLE_FEATURES, installBody } from './fixtures';

interface Call {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: responses are read loosely in assertions
  body: any;
  text: string;
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  init: { body?: BodyInit | null; json?: unknown; headers?: Record<string, string>; admin?: boolean } = {},
): Promise<Call> {
  const headers: Record<string, string> = { ...init.headers };
  let body = init.body ?? null;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers['content-type'] ??= 'application/json';
  }
  if (init.admin) headers.authorization = `Bearer ${ADMIN_TOKEN}`;
  const ctx = createExecutionContext();
  const response = await worker.fetch!(
    new Request(`http://edge.test${path}`, { method, headers, body }) as Request<
      unknown,
      IncomingRequestCfProperties
    >,
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: response.status, body: parsed, text, headers: response.headers };
}

async function install(version = 'v1', bias = 0) {
  const a = await artifact(version, bias);
  const r = await call('POST', '/admin/models', {
    body: installBody(a),
    headers: { 'content-type': 'application/json' },
    admin: true,
  });
  expect(r.status).toBe(200);
  return a;
}

/** Every error: the one JSON shape, never a stack trace, never a 500. */
function expectError(r: Call, status: number, code?: string) {
  expect(r.status).toBe(status);
  expect(r.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  expect(r.body.error).toHaveProperty('details');
  if (code) expect(r.body.error.code).toBe(code);
  expect(r.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
}

describe('status routes', () => {
  it('GET /healthz reports D1, model, sync and counters; GET /ready is 503 until a model is loaded', async () => {
    const health = await call('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'degraded',
      node_id: 'edge-test',
      engine: 'lite',
      d1: { reachable: true },
      model: { version: null },
      sync: { last_success_at: null, pending_predictions: 0, pending_feedback: 0 },
      failed_log_writes: 0,
    });
    const notReady = await call('GET', '/ready');
    expectError(notReady, 503, 'not_ready');
    expect(notReady.body.error.message).toContain('model');

    await install();
    expect((await call('GET', '/ready')).body).toEqual({ ready: true, model_version: 'v1' });
    expect((await call('GET', '/healthz')).body).toMatchObject({ status: 'ok', model: { version: 'v1' } });
  });

  it('GET /api/v1/model returns the active model metadata', async () => {
    expectError(await call('GET', '/api/v1/model'), 503, 'no_model');
    const a = await install();
    const r = await call('GET', '/api/v1/model');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      version: 'v1',
      created_at: a.card.created_at,
      sha256: a.card.onnx_sha256,
      metrics: a.card.metrics,
    });
  });

  it('serves the OpenAPI document and Swagger UI', async () => {
    const doc = await call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/healthz',
        '/ready',
        '/api/v1/predict',
        '/api/v1/predict/batch',
        '/api/v1/feedback',
        '/api/v1/model',
        '/admin/models',
        '/admin/models/rollback',
        '/admin/sync',
        '/admin/dead-letters',
      ]),
    );
    const predictBody = doc.body.paths['/api/v1/predict'].post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(predictBody)).toContain('Month-to-month');
    expect(doc.body.paths['/admin/models'].post.security).toEqual([{ bearer: [] }]);
    const docs = await call('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger');
    expectError(await call('GET', '/nope'), 404, 'not_found');
  });
});

describe('predictions', () => {
  beforeEach(async () => {
    await install();
  });

  it('POST /api/v1/predict answers and logs the prediction to D1', async () => {
    const r = await call('POST', '/api/v1/predict', { json: { features: EXAMPLE_FEATURES } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      prediction_id: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      ),
      probability: expect.any(Number),
      label: r.body.probability >= 0.5 ? 1 : 0,
      model_version: 'v1',
    });
    const row = await env.DB.prepare(
      'SELECT model_version, node_id, label FROM predictions WHERE prediction_id = ?',
    )
      .bind(r.body.prediction_id)
      .first();
    expect(row).toEqual({ model_version: 'v1', node_id: 'edge-test', label: r.body.label });
  });

  it('POST /api/v1/predict/batch answers every row in order', async () => {
    const rows = [0, 24, 72].map((tenure) => ({ ...EXAMPLE_FEATURES, tenure }));
    const batch = await call('POST', '/api/v1/predict/batch', { json: { rows } });
    expect(batch.status).toBe(200);
    expect(batch.body.predictions).toHaveLength(3);
    for (const [i, features] of rows.entries()) {
      const single = await call('POST', '/api/v1/predict', { json: { features } });
      expect(batch.body.predictions[i].probability).toBeCloseTo(single.body.probability, 6);
    }
    const [p0, p1, p2] = batch.body.predictions.map((p: { probability: number }) => p.probability);
    expect(p0).toBeGreaterThan(p1);
    expect(p1).toBeGreaterThan(p2);
    const count = await env.DB.prepare('SELECT count(*) AS n FROM predictions').first<{ n: number }>();
    expect(count?.n).toBe(6);
  });

  it('POST /api/v1/feedback stores the outcome beside the prediction; unknown id 404', async () => {
    const p = await call('POST', '/api/v1/predict', { json: { features: EXAMPLE_FEATURES } });
    const f = await call('POST', '/api/v1/feedback', {
      json: { prediction_id: p.body.prediction_id, outcome: 1 },
    });
    expect(f.status).toBe(200);
    expect(f.body).toEqual({ prediction_id: p.body.prediction_id, outcome: 1 });
    const row = await env.DB.prepare('SELECT outcome FROM feedback WHERE prediction_id = ?')
      .bind(p.body.prediction_id)
      .first();
    expect(row).toEqual({ outcome: 1 });
    expectError(
      await call('POST', '/api/v1/feedback', { json: { prediction_id: crypto.randomUUID(), outcome: 0 } }),
      404,
      'not_found',
    );
  });
});

describe('bad requests never 500', () => {
  beforeEach(async () => {
    await install();
  });

  const validation = async (json: unknown, path = '/api/v1/predict') => {
    const r = await call('POST', path, { json });
    expectError(r, 422, 'validation_failed');
    return r.body.error.details.map((d: { path: string }) => d.path);
  };

  it('422 names the missing, extra, mistyped or out-of-schema field', async () => {
    const { tenure: _, ...missing } = EXAMPLE_FEATURES;
    expect(await validation({ features: missing })).toEqual(['features.tenure']);
    expect(await validation({ features: { ...EXAMPLE_FEATURES, shoe_size: 42 } })).toEqual([
      'features.shoe_size',
    ]);
    expect(await validation({ features: { ...EXAMPLE_FEATURES, tenure: '12' } })).toEqual([
      'features.tenure',
    ]);
    expect(await validation({ features: { ...EXAMPLE_FEATURES, contract: 'Weekly' } })).toEqual([
      'features.contract',
    ]);
    expect(await validation({ features: EXAMPLE_FEATURES, extra: 1 })).toEqual(['extra']);
    expect(await validation([1, 2])).toEqual(['(root)']);
    expect(await validation(null)).toEqual(['(root)']);
    const rows = Array.from({ length: 1001 }, () => EXAMPLE_FEATURES);
    expect(await validation({ rows }, '/api/v1/predict/batch')).toEqual(['rows']);
    expect(await validation({ rows: [{ ...EXAMPLE_FEATURES, gender: 1 }] }, '/api/v1/predict/batch')).toEqual(
      ['rows.0.gender'],
    );
    expect(await validation({ prediction_id: crypto.randomUUID(), outcome: 2 }, '/api/v1/feedback')).toEqual([
      'outcome',
    ]);
    expect(await validation({ prediction_id: 'nope', outcome: 1 }, '/api/v1/feedback')).toEqual([
      'prediction_id',
    ]);
  });

  it('400 for malformed JSON, 415 for another content type, 413 past 1 MB', async () => {
    const headers = { 'content-type': 'application/json' };
    expectError(
      await call('POST', '/api/v1/predict', { body: '{"features": {', headers }),
      400,
      'malformed_json',
    );
    expectError(await call('POST', '/api/v1/predict', { body: '', headers }), 400, 'malformed_json');
    const text = { 'content-type': 'text/plain' };
    expectError(
      await call('POST', '/api/v1/predict', {
        body: JSON.stringify({ features: EXAMPLE_FEATURES }),
        headers: text,
      }),
      415,
      'unsupported_media_type',
    );
    expectError(await call('POST', '/api/v1/predict', { body: '{}' }), 415);
    const big = JSON.stringify({ features: EXAMPLE_FEATURES, pad: 'x'.repeat(1024 * 1024) });
    expectError(await call('POST', '/api/v1/predict', { body: big, headers }), 413, 'payload_too_large');
    // Streamed without a Content-Length: the limit still holds.
    const stream = new Blob([big]).stream();
    expectError(
      await call('POST', '/api/v1/predict/batch', { body: stream, headers }),
      413,
      'payload_too_large',
    );
  });
});

describe('admin', () => {
  it('401 without a valid token, and nothing changes', async () => {
    const a = await artifact('v1');
    for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${ADMIN_TOKEN}`, ADMIN_TOKEN]) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (authorization) headers.authorization = authorization;
      expectError(
        await call('POST', '/admin/models', { body: installBody(a), headers }),
        401,
        'unauthorized',
      );
      expectError(await call('POST', '/admin/models/rollback', { headers }), 401);
      expectError(await call('POST', '/admin/sync', { headers }), 401);
    }
    expectError(await call('GET', '/api/v1/model'), 503, 'no_model');
    expect((await env.MODELS.list()).keys).toHaveLength(0);
  });

  it('refuses a corrupted artifact or one failing the canary (422) and keeps serving the active model', async () => {
    await install('v1');
    const v2 = await artifact('v2', 1);
    const corrupted = { ...v2, onnx: v2.onnx.map((b, i) => (i === 40 ? b ^ 1 : b)) };
    const mismatch = await call('POST', '/admin/models', {
      body: installBody(corrupted),
      json: undefined,
      admin: true,
      headers: { 'content-type': 'application/json' },
    });
    expectError(mismatch, 422, 'sha256_mismatch');
    const canary = await call('POST', '/admin/models', {
      body: installBody(await artifactFailingCanary('v3')),
      headers: { 'content-type': 'application/json' },
      admin: true,
    });
    expectError(canary, 422, 'canary_failed');
    const badCard = await call('POST', '/admin/models', {
      json: { model: { ...v2.card, onnx_sha256: 'zz' }, onnx_base64: 'AAAA' },
      admin: true,
    });
    expectError(badCard, 422);
    expect(badCard.body.error.details.map((d: { path: string }) => d.path)).toContain('model.onnx_sha256');
    const p = await call('POST', '/api/v1/predict', { json: { features: EXAMPLE_FEATURES } });
    expect(p.body.model_version).toBe('v1');
  });

  it('installs a new version, rolls back to the previous one, 409 when there is none', async () => {
    await install('v1');
    await install('v2', 2);
    const p2 = await call('POST', '/api/v1/predict', { json: { features: EXAMPLE_FEATURES } });
    expect(p2.body.model_version).toBe('v2');
    const rb = await call('POST', '/admin/models/rollback', { admin: true });
    expect(rb.status).toBe(200);
    expect(rb.body).toMatchObject({ version: 'v1', rolled_back_from: 'v2' });
    const p1 = await call('POST', '/api/v1/predict', { json: { features: EXAMPLE_FEATURES } });
    expect(p1.body.model_version).toBe('v1');
    expect(p1.body.probability).toBeLessThan(p2.body.probability);
    expectError(await call('POST', '/admin/models/rollback', { admin: true }), 409, 'no_previous_model');
  });

  it('accepts a model upload above 1 MB and refuses one above 16 MB', async () => {
    const a = await artifact('v1');
    const padded = installBody(a).replace(/}$/, `${' '.repeat(2 * 1024 * 1024)}}`);
    const ok = await call('POST', '/admin/models', {
      body: padded,
      headers: { 'content-type': 'application/json' },
      admin: true,
    });
    expect(ok.status).toBe(200);
    const huge = installBody(a).replace(/}$/, `${' '.repeat(16 * 1024 * 1024)}}`);
    expectError(
      await call('POST', '/admin/models', {
        body: huge,
        headers: { 'content-type': 'application/json' },
        admin: true,
      }),
      413,
    );
  });

  it('GET /admin/dead-letters lists refused rows with the reason, page by page; /healthz counts them', async () => {
    await install('v1');
    const p = await call('POST', '/api/v1/predict/batch', {
      json: { rows: [EXAMPLE_FEATURES, EXAMPLE_FEATURES, EXAMPLE_FEATURES] },
    });
    const ids: string[] = p.body.predictions.map((r: { prediction_id: string }) => r.prediction_id);
    await call('POST', '/api/v1/feedback', { json: { prediction_id: ids[2], outcome: 1 } });
    const logs = new LogStore(env.DB);
    await logs.markPredictionsDead(
      [
        { prediction_id: ids[0]!, reason: 'rejected by the centre: node_id: a' },
        { prediction_id: ids[2]!, reason: 'rejected by the centre: node_id: b' },
      ],
      '2026-11-30T00:00:00.000Z',
    );

    expect((await call('GET', '/healthz')).body).toMatchObject({
      dead_letters: { predictions: 2, feedback: 1 },
      sync: { pending_predictions: 1, pending_feedback: 0 },
    });
    expectError(await call('GET', '/admin/dead-letters?kind=prediction'), 401, 'unauthorized');
    expectError(await call('GET', '/admin/dead-letters?kind=outcome', { admin: true }), 422);
    expectError(await call('GET', '/admin/dead-letters?kind=prediction&limit=0', { admin: true }), 422);

    const page1 = await call('GET', '/admin/dead-letters?kind=prediction&limit=1', { admin: true });
    expect(page1.status).toBe(200);
    const page2 = await call('GET', '/admin/dead-letters?kind=prediction&limit=1&offset=1', { admin: true });
    expect(page1.body.total).toBe(2);
    expect([...page1.body.rows, ...page2.body.rows].map((r: { reason: string }) => r.reason).sort()).toEqual([
      'rejected by the centre: node_id: a',
      'rejected by the centre: node_id: b',
    ]);
    expect(page1.body.rows[0]).toMatchObject({
      dead_at: '2026-11-30T00:00:00.000Z',
      node_id: 'edge-test',
      model_version: 'v1',
      features: EXAMPLE_FEATURES,
    });
    const feedback = await call('GET', '/admin/dead-letters?kind=feedback', { admin: true });
    expect(feedback.body).toMatchObject({
      kind: 'feedback',
      total: 1,
      rows: [
        {
          prediction_id: ids[2],
          outcome: 1,
          reason: 'its prediction is a dead letter: rejected by the centre: node_id: b',
        },
      ],
    });
  });

  it('POST /admin/sync and the Cron Trigger ship the waiting logs to the sync server', async () => {
    await centre.ensureRegistered(await install('v1'));
    const p = await call('POST', '/api/v1/predict/batch', {
      json: { rows: [EXAMPLE_FEATURES, EXAMPLE_FEATURES] },
    });
    const sync = await call('POST', '/admin/sync', { admin: true });
    expect(sync.body).toMatchObject({ predictions_sent: 2, complete: true });

    await call('POST', '/api/v1/feedback', {
      json: { prediction_id: p.body.predictions[0].prediction_id, outcome: 1 },
    });
    const single = await call('POST', '/api/v1/predict', { json: { features: EXAMPLE_FEATURES } });
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ cron: '*/1 * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    const ids: string[] = [
      ...p.body.predictions.map((r: { prediction_id: string }) => r.prediction_id),
      single.body.prediction_id,
    ];
    const stored = await centre.predictions();
    for (const id of ids) expect(stored.get(id)?.['node_id']).toBe('edge-test');
    expect((await centre.feedback()).get(ids[0]!)?.['outcome']).toBe('1');
    expect((await call('GET', '/healthz')).body.sync).toMatchObject({
      pending_predictions: 0,
      pending_feedback: 0,
    });
  });
});
