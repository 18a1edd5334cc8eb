// Pushing production to the edges: retried with backoff until the edge accepts, every attempt recorded.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodesAwaiting } from './db/nodes';
import { backoffDelay, Pusher } from './push';
import {
  addNode,
  artifactVersion,
  FAST_PUSH,
  READ_TOKEN,
  registerBody,
  startTestServer,
  type TestServer,
} from './test/harness';

interface Edge {
  url: string;
  /** Answers to give, in order; after the list, 200. */
  script: number[];
  received: {
    authorization: string | undefined;
    body: { model: { version: string }; onnx_base64: string };
  }[];
  close(): Promise<void>;
}

async function startEdge(script: number[]): Promise<Edge> {
  const edge: Omit<Edge, 'url' | 'close'> = { script, received: [] };
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString();
  };
  const server: Server = createServer(async (req, res) => {
    const body = await read(req);
    if (req.method !== 'POST' || req.url !== '/admin/models') {
      res.writeHead(404).end();
      return;
    }
    edge.received.push({ authorization: req.headers.authorization, body: JSON.parse(body) });
    const status = edge.script.shift() ?? 200;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(status === 200 ? { version: 'x', previous_version: null, activated_at: 'now' } : {}),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...edge,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  } as Edge;
}

type Push = { version: string; attempt: number; status: string; http_status: number | null };

let server: TestServer;
const edges: Edge[] = [];
beforeAll(async () => {
  server = await startTestServer();
  for (const v of ['churn-push-1', 'churn-push-2', 'churn-push-3']) {
    const response = await server.call('POST', '/v1/models', {
      json: registerBody(await artifactVersion(v)),
    });
    expect(response.status).toBe(201);
  }
});
afterAll(async () => {
  await server?.close();
  await Promise.all(edges.map((e) => e.close()));
});

const pushes = async (node: string) =>
  (
    (await (await server.call('GET', `/v1/nodes/${node}/pushes`, { token: READ_TOKEN })).json()) as {
      pushes: Push[];
    }
  ).pushes;

describe('push on production moves', () => {
  it('retries an edge that fails twice until it accepts, and records each attempt', async () => {
    const flaky = await startEdge([503, 500]);
    const steady = await startEdge([]);
    edges.push(flaky, steady);
    await addNode(server, 'edge-flaky', `${flaky.url}/`);
    await addNode(server, 'edge-steady', steady.url);

    const started = Date.now();
    const response = await server.call('POST', '/v1/models/churn-push-1/aliases', {
      json: { alias: 'production' },
    });
    expect(response.status).toBe(200);
    // The alias request does not wait for the pushes.
    expect(flaky.received.length).toBeLessThanOrEqual(1);
    await server.pusher.idle();
    expect(Date.now() - started).toBeGreaterThanOrEqual(10 + 20);

    expect(flaky.received).toHaveLength(3);
    const { card, onnx } = await artifactVersion('churn-push-1');
    const delivered = flaky.received[2]!;
    expect(delivered.authorization).toBe('Bearer edge-admin-edge-flaky');
    expect(delivered.body.model).toEqual(card);
    expect(new Uint8Array(Buffer.from(delivered.body.onnx_base64, 'base64'))).toEqual(onnx);

    expect((await pushes('edge-flaky')).map((p) => [p.version, p.attempt, p.status, p.http_status])).toEqual([
      ['churn-push-1', 3, 'succeeded', 200],
      ['churn-push-1', 2, 'failed', 500],
      ['churn-push-1', 1, 'failed', 503],
    ]);
    expect((await pushes('edge-steady')).map((p) => p.status)).toEqual(['succeeded']);

    const nodes = (await (await server.call('GET', '/v1/nodes', { token: READ_TOKEN })).json()) as {
      nodes: { node_id: string; active_model_version: string; last_push: Push }[];
    };
    for (const node of nodes.nodes) {
      expect(node.active_model_version).toBe('churn-push-1');
      expect(node.last_push.status).toBe('succeeded');
    }
  });

  it('gives up after the configured attempts, and does not retry an edge that refuses (4xx)', async () => {
    const down = await startEdge(Array(100).fill(503));
    const refusing = await startEdge(Array(100).fill(422));
    edges.push(down, refusing);
    await addNode(server, 'edge-down', down.url);
    await addNode(server, 'edge-refusing', refusing.url);
    await server.pusher.idle();
    await server.call('POST', '/v1/models/churn-push-2/aliases', { json: { alias: 'production' } });
    await server.pusher.idle();
    const downPushes = (await pushes('edge-down')).filter((p) => p.version === 'churn-push-2');
    expect(downPushes.map((p) => p.status)).toEqual(['gave_up', 'failed', 'failed', 'failed', 'failed']);
    const refused = (await pushes('edge-refusing')).filter((p) => p.version === 'churn-push-2');
    expect(refused.map((p) => [p.status, p.http_status])).toEqual([['rejected', 422]]);
  });

  it('pushes production to a node when it registers, and not on other aliases', async () => {
    const late = await startEdge([]);
    edges.push(late);
    await addNode(server, 'edge-late', late.url);
    await server.pusher.idle();
    expect(late.received.map((r) => r.body.model.version)).toEqual(['churn-push-2']);
    await server.call('POST', '/v1/models/churn-push-3/aliases', { json: { alias: 'challenger' } });
    await server.pusher.idle();
    expect(late.received).toHaveLength(1);
  });

  it('resumes after a restart the pushes that did not succeed', async () => {
    const edge = await startEdge(Array(100).fill(503));
    edges.push(edge);
    await addNode(server, 'edge-restart', edge.url);
    await server.pusher.idle();
    expect((await pushes('edge-restart'))[0]).toMatchObject({ version: 'churn-push-2', status: 'gave_up' });

    edge.script.length = 0; // the edge is back; the server restarts
    const awaiting = async () =>
      (await nodesAwaiting(server.database.db, 'churn', 'churn-push-2')).map((n) => n.nodeId);
    // edge-down gave up too; edge-refusing refused for good and is left alone.
    expect(await awaiting()).toEqual(['edge-down', 'edge-restart']);
    const restarted = new Pusher({ db: server.database.db, options: FAST_PUSH });
    expect(await restarted.reconcile()).toBe(2);
    await restarted.idle();
    expect((await pushes('edge-restart'))[0]).toMatchObject({ version: 'churn-push-2', status: 'succeeded' });
    expect(await awaiting()).toEqual(['edge-down']);
  });

  it('doubles the backoff up to the cap', () => {
    const options = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000, timeoutMs: 1 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(options, a))).toEqual([100, 200, 400, 800, 1000]);
  });
});
