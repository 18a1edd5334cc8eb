// The real server (src/server.ts under tsx): retraining runs in its worker thread, and SIGTERM during a run
// stops cleanly with the run recorded as failed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/client';
import { getRun } from '../db/retrain';
import { ADMIN_TOKEN, createTestStore, loadArtifact, registerBody } from '../test/harness';
import { type ServerProcess, startServerProcess } from '../test/process';
import { HAVE_TELCO, TELCO_CSV } from '../test/traffic';

let store: Awaited<ReturnType<typeof createTestStore>>;
const running: ServerProcess[] = [];
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => {
  for (const p of running) p.child.kill('SIGKILL');
  await Promise.all(running.map((p) => p.exited));
  await store?.drop();
});

const call = (url: string, method: string, path: string, body?: unknown) =>
  fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });

describe.skipIf(!HAVE_TELCO)('retraining in the server process', () => {
  it('trains in a worker under tsx, then stops cleanly on SIGTERM mid-run', async () => {
    const server = await startServerProcess({
      ...store.env,
      PMM_ADMIN_TOKEN: ADMIN_TOKEN,
      PMM_HOME: '/nonexistent-pmm-home',
      PMM_TRAINING_DATA: TELCO_CSV,
      PMM_DRIFT_INTERVAL_MS: '0',
      PMM_RETRAIN_POLICY: 'manual',
    });
    running.push(server);
    const artifact = await loadArtifact();
    expect((await call(server.url, 'POST', '/v1/models', registerBody(artifact))).status).toBe(201);
    const alias = await call(server.url, 'POST', `/v1/models/${artifact.card.version}/aliases`, {
      alias: 'production',
    });
    expect(alias.status).toBe(200);

    const started = await call(server.url, 'POST', '/v1/retrain', { reason: 'process test' });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    let run: { status: string; challenger_version: string | null; details: { seconds?: number } } | undefined;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      run = await (await call(server.url, 'GET', `/v1/retrain/runs/${id}`)).json();
      if (run?.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(run, server.output()).toMatchObject({ status: 'succeeded' });
    expect(run!.challenger_version).toMatch(/^churn-/);

    const second = await call(server.url, 'POST', '/v1/retrain', {});
    expect(second.status).toBe(202);
    const { id: secondId } = (await second.json()) as { id: string };
    await new Promise((r) => setTimeout(r, 300));
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    expect(exit.code, server.output()).toBe(0);
    expect(server.output()).toMatch(/stopped/);

    const database = await openDatabase(
      'DATABASE_URL' in store.env ? { url: store.env.DATABASE_URL } : { dir: store.env.PMM_DB_DIR },
    );
    try {
      const stopped = await getRun(database.db, secondId);
      expect(stopped).toMatchObject({ status: 'failed', challenger_version: null });
      expect(stopped!.details.error).toMatch(/shut down/);
    } finally {
      await database.close();
    }
  });
});
