// Log shipping and model pull against a real stand-in sync server on loopback (started by the global setup).
import { createLitePredictor } from '@pmm/core/onnx';
import { beforeEach, describe, expect, it } from 'vitest';
import { Runtime } from '../src/edge-node';
import { shipLogs } from '../src/shipper';
import { env } from './env';
import { artifact, EXAMPLE_FEATURES, toBase64 } from './fixtures';

interface ReceiverView {
  prediction_ids: string[];
  feedback: Record<string, { outcome: number; created_at: string }>;
  duplicates: number;
  ingest_requests: number;
  failed_requests: number;
  invalid_requests: number;
}

const receiver = {
  async mode(mode: 'ok' | 'fail' | 'lost-ack') {
    await fetch(`${env.SYNC_URL}/__mode`, { method: 'POST', body: JSON.stringify({ mode }) });
  },
  async state(): Promise<ReceiverView> {
    return (await fetch(`${env.SYNC_URL}/__state`)).json();
  },
  async production(a: { card: unknown; onnx: Uint8Array }) {
    await fetch(`${env.SYNC_URL}/__production`, {
      method: 'POST',
      body: JSON.stringify({ card: a.card, onnx_base64: toBase64(a.onnx) }),
    });
  },
};

async function nodeWithModel() {
  const waits: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => void waits.push(p) };
  const node = new Runtime('lite', createLitePredictor).node(env);
  const v1 = await artifact('v1');
  await node.installModel(v1.card, v1.onnx);
  return { node, ctx, settle: () => Promise.all(waits) };
}

const rows = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    ...EXAMPLE_FEATURES,
    tenure: i % 72,
    monthly_charges: 20 + (i % 100),
  }));

beforeEach(async () => {
  await fetch(`${env.SYNC_URL}/__reset`, { method: 'POST' });
});

describe('log shipping', () => {
  it('keeps rows while the centre is down, then delivers every row exactly once in batches of 500', async () => {
    const { node, ctx, settle } = await nodeWithModel();
    const first = await node.predict(rows(1000), ctx);
    const second = await node.predict(rows(100), ctx);
    await settle();
    const ids = [...first, ...second].map((r) => r.prediction_id);
    await node.feedback(ids[0]!, 1);
    await node.feedback(ids[1]!, 0);

    await receiver.mode('fail');
    const down = await node.sync();
    expect(down).toMatchObject({ predictions_sent: 0, feedback_sent: 0, complete: false });
    expect(down.error).toContain('503');
    const waiting = await node.health();
    expect(waiting.sync).toMatchObject({
      pending_predictions: 1100,
      pending_feedback: 2,
      last_success_at: null,
    });
    expect(waiting.sync.last_error).toContain('503');
    expect((await receiver.state()).prediction_ids).toHaveLength(0);

    await receiver.mode('ok');
    const up = await node.sync();
    expect(up).toMatchObject({ predictions_sent: 1100, feedback_sent: 2, complete: true, error: null });
    const state = await receiver.state();
    expect(new Set(state.prediction_ids)).toEqual(new Set(ids));
    expect(state.duplicates).toBe(0);
    expect(state.invalid_requests).toBe(0);
    expect(state.feedback[ids[0]!]?.outcome).toBe(1);
    expect(state.feedback[ids[1]!]?.outcome).toBe(0);
    // 1 failed attempt + 3 prediction batches (500, 500, 100) + 1 feedback batch.
    expect(state.ingest_requests).toBe(5);

    const health = await node.health();
    expect(health.sync).toMatchObject({ pending_predictions: 0, pending_feedback: 0 });
    expect(health.sync.last_success_at).not.toBeNull();

    const again = await node.sync();
    expect(again).toMatchObject({ predictions_sent: 0, feedback_sent: 0, complete: true });
    expect((await receiver.state()).ingest_requests).toBe(5);
  });

  it('re-sends a batch whose acknowledgement was lost (at-least-once; the centre dedupes)', async () => {
    const { node, ctx, settle } = await nodeWithModel();
    const sent = await node.predict(rows(3), ctx);
    await settle();
    await receiver.mode('lost-ack');
    expect((await node.sync()).complete).toBe(false);
    await receiver.mode('ok');
    expect(await node.sync()).toMatchObject({ predictions_sent: 3, complete: true });
    const state = await receiver.state();
    expect(state.prediction_ids.sort()).toEqual(sent.map((r) => r.prediction_id).sort());
    expect(state.duplicates).toBe(3);
  });

  it('stops after its batch budget and carries on next run, oldest rows first', async () => {
    const { node, ctx, settle } = await nodeWithModel();
    const sent = await node.predict(rows(5), ctx);
    await settle();
    const run = () =>
      shipLogs({
        logs: node.logs,
        syncUrl: env.SYNC_URL,
        nodeId: 'edge-test',
        ingestToken: 'test-ingest-token',
        fetch: (input, init) => fetch(input, init),
        now: () => new Date(),
        batchSize: 2,
        maxBatches: 2,
      });
    expect(await run()).toEqual({ predictions_sent: 4, feedback_sent: 0, complete: false, error: null });
    expect(await run()).toEqual({ predictions_sent: 1, feedback_sent: 0, complete: true, error: null });
    const state = await receiver.state();
    expect(state.prediction_ids.sort()).toEqual(sent.map((r) => r.prediction_id).sort());
    expect(state.ingest_requests).toBe(3);
  });

  it('ships a corrected outcome again', async () => {
    const { node, ctx, settle } = await nodeWithModel();
    const [p] = await node.predict(rows(1), ctx);
    await settle();
    await node.feedback(p!.prediction_id, 1);
    await node.sync();
    await node.feedback(p!.prediction_id, 0);
    expect((await node.health()).sync.pending_feedback).toBe(1);
    expect(await node.sync()).toMatchObject({ feedback_sent: 1, complete: true });
    expect((await receiver.state()).feedback[p!.prediction_id]?.outcome).toBe(0);
  });
});

describe('model pull', () => {
  it("installs the centre's production model when it differs, and not again after a rollback", async () => {
    const { node, ctx } = await nodeWithModel();
    expect((await node.pullProductionModel()).status).toBe('failed'); // the centre has no production model yet

    await receiver.production(await artifact('v2', 1));
    expect(await node.pullProductionModel()).toEqual({ status: 'installed', detail: 'v2' });
    expect((await node.predict(rows(1), ctx))[0]!.model_version).toBe('v2');
    expect((await node.pullProductionModel()).status).toBe('current');

    await node.rollback();
    expect((await node.pullProductionModel()).status).toBe('skipped');
    expect((await node.modelInfo()).version).toBe('v1');
  });

  it('refuses a corrupted production artifact and keeps the active model', async () => {
    const { node } = await nodeWithModel();
    const v2 = await artifact('v2', 1);
    const corrupted = v2.onnx.slice();
    corrupted[10]! ^= 0x55;
    await receiver.production({ card: v2.card, onnx: corrupted });
    const pulled = await node.pullProductionModel();
    expect(pulled.status).toBe('failed');
    expect(pulled.detail).toContain('sha256');
    expect((await node.modelInfo()).version).toBe('v1');
  });
});
