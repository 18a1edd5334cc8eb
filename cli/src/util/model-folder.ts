// Loading an artifact folder (model.json + model.onnx), verifying it, and creating a predictor in Node.
import path from 'node:path';
import {
  ArtifactError,
  type EngineName,
  type ModelCard,
  type Predictor,
  parseModelCard,
  verifyArtifact,
} from '@pmm/core/model';
import { createLitePredictor, createOrtPredictor } from '@pmm/core/onnx';
import * as ort from 'onnxruntime-web';
import { CliError } from './cli-error';
import { readInputFile } from './files';

export interface LoadedModel {
  readonly card: ModelCard;
  readonly onnx: Uint8Array;
}

/** Reads and verifies an artifact folder; a corrupted model.onnx (sha256 mismatch) is refused. */
export async function loadModelFolder(dir: string): Promise<LoadedModel> {
  const jsonBytes = await readInputFile(path.join(dir, 'model.json'), 'model.json');
  const onnx = new Uint8Array(await readInputFile(path.join(dir, 'model.onnx'), 'model.onnx'));
  try {
    const card = parseModelCard(jsonBytes.toString('utf8'));
    await verifyArtifact(card, onnx);
    return { card, onnx };
  } catch (error) {
    if (error instanceof ArtifactError) throw new CliError(`${dir}: ${error.message}`);
    throw error;
  }
}

/** ONNX Runtime Web (WASM, one thread) or pmm's lite evaluator, over the same artifact. */
export async function createNodePredictor(model: LoadedModel, engine: EngineName): Promise<Predictor> {
  const { serving } = model.card;
  if (engine === 'lite') {
    if (serving && !serving.engines.includes('lite'))
      throw new CliError(
        `the lite engine cannot serve ${model.card.version}: ${serving.lite_refusal ?? 'not supported'}`,
      );
    return createLitePredictor(model.onnx, serving);
  }
  ort.env.wasm.numThreads = 1;
  return createOrtPredictor(ort, model.onnx, undefined, serving);
}
