// Shape tests' helpers: the shape routes alone on an ephemeral port, tokens, bulk rows, and first_seq for updates.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Database } from '../db/client';
import { putToken } from '../db/tokens';
import type { ShapeConfig } from './config';
import { createShapeRoutes, type ShapeRoutesOptions } from './routes';
import { shapeSqlFor } from './store';

export const READ = 'shape-read-token-0123456789';
export const INGEST = 'shape-ingest-token-0123456789';

export async function putShapeTokens(database: Database): Promise<void> {
  await putToken(database.db, 'shape-read', 'read', READ);
  await putToken(database.db, 'shape-admin', 'admin', `${READ}-admin`);
  await database.db.execute(
    // An ingest token needs a node.
    (await import('drizzle-orm'))
      .sql`insert into nodes (node_id, url, admin_token) values ('edge-1', 'http://127.0.0.1:9/', 'x')
      on conflict do nothing`,
  );
  await putToken(database.db, 'shape-ingest', 'ingest', INGEST, 'edge-1');
}

export interface ShapeServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `createShapeRoutes` on 127.0.0.1 at an ephemeral port. */
export async function startShapeServer(
  database: Database | (() => Pick<Database, 'kind' | 'db'>),
  config: Partial<ShapeConfig> = {},
  extra: Partial<ShapeRoutesOptions> = {},
): Promise<ShapeServer> {
  const app = new Hono();
  app.route(
    '/',
    createShapeRoutes({
      database: typeof database === 'function' ? database : () => database,
      config,
      ...extra,
    }),
  );
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Inserts `n` predictions in one statement (INSERT … SELECT FROM unnest); returns their ids in seq order. */
export async function insertPredictionRows(
  database: Pick<Database, 'kind' | 'db'>,
  n: number,
  node = 'edge-1',
) {
  const sql = shapeSqlFor(database);
  const ids = Array.from({ length: n }, () => randomUUID());
  const now = Date.now();
  const created = ids.map((_, i) => new Date(now + i).toISOString());
  const features = ids.map((_, i) =>
    JSON.stringify({ tenure: i % 72, contract: 'Month-to-month', charges: 70.35 + i }),
  );
  const probability = ids.map((_, i) => ((i * 7919) % 1000) / 1000);
  const label = probability.map((p) => (p >= 0.5 ? 1 : 0));
  await sql.query(
    `insert into predictions (prediction_id, created_at, node_id, model_version, features, probability, label)
     select u.id, u.created_at::timestamptz, $6, 'churn-1', u.features::jsonb, u.probability, u.label
     from unnest($1::uuid[], $2::text[], $3::text[], $4::float8[], $5::int2[]) as u(id, created_at, features, probability, label)`,
    [ids, created, features, probability, label, node],
  );
  return ids;
}
