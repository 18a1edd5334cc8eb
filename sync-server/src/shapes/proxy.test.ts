// ELECTRIC_URL mode: the route forwards to Electric (a local receiver here) with auth, fixed table and columns.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Shape, ShapeStream } from '@electric-sql/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { int8AsText } from './proxy';
import { type ShapeServer, startShapeServer } from './test-support';

const TOKEN = 'proxy-read-token-0123456789';
const SECRET = 'electric-secret';

let receiver: Server;
let receiverUrl: string;
let received: { url: URL; headers: IncomingMessage['headers'] }[] = [];
let server: ShapeServer;

const authenticate = async (token: string) =>
  token === TOKEN ? { role: 'read' } : token === 'ingest-token' ? { role: 'ingest' } : null;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const url = new URL(req.url!, 'http://receiver');
    received.push({ url, headers: req.headers });
    if (url.searchParams.get('handle') === 'stale') {
      res.writeHead(409, { 'content-type': 'application/json', 'electric-handle': 'fresh' });
      res.end('[{"headers":{"control":"must-refetch"}}]');
      return;
    }
    const live = url.searchParams.get('live') === 'true';
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'electric-handle': 'h-1',
      'electric-offset': '0_inf',
      'electric-up-to-date': '',
      'x-extra': 'kept',
    };
    if (live) headers['electric-cursor'] = '42';
    else
      headers['electric-schema'] = JSON.stringify({
        id: { type: 'int8', not_null: true, pk_index: 0 },
        alias: { type: 'text' },
      });
    res.writeHead(200, headers);
    // Streamed in two writes: the proxy must pass the body through as it comes.
    res.write('[{"key":"\\"public\\".\\"alias_history\\"/\\"1\\"","value":{"id":"1","alias":"production"},');
    setTimeout(() => res.end('"headers":{"operation":"insert"}},{"headers":{"control":"up-to-date"}}]'), 20);
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const noDatabase = () => {
    throw new Error('the proxy must not touch the database');
  };
  server = await startShapeServer(
    noDatabase,
    { electricUrl: `${receiverUrl}/`, electricSecret: SECRET },
    { authenticate },
  );
});

afterAll(async () => {
  await server?.close();
  await new Promise((r) => receiver?.close(r));
});

beforeEach(() => {
  received = [];
});

const get = (query: string, token: string | null = TOKEN) =>
  fetch(`${server.url}/v1/shape?${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('ELECTRIC_URL proxy', () => {
  it('forwards the protocol parameters, fixes table and columns, adds the secret', async () => {
    const res = await get(
      'table=models&offset=12_3&handle=h-1&live=true&cursor=7&where=1%3D1&columns=onnx&secret=mine&foo=bar&subset__limit=5',
    );
    expect(res.status).toBe(200);
    expect(received).toHaveLength(1);
    const forwarded = received[0]!.url;
    expect(forwarded.pathname).toBe('/v1/shape');
    const params = Object.fromEntries(forwarded.searchParams);
    expect(params).toEqual({
      table: 'models',
      offset: '12_3',
      handle: 'h-1',
      live: 'true',
      cursor: '7',
      subset__limit: '5',
      secret: SECRET,
      columns: expect.any(String),
    });
    expect(params.columns!.split(',')).not.toContain('"onnx"');
    expect(params.columns!.split(',')).toContain('"version"');
    // Our bearer token is not handed to Electric.
    expect(received[0]!.headers.authorization).toBeUndefined();
    // Headers come back (live: the cursor), the body streamed through whole.
    expect(res.headers.get('electric-cursor')).toBe('42');
    expect(res.headers.get('x-extra')).toBe('kept');
    const body = await res.json();
    expect(body[0].value).toEqual({ id: '1', alias: 'production' });
  });

  it('declares int8 as text in electric-schema, as the local server does', async () => {
    const res = await get('table=alias_history&offset=-1');
    expect(JSON.parse(res.headers.get('electric-schema')!).id).toEqual({
      type: 'text',
      not_null: true,
      pk_index: 0,
    });
    expect(int8AsText('not json')).toBe('not json');
  });

  it('passes 409s through with the new handle', async () => {
    const res = await get('table=alias_history&offset=5_0&handle=stale');
    expect(res.status).toBe(409);
    expect(res.headers.get('electric-handle')).toBe('fresh');
    expect(await res.json()).toEqual([{ headers: { control: 'must-refetch' } }]);
  });

  it('checks the token and the table before forwarding', async () => {
    expect((await get('table=models&offset=-1', null)).status).toBe(401);
    expect((await get('table=models&offset=-1', 'ingest-token')).status).toBe(403);
    expect((await get('table=tokens&offset=-1')).status).toBe(400);
    expect(received).toHaveLength(0);
  });

  it('works end to end with the real client', async () => {
    const stream = new ShapeStream({
      url: `${server.url}/v1/shape`,
      params: { table: 'alias_history' },
      headers: { authorization: `Bearer ${TOKEN}` },
      subscribe: false,
    });
    const rows = await new Shape(stream).rows;
    expect(rows).toEqual([{ id: '1', alias: 'production' }]);
  });

  it('answers 503 when Electric is unreachable', async () => {
    const down = await startShapeServer(
      () => ({}) as never,
      { electricUrl: 'http://127.0.0.1:9' },
      { authenticate },
    );
    try {
      const res = await fetch(`${down.url}/v1/shape?table=models&offset=-1`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(res.status).toBe(503);
      expect((await res.json()).error.code).toBe('electric_unavailable');
    } finally {
      await down.close();
    }
  });
});
