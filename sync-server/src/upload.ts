// Reads a model upload, multipart (model.onnx + model.json files) or JSON ({ model, onnx_base64 }), and verifies it.
import {
  ArtifactError,
  type ModelCard,
  modelCardSchema,
  parseModelCard,
  verifyArtifact,
} from '@pmm/core/model';
import { toFieldIssues } from '@pmm/core/schema';
import { z } from 'zod';
import { isJsonType, MAX_MODEL_BODY_BYTES, MAX_ONNX_BYTES, readJsonBody, readLimited } from './body';
import {
  ArtifactRejectedError,
  BadRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './errors';

export const registerJsonSchema = z.strictObject({
  model: z.unknown().describe('model.json (ModelCard)'),
  onnx_base64: z.string().min(1).describe('model.onnx, base64'),
});

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function decodeBase64(text: string): Uint8Array {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw new ArtifactRejectedError('invalid_artifact', 'onnx_base64 is not valid base64');
  }
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

/** The card, validated by core's `parseModelCard`; a bad card is a 422 naming its fields. */
export function readCard(input: unknown): ModelCard {
  try {
    return parseModelCard(input);
  } catch (err) {
    if (!(err instanceof ArtifactError)) throw err;
    let value = input;
    if (typeof input === 'string') {
      try {
        value = JSON.parse(input);
      } catch {
        throw new ArtifactRejectedError('invalid_card', err.message);
      }
    }
    const result = modelCardSchema.safeParse(value);
    const details = result.success
      ? null
      : toFieldIssues(result.error).map((i) => ({ path: `model.${i.path}`, message: i.message }));
    throw new ArtifactRejectedError('invalid_card', err.message, details);
  }
}

async function readMultipart(
  request: Request,
  type: string,
): Promise<{ cardText: string; onnx: Uint8Array }> {
  const bytes = await readLimited(request, MAX_MODEL_BODY_BYTES);
  let form: FormData;
  try {
    form = await new Request('http://upload.invalid/', {
      method: 'POST',
      headers: { 'content-type': type },
      body: bytes as Uint8Array<ArrayBuffer>,
    }).formData();
  } catch {
    throw new BadRequestError('malformed_multipart', 'request body is not valid multipart/form-data');
  }
  const pick = (names: string[], suffix: string): File | null => {
    for (const name of names) {
      const value = form.get(name);
      if (value instanceof File) return value;
    }
    for (const value of form.values()) {
      if (value instanceof File && value.name.toLowerCase().endsWith(suffix)) return value;
    }
    return null;
  };
  const onnxFile = pick(['model.onnx', 'onnx'], '.onnx');
  const cardFile = pick(['model.json', 'model', 'card'], '.json');
  const missing = [
    ...(onnxFile ? [] : [{ path: 'model.onnx', message: 'a model.onnx file part is required' }]),
    ...(cardFile ? [] : [{ path: 'model.json', message: 'a model.json file part is required' }]),
  ];
  if (missing.length) throw new ValidationError(missing);
  return { cardText: await cardFile!.text(), onnx: new Uint8Array(await onnxFile!.arrayBuffer()) };
}

/** Reads and verifies an upload: 415 / 413 / 400 / 422 as the problem requires. */
export async function readUpload(request: Request): Promise<{ card: ModelCard; onnx: Uint8Array }> {
  const type = request.headers.get('content-type');
  let cardInput: unknown;
  let onnx: Uint8Array;
  if (isJsonType(type)) {
    const parsed = registerJsonSchema.safeParse(await readJsonBody(request, MAX_MODEL_BODY_BYTES));
    if (!parsed.success) throw new ValidationError(toFieldIssues(parsed.error));
    cardInput = parsed.data.model;
    onnx = decodeBase64(parsed.data.onnx_base64);
  } else if (type && /^multipart\/form-data\s*;/i.test(type)) {
    const parts = await readMultipart(request, type);
    cardInput = parts.cardText;
    onnx = parts.onnx;
  } else {
    throw new UnsupportedMediaTypeError('application/json or multipart/form-data', type);
  }
  if (onnx.byteLength > MAX_ONNX_BYTES) throw new PayloadTooLargeError(MAX_ONNX_BYTES, 'model.onnx');
  if (onnx.byteLength === 0) throw new ArtifactRejectedError('invalid_artifact', 'model.onnx is empty');
  const card = readCard(cardInput);
  try {
    await verifyArtifact(card, onnx);
  } catch (err) {
    if (err instanceof ArtifactError) throw new ArtifactRejectedError('sha256_mismatch', err.message);
    throw err;
  }
  return { card, onnx };
}
