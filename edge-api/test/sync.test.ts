// Log shipping, dead letters and model pull against the REAL sync server (a child process started by the global
// setup), reached through the fault proxy that plays the network's failures.
import { createLitePredictor } from '@pmm/core/onnx';
import { afterEach, describe, expect, it } from 'vitest';
import { Runtime } from '../src/edge-node';
import { shipLogs } from '../src/shipper';
import { centre } from './centre';
import { env } from './env';
import { artifact, EXAMPLE_FEATURES } from './fixtures';

async function nodeWithModel() {
  const waits: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => void waits.push(p) };
  const node = new Runtime('lite', createLitePredictor).node(env);
  const v1 = await artifact('v1');
  await centre.ensureRegistered(v1);
  await node.installModel(v1.card, v1.onnx);
  return { node, ctx, settle: () => Promise.all(waits) };
}

const rows = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    ...EXAMPLE_FEATURES,
    tenure: i % 72,
    monthly_charges: 20 + (i % 100),
  }));

afterEach(async () => {
  await centre.fault('none');
});

// First: the centre has no production model until a test promotes one.
describe('model pull', () => {
  it("installs the centre's production model when it differs, and not again after a rollback", async () => {
    const { node, ctx } = await nodeWithModel();
    // A centre from before named models answers 404 for @production; one with them serves no name yet.
    const none = await node.pullProductionModel();
    expect(none).toEqual(
      none.status === 'none'
        ? { status: 'none', detail: 'the centre serves no production model named "churn"' }
        : { status: 'failed', detail: expect.stringContaining('404') },
    );
    expect((await node.modelInfo()).version).toBe('v1');

    await centre.promote(await artifact('pull-v2', 1));
    expect(await node.pullProductionModel()).toEqual({ status: 'installed', detail: 'pull-v2' });
    expect((await node.predict(rows(1), ctx))[0]!.model_version).toBe('pull-v2');
    expect((await node.pullProductionModel()).status).toBe('current');

    await node.rollback();
    expect((await node.pullProductionModel()).status).toBe('skipped');
    expect((await node.modelInfo()).version).toBe('v1');
  });

  it('refuses an artifact corrupted on the way and keeps the active model', async () => {
    const { node } = await nodeWithModel();
    await centre.promote(await artifact('pull-v3', 1));
    await centre.fault('corrupt-artifact');
    const pulled = await node.pullProductionModel();
    expect(pulled.status).toBe('failed');
    expect(pulled.detail).toContain('sha256');
    expect((await node.modelInfo()).version).toBe('v1');
    await centre.fault('none');
    expect(await node.pullProductionModel()).toEqual({ status: 'installed', detail: 'pull-v3' });
  });
});

describe('log shipping', () => {
  it('keeps rows while the centre is down, then delivers every row once in batches of 500', async () => {
    const { node, ctx, settle } = await nodeWithModel();
    const first = await node.predict(rows(1000), ctx);
    const second = await node.predict(rows(100), ctx);
    await settle();
    const sent = [...first, ...second];
    const ids = sent.map((r) => r.prediction_id);
    await node.feedback(ids[0]!, 1);
    await node.feedback(ids[1]!, 0);
    const requestsBefore = await centre.ingestRequests();

    await centre.fault('down');
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
    const stored0 = await centre.predictions();
    expect(ids.filter((id) => stored0.has(id))).toEqual([]);

    await centre.fault('none');
    const up = await node.sync();
    expect(up).toEqual({
      predictions_sent: 1100,
      feedback_sent: 2,
      predictions_dead_lettered: 0,
      feedback_dead_lettered: 0,
      complete: true,
      error: null,
    });
    const stored = await centre.predictions();
    for (const r of sent) {
      expect(stored.get(r.prediction_id)).toMatchObject({
        node_id: 'edge-test',
        model_version: 'v1',
        label: String(r.label),
      });
      expect(Number(stored.get(r.prediction_id)!['probability'])).toBe(r.probability);
    }
    const feedback = await centre.feedback();
    expect(feedback.get(ids[0]!)?.['outcome']).toBe('1');
    expect(feedback.get(ids[1]!)?.['outcome']).toBe('0');
    // 1 refused attempt + 3 prediction batches (500, 500, 100) + 1 feedback batch.
    expect((await centre.ingestRequests()) - requestsBefore).toBe(5);

    const health = await node.health();
    expect(health.sync).toMatchObject({ pending_predictions: 0, pending_feedback: 0 });
    expect(health.sync.last_success_at).not.toBeNull();
    expect(health.dead_letters).toEqual({ predictions: 0, feedback: 0 });

    const again = await node.sync();
    expect(again).toMatchObject({ predictions_sent: 0, feedback_sent: 0, complete: true });
    expect((await centre.ingestRequests()) - requestsBefore).toBe(5);
  });

  it('re-sends a batch whose acknowledgement was lost (at-least-once; the centre dedupes)', async () => {
    const { node, ctx, settle } = await nodeWithModel();
    const sent = await node.predict(rows(3), ctx);
    await settle();
    await centre.fault('lost-ack');
    const lost = await node.sync();
    expect(lost).toMatchObject({ predictions_sent: 0, complete: false });
    expect(lost.error).toContain('502');
    // The centre stored them; the edge does not know it.
    const stored = await centre.predictions();
    for (const r of sent) expect(stored.has(r.prediction_id)).toBe(true);
    expect((await node.health()).sync.pending_predictions).toBe(3);

    await centre.fault('none');
    expect(await node.sync()).toMatchObject({
      predictions_sent: 3,
      predictions_dead_lettered: 0,
      complete: true,
    });
  });

  it('marks nothing of a batch whose answer does not account for every row, and sends it again', async () => {
    const { node, ctx, settle } = await nodeWithModel();
    await node.predict(rows(3), ctx);
    await settle();
    await centre.fault('miscount');
    const miscounted = await node.sync();
    expect(miscounted).toMatchObject({ predictions_sent: 0, predictions_dead_lettered: 0, complete: false });
    expect(miscounted.error).toContain('accounts for 2 of 3 rows');
    const health = await node.health();
    expect(health.sync).toMatchObject({ pending_predictions: 3 });
    expect(health.sync.last_error).toContain('accounts for 2 of 3 rows');
    expect(health.dead_letters).toEqual({ predictions: 0, feedback: 0 });

    await centre.fault('none');
    expect(await node.sync()).toMatchObject({ predictions_sent: 3, complete: true, error: null });
  });

  it('stops after its batch budget and carries on next run, oldest rows first', async () => {
    const { node, ctx, settle } = await nodeWithModel();
    const sent = await node.predict(rows(5), ctx);
    await settle();
    const before = await centre.ingestRequests();
    const run = () =>
      shipLogs({
        logs: node.logs,
        syncUrl: env.SYNC_URL,
        nodeId: 'edge-test',
        ingestToken: env.INGEST_TOKEN,
        fetch: (input, init) => fetch(input, init),
        now: () => new Date(),
        batchSize: 2,
        maxBatches: 2,
      });
    expect(await run()).toMatchObject({ predictions_sent: 4, complete: false, error: null });
    expect(await run()).toMatchObject({ predictions_sent: 1, complete: true, error: null });
    const stored = await centre.predictions();
    for (const r of sent) expect(stored.has(r.prediction_id)).toBe(true);
    expect((await centre.ingestRequests()) - before).toBe(3);
  });

  it('ships a corrected outcome again', async () => {
    const { node, ctx, settle } = await nodeWithModel();
    const [p] = await node.predict(rows(1), ctx);
    await settle();
    await node.feedback(p!.prediction_id, 1);
    await node.sync();
    expect((await centre.feedback()).get(p!.prediction_id)?.['outcome']).toBe('1');
    await node.feedback(p!.prediction_id, 0);
    expect((await node.health()).sync.pending_feedback).toBe(1);
    expect(await node.sync()).toMatchObject({ feedback_sent: 1, complete: true });
    expect((await centre.feedback()).get(p!.prediction_id)?.['outcome']).toBe('0');
  });
});

describe('dead letters', () => {
  it('keeps the rows the centre refuses, with its reason, ships the rest, and never sends them again', async () => {
    const { node, ctx, settle } = await nodeWithModel();
    const good = await node.predict(rows(3), ctx);
    await settle();
    const now = new Date().toISOString();
    const base = {
      node_id: 'edge-test',
      model_version: 'v1',
      features: { ...EXAMPLE_FEATURES },
      probability: 0.25,
      label: 0 as const,
    };
    // Rows the real centre refuses: logged before the node was renamed, by a clock set to 1899, by an older
    // build whose features the schema no longer takes, and an id the centre already holds with other content.
    const renamed = {
      ...base,
      prediction_id: crypto.randomUUID(),
      created_at: now,
      node_id: 'edge-old-name',
    };
    const clockBug = { ...base, prediction_id: crypto.randomUUID(), created_at: '1899-12-31T23:59:59.000Z' };
    const oldBuild = {
      ...base,
      prediction_id: crypto.randomUUID(),
      created_at: now,
      features: { ...EXAMPLE_FEATURES, tenure: -5 },
    };
    const conflicting = { ...base, prediction_id: crypto.randomUUID(), created_at: now };
    expect(await centre.ingestPredictions([{ ...conflicting, probability: 0.75 }])).toMatchObject({
      accepted: 1,
    });
    await node.logs.insertPredictions(
      [renamed, clockBug, oldBuild, conflicting].map((r) => ({ ...r, model_name: 'churn' })),
    );
    // Outcomes: one the centre takes, one of a refused prediction, one whose timestamp it refuses.
    await node.feedback(good[0]!.prediction_id, 1);
    await node.feedback(renamed.prediction_id, 1);
    await env.DB.prepare(
      `INSERT INTO feedback (prediction_id, outcome, created_at) VALUES (?1, 0, '1899-12-31T00:00:00.000Z')`,
    )
      .bind(good[1]!.prediction_id)
      .run();
    const before = await centre.ingestRequests();

    const result = await node.sync();
    expect(result).toEqual({
      predictions_sent: 3,
      feedback_sent: 1,
      predictions_dead_lettered: 4,
      feedback_dead_lettered: 1,
      complete: true,
      error: null,
    });

    // The rest is stored centrally, as logged; the refused rows are not (the conflicting id keeps its first row).
    const stored = await centre.predictions();
    for (const r of good) expect(Number(stored.get(r.prediction_id)?.['probability'])).toBe(r.probability);
    for (const r of [renamed, clockBug, oldBuild]) expect(stored.has(r.prediction_id)).toBe(false);
    expect(stored.get(conflicting.prediction_id)?.['probability']).toBe('0.75');
    const feedback = await centre.feedback();
    expect(feedback.get(good[0]!.prediction_id)?.['outcome']).toBe('1');
    expect(feedback.has(good[1]!.prediction_id)).toBe(false);
    expect(feedback.has(renamed.prediction_id)).toBe(false);

    // The edge keeps every refused row with the centre's reason: counted in /healthz, listed by the admin API.
    const health = await node.health();
    expect(health.dead_letters).toEqual({ predictions: 4, feedback: 2 });
    expect(health.sync).toMatchObject({ pending_predictions: 0, pending_feedback: 0 });
    const dead = await node.deadLetters('prediction', 100, 0);
    expect(dead.total).toBe(4);
    const reasons = Object.fromEntries(dead.rows.map((r) => [r.prediction_id, r.reason]));
    expect(reasons).toEqual({
      [renamed.prediction_id]: "rejected by the centre: node_id: must equal the request's node_id",
      [clockBug.prediction_id]: 'rejected by the centre: created_at: must be 1900-01-01 or later',
      [oldBuild.prediction_id]: expect.stringMatching(/^rejected by the centre: features\.tenure: /),
      [conflicting.prediction_id]:
        'conflict at the centre: prediction_id: already stored with different content (the first is kept)',
    });
    expect(dead.rows.find((r) => r.prediction_id === oldBuild.prediction_id)).toMatchObject({
      features: { tenure: -5 },
      probability: 0.25,
    });
    const deadFeedback = await node.deadLetters('feedback', 100, 0);
    expect(Object.fromEntries(deadFeedback.rows.map((r) => [r.prediction_id, r.reason]))).toEqual({
      [good[1]!.prediction_id]: 'rejected by the centre: created_at: must be 1900-01-01 or later',
      [renamed.prediction_id]:
        "its prediction is a dead letter: rejected by the centre: node_id: must equal the request's node_id",
    });

    // Nothing lost: every logged row is shipped (and stored centrally) or a dead letter.
    const local = await env.DB.prepare(
      `SELECT count(*) AS n, sum(synced_at IS NOT NULL) AS shipped, sum(dead_at IS NOT NULL) AS dead,
              sum(synced_at IS NOT NULL AND dead_at IS NOT NULL) AS both FROM predictions`,
    ).first<{ n: number; shipped: number; dead: number; both: number }>();
    expect(local).toEqual({ n: 7, shipped: 3, dead: 4, both: 0 });

    // Never sent again: the next runs find nothing to ship.
    expect(await node.sync()).toMatchObject({
      predictions_sent: 0,
      predictions_dead_lettered: 0,
      complete: true,
    });
    expect((await centre.ingestRequests()) - before).toBe(2);

    // An outcome for a refused prediction is a dead letter at once (the centre could not join it).
    await node.feedback(oldBuild.prediction_id, 0);
    expect((await node.health()).dead_letters).toEqual({ predictions: 4, feedback: 3 });
    expect(await node.sync()).toMatchObject({ feedback_sent: 0, complete: true });
    expect((await centre.ingestRequests()) - before).toBe(2);

    // A corrected outcome replacing a dead letter (its prediction shipped) is new content: it ships once.
    await node.feedback(good[1]!.prediction_id, 1);
    expect((await node.health()).dead_letters).toEqual({ predictions: 4, feedback: 2 });
    expect(await node.sync()).toMatchObject({ feedback_sent: 1, feedback_dead_lettered: 0, complete: true });
    expect((await centre.feedback()).get(good[1]!.prediction_id)?.['outcome']).toBe('1');
  });
});
