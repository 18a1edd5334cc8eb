// Ingest throughput: 100k predictions over HTTP in batches of 1,000 into the real server (child process), as JSON.
// Store: PostgreSQL when DATABASE_URL is set (a scratch database, dropped afterwards), else a fresh PGlite directory.
// Usage: tsx scripts/bench-ingest.ts [--rows 100000] [--batch 1000] [--concurrency 4]

import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXAMPLE_FEATURES, type FeatureRecord } from '@pmm/core/schema';
import { trainArtifact } from '@pmm/core/train';
import { startServerProcess } from '../src/test/process';
import { createScratchDatabase } from '../src/test/scratch-database';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
  },
});
const total = Number(values.rows);
const batchSize = Number(values.batch);
const concurrency = Number(values.concurrency);
const ADMIN = `bench-admin-${randomBytes(8).toString('hex')}`;
const NODE = 'bench-edge';

async function scratchStore(): Promise<{
  env: Record<string, string>;
  kind: string;
  drop: () => Promise<void>;
}> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const scratch = await createScratchDatabase(url, 'pmm_bench');
    return { env: { DATABASE_URL: scratch.url }, kind: 'postgres', drop: scratch.drop };
  }
  const root = await mkdtemp(path.join(tmpdir(), 'pmm-bench-'));
  return {
    env: { PMM_DB_DIR: path.join(root, 'db') },
    kind: 'pglite',
    drop: () => rm(root, { recursive: true, force: true }),
  };
}

const features = (i: number): FeatureRecord => ({
  ...EXAMPLE_FEATURES,
  tenure: i % 72,
  monthly_charges: 20 + (i % 100),
});

/** The centre refuses rows of unregistered versions: a tiny model (one epoch) to register first. */
async function benchModel() {
  const records = Array.from({ length: 200 }, (_, i) => features(i));
  return trainArtifact({
    records,
    labels: Uint8Array.from(records, (_, i) => i % 2),
    trainingDataSha256: '0'.repeat(64),
    options: { seed: 0, epochs: 1 },
  });
}

function makeBodies(version: string): string[] {
  const start = Date.now() - total;
  const bodies: string[] = [];
  for (let offset = 0; offset < total; offset += batchSize) {
    const rows = [];
    for (let i = offset; i < Math.min(total, offset + batchSize); i++) {
      rows.push({
        prediction_id: randomUUID(),
        created_at: new Date(start + i).toISOString(),
        node_id: NODE,
        model_version: version,
        features: features(i),
        probability: (i % 1000) / 1000,
        label: i % 2,
      });
    }
    bodies.push(JSON.stringify({ node_id: NODE, rows }));
  }
  return bodies;
}

const store = await scratchStore();
const server = await startServerProcess(
  { ...store.env, PMM_ADMIN_TOKEN: ADMIN, PMM_HOME: tmpdir() },
  120_000,
);
try {
  const registered = await fetch(`${server.url}/v1/nodes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ node_id: NODE, url: 'http://127.0.0.1:9', admin_token: 'unused' }),
  });
  const { ingest_token: token } = (await registered.json()) as { ingest_token: string };
  const model = await benchModel();
  const modelResponse = await fetch(`${server.url}/v1/models`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: model.card, onnx_base64: Buffer.from(model.onnx).toString('base64') }),
  });
  if (modelResponse.status !== 201) throw new Error(`register: HTTP ${modelResponse.status}`);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const bodies = makeBodies(model.card.version);

  const latencies: number[] = [];
  let accepted = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const t0 = performance.now();
        const response = await fetch(`${server.url}/v1/ingest/predictions`, {
          method: 'POST',
          headers,
          body,
        });
        if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
        accepted += ((await response.json()) as { accepted: number }).accepted;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const health = (await (await fetch(`${server.url}/healthz`)).json()) as { counts: { predictions: number } };
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!);
  console.log(
    JSON.stringify({
      bench: 'ingest',
      database: store.kind,
      rows: total,
      batch_size: batchSize,
      concurrency,
      seconds: Number(seconds.toFixed(3)),
      rows_per_second: Math.round(total / seconds),
      accepted,
      stored: health.counts.predictions,
      request_ms: { p50: pct(0.5), p95: pct(0.95), max: Math.round(latencies.at(-1) ?? 0) },
      goal_rows_per_second: 20_000,
    }),
  );
  if (accepted !== total || health.counts.predictions !== total) process.exitCode = 1;
} finally {
  server.child.kill('SIGTERM');
  await server.exited;
  await store.drop();
}
