// Reads a JSON request body under a size limit: 415 for another content type, 413 past the limit, 400 for bad JSON.
import { MalformedJsonError, PayloadTooLargeError, UnsupportedMediaTypeError } from './errors';

/** Body limit for the public API. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Body limit for `POST /admin/models` (a model card plus a base64 ONNX artifact). */
export const MAX_MODEL_UPLOAD_BYTES = 16 * 1024 * 1024;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** Checks the content type, then reads at most `limit` bytes (also when no Content-Length is sent) and parses. */
export async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  const type = request.headers.get('content-type');
  if (!type || !JSON_TYPE.test(type)) throw new UnsupportedMediaTypeError('application/json', type);

  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw new PayloadTooLargeError(limit);

  const text = new TextDecoder().decode(await readLimited(request.body, limit));
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedJsonError();
  }
}

async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
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
