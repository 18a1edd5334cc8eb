// Durability: a server killed (SIGKILL) in the middle of ingest loses no batch it acknowledged; SIGTERM stops cleanly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestResult } from './ingest';
import { ADMIN_TOKEN, createTestStore, predictionRow, registerTestVersion } from './test/harness';
import { type ServerProcess, startServerProcess } from './test/process';

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

const env = () => ({ ...store.env, PMM_ADMIN_TOKEN: ADMIN_TOKEN, PMM_HOME: '/nonexistent-pmm-home' });

async function post(url: string, token: string, path: string, body: unknown) {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('crash safety', () => {
  it('keeps every acknowledged row across a SIGKILL mid-stream and a restart', async () => {
    const first = await startServerProcess(env());
    running.push(first);
    const registered = await post(first.url, ADMIN_TOKEN, '/v1/nodes', {
      node_id: 'edge-crash',
      url: 'http://127.0.0.1:9',
      admin_token: 'edge-admin',
    });
    expect(registered.status).toBe(201);
    await registerTestVersion({ url: first.url, token: ADMIN_TOKEN });
    const { ingest_token: token } = (await registered.json()) as { ingest_token: string };

    const acknowledged: ReturnType<typeof predictionRow>[][] = [];
    let stop = false;
    const sender = async () => {
      while (!stop) {
        const rows = Array.from({ length: 500 }, () => predictionRow('edge-crash'));
        try {
          const response = await post(first.url, token, '/v1/ingest/predictions', {
            node_id: 'edge-crash',
            rows,
          });
          if (response.status === 200) {
            const result = (await response.json()) as IngestResult;
            expect(result.accepted).toBe(500);
            acknowledged.push(rows);
          }
        } catch {
          return; // the server died under this request: not acknowledged
        }
      }
    };
    const senders = Array.from({ length: 4 }, sender);
    const deadline = Date.now() + 20_000;
    while (acknowledged.length < 12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    stop = true;
    await Promise.all(senders);
    expect(acknowledged.length).toBeGreaterThanOrEqual(12);

    const second = await startServerProcess(env());
    running.push(second);
    for (const rows of acknowledged) {
      const response = await post(second.url, token, '/v1/ingest/predictions', {
        node_id: 'edge-crash',
        rows,
      });
      expect(await response.json()).toEqual({ accepted: 0, duplicates: 500, rejected: [], conflicts: [] });
    }
    const health = (await (await fetch(`${second.url}/healthz`)).json()) as {
      counts: { predictions: number };
    };
    expect(health.counts.predictions).toBeGreaterThanOrEqual(acknowledged.length * 500);

    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(second.output()).toMatch(/SIGTERM: shutting down[\s\S]*stopped/);
  });
});
