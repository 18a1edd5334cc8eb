// Reading request bodies under a size limit, for any runtime's web `Request`: 415 for the wrong content type,
// 413 as soon as the limit is passed (also without a Content-Length), 400 for malformed JSON.
import { MalformedJsonError, PayloadTooLargeError, UnsupportedMediaTypeError } from './api-errors';

/** The part of a web `Request` this needs (Workers', Node's and browsers' all fit). */
export interface BodySource {
  readonly headers: { get(name: string): string | null };
  readonly body: {
    getReader(): {
      read(): Promise<{ done: boolean; value?: Uint8Array }>;
      cancel(): Promise<void>;
    };
  } | null;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** `application/json` or any `application/…+json`, with or without parameters. */
export function isJsonType(type: string | null | undefined): boolean {
  return !!type && JSON_TYPE.test(type);
}

/** The raw body, refused with 413 as soon as it passes `limit` bytes. */
export async function readLimited(request: BodySource, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw new PayloadTooLargeError(limit);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done || !value) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new PayloadTooLargeError(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Checks the content type, then reads at most `limit` bytes as UTF-8 text. */
export async function readJsonText(request: BodySource, limit: number): Promise<string> {
  const type = request.headers.get('content-type');
  if (!isJsonType(type)) throw new UnsupportedMediaTypeError('application/json', type);
  return new TextDecoder().decode(await readLimited(request, limit));
}

/** `readJsonText`, parsed (400 for malformed JSON). */
export async function readJsonBody(request: BodySource, limit: number): Promise<unknown> {
  const text = await readJsonText(request, limit);
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedJsonError();
  }
}
