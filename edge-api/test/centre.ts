// The real sync server as the workerd tests see it (through the fault proxy): its public API, what it stored, faults.

import { env } from './env';
import type { Fault } from './fault-proxy';
import { type Artifact, toBase64 } from './fixtures';

async function call<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
  const response = await fetch(`${env.SYNC_URL}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/** A stored row as the centre's shape API serves it (every value as text, features as JSON text). */
export type StoredRow = Record<string, string | null>;

/** Every row of a table the centre holds, by prediction_id (pages through `GET /v1/shape` with the read token). */
async function table(name: 'predictions' | 'feedback'): Promise<Map<string, StoredRow>> {
  const rows = new Map<string, StoredRow>();
  let offset = '-1';
  let handle: string | null = null;
  for (;;) {
    const q = new URLSearchParams({ table: name, offset, ...(handle ? { handle } : {}) });
    const response = await fetch(`${env.SYNC_URL}/v1/shape?${q}`, {
      headers: { authorization: `Bearer ${env.TEST_CENTRE_READ_TOKEN}` },
    });
    if (!response.ok) throw new Error(`shape ${name}: ${response.status} ${await response.text()}`);
    const messages = (await response.json()) as { headers: { operation?: string }; value?: StoredRow }[];
    for (const m of messages) {
      if (m.headers.operation && m.value) rows.set(m.value['prediction_id']!, m.value);
    }
    handle = response.headers.get('electric-handle');
    offset = response.headers.get('electric-offset')!;
    if (response.headers.has('electric-up-to-date')) return rows;
  }
}

export const centre = {
  /** Switches the fault proxy in front of the centre ('none' to forward untouched). */
  async fault(fault: Fault): Promise<void> {
    const response = await fetch(`${env.SYNC_URL}/__fault`, {
      method: 'POST',
      body: JSON.stringify({ fault }),
    });
    if (!response.ok) throw new Error(`fault ${fault}: ${response.status}`);
  },
  /** Ingest requests that reached the proxy so far (forwarded or not). */
  async ingestRequests(): Promise<number> {
    return ((await (await fetch(`${env.SYNC_URL}/__stats`)).json()) as { ingest_requests: number })
      .ingest_requests;
  },
  predictions: () => table('predictions'),
  feedback: () => table('feedback'),
  /** Registers a model version (`POST /v1/models`) without an alias. */
  async register(a: Artifact): Promise<void> {
    await call('POST', '/v1/models', env.TEST_CENTRE_ADMIN_TOKEN, {
      model: a.card,
      onnx_base64: toBase64(a.onnx),
    });
  },
  /**
   * Makes sure the centre holds a version the edge logs rows for (it refuses rows of versions it does not
   * hold); registering it again is a 409 `version_exists`, which is what "already there" looks like.
   */
  async ensureRegistered(a: Artifact): Promise<void> {
    try {
      await centre.register(a);
    } catch (error) {
      if (!(error instanceof Error && error.message.includes('version_exists'))) throw error;
    }
  },
  /** Registers a model version (`POST /v1/models`) and points @production at it. */
  async promote(a: Artifact): Promise<void> {
    await centre.register(a);
    await call(
      'POST',
      `/v1/models/${encodeURIComponent(a.card.version)}/aliases`,
      env.TEST_CENTRE_ADMIN_TOKEN,
      { alias: 'production', reason: 'edge test' },
    );
  },
  /** `POST /v1/ingest/predictions` as this node, bypassing the edge (to store a row before the edge does). */
  ingestPredictions(rows: unknown[]) {
    return call<{ accepted: number; duplicates: number; rejected: unknown[]; conflicts: unknown[] }>(
      'POST',
      '/v1/ingest/predictions',
      env.INGEST_TOKEN,
      { node_id: env.NODE_ID, rows },
    );
  },
};
