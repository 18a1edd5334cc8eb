// The edge monitor inside workerd with real D1 and KV: profile chunks from the log (idempotent), the live tail,
// drift and CBPE from this node alone with the centre down, detector state across requests, isolates and cron
// runs, profile shipping (retried, dead-lettered on refusal), and SHIP_FEATURES = "false".
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { createLitePredictor } from '@pmm/core/onnx';
import { mergeProfiles, type Profile, ProfileBuilder, parseProfile } from '@pmm/core/profile';
import { FEATURES } from '@pmm/core/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { Runtime } from '../src/edge-node';
import { readConfig } from '../src/env';
import { EdgeMonitor } from '../src/monitor';
import { specOf } from '../src/monitor/models';
import { INGEST_PROFILES_PATH } from '../src/monitor/profile-shipper';
import worker from '../src/worker-lite';
import { centre } from './centre';
import { env } from './env';
import { ADMIN_TOKEN, installBody } from './fixtures';
import { monitoredArtifact, traffic } from './monitor-fixtures';

afterEach(async () => {
  await centre.fault('none');
});

async function call(
  method: string,
  path: string,
  init: { json?: unknown; admin?: boolean; body?: string } = {},
) {
  const headers: Record<string, string> = {};
  let body: string | null = init.body ?? null;
  if (init.json !== undefined) body = JSON.stringify(init.json);
  if (body !== null) headers['content-type'] = 'application/json';
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
  // biome-ignore lint/suspicious/noExplicitAny: read loosely
  return { status: response.status, body: JSON.parse(text) as any };
}

async function cron() {
  const ctx = createExecutionContext();
  await worker.scheduled!(createScheduledController({ cron: '*/1 * * * *' }), env, ctx);
  await waitOnExecutionContext(ctx);
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('GET /api/v1/monitor (the worker, real clock, centre down)', () => {
  it('shows calm traffic as calm and a sudden shift as drift, from the edge alone', async () => {
    const a = await monitoredArtifact('mon-http-v1');
    expect((await call('POST', '/admin/models', { body: installBody(a), admin: true })).status).toBe(200);
    await centre.fault('down');

    const calm = await call('POST', '/api/v1/predict/batch', { json: { rows: traffic(800, 11) } });
    expect(calm.status).toBe(200);
    await cron();
    await tick();
    const mid = new Date().toISOString();
    await tick();

    const quiet = await call('GET', '/api/v1/monitor');
    expect(quiet.status).toBe(200);
    expect(quiet.body).toMatchObject({ model: 'churn', version: 'mon-http-v1', rows: 800 });
    expect(quiet.body.drift.source).toBe('profile');
    expect(quiet.body.drift.dataset_drift).toBe(false);
    expect(quiet.body.drift.number_of_drifted_columns).toBeLessThanOrEqual(2);
    expect(quiet.body.drift.columns).toHaveLength(FEATURES.length);
    const auc = quiet.body.estimated_performance.roc_auc;
    expect(auc.estimate).toBeGreaterThan(0.6);
    expect(auc.estimate).toBeLessThan(1);
    expect(auc.alert).toBe(false);
    expect(quiet.body.estimated_performance.accuracy.estimate).toBeGreaterThan(0.5);
    expect(quiet.body.detectors.map((d: { method: string }) => d.method).sort()).toEqual([
      'adwin',
      'page-hinkley',
    ]);
    for (const d of quiet.body.detectors) {
      expect(d).toMatchObject({ signal: 'score', detected_at: null, detections: 0, rows_seen: 800 });
      expect(d.state.method).toBe(d.method);
    }

    const shifted = await call('POST', '/api/v1/predict/batch', { json: { rows: traffic(800, 12, true) } });
    expect(shifted.status).toBe(200);
    // Not chunked yet: the live tail covers it.
    const drifted = await call('GET', `/api/v1/monitor?since=${encodeURIComponent(mid)}`);
    expect(drifted.status).toBe(200);
    expect(drifted.body.rows).toBe(800);
    expect(drifted.body.drift.dataset_drift).toBe(true);
    expect(drifted.body.drift.number_of_drifted_columns).toBeGreaterThan(FEATURES.length / 2);
    for (const d of drifted.body.detectors) {
      expect(d.detections).toBeGreaterThan(0);
      expect(d.detected_at >= mid).toBe(true);
      expect(d.rows_seen).toBe(1600);
    }
    // The hour holds both.
    expect((await call('GET', '/api/v1/monitor?model=churn')).body.rows).toBe(1600);

    await cron();
    const health = (await call('GET', '/healthz')).body;
    expect(health.profiles).toMatchObject({
      chunks: expect.any(Number),
      dead_letters: 0,
      unprofiled_rows: 0,
    });
    expect(health.profiles.chunks).toBeGreaterThanOrEqual(1);
    expect(health.profiles.chunked_upto).toBeGreaterThanOrEqual(1600);
  });

  it('answers 4xx naming the field, 404 for a model not served, 503 with no model', async () => {
    expect((await call('GET', '/api/v1/monitor')).status).toBe(503);
    const a = await monitoredArtifact('mon-http-v2');
    expect((await call('POST', '/admin/models', { body: installBody(a), admin: true })).status).toBe(200);
    const field = async (query: string) => {
      const r = await call('GET', `/api/v1/monitor?${query}`);
      expect(r.status).toBe(422);
      return r.body.error.details.map((d: { path: string }) => d.path);
    };
    expect(await field('since=yesterday')).toEqual(['since']);
    expect(await field('until=2026-13-01T00:00:00Z')).toEqual(['until']);
    expect(await field('model=Not%20A%20Name')).toEqual(['model']);
    expect(await field('since=2026-11-30T10:00:00Z&until=2026-11-30T09:00:00Z')).toEqual(['until']);
    expect(await field('since=2026-01-01T00:00:00Z&until=2026-11-30T09:00:00Z')).toEqual(['since']);
    const missing = await call('GET', '/api/v1/monitor?model=fraud');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('fraud');
    const empty = await call('GET', '/api/v1/monitor');
    expect(empty.body).toMatchObject({ rows: 0, drift: null, estimated_performance: null });

    expect((await call('POST', '/admin/monitor/run')).status).toBe(401);
    await call('POST', '/api/v1/predict/batch', { json: { rows: traffic(10, 13) } });
    const run = await call('POST', '/admin/monitor/run', { admin: true });
    expect(run.status).toBe(200);
    expect(run.body.chunked).toMatchObject({ rows: 10, chunks: 1, unprofiled_rows: 0, caught_up: true });
    expect(run.body.shipped).toMatchObject({ chunks_sent: 0, chunks_dead_lettered: 0 });
  });
});

/** A node on a clock the test moves, its monitor, and a fetch that can stand in for the centre's answer. */
async function clockedNode(version: string) {
  let clock = Date.parse('2026-11-30T10:00:00.000Z');
  const sent: { path: string; body: unknown }[] = [];
  let answer: ((path: string, body: unknown) => Response | null) | null = null;
  const runtime = new Runtime(
    'lite',
    createLitePredictor,
    async (input, init) => {
      const url = new URL(String(input instanceof Request ? input.url : input));
      const body = typeof init?.body === 'string' ? JSON.parse(init.body) : null;
      sent.push({ path: url.pathname, body });
      return answer?.(url.pathname, body) ?? fetch(input, init);
    },
    () => new Date(clock),
  );
  const node = runtime.node(env);
  const a = await monitoredArtifact(version);
  // The centre takes chunks of versions it holds only.
  await centre.ensureRegistered(a);
  await node.installModel(a.card, a.onnx);
  const waits: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => void waits.push(p) };
  return {
    runtime,
    node,
    card: a.card,
    monitor: () => new EdgeMonitor(env, runtime),
    sent,
    answer: (f: typeof answer) => {
      answer = f;
    },
    at: (iso: string) => {
      clock = Date.parse(iso);
    },
    predict: async (rows: ReturnType<typeof traffic>) => {
      const out = await node.predict(rows, ctx);
      await Promise.all(waits);
      return out;
    },
  };
}

async function chunkTable() {
  const { results } = await env.DB.prepare(
    'SELECT chunk_id, rows, labelled, profile, built_upto, synced_at, dead_at, dead_reason FROM profile_chunks ORDER BY chunk_id',
  ).all<{
    chunk_id: string;
    rows: number;
    labelled: number;
    profile: string;
    built_upto: number;
    synced_at: string | null;
    dead_at: string | null;
    dead_reason: string | null;
  }>();
  return results;
}

describe('profile chunks', () => {
  it('are built per version and 5 minutes, idempotently, and equal the profile of the whole log', async () => {
    const n = await clockedNode('mon-chunk-v1');
    const ids: string[] = [];
    for (const [i, at] of ['10:01:00', '10:06:30', '10:14:59.999'].entries()) {
      n.at(`2026-11-30T${at}Z`);
      ids.push(...(await n.predict(traffic(150, 20 + i))).map((p) => p.prediction_id));
    }
    n.at('2026-11-30T10:16:00Z');
    const first = await n.monitor().chunk();
    expect(first).toMatchObject({ rows: 450, chunks: 3, unprofiled_rows: 0, caught_up: true });
    const table = await chunkTable();
    expect(table.map((c) => [c.chunk_id, c.rows])).toEqual([
      ['mon-chunk-v1@2026-11-30T10:00:00.000Z', 150],
      ['mon-chunk-v1@2026-11-30T10:05:00.000Z', 150],
      ['mon-chunk-v1@2026-11-30T10:10:00.000Z', 150],
    ]);

    // The chunks merge into the profile of every logged row.
    const spec = specOf(n.card);
    if (!spec.ok) throw new Error(spec.reason);
    const builder = new ProfileBuilder(spec.spec);
    const { results } = await env.DB.prepare(
      'SELECT features, probability, created_at FROM predictions ORDER BY rowid',
    ).all<{ features: string; probability: number; created_at: string }>();
    for (const r of results) builder.add(JSON.parse(r.features), r.probability, null, r.created_at);
    const whole = builder.build();
    const merged = mergeProfiles(table.map((c) => parseProfile(c.profile)));
    expect(merged.rows).toBe(450);
    expect(merged.score).toEqual(whole.score && { ...whole.score, score_sum: merged.score!.score_sum });
    merged.score!.score_sum.forEach((s, i) => {
      expect(s).toBeCloseTo(whole.score!.score_sum[i]!, 9);
    });
    for (const [name, column] of Object.entries(whole.columns)) {
      const m = merged.columns[name]!;
      expect(m.counts).toEqual(column.counts);
      if (m.type === 'numerical' && column.type === 'numerical') {
        expect([m.n, m.min, m.max]).toEqual([column.n, column.min, column.max]);
        expect(m.mean).toBeCloseTo(column.mean, 9);
      }
    }

    // Again: nothing new, nothing changes. From scratch (watermarks lost): the same chunks.
    expect(await n.monitor().chunk()).toMatchObject({ rows: 0, chunks: 0 });
    expect(await chunkTable()).toEqual(table);
    await env.DB.prepare("DELETE FROM node_state WHERE key LIKE 'profile_%'").run();
    expect(await n.monitor().chunk()).toMatchObject({ rows: 450, chunks: 3 });
    expect((await chunkTable()).map(({ profile, rows }) => ({ profile, rows }))).toEqual(
      table.map(({ profile, rows }) => ({ profile, rows })),
    );

    // An outcome rebuilds its chunk only, with the label in its score bin.
    n.at('2026-11-30T10:17:00Z');
    await n.node.feedback(ids[160]!, 1);
    expect(await n.monitor().chunk()).toMatchObject({ rows: 0, chunks: 1 });
    const labelled = await chunkTable();
    expect(labelled.map((c) => c.labelled)).toEqual([0, 1, 0]);
    expect(labelled[1]!.rows).toBe(150);
    const p = parseProfile(labelled[1]!.profile) as Profile;
    expect(p.score!.positives.reduce((x, y) => x + y, 0)).toBe(1);
  });

  it('the report reads closed chunks plus the live tail, and says the same once the tail is chunked', async () => {
    const n = await clockedNode('mon-tail-v1');
    n.at('2026-11-30T10:02:00Z');
    await n.predict(traffic(200, 31));
    n.at('2026-11-30T10:07:00Z');
    await n.predict(traffic(200, 32));
    await n.monitor().chunk();
    n.at('2026-11-30T10:08:00Z');
    await n.predict(traffic(100, 33, true));
    n.at('2026-11-30T10:12:00Z');
    const window = { since: '2026-11-30T10:00:00Z', until: '2026-11-30T10:10:00Z' };
    const live = await n.monitor().report(window);
    expect(live.rows).toBe(500);
    expect(live.source).toEqual({ chunks: 2, log_rows: 100 });
    await n.monitor().chunk();
    const chunked = await n.monitor().report(window);
    expect(chunked.source).toEqual({ chunks: 2, log_rows: 0 });
    expect(chunked.rows).toBe(500);
    expect(chunked.drift).toEqual(live.drift);
    expect(chunked.estimated_performance).toEqual(live.estimated_performance);
    // A window with ragged ends: whole chunks from D1, the ends from the log.
    const ragged = await n.monitor().report({ since: '2026-11-30T10:03:00Z', until: '2026-11-30T10:09:00Z' });
    expect(ragged.rows).toBe(300);
    expect(ragged.source).toEqual({ chunks: 0, log_rows: 300 });
  });
});

describe('detectors', () => {
  it('keep their state in D1 across requests, isolates and cron runs, never feeding a row twice', async () => {
    const n = await clockedNode('mon-det-v1');
    n.at('2026-11-30T10:01:00Z');
    await n.predict(traffic(300, 41));
    const one = await n.monitor().report({});
    expect(one.detectors.map((d) => d.rows_seen)).toEqual([300, 300]);
    const two = await n.monitor().report({});
    expect(two.detectors).toEqual(one.detectors);

    // Another isolate (fresh runtime) goes on from D1.
    const other = new EdgeMonitor(
      env,
      new Runtime('lite', createLitePredictor, fetch, () => new Date('2026-11-30T10:03:00Z')),
    );
    n.at('2026-11-30T10:02:00Z');
    await n.predict(traffic(600, 42, true));
    const three = await other.report({});
    const ph = three.detectors.find((d) => d.method === 'page-hinkley')!;
    expect(ph.rows_seen).toBe(900);
    expect(ph.detections).toBeGreaterThan(0);
    expect(ph.detected_at).toBe('2026-11-30T10:02:00.000Z');

    // The cron feeds them too; a request after it sees what it fed.
    n.at('2026-11-30T10:04:00Z');
    await n.predict(traffic(50, 43));
    await n.monitor().cron();
    const saved = await env.DB.prepare('SELECT method, rows_seen FROM detector_state ORDER BY method').all();
    expect(saved.results).toEqual([
      { method: 'adwin', rows_seen: 950 },
      { method: 'page-hinkley', rows_seen: 950 },
    ]);
    const four = await n.monitor().report({});
    expect(four.detectors.map((d) => d.rows_seen)).toEqual([950, 950]);
    expect(four.detectors.find((d) => d.method === 'page-hinkley')!.state).toEqual(
      JSON.parse(
        (await env.DB.prepare("SELECT state FROM detector_state WHERE method = 'page-hinkley'").first<{
          state: string;
        }>())!.state,
      ),
    );
  });
});

describe('profile shipping', () => {
  async function threeClosedChunks(version: string) {
    const n = await clockedNode(version);
    for (const at of ['10:01:00', '10:06:00', '10:11:00']) {
      n.at(`2026-11-30T${at}Z`);
      await n.predict(traffic(40, 50));
    }
    n.at('2026-11-30T10:20:00Z');
    await n.monitor().chunk();
    return n;
  }

  it('waits while the centre is down, then ships each closed chunk once to the real centre', async () => {
    const n = await threeClosedChunks('mon-ship-v1');
    await centre.fault('down');
    const down = await n.monitor().ship();
    expect(down).toMatchObject({ chunks_sent: 0, complete: false });
    expect(down.error).toContain('503');
    expect(await n.monitor().health()).toMatchObject({ pending_chunks: 3, shipped_chunks: 0 });

    // The real centre, reachable: every closed chunk ships once.
    await centre.fault('none');
    const shipped = await n.monitor().ship();
    expect(shipped).toEqual({ chunks_sent: 3, chunks_dead_lettered: 0, complete: true, error: null });
    const body = n.sent.at(-1)!.body as {
      chunks: { chunk_id: string; model_version: string; start: string; end: string; profile: Profile }[];
    };
    expect(body.chunks.map((c) => [c.chunk_id, c.model_version, c.start, c.end, c.profile.rows])).toEqual([
      [
        'mon-ship-v1@2026-11-30T10:00:00.000Z',
        'mon-ship-v1',
        '2026-11-30T10:00:00.000Z',
        '2026-11-30T10:05:00.000Z',
        40,
      ],
      [
        'mon-ship-v1@2026-11-30T10:05:00.000Z',
        'mon-ship-v1',
        '2026-11-30T10:05:00.000Z',
        '2026-11-30T10:10:00.000Z',
        40,
      ],
      [
        'mon-ship-v1@2026-11-30T10:10:00.000Z',
        'mon-ship-v1',
        '2026-11-30T10:10:00.000Z',
        '2026-11-30T10:15:00.000Z',
        40,
      ],
    ]);
    const requests = n.sent.length;
    expect(await n.monitor().ship()).toMatchObject({ chunks_sent: 0, complete: true, error: null });
    expect(n.sent.length).toBe(requests);
    expect(await n.monitor().health()).toMatchObject({
      pending_chunks: 0,
      shipped_chunks: 3,
      last_ship_error: null,
    });
  });

  it('dead-letters a refused chunk with the reason, and marks nothing on an answer that does not add up', async () => {
    const n = await threeClosedChunks('mon-ship-v2');
    n.answer((path) =>
      path === INGEST_PROFILES_PATH ? Response.json({ accepted: 1, duplicates: 0, refused: [] }) : null,
    );
    const miscount = await n.monitor().ship();
    expect(miscount.error).toContain('accounts for 1 of 3');
    expect(await n.monitor().health()).toMatchObject({ pending_chunks: 3, shipped_chunks: 0 });

    n.answer((path) =>
      path === INGEST_PROFILES_PATH
        ? Response.json({
            accepted: 1,
            duplicates: 1,
            refused: [{ index: 2, reason: 'profile.layout_hash: not the layout of mon-ship-v2' }],
          })
        : null,
    );
    expect(await n.monitor().ship()).toEqual({
      chunks_sent: 2,
      chunks_dead_lettered: 1,
      complete: true,
      error: null,
    });
    const table = await chunkTable();
    expect(table.map((c) => [c.synced_at !== null, c.dead_reason])).toEqual([
      [true, null],
      [true, null],
      [false, 'refused by the centre: profile.layout_hash: not the layout of mon-ship-v2'],
    ]);
    expect(await n.monitor().health()).toMatchObject({
      pending_chunks: 0,
      shipped_chunks: 2,
      dead_letters: 1,
    });
    const listed = await call('GET', '/admin/dead-letters/profiles', { admin: true });
    expect(listed.body).toMatchObject({
      kind: 'profile',
      total: 1,
      rows: [{ chunk_id: 'mon-ship-v2@2026-11-30T10:10:00.000Z', rows: 40 }],
    });
    // Never sent again.
    const requests = n.sent.length;
    await n.monitor().ship();
    expect(n.sent.length).toBe(requests);
  });
});

describe('SHIP_FEATURES = "false"', () => {
  it('is "true" or "false" (any case), "true" when unset; anything else is a configuration error', () => {
    const base = { DB: {} as D1Database, MODELS: {} as KVNamespace, SYNC_URL: 'http://x', NODE_ID: 'n' };
    expect(readConfig({ ...base }).shipFeatures).toBe(true);
    expect(readConfig({ ...base, SHIP_FEATURES: 'FALSE' }).shipFeatures).toBe(false);
    expect(readConfig({ ...base, SHIP_FEATURES: 'true' }).shipFeatures).toBe(true);
    expect(() => readConfig({ ...base, SHIP_FEATURES: 'no' })).toThrow(/SHIP_FEATURES/);
  });

  it('ships prediction rows with features: null and every other field', async () => {
    const privateEnv = { ...env, SHIP_FEATURES: 'false' };
    const bodies: { rows: Record<string, unknown>[] }[] = [];
    const runtime = new Runtime('lite', createLitePredictor, async (input, init) => {
      if (String(input).endsWith('/v1/ingest/predictions')) {
        bodies.push(JSON.parse(String(init?.body)));
        // The edge boundary is what is tested here: the centre's handling of such rows is its own.
        return new Response('{"error":"not forwarded"}', { status: 503 });
      }
      return fetch(input, init);
    });
    const node = runtime.node(privateEnv);
    const a = await monitoredArtifact('mon-private-v1');
    await node.installModel(a.card, a.onnx);
    const waits: Promise<unknown>[] = [];
    const sent = await node.predict(traffic(5, 60), { waitUntil: (p) => void waits.push(p) });
    await Promise.all(waits);
    await node.sync();
    expect(bodies).toHaveLength(1);
    expect(bodies[0]!.rows.map((r) => r.prediction_id).sort()).toEqual(
      sent.map((p) => p.prediction_id).sort(),
    );
    for (const r of bodies[0]!.rows) {
      expect(r.features).toBeNull();
      expect(Object.keys(r).sort()).toEqual(
        [
          'created_at',
          'features',
          'label',
          'model_version',
          'node_id',
          'prediction_id',
          'probability',
        ].sort(),
      );
    }
    const text = JSON.stringify(bodies[0]);
    for (const f of FEATURES) expect(text).not.toContain(`"${f.name}"`);
    // The node keeps them for its own profiles.
    const kept = await env.DB.prepare('SELECT features FROM predictions LIMIT 1').first<{
      features: string;
    }>();
    expect(Object.keys(JSON.parse(kept!.features))).toHaveLength(FEATURES.length);

    // Default (true): the values ship.
    const open = new Runtime('lite', createLitePredictor, async (input, init) => {
      if (String(input).endsWith('/v1/ingest/predictions')) {
        bodies.push(JSON.parse(String(init?.body)));
        return new Response('{}', { status: 503 });
      }
      return fetch(input, init);
    }).node(env);
    await open.sync();
    const first = bodies[1]!.rows[0]!;
    const stored = await env.DB.prepare('SELECT features FROM predictions WHERE prediction_id = ?1')
      .bind(first.prediction_id)
      .first<{ features: string }>();
    expect(first.features).toEqual(JSON.parse(stored!.features));
  });
});
