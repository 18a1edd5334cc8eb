// EdgeNode inside workerd with real D1/KV: predict + log, feedback, install checks, rollback, failed-write counter.
import { createLitePredictor } from '@pmm/core/onnx';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../src/edge-node';
import { env } from './env';
import { artifact, artifactFailingCanary, EXAMPLE_FEATURES } from './fixtures';

function setup() {
  const waits: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => void waits.push(p) };
  const node = new Runtime('lite', createLitePredictor).node(env);
  return { node, ctx, settle: () => Promise.all(waits) };
}

describe('EdgeNode', () => {
  it('refuses to predict without a model (503) and predicts after an install', async () => {
    const { node, ctx, settle } = setup();
    await expect(node.predict([EXAMPLE_FEATURES], ctx)).rejects.toMatchObject({
      status: 503,
      code: 'no_model',
    });

    const v1 = await artifact('v1');
    const installed = await node.installModel(v1.card, v1.onnx);
    expect(installed).toMatchObject({ version: 'v1', previous_version: null });

    const [result] = await node.predict([EXAMPLE_FEATURES], ctx);
    expect(result!.model_version).toBe('v1');
    expect(result!.probability).toBeGreaterThan(0);
    expect(result!.probability).toBeLessThan(1);
    expect(result!.label).toBe(result!.probability >= 0.5 ? 1 : 0);
    await settle();

    const row = await env.DB.prepare('SELECT * FROM predictions WHERE prediction_id = ?')
      .bind(result!.prediction_id)
      .first<Record<string, unknown>>();
    expect(row).toMatchObject({
      node_id: 'edge-test',
      model_version: 'v1',
      label: result!.label,
      synced_at: null,
    });
    expect(JSON.parse(row!.features as string)).toEqual(EXAMPLE_FEATURES);
    expect(row!.probability).toBeCloseTo(result!.probability, 6);
  });

  it('refuses a sha256 mismatch and a canary failure, and keeps serving the active model', async () => {
    const { node, ctx } = setup();
    const v1 = await artifact('v1');
    await node.installModel(v1.card, v1.onnx);

    const v2 = await artifact('v2', 1);
    const corrupted = v2.onnx.slice();
    corrupted[corrupted.length - 3]! ^= 0xff;
    await expect(node.installModel(v2.card, corrupted)).rejects.toMatchObject({
      status: 422,
      code: 'sha256_mismatch',
    });

    const bad = await artifactFailingCanary('v3');
    await expect(node.installModel(bad.card, bad.onnx)).rejects.toMatchObject({
      status: 422,
      code: 'canary_failed',
    });

    const garbage = new TextEncoder().encode('not an onnx model');
    const garbageCard = { ...(await artifact('v4')).card, onnx_sha256: await sha(garbage) };
    await expect(node.installModel(garbageCard, garbage)).rejects.toMatchObject({
      status: 422,
      code: 'invalid_artifact',
    });

    const [result] = await node.predict([EXAMPLE_FEATURES], ctx);
    expect(result!.model_version).toBe('v1');
    expect((await node.modelInfo()).version).toBe('v1');
  });

  it('rolls back to the previous version and refuses when there is none', async () => {
    const { node, ctx } = setup();
    await expect(node.rollback()).rejects.toMatchObject({ status: 409 });
    const v1 = await artifact('v1');
    const v2 = await artifact('v2', 2);
    await node.installModel(v1.card, v1.onnx);
    await node.installModel(v2.card, v2.onnx);
    const [p2] = await node.predict([EXAMPLE_FEATURES], ctx);
    expect(p2!.model_version).toBe('v2');

    expect(await node.rollback()).toMatchObject({ version: 'v1', rolled_back_from: 'v2' });
    const [p1] = await node.predict([EXAMPLE_FEATURES], ctx);
    expect(p1!.model_version).toBe('v1');
    expect(p1!.probability).toBeLessThan(p2!.probability);

    // A fresh isolate (new runtime) reads the same pointer from KV.
    const other = new Runtime('lite', createLitePredictor).node(env);
    expect((await other.modelInfo()).version).toBe('v1');
    await expect(node.rollback()).rejects.toMatchObject({ status: 409, code: 'no_previous_model' });
  });

  it('stores feedback beside a logged prediction and 404s an unknown id', async () => {
    const { node, ctx, settle } = setup();
    const v1 = await artifact('v1');
    await node.installModel(v1.card, v1.onnx);
    const [result] = await node.predict([EXAMPLE_FEATURES], ctx);
    await settle();
    await node.feedback(result!.prediction_id, 1);
    await node.feedback(result!.prediction_id, 0);
    const row = await env.DB.prepare('SELECT outcome FROM feedback WHERE prediction_id = ?')
      .bind(result!.prediction_id)
      .first<{ outcome: number }>();
    expect(row?.outcome).toBe(0);
    await expect(node.feedback(crypto.randomUUID(), 1)).rejects.toMatchObject({ status: 404 });
  });

  it('counts a failed log write in /healthz and still answers the prediction', async () => {
    const { node, ctx, settle } = setup();
    const v1 = await artifact('v1');
    await node.installModel(v1.card, v1.onnx);
    await env.DB.exec('DROP TABLE feedback');
    await env.DB.exec('DROP TABLE predictions');
    const results = await node.predict([EXAMPLE_FEATURES, EXAMPLE_FEATURES], ctx);
    expect(results).toHaveLength(2);
    await settle();
    const health = await node.health();
    expect(health.failed_log_writes).toBe(2);
    expect(health.d1.reachable).toBe(true);
  });

  it('counts in KV when D1 cannot take the counter either', async () => {
    const { node, ctx, settle } = setup();
    const v1 = await artifact('v1');
    await node.installModel(v1.card, v1.onnx);
    await env.DB.exec('DROP TABLE feedback');
    await env.DB.exec('DROP TABLE predictions');
    await env.DB.exec('DROP TABLE node_state');
    expect(await node.predict([EXAMPLE_FEATURES], ctx)).toHaveLength(1);
    await settle();
    expect(await env.MODELS.get('stats/failed_log_writes')).toBe('1');
    const health = await node.health();
    expect(health.failed_log_writes).toBe(1);
    expect(health.status).toBe('degraded');
  });
});

async function sha(bytes: Uint8Array) {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}
