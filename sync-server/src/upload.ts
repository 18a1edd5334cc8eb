// Reads a model upload, multipart (model.onnx + model.json files) or JSON ({ model, onnx_base64 }), and verifies
// it with core's one card parser and artifact verifier. The route limits the body first (core's `limitBody`).
import {
  ArtifactRejectedError,
  BadRequestError,
  decodeBase64,
  isJsonType,
  MalformedJsonError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
  verifiedCard,
} from '@pmm/core/http';
import type { ModelCard } from '@pmm/core/model';
import { toFieldIssues } from '@pmm/core/schema';
import { z } from 'zod';
import { MAX_ONNX_BYTES } from './body';

export const registerJsonSchema = z.strictObject({
  model: z.unknown().describe('model.json (ModelCard)'),
  onnx_base64: z.string().min(1).describe('model.onnx, base64'),
});

async function readMultipart(request: Request): Promise<{ cardText: string; onnx: Uint8Array }> {
  let form: FormData;
  try {
    form = await request.formData();
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

/** Reads and verifies an upload: 415 / 400 / 413 (model.onnx) / 422 as the problem requires. */
export async function readUpload(request: Request): Promise<{ card: ModelCard; onnx: Uint8Array }> {
  const type = request.headers.get('content-type');
  let cardInput: unknown;
  let onnx: Uint8Array;
  if (isJsonType(type)) {
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      throw new MalformedJsonError();
    }
    const parsed = registerJsonSchema.safeParse(body);
    if (!parsed.success) throw new ValidationError(toFieldIssues(parsed.error));
    cardInput = parsed.data.model;
    onnx = decodeBase64(parsed.data.onnx_base64, 'onnx_base64');
  } else if (type && /^multipart\/form-data\s*;/i.test(type)) {
    const parts = await readMultipart(request);
    cardInput = parts.cardText;
    onnx = parts.onnx;
  } else {
    throw new UnsupportedMediaTypeError('application/json or multipart/form-data', type);
  }
  if (onnx.byteLength > MAX_ONNX_BYTES) throw new PayloadTooLargeError(MAX_ONNX_BYTES, 'model.onnx');
  if (onnx.byteLength === 0) throw new ArtifactRejectedError('invalid_artifact', 'model.onnx is empty');
  return { card: await verifiedCard(cardInput, onnx), onnx };
}
