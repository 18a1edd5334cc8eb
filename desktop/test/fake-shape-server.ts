// An in-memory stand-in for the sync server's Electric shape endpoint, served through an injected fetch.

export type ColumnType = 'text' | 'int8' | 'int2' | 'float8' | 'jsonb' | 'timestamptz' | 'bool';

export interface FakeTable {
  readonly schema: Record<string, ColumnType>;
  readonly pk: string;
  readonly rows: Record<string, unknown>[];
}

/** Rows as Electric sends them: every value as text, parsed by the client with `electric-schema`. */
function wireValue(value: unknown, type: ColumnType): string | null {
  if (value === null || value === undefined) return null;
  if (type === 'jsonb') return JSON.stringify(value);
  return String(value);
}

export class FakeShapeServer {
  readonly tables = new Map<string, FakeTable>();
  readonly requests: URL[] = [];
  handle = 'handle-1';
  pageSize = 500;
  down = false;
  /** Send `pmm-total-rows` with each response. */
  sendTotals = true;
  /** How long a live request waits when there is nothing new (a real server long-polls ~20 s). */
  liveWaitMs = 20;

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    this.requests.push(url);
    if (this.down) throw new TypeError('fetch failed');
    if (init?.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    const name = url.searchParams.get('table') ?? '';
    const table = this.tables.get(name);
    if (!table) return Response.json({ error: { code: 'not_found', message: name } }, { status: 404 });
    const offset = url.searchParams.get('offset') ?? '-1';
    const start = offset === '-1' ? 0 : Number(offset.split('_')[0]);
    const live = url.searchParams.get('live') === 'true';
    if (live && start >= table.rows.length) {
      await new Promise((r) => setTimeout(r, this.liveWaitMs));
    }
    const end = Math.min(table.rows.length, start + this.pageSize);
    const messages: unknown[] = table.rows.slice(start, end).map((row) => ({
      key: `"public"."${name}"/"${String(row[table.pk])}"`,
      value: Object.fromEntries(Object.entries(table.schema).map(([c, t]) => [c, wireValue(row[c], t)])),
      headers: { operation: 'insert', relation: ['public', name] },
    }));
    const upToDate = end >= table.rows.length;
    if (upToDate) messages.push({ headers: { control: 'up-to-date' } });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'electric-handle': this.handle,
      'electric-offset': `${end}_0`,
      'electric-schema': JSON.stringify(
        Object.fromEntries(Object.entries(table.schema).map(([c, t]) => [c, { type: t }])),
      ),
      'electric-cursor': String(Date.now()),
    };
    if (upToDate) headers['electric-up-to-date'] = '';
    if (this.sendTotals) headers['pmm-total-rows'] = String(table.rows.length);
    return new Response(JSON.stringify(messages), { status: 200, headers });
  };
}

export const PREDICTION_SCHEMA: Record<string, ColumnType> = {
  prediction_id: 'text',
  created_at: 'timestamptz',
  node_id: 'text',
  model_version: 'text',
  features: 'jsonb',
  probability: 'float8',
  label: 'int2',
  seq: 'int8',
};

export function predictionRows(n: number, start = 0): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, k) => {
    const i = start + k;
    return {
      prediction_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      created_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000)
        .toISOString()
        .replace('T', ' ')
        .replace('Z', '+00'),
      node_id: i % 2 === 0 ? 'edge-a' : 'edge-b',
      model_version: 'v1',
      features: { tenure: i % 72, contract: i % 3 === 0 ? 'Two year' : 'Month-to-month' },
      probability: (i % 100) / 100,
      label: i % 100 >= 50 ? 1 : 0,
      seq: i + 1,
    };
  });
}
