// Reads a model upload, multipart (model.onnx + model.json files) or JSON ({ model, onnx_base64 }), and verifies
// it with core's one card parser and artifact verifier. The route limits the body first (core's `limitBody`).
import {
  ApiError,
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
import { DEFAULT_MODEL_NAME, modelNameProblem } from '@pmm/core/sync';
import { z } from 'zod';
import { MAX_ONNX_BYTES } from './body';

export const registerJsonSchema = z.strictObject({
  name: z.string().optional().describe(`The model name (default ${DEFAULT_MODEL_NAME})`),
  model: z.unknown().describe('model.json (ModelCard)'),
  onnx_base64: z.string().min(1).describe('model.onnx, base64'),
});

async function readMultipart(
  request: Request,
): Promise<{ cardText: string; onnx: Uint8Array; name: string | undefined }> {
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
  const name = form.get('name');
  if (name instanceof File) missing.push({ path: 'name', message: 'must be a text field, not a file' });
  if (missing.length) throw new ValidationError(missing);
  return {
    cardText: await cardFile!.text(),
    onnx: new Uint8Array(await onnxFile!.arrayBuffer()),
    name: typeof name === 'string' ? name : undefined,
  };
}

/** The model name asked for (default churn), or a 400 naming `name`. */
function checkName(name: string | undefined): string {
  if (name === undefined) return DEFAULT_MODEL_NAME;
  const problem = modelNameProblem(name);
  if (problem)
    throw new ApiError(400, 'invalid_name', `name: ${problem}`, [{ path: 'name', message: problem }]);
  return name;
}

/**
 * Reads and verifies an upload: 415 / 400 / 413 (model.onnx) / 422 as the problem requires. `name` (a JSON
 * field or a multipart text field) is the model name, default churn; an invalid one is a 400 naming `name`.
 */
export async function readUpload(
  request: Request,
): Promise<{ name: string; card: ModelCard; onnx: Uint8Array }> {
  const type = request.headers.get('content-type');
  let cardInput: unknown;
  let onnx: Uint8Array;
  let name: string;
  if (isJsonType(type)) {
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      throw new MalformedJsonError();
    }
    const parsed = registerJsonSchema.safeParse(body);
    if (!parsed.success) throw new ValidationError(toFieldIssues(parsed.error));
    name = checkName(parsed.data.name);
    cardInput = parsed.data.model;
    onnx = decodeBase64(parsed.data.onnx_base64, 'onnx_base64');
  } else if (type && /^multipart\/form-data\s*;/i.test(type)) {
    const parts = await readMultipart(request);
    name = checkName(parts.name);
    cardInput = parts.cardText;
    onnx = parts.onnx;
  } else {
    throw new UnsupportedMediaTypeError('application/json or multipart/form-data', type);
  }
  if (onnx.byteLength > MAX_ONNX_BYTES) throw new PayloadTooLargeError(MAX_ONNX_BYTES, 'model.onnx');
  if (onnx.byteLength === 0) throw new ArtifactRejectedError('invalid_artifact', 'model.onnx is empty');
  return { name, card: await verifiedCard(cardInput, onnx), onnx };
}
