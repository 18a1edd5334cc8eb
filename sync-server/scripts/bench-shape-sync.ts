// Times a from-scratch @electric-sql/client sync of 100k predictions from /v1/shape; prints JSON.
// Usage: npx tsx sync-server/scripts/bench-shape-sync.ts [--rows 100000] [--runs 3]   (DATABASE_URL set → PostgreSQL, else PGlite)
// The rows are real: core's traffic simulator over the Telco data (all 19 features, gradual drift), as edges log them.
// The server (and PGlite) runs in a child process, the client in this one, as the desktop and the centre do.

import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Shape, ShapeStream } from '@electric-sql/client';
import { serve } from '@hono/node-server';
import { parseCsv, toFeatureRows } from '@pmm/core/data';
import { createTraffic } from '@pmm/core/simulate';
import { telcoCsvPath } from '@pmm/test-support';
import { Hono } from 'hono';
import { putToken } from '../src/db/tokens';
import { createShapeRoutes } from '../src/shapes/routes';
import { shapeSqlFor } from '../src/shapes/store';
import { openStore } from '../src/start';
import { createScratchDatabase } from '../src/test/scratch-database';

const argRows = process.argv.indexOf('--rows');
const ROWS = argRows > 0 ? Number(process.argv[argRows + 1]) : 100_000;
const argRuns = process.argv.indexOf('--runs');
const RUNS = argRuns > 0 ? Number(process.argv[argRuns + 1]) : 3;
const BATCH = 10_000;
const TOKEN = `bench-read-${randomBytes(8).toString('hex')}`;

/** Child: a database with ROWS predictions behind /v1/shape; prints `{ port, token, kind }`, serves until stdin closes. */
async function serveBench() {
  const url = process.env.DATABASE_URL;
  // A database of its own: a fresh PostgreSQL database (dropped after) or a temporary PGlite directory.
  let cleanup: () => Promise<void>;
  let databaseUrl: string | undefined;
  let dbDir = '';
  if (url) {
    const scratch = await createScratchDatabase(url, 'pmm_bench');
    databaseUrl = scratch.url;
    cleanup = scratch.drop;
  } else {
    const root = await mkdtemp(path.join(tmpdir(), 'pmm-bench-shape-'));
    dbDir = path.join(root, 'db');
    cleanup = () => rm(root, { recursive: true, force: true });
  }

  const database = await openStore({ databaseUrl, dbDir });
  try {
    await putToken(database.db, 'bench-read', 'read', TOKEN);
    const sql = shapeSqlFor(database);
    const csvPath = telcoCsvPath();
    const { records, labels } = toFeatureRows(parseCsv(await readFile(csvPath, 'utf8'), csvPath));
    const traffic = createTraffic({ records, labels: labels! }, { drift: 'gradual', total: ROWS, seed: 1 });
    const base = Date.now() - ROWS;
    for (let start = 0; start < ROWS; start += BATCH) {
      const n = Math.min(BATCH, ROWS - start);
      const ids: string[] = [];
      const created: string[] = [];
      const features: string[] = [];
      const probability: number[] = [];
      const label: number[] = [];
      for (let i = start; i < start + n; i++) {
        const row = traffic(i);
        ids.push(randomUUID());
        created.push(new Date(base + i).toISOString());
        features.push(JSON.stringify(row.features));
        // The features are real; the probability is a fixed pseudo-random float8 of full precision.
        const p = ((i * 2_654_435_761) % 2 ** 32) / 2 ** 32;
        probability.push(p);
        label.push(p >= 0.5 ? 1 : 0);
      }
      await sql.query(
        `insert into predictions (prediction_id, created_at, node_id, model_version, features, probability, label)
         select u.id, u.created_at::timestamptz, 'edge-bench', 'churn-1', u.features::jsonb, u.probability, u.label
         from unnest($1::uuid[], $2::text[], $3::text[], $4::float8[], $5::int2[])
           as u(id, created_at, features, probability, label)`,
        [ids, created, features, probability, label],
      );
    }
    await sql.query('analyze predictions', []);

    const app = new Hono();
    app.route('/', createShapeRoutes({ database: () => database }));
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    const port = (server.address() as AddressInfo).port;

    process.stdout.write(`${JSON.stringify({ port, token: TOKEN, kind: database.kind })}\n`);
    await new Promise<void>((resolve) => {
      process.stdin.on('end', resolve);
      process.stdin.on('close', resolve);
      process.stdin.resume();
    });
    server.close();
  } finally {
    await database.close();
    await cleanup();
  }
}

/** Parent: starts the child, syncs from scratch with the real client, prints the timing. */
async function main() {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1), '--serve'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: process.env,
  });
  const ready = await new Promise<{ port: number; token: string; kind: 'pglite' | 'postgres' }>(
    (resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split('\n')[0];
        if (out.includes('\n') && line) resolve(JSON.parse(line));
      });
      child.on('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    },
  );
  try {
    const seconds: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      const stream = new ShapeStream({
        url: `http://127.0.0.1:${ready.port}/v1/shape`,
        params: { table: 'predictions' },
        headers: { authorization: `Bearer ${ready.token}` },
        subscribe: false,
      });
      const rows = await new Shape(stream).rows;
      seconds.push((performance.now() - started) / 1000);
      if (rows.length !== ROWS) throw new Error(`synced ${rows.length} rows, expected ${ROWS}`);
      const features = Object.keys((rows[0] as { features: object }).features).length;
      if (features !== 19) throw new Error(`a synced row has ${features} features, expected 19`);
    }
    const median = [...seconds].sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
    console.log(
      JSON.stringify({
        rows: ROWS,
        features: 19,
        runs: RUNS,
        median_seconds: Number(median.toFixed(3)),
        seconds: seconds.map((s) => Number(s.toFixed(3))),
        rows_per_second: Math.round(ROWS / median),
        database: ready.kind,
      }),
    );
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end();
    await exited;
  }
}

(process.argv.includes('--serve') ? serveBench() : main()).catch((err) => {
  console.error(err);
  process.exit(1);
});
