// The edge validates requests by the served model's own schema (model.json), here a model that is not Telco.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import type { ModelSpec } from '@pmm/core/model';
import { exportOnnx } from '@pmm/core/onnx';
import { EXAMPLE_FEATURES, parseModelSchema } from '@pmm/core/schema';
import { describe, expect, it } from 'vitest';
import worker from '../src/worker-lite';
import { env } from './env';
import { ADMIN_TOKEN, cardFor, toBase64 } from './fixtures';

/** P(positive) = σ(1.5·[airport = AMS] + 0.01·(amount - 100) - 0.5): two inputs named with spaces. */
const spec: ModelSpec = {
  preprocess: {
    categorical: [{ name: 'Home Airport', categories: ['AMS', 'CDG'] }],
    numerical: [{ name: 'Amount USD', impute: 100, offset: 100, scale: 1 }],
  },
  layers: [{ inputSize: 3, outputSize: 1, weights: [1.5, 0, 0.01], bias: [-0.5], activation: 'sigmoid' }],
};
const schema = parseModelSchema({
  task: 'binary_classification',
  target: { column: 'Is Fraud', positive: 'fraud', negative: 'ok' },
  features: [
    { name: 'Home Airport', kind: 'categorical', categories: ['AMS', 'CDG'], missing: { allowed: false } },
    {
      name: 'Amount USD',
      kind: 'numerical',
      range: { min: 1, max: 500 },
      missing: { allowed: true, value: 100 },
    },
  ],
});

async function call(method: string, path: string, json: unknown, admin = false) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (admin) headers.authorization = `Bearer ${ADMIN_TOKEN}`;
  const ctx = createExecutionContext();
  const response = await worker.fetch!(
    new Request(`http://edge.test${path}`, { method, headers, body: JSON.stringify(json) }) as Request<
      unknown,
      IncomingRequestCfProperties
    >,
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  // biome-ignore lint/suspicious/noExplicitAny: responses are read loosely in assertions
  return { status: response.status, body: (await response.json()) as any };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe("requests validated by the served model's schema", () => {
  it("takes the model's own fields, accepts an unseen category and a null, and names bad fields", async () => {
    const version = 'fraud-v1';
    const onnx = exportOnnx(spec, { version });
    const card = { ...(await cardFor(version, onnx)), schema, feature_schema: [] };
    const installed = await call('POST', '/admin/models', { model: card, onnx_base64: toBase64(onnx) }, true);
    expect(installed.status, JSON.stringify(installed.body)).toBe(200);

    const p = await call('POST', '/api/v1/predict', {
      features: { 'Home Airport': 'AMS', 'Amount USD': 150 },
    });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body.probability).toBeCloseTo(sigmoid(1.5 + 0.5 - 0.5), 5);
    const unseen = await call('POST', '/api/v1/predict/batch', {
      rows: [
        { 'Home Airport': 'JFK', 'Amount USD': 100 },
        { 'Home Airport': 'CDG', 'Amount USD': null },
      ],
    });
    expect(unseen.status, JSON.stringify(unseen.body)).toBe(200);
    expect(unseen.body.predictions[0].probability).toBeCloseTo(sigmoid(-0.5), 5);
    expect(unseen.body.predictions[1].probability).toBeCloseTo(sigmoid(-0.5), 5);

    const bad = await call('POST', '/api/v1/predict', { features: { 'Amount USD': 'a lot', shoe_size: 42 } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toEqual([
      { path: 'features.Home Airport', message: 'missing' },
      { path: 'features.Amount USD', message: 'expected a finite number, got string' },
      { path: 'features.shoe_size', message: 'unknown field' },
    ]);
    const telco = await call('POST', '/api/v1/predict', { features: EXAMPLE_FEATURES });
    expect(telco.status).toBe(422);
  });

  it('refuses an imported model the lite engine cannot serve, with the reason model.json records', async () => {
    const version = 'imported-v1';
    const onnx = exportOnnx(spec, { version });
    const reason = 'lite engine does not implement operator Gemm (node "gemm"); it implements ...';
    const card = {
      ...(await cardFor(version, onnx)),
      schema,
      serving: {
        input: { layout: 'per_feature' },
        output: { name: 'probability', column: null },
        engines: ['ort'],
        lite_refusal: reason,
      },
    };
    const r = await call('POST', '/admin/models', { model: card, onnx_base64: toBase64(onnx) }, true);
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({
      code: 'engine_unsupported',
      message: `the lite engine cannot serve imported-v1: ${reason}`,
    });
  });
});
