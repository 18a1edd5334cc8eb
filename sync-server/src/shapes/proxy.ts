// Forwards a shape request to a real Electric service: fixed table and columns, protocol parameters only, streamed back.
import { ELECTRIC_PROTOCOL_QUERY_PARAMS } from '@electric-sql/client';
import type { TableSpec } from './tables';

/** Response headers not copied: the body is re-framed by our server (fetch already decoded it). */
const HOP_HEADERS = ['content-encoding', 'content-length', 'transfer-encoding', 'connection', 'keep-alive'];

export interface ProxyOptions {
  readonly electricUrl: string;
  readonly electricSecret?: string | undefined;
  readonly fetch?: typeof fetch;
}

/** The URL Electric is asked: its `/v1/shape`, our table and columns, the client's protocol parameters. */
export function electricRequestUrl(options: ProxyOptions, spec: TableSpec, incoming: URL): URL {
  const base = options.electricUrl.replace(/\/+$/, '');
  const url = new URL(base.endsWith('/v1/shape') ? base : `${base}/v1/shape`);
  for (const name of ELECTRIC_PROTOCOL_QUERY_PARAMS) {
    const value = incoming.searchParams.get(name);
    if (value !== null) url.searchParams.set(name, value);
  }
  url.searchParams.set('table', spec.name);
  url.searchParams.set('columns', spec.electricColumns);
  if (options.electricSecret) url.searchParams.set('secret', options.electricSecret);
  return url;
}

/** int8 → text in `electric-schema`, so clients get strings from Electric exactly as from the local server. */
export function int8AsText(schemaHeader: string): string {
  try {
    const schema = JSON.parse(schemaHeader) as Record<string, { type?: string }>;
    for (const column of Object.values(schema)) {
      if (column && column.type === 'int8') column.type = 'text';
    }
    return JSON.stringify(schema);
  } catch {
    return schemaHeader;
  }
}

export async function proxyShape(
  options: ProxyOptions,
  spec: TableSpec,
  request: Request,
): Promise<Response> {
  const url = electricRequestUrl(options, spec, new URL(request.url));
  const upstream = await (options.fetch ?? fetch)(url, {
    method: 'GET',
    headers: { accept: request.headers.get('accept') ?? 'application/json' },
    signal: request.signal,
  });
  const headers = new Headers(upstream.headers);
  for (const h of HOP_HEADERS) headers.delete(h);
  const schema = headers.get('electric-schema');
  if (schema) headers.set('electric-schema', int8AsText(schema));
  return new Response(upstream.body, { status: upstream.status, statusText: upstream.statusText, headers });
}
