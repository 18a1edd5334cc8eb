// A model artifact = model.onnx + model.json: naming versions, building the card, and verifying what arrives.
import { sha256Hex } from '../data/sha256';
import { type FieldIssue, toFieldIssues } from '../schema/validator';
import { type ModelCard, modelCardSchema } from './artifact-types';

/**
 * A refused artifact: an unreadable card (`issues` names its fields) or a model.onnx that does not hash to it.
 * The CLI prints the message; the HTTP services answer 422 with `reason` as the code (core/src/http).
 */
export class ArtifactError extends Error {
  constructor(
    message: string,
    readonly reason: 'invalid_card' | 'sha256_mismatch' = 'invalid_card',
    readonly issues: readonly FieldIssue[] | null = null,
  ) {
    super(message);
    this.name = 'ArtifactError';
  }
}

/** A sortable, unique version id: `<prefix>-20261126-051000-1a2b3c4d` (UTC time + the first 8 hex of the ONNX sha256). */
export function versionId(createdAt: Date, onnxSha256: string, prefix = 'churn'): string {
  const iso = createdAt.toISOString();
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
  return `${prefix}-${stamp}-${onnxSha256.slice(0, 8)}`;
}

/** Parses and validates model.json text or an object; errors name the offending field. */
export function parseModelCard(input: unknown): ModelCard {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw new ArtifactError('model.json is not valid JSON');
    }
  }
  const result = modelCardSchema.safeParse(value);
  if (!result.success) {
    const issues = toFieldIssues(result.error);
    const first = issues[0]!;
    throw new ArtifactError(`model.json: ${first.path}: ${first.message}`, 'invalid_card', issues);
  }
  return result.data;
}

/** Refuses an artifact whose model.onnx does not hash to the card's `onnx_sha256`. */
export async function verifyArtifact(card: ModelCard, onnx: Uint8Array): Promise<void> {
  const actual = await sha256Hex(onnx);
  if (actual !== card.onnx_sha256) {
    throw new ArtifactError(
      `model.onnx sha256 mismatch for ${card.version}: expected ${card.onnx_sha256}, got ${actual} (corrupted or replaced file)`,
      'sha256_mismatch',
    );
  }
}
