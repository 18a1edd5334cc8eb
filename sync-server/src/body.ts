// Reads request bodies under a size limit: 415 for the wrong content type, 413 past the limit, 400 for bad JSON.
import { MalformedJsonError, PayloadTooLargeError, UnsupportedMediaTypeError } from './errors';

const MiB = 1024 * 1024;
/** Ingest requests: 5,000 rows of ~1 KB, with room to spare. */
export const MAX_INGEST_BODY_BYTES = 20 * MiB;
/** Decoded model.onnx. */
export const MAX_ONNX_BYTES = 32 * MiB;
/** A model upload: the ONNX file (base64 in JSON: +33%) plus its card. */
export const MAX_MODEL_BODY_BYTES = 48 * MiB;
/** Any other JSON request. */
export const MAX_JSON_BODY_BYTES = 1 * MiB;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export function isJsonType(type: string | null | undefined): boolean {
  return !!type && JSON_TYPE.test(type);
}

/** Checks the content type, then reads at most `limit` bytes as text. */
export async function readJsonText(request: Request, limit: number): Promise<string> {
  const type = request.headers.get('content-type');
  if (!isJsonType(type)) throw new UnsupportedMediaTypeError('application/json', type);
  return new TextDecoder().decode(await readLimited(request, limit));
}

/** `readJsonText`, parsed (400 for malformed JSON). */
export async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  const text = await readJsonText(request, limit);
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedJsonError();
  }
}

/** The raw body, refused with 413 as soon as it passes `limit` (also when no Content-Length is sent). */
export async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw new PayloadTooLargeError(limit);
  const body = request.body;
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
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
