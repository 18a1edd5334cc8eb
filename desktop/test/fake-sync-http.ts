// The fake shape server over real HTTP (with CORS, as a browser needs), plus the alias endpoint, for browser tests.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeShapeServer } from './fake-shape-server';

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, content-type, idempotency-key',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-expose-headers':
    'electric-offset, electric-handle, electric-schema, electric-cursor, electric-up-to-date, pmm-total-rows',
};

export interface AliasPost {
  version: string;
  key: string | null;
  body: { alias: string; reason?: string; expected_version?: string | null };
}

export interface FakeSyncHttp {
  readonly url: string;
  readonly shapes: FakeShapeServer;
  readonly aliases: Record<string, string>;
  readonly aliasPosts: AliasPost[];
  /** While down, every connection is dropped (as if the server were stopped). */
  down: boolean;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = { ...CORS };
  response.headers.forEach((v, k) => {
    headers[k] = v;
  });
  res.writeHead(response.status, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
}

export async function startFakeSyncHttp(
  shapes: FakeShapeServer,
  aliases: Record<string, string>,
): Promise<FakeSyncHttp> {
  const seen = new Map<string, unknown>();
  const state: FakeSyncHttp = {
    url: '',
    shapes,
    aliases,
    aliasPosts: [],
    down: false,
    close: async () => {},
  };
  const server = createServer(async (req, res) => {
    if (state.down) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (req.method === 'OPTIONS') return void res.writeHead(204, CORS).end();
      if (req.method === 'GET' && url.pathname === '/v1/shape')
        return await send(res, await shapes.fetch(url));
      if (req.method === 'GET' && url.pathname === '/healthz')
        return await send(res, Response.json({ ok: true }));
      const match = /^\/v1\/models\/([^/]+)\/aliases$/.exec(url.pathname);
      if (req.method === 'POST' && match) {
        const version = decodeURIComponent(match[1]!);
        const body = JSON.parse(await readBody(req)) as AliasPost['body'];
        const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
        state.aliasPosts.push({ version, key, body });
        if (key && seen.has(key)) return await send(res, Response.json(seen.get(key)));
        const current = aliases[body.alias] ?? null;
        if (body.expected_version !== undefined && body.expected_version !== current) {
          return await send(
            res,
            Response.json(
              { error: { code: 'conflict', message: 'alias moved', details: { current_version: current } } },
              { status: 409 },
            ),
          );
        }
        aliases[body.alias] = version;
        const history = shapes.tables.get('alias_history')!;
        history.rows.push({
          id: history.rows.length + 1,
          alias: body.alias,
          from_version: current,
          to_version: version,
          actor: 'analyst',
          reason: body.reason ?? null,
          at: new Date().toISOString(),
          seq: history.rows.length + 1,
        });
        const result = { alias: body.alias, version, previous_version: current };
        if (key) seen.set(key, result);
        return await send(res, Response.json(result));
      }
      await send(
        res,
        Response.json({ error: { code: 'not_found', message: url.pathname } }, { status: 404 }),
      );
    } catch (error) {
      await send(
        res,
        Response.json({ error: { code: 'internal', message: String(error) } }, { status: 500 }),
      );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
