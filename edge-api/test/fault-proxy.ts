// A loopback proxy in front of the REAL sync server: it forwards every request untouched, except for the network
// faults the real server cannot be made to produce on demand (a lost acknowledgement, bytes corrupted in transit,
// an answer that miscounts), which a test switches on through POST /__fault. A fake network, not a fake server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  /** Forward untouched. */
  | 'none'
  /** Answer the edge's requests (ingest, model pull) 503 without forwarding: the centre is unreachable. */
  | 'down'
  /** Forward ingest requests (the centre stores the rows), then answer 502: the acknowledgement is lost. */
  | 'lost-ack'
  /** Flip a byte of every model artifact the centre serves. */
  | 'corrupt-artifact'
  /** Forward ingest requests, then lower the answer's `accepted` count by one (an answer that does not add up). */
  | 'miscount';

export interface FaultProxy {
  readonly url: string;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: Buffer | string, headers: Record<string, string>) {
  res.writeHead(status, headers);
  res.end(body);
}

const json = (value: unknown) => JSON.stringify(value);

/** Starts the proxy on 127.0.0.1 (any free port) in front of `target`. `/__stats` counts forwarded ingest posts. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let fault: Fault = 'none';
  const stats = { ingest_requests: 0 };
  const server: Server = createServer(async (req, res) => {
    const jsonHeaders = { 'content-type': 'application/json' };
    try {
      const url = new URL(req.url ?? '/', 'http://proxy');
      const body = await readBody(req);
      if (url.pathname === '/__fault') {
        fault = (JSON.parse(body.toString()) as { fault: Fault }).fault;
        return send(res, 200, json({ fault }), jsonHeaders);
      }
      if (url.pathname === '/__stats') return send(res, 200, json(stats), jsonHeaders);

      const ingest = req.method === 'POST' && url.pathname.startsWith('/v1/ingest/');
      const pull =
        req.method === 'GET' &&
        (url.pathname.startsWith('/v1/models/') || url.pathname === '/v1/served-models');
      if (ingest) stats.ingest_requests++;
      if (fault === 'down' && (ingest || pull))
        return send(res, 503, json({ error: 'the centre is down' }), jsonHeaders);

      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === 'string' && k !== 'host' && k !== 'connection' && k !== 'content-length')
          headers[k] = v;
      }
      const upstream = await fetch(`${target}${url.pathname}${url.search}`, {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
      });
      let answer = Buffer.from(await upstream.arrayBuffer());
      const answerHeaders: Record<string, string> = {};
      upstream.headers.forEach((v, k) => {
        if (k !== 'content-length' && k !== 'content-encoding' && k !== 'transfer-encoding')
          answerHeaders[k] = v;
      });
      if (ingest && fault === 'lost-ack') return send(res, 502, json({ error: 'bad gateway' }), jsonHeaders);
      if (ingest && fault === 'miscount' && upstream.ok) {
        const parsed = JSON.parse(answer.toString()) as { accepted: number };
        parsed.accepted = Math.max(0, parsed.accepted - 1);
        answer = Buffer.from(json(parsed));
      }
      if (fault === 'corrupt-artifact' && /\/artifact$/.test(url.pathname) && upstream.ok) {
        answer = Buffer.from(answer);
        answer[10] = answer[10]! ^ 0x55;
      }
      return send(res, upstream.status, answer, answerHeaders);
    } catch (err) {
      return send(res, 502, json({ error: `proxy: ${String(err)}` }), jsonHeaders);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
