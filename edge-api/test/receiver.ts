// A stand-in sync server on loopback for the tests and the bench: ingest (idempotent by prediction_id) and model pull.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ingestFeedbackRequestSchema, ingestPredictionsRequestSchema } from '@pmm/core/sync';

export interface ReceiverState {
  /** 'ok': accept; 'fail': answer 503 (the centre is down); 'lost-ack': store the rows, then answer 502. */
  mode: 'ok' | 'fail' | 'lost-ack';
  predictions: Map<string, unknown>;
  feedback: Map<string, { outcome: number; created_at: string }>;
  duplicates: number;
  ingestRequests: number;
  failedRequests: number;
  invalidRequests: number;
  production: { card: unknown; onnx: Buffer } | null;
}

export interface Receiver {
  readonly url: string;
  readonly state: ReceiverState;
  close(): Promise<void>;
}

function freshState(): ReceiverState {
  return {
    mode: 'ok',
    predictions: new Map(),
    feedback: new Map(),
    duplicates: 0,
    ingestRequests: 0,
    failedRequests: 0,
    invalidRequests: 0,
    production: null,
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Starts the receiver on 127.0.0.1 (port 0 = any free port). `token`: the ingest bearer token it demands. */
export async function startReceiver(token: string, port = 0): Promise<Receiver> {
  let state = freshState();
  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://receiver');
      const body = await readBody(req);
      // Control endpoints, used by tests running inside workerd.
      if (url.pathname === '/__reset') {
        state = freshState();
        return json(res, 200, { ok: true });
      }
      if (url.pathname === '/__mode') {
        state.mode = (JSON.parse(body.toString()) as { mode: ReceiverState['mode'] }).mode;
        return json(res, 200, { mode: state.mode });
      }
      if (url.pathname === '/__production') {
        const { card, onnx_base64 } = JSON.parse(body.toString()) as { card: unknown; onnx_base64: string };
        state.production = { card, onnx: Buffer.from(onnx_base64, 'base64') };
        return json(res, 200, { ok: true });
      }
      if (url.pathname === '/__state') {
        return json(res, 200, {
          mode: state.mode,
          prediction_ids: [...state.predictions.keys()],
          feedback: Object.fromEntries(state.feedback),
          duplicates: state.duplicates,
          ingest_requests: state.ingestRequests,
          failed_requests: state.failedRequests,
          invalid_requests: state.invalidRequests,
        });
      }

      if (req.headers.authorization !== `Bearer ${token}`) return json(res, 401, { error: 'unauthorized' });

      if (req.method === 'POST' && url.pathname.startsWith('/v1/ingest/')) {
        state.ingestRequests++;
        if (state.mode === 'fail') {
          state.failedRequests++;
          return json(res, 503, { error: 'down' });
        }
        const payload = JSON.parse(body.toString());
        if (url.pathname === '/v1/ingest/predictions') {
          const parsed = ingestPredictionsRequestSchema.safeParse(payload);
          if (!parsed.success) {
            state.invalidRequests++;
            return json(res, 422, { error: parsed.error.issues });
          }
          let accepted = 0;
          for (const row of parsed.data.rows) {
            if (state.predictions.has(row.prediction_id)) state.duplicates++;
            else accepted++;
            state.predictions.set(row.prediction_id, row);
          }
          if (state.mode === 'lost-ack') return json(res, 502, { error: 'bad gateway' });
          return json(res, 200, { accepted, duplicates: parsed.data.rows.length - accepted });
        }
        if (url.pathname === '/v1/ingest/feedback') {
          const parsed = ingestFeedbackRequestSchema.safeParse(payload);
          if (!parsed.success) {
            state.invalidRequests++;
            return json(res, 422, { error: parsed.error.issues });
          }
          for (const row of parsed.data.rows) state.feedback.set(row.prediction_id, row);
          return json(res, 200, { accepted: parsed.data.rows.length, duplicates: 0 });
        }
      }
      if (req.method === 'GET' && url.pathname === '/v1/models/@production') {
        if (!state.production) return json(res, 404, { error: 'no production model' });
        return json(res, 200, state.production.card);
      }
      const artifact = /^\/v1\/models\/([^/]+)\/artifact$/.exec(url.pathname);
      if (req.method === 'GET' && artifact) {
        const version = decodeURIComponent(artifact[1]!);
        const card = state.production?.card as { version?: string } | undefined;
        if (!state.production || card?.version !== version)
          return json(res, 404, { error: 'unknown version' });
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(state.production.onnx);
      }
      return json(res, 404, { error: 'not found' });
    } catch (err) {
      return json(res, 500, { error: String(err) });
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    get state() {
      return state;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
