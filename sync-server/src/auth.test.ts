// Authorisation: 401 without a valid token, 403 for the wrong role or node; neither changes anything.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from './db/client';
import {
  addNode,
  artifactVersion,
  predictionRow,
  READ_TOKEN,
  registerBody,
  registerTestVersion,
  startTestServer,
  type TestServer,
} from './test/harness';

let server: TestServer;
let ingestToken: string;
beforeAll(async () => {
  server = await startTestServer();
  await registerTestVersion(server);
  ingestToken = await addNode(server, 'edge-auth');
});
afterAll(() => server?.close());

async function snapshot() {
  const [row] = await rows<Record<string, number>>(
    server.database.db,
    sql`select (select count(*)::int from predictions) as predictions, (select count(*)::int from models) as models,
      (select count(*)::int from nodes) as nodes, (select count(*)::int from model_aliases) as aliases,
      (select count(*)::int from tokens) as tokens`,
  );
  return row;
}

describe('tokens and roles', () => {
  it('answers 401 for a missing or unknown token and 403 for the wrong role, changing nothing', async () => {
    const before = await snapshot();
    const ingestBody = { node_id: 'edge-auth', rows: [predictionRow('edge-auth')] };
    const model = registerBody(await artifactVersion('churn-auth'));
    const node = { node_id: 'edge-x', url: 'http://127.0.0.1:9', admin_token: 'x' };
    const cases: [string, string, string | null, unknown, number][] = [
      ['POST', '/v1/ingest/predictions', null, ingestBody, 401],
      ['POST', '/v1/ingest/predictions', 'wrong-token', ingestBody, 401],
      ['POST', '/v1/ingest/predictions', READ_TOKEN, ingestBody, 403],
      ['POST', '/v1/models', null, model, 401],
      ['POST', '/v1/models', READ_TOKEN, model, 403],
      ['POST', '/v1/models', ingestToken, model, 403],
      ['POST', '/v1/nodes', READ_TOKEN, node, 403],
      ['POST', '/v1/nodes', ingestToken, node, 403],
      ['GET', '/v1/models', null, undefined, 401],
      ['GET', '/v1/nodes', ingestToken, undefined, 403],
      ['GET', '/v1/aliases/history', 'Bearer', undefined, 401],
    ];
    for (const [method, path, token, json, status] of cases) {
      const response = await server.call(method, path, { token, json });
      expect(`${method} ${path} ${token} → ${response.status}`).toBe(
        `${method} ${path} ${token} → ${status}`,
      );
      const body = (await response.json()) as { error: { code: string } };
      expect(body.error.code).toBe(status === 401 ? 'unauthorized' : 'forbidden');
      if (status === 401) expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('lets an ingest token ingest for its node and pull model cards and artifacts, nothing else', async () => {
    const ok = await server.call('POST', '/v1/ingest/predictions', {
      token: ingestToken,
      json: { node_id: 'edge-auth', rows: [predictionRow('edge-auth')] },
    });
    expect(ok.status).toBe(200);
    await server.call('POST', '/v1/models', { json: registerBody(await artifactVersion('churn-auth-2')) });
    await server.call('POST', '/v1/models/churn-auth-2/aliases', { json: { alias: 'production' } });
    expect((await server.call('GET', '/v1/models/@production', { token: ingestToken })).status).toBe(200);
    expect(
      (await server.call('GET', '/v1/models/churn-auth-2/artifact', { token: ingestToken })).status,
    ).toBe(200);
    expect((await server.call('GET', '/v1/models', { token: ingestToken })).status).toBe(403);
  });

  it('stores tokens hashed, never in clear', async () => {
    const stored = await rows<{ sha256: string }>(server.database.db, sql`select sha256 from tokens`);
    expect(stored.length).toBeGreaterThanOrEqual(3);
    for (const row of stored) {
      expect(row.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(row.sha256).not.toBe(ingestToken);
    }
    // The edge's admin token is kept (pushes need it) but never served.
    const nodes = await (await server.call('GET', '/v1/nodes', { token: READ_TOKEN })).text();
    expect(nodes).toContain('edge-auth');
    expect(nodes).not.toContain('edge-admin-edge-auth');
  });

  it('keeps health, readiness and metrics open, and answers JSON 404 for unknown routes', async () => {
    expect((await server.call('GET', '/healthz', { token: null })).status).toBe(200);
    expect(await (await server.call('GET', '/ready', { token: null })).json()).toEqual({ ready: true });
    const missing = await server.call('GET', '/v1/nope', { token: null });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});

describe('OpenAPI', () => {
  it('documents every route', async () => {
    const response = await server.call('GET', '/openapi.json', { token: null });
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/ingest/predictions',
        '/v1/ingest/feedback',
        '/v1/models',
        '/v1/models/{ref}',
        '/v1/models/{ref}/artifact',
        '/v1/models/{version}/aliases',
        '/v1/models/aliases/{alias}',
        '/v1/aliases/history',
        '/v1/nodes',
        '/v1/nodes/{node_id}/pushes',
        '/healthz',
        '/ready',
        '/metrics',
      ]),
    );
  });
});
