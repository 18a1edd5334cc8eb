// Runs before each test file inside workerd: applies edge-api/migrations, and empties D1 and KV before each test.
import { applyD1Migrations } from 'cloudflare:test';
import { beforeEach } from 'vitest';
import { Runtime } from '../src/edge-node';
import { env } from './env';

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

beforeEach(async () => {
  for (const runtime of Runtime.all) runtime.forget();
  // A test may drop tables to simulate a broken D1: re-create whatever is missing, then empty everything.
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('predictions', 'feedback', 'node_state')",
  ).all<{ name: string }>();
  if (tables.results.length < 3) {
    await env.DB.exec('DELETE FROM d1_migrations');
    for (const t of ['feedback', 'predictions', 'node_state', 'profile_chunks', 'detector_state'])
      await env.DB.exec(`DROP TABLE IF EXISTS ${t}`);
    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
  }
  await env.DB.batch(
    ['feedback', 'predictions', 'node_state', 'profile_chunks', 'detector_state'].map((t) =>
      env.DB.prepare(`DELETE FROM ${t}`),
    ),
  );
  for (let cursor: string | undefined; ; ) {
    const page = await env.MODELS.list(cursor ? { cursor } : {});
    await Promise.all(page.keys.map((k) => env.MODELS.delete(k.name)));
    if (page.list_complete) break;
    cursor = page.cursor;
  }
});
