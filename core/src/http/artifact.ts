// A model arriving over HTTP (an upload to the centre, a push or pull at the edge), checked by core's one card
// parser and artifact verifier; a refusal is the 422 both services answer.
import { ArtifactError, parseModelCard, verifyArtifact } from '../model/artifact';
import type { ModelCard } from '../model/artifact-types';
import { ArtifactRejectedError } from './api-errors';

/** Core's ArtifactError as the API's 422: `invalid_card` (fields named under `model.`) or `sha256_mismatch`. */
export function artifactRejection(err: ArtifactError): ArtifactRejectedError {
  const details = err.issues?.map((i) => ({ path: `model.${i.path}`, message: i.message })) ?? null;
  return new ArtifactRejectedError(err.reason, err.message, details);
}

/** The card (model.json text or object), once it is valid and model.onnx hashes to its `onnx_sha256`. */
export async function verifiedCard(cardInput: unknown, onnx: Uint8Array): Promise<ModelCard> {
  try {
    const card = parseModelCard(cardInput);
    await verifyArtifact(card, onnx);
    return card;
  } catch (err) {
    throw err instanceof ArtifactError ? artifactRejection(err) : err;
  }
}
