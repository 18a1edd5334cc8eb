// Ingest: idempotent by prediction id, concurrent edges, partial batches, feedback, limits and node contact.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rows } from './db/client';
import type { IngestResult } from './ingest';
import {
  addNode,
  artifactVersion,
  feedbackRow,
  predictionRow,
  READ_TOKEN,
  registerBody,
  registerTestVersion,
  startTestServer,
  type TestServer,
} from './test/harness';

let server: TestServer;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer();
  await registerTestVersion(server);
  for (const node of ['edge-a', 'edge-b', 'edge-c', 'edge-d']) tokens[node] = await addNode(server, node);
});
afterAll(() => server?.close());

const ingest = (kind: 'predictions' | 'feedback', node: string, batch: unknown[], token = tokens[node]) =>
  server.call('POST', `/v1/ingest/${kind}`, { token, json: { node_id: node, rows: batch } });

async function storedIds(node: string): Promise<Set<string>> {
  const found = await rows<{ id: string }>(
    server.database.db,
    sql`select prediction_id::text as id from predictions where node_id = ${node}`,
  );
  return new Set(found.map((r) => r.id));
}

describe('POST /v1/ingest/predictions', () => {
  it('stores a batch sent twice only once and says so', async () => {
    const batch = Array.from({ length: 500 }, () => predictionRow('edge-a'));
    const first = await ingest('predictions', 'edge-a', batch);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ accepted: 500, duplicates: 0, rejected: [], conflicts: [] });
    const second = await ingest('predictions', 'edge-a', batch);
    expect(await second.json()).toEqual({ accepted: 0, duplicates: 500, rejected: [], conflicts: [] });
    expect((await storedIds('edge-a')).size).toBe(500);
  });

  it('keeps the first row of an id sent again with other content, and counts and logs it as a conflict', async () => {
    const metric = async () =>
      Number(
        /^pmm_ingest_conflicts_total\{kind="predictions"\} (\d+)$/m.exec(
          await (await server.call('GET', '/metrics', { token: null })).text(),
        )![1],
      );
    const before = await metric();
    const p = predictionRow('edge-a', { probability: 0.42 });
    await ingest('predictions', 'edge-a', [p]);
    const q = predictionRow('edge-a', { label: 0 });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const response = await ingest('predictions', 'edge-a', [
        // The same content, the time written in another offset and the features in another key order.
        {
          ...p,
          created_at: new Date(Date.parse(p.created_at)).toISOString().replace('Z', '+00:00'),
          features: Object.fromEntries(Object.entries(p.features!).reverse()),
        },
        { ...p, probability: 0.9 },
        q,
        { ...q, label: 1 },
      ]);
      const result = (await response.json()) as IngestResult;
      expect(result).toMatchObject({ accepted: 1, duplicates: 1, rejected: [] });
      expect(result.conflicts.map((c) => [c.index, c.path])).toEqual([
        [1, 'prediction_id'],
        [3, 'prediction_id'],
      ]);
      const logged = warn.mock.calls.map((c) => String(c[0])).find((l) => l.includes('ingest_conflict'));
      expect(JSON.parse(logged!)).toMatchObject({
        node_id: 'edge-a',
        conflicts: 2,
        prediction_ids: [p.prediction_id, q.prediction_id],
      });
    } finally {
      warn.mockRestore();
    }
    const stored = await rows<{ id: string; probability: number; label: number }>(
      server.database.db,
      sql`select prediction_id::text as id, probability, label from predictions
          where prediction_id in (${p.prediction_id}::uuid, ${q.prediction_id}::uuid)`,
    );
    expect(Object.fromEntries(stored.map((r) => [r.id, [r.probability, r.label]]))).toEqual({
      [p.prediction_id]: [0.42, 0],
      [q.prediction_id]: [0.42, 0],
    });
    expect(await metric()).toBe(before + 2);
  });

  it('ends with exactly the union when four edges send overlapping batches at once', async () => {
    // One pool of ids, each shipped by two edges in different batches: 4 × 3 batches of 400 over 1,200 ids.
    const pool = Array.from({ length: 1200 }, () => predictionRow('edge-b'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {}); // the conflict log lines
    const senders = ['edge-b', 'edge-c', 'edge-d', 'edge-b'];
    const requests: Promise<Response>[] = [];
    senders.forEach((node, s) => {
      for (let b = 0; b < 3; b++) {
        const start = ((s * 300 + b * 400) % 1200) as number;
        const slice = [...pool, ...pool].slice(start, start + 400).map((r) => ({ ...r, node_id: node }));
        requests.push(ingest('predictions', node, slice));
      }
    });
    const results = await Promise.all(requests.map(async (r) => (await (await r).json()) as IngestResult));
    warn.mockRestore();
    const accepted = results.reduce((n, r) => n + r.accepted, 0);
    const duplicates = results.reduce((n, r) => n + r.duplicates, 0);
    // An id shipped by two different edges is a conflict (its node_id differs), by one edge twice a duplicate.
    const conflicts = results.reduce((n, r) => n + r.conflicts.length, 0);
    expect(accepted).toBe(1200);
    expect(conflicts).toBeGreaterThan(0);
    expect(accepted + duplicates + conflicts).toBe(12 * 400);
    const [count] = await rows<{ n: number }>(
      server.database.db,
      sql`select count(*)::int as n from predictions where prediction_id = any(${sql.param(pool.map((p) => p.prediction_id))}::uuid[])`,
    );
    expect(count?.n).toBe(1200);
  });

  it('stores the good rows of a batch and names the bad ones by index and field', async () => {
    const good = [predictionRow('edge-a'), predictionRow('edge-a'), predictionRow('edge-a')];
    const badTenure = predictionRow('edge-a', {
      features: { ...predictionRow('edge-a').features, tenure: -5 },
    });
    const batch: unknown[] = [
      good[0],
      badTenure,
      good[1],
      { ...predictionRow('edge-a'), probability: 1.5 },
      { ...predictionRow('edge-a'), prediction_id: 'not-a-uuid' },
      predictionRow('edge-b'),
      good[2],
      'not an object',
    ];
    const response = await ingest('predictions', 'edge-a', batch);
    expect(response.status).toBe(200);
    const result = (await response.json()) as IngestResult;
    expect(result.accepted).toBe(3);
    expect(result.duplicates).toBe(0);
    expect(result.rejected.map((r) => [r.index, r.path])).toEqual([
      [1, 'features.tenure'],
      [3, 'probability'],
      [4, 'prediction_id'],
      [5, 'node_id'],
      [7, '(root)'],
    ]);
    const stored = await storedIds('edge-a');
    for (const row of good) expect(stored.has(row.prediction_id)).toBe(true);
    expect(stored.has(badTenure.prediction_id)).toBe(false);
  });

  it('rejects values PostgreSQL would refuse by index instead of failing the batch', async () => {
    const good = predictionRow('edge-a');
    const response = await ingest('predictions', 'edge-a', [
      predictionRow('edge-a', { created_at: '0000-01-01T00:00:00Z' }),
      predictionRow('edge-a', { model_version: 'churn\u0000x' }),
      good,
    ]);
    expect(response.status).toBe(200);
    const result = (await response.json()) as IngestResult;
    expect(result.accepted).toBe(1);
    expect(result.rejected.map((r) => [r.index, r.path])).toEqual([
      [0, 'created_at'],
      [1, 'model_version'],
    ]);
    const nul = await server.call('POST', '/v1/ingest/predictions', {
      token: tokens['edge-a'],
      json: { node_id: 'edge-a\u0000', rows: [good] },
    });
    expect(nul.status).toBe(422);
  });

  it('updates the node’s last contact and active model version from the newest row', async () => {
    for (const version of ['churn-new', 'churn-old', 'churn-older'])
      await server.call('POST', '/v1/models', { json: registerBody(await artifactVersion(version)) });
    const before = Date.now();
    await ingest('predictions', 'edge-c', [
      predictionRow('edge-c', { model_version: 'churn-new', created_at: '2030-01-01T00:00:01Z' }),
      predictionRow('edge-c', { model_version: 'churn-old', created_at: '2030-01-01T00:00:00Z' }),
    ]);
    // An older backlog batch does not move the active version back.
    await ingest('predictions', 'edge-c', [
      predictionRow('edge-c', { model_version: 'churn-older', created_at: '2029-01-01T00:00:00Z' }),
    ]);
    const list = (await (await server.call('GET', '/v1/nodes', { token: READ_TOKEN })).json()) as {
      nodes: { node_id: string; last_contact_at: string | null; active_model_version: string | null }[];
    };
    const node = list.nodes.find((n) => n.node_id === 'edge-c')!;
    expect(node.active_model_version).toBe('churn-new');
    expect(Date.parse(node.last_contact_at!)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('refuses a token of another node (403) and stores nothing', async () => {
    const row = predictionRow('edge-a');
    const response = await ingest('predictions', 'edge-a', [row], tokens['edge-b']);
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect((await storedIds('edge-a')).has(row.prediction_id)).toBe(false);
  });

  it('answers 422 naming the field for a bad envelope, 400 for malformed JSON, 413 past 20 MB', async () => {
    const tooMany = await ingest(
      'predictions',
      'edge-a',
      Array.from({ length: 5001 }, () => ({})),
    );
    expect(tooMany.status).toBe(422);
    const body = (await tooMany.json()) as { error: { details: { path: string }[] } };
    expect(body.error.details.map((d) => d.path)).toEqual(['rows']);

    const noRows = await server.call('POST', '/v1/ingest/predictions', {
      token: tokens['edge-a'],
      json: { node_id: 'edge-a' },
    });
    expect(noRows.status).toBe(422);

    const malformed = await server.call('POST', '/v1/ingest/predictions', {
      token: tokens['edge-a'],
      body: '{"node_id": "edge-a", "rows": [',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('malformed_json');

    const huge = await server.call('POST', '/v1/ingest/predictions', {
      token: tokens['edge-a'],
      body: `{"node_id":"edge-a","rows":["${'x'.repeat(21 * 1024 * 1024)}"]}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(huge.status).toBe(413);
    const text = await huge.text();
    expect(text).not.toMatch(/at .*\.ts/);
  });

  it('takes 5,000 rows in one request', async () => {
    const batch = Array.from({ length: 5000 }, () => predictionRow('edge-d'));
    const response = await ingest('predictions', 'edge-d', batch);
    expect(await response.json()).toEqual({ accepted: 5000, duplicates: 0, rejected: [], conflicts: [] });
  });
});

describe('POST /v1/ingest/feedback', () => {
  it('stores feedback for known predictions, rejects unknown ids by index, keeps the latest', async () => {
    const [p1, p2] = [predictionRow('edge-a'), predictionRow('edge-a')];
    await ingest('predictions', 'edge-a', [p1, p2]);
    const otherNode = predictionRow('edge-b');
    await ingest('predictions', 'edge-b', [otherNode]);

    const response = await ingest('feedback', 'edge-a', [
      feedbackRow(p1.prediction_id, { outcome: 0, created_at: '2030-01-01T00:00:00Z' }),
      feedbackRow('00000000-0000-4000-8000-000000000000'),
      feedbackRow(p2.prediction_id, { outcome: 1 }),
      feedbackRow(otherNode.prediction_id),
      { prediction_id: p1.prediction_id, outcome: 2, created_at: '2030-01-01T00:00:00Z' },
    ]);
    expect(response.status).toBe(200);
    const result = (await response.json()) as IngestResult;
    expect(result.accepted).toBe(2);
    expect(result.rejected.map((r) => [r.index, r.path])).toEqual([
      [1, 'prediction_id'],
      [3, 'prediction_id'],
      [4, 'outcome'],
    ]);

    // The same rows again change nothing; a later outcome replaces the stored one, an older one does not.
    const again = await ingest('feedback', 'edge-a', [
      feedbackRow(p1.prediction_id, { outcome: 0, created_at: '2030-01-01T00:00:00Z' }),
    ]);
    expect(await again.json()).toEqual({ accepted: 0, duplicates: 1, rejected: [], conflicts: [] });
    const later = await ingest('feedback', 'edge-a', [
      feedbackRow(p1.prediction_id, { outcome: 1, created_at: '2030-01-02T00:00:00Z' }),
      feedbackRow(p2.prediction_id, { outcome: 0, created_at: '2000-01-01T00:00:00Z' }),
    ]);
    expect(await later.json()).toEqual({ accepted: 1, duplicates: 1, rejected: [], conflicts: [] });
    const stored = await rows<{ id: string; outcome: number; seq: string }>(
      server.database.db,
      sql`select prediction_id::text as id, outcome, seq::text as seq from feedback
          where prediction_id in (${p1.prediction_id}::uuid, ${p2.prediction_id}::uuid) order by seq`,
    );
    expect(Object.fromEntries(stored.map((r) => [r.id, r.outcome]))).toEqual({
      [p1.prediction_id]: 1,
      [p2.prediction_id]: 1,
    });
    // The update took a new seq: p1 (updated last) now sorts after p2.
    expect(stored.at(-1)?.id).toBe(p1.prediction_id);
  });
});

describe('metrics', () => {
  it('counts ingested rows and duplicates and reports sync lag per node', async () => {
    const text = await (await server.call('GET', '/metrics', { token: null })).text();
    expect(text).toMatch(/^pmm_ingest_rows_total\{kind="predictions"\} (\d+)$/m);
    const accepted = Number(/^pmm_ingest_rows_total\{kind="predictions"\} (\d+)$/m.exec(text)![1]);
    const duplicates = Number(/^pmm_ingest_duplicates_total\{kind="predictions"\} (\d+)$/m.exec(text)![1]);
    expect(accepted).toBeGreaterThanOrEqual(500 + 1200 + 3 + 5000);
    expect(duplicates).toBeGreaterThanOrEqual(500);
    expect(text).toMatch(/^pmm_node_sync_lag_seconds\{node_id="edge-a"\} [\d.e-]+$/m);
    expect(text).toMatch(/^pmm_retrain_runs_total\{status="succeeded"\} 0$/m);
    const health = (await (await server.call('GET', '/healthz', { token: null })).json()) as {
      status: string;
      counts: { predictions: number };
    };
    expect(health.status).toBe('ok');
    expect(health.counts.predictions).toBe(accepted);
  });
});
