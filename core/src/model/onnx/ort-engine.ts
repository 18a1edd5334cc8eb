// The ORT engine: a Predictor over an injected onnxruntime-web module (Node, browsers or the Workers wasm build).
import type * as OrtNamespace from 'onnxruntime-web';
import type { FeatureRecord } from '../../schema/validator';
import type { Serving } from '../artifact-types';
import type { EngineName, Predictor } from '../predictor';
import { codeCategoricalInputs } from './category-codes';
import { OnnxModelError } from './errors';
import { PROBABILITY_OUTPUT } from './export-onnx';
import {
  buildFeeds,
  type FeatureColumns,
  type FeedInput,
  feedKind,
  probabilitiesFrom,
  rowsOf,
} from './feeds';
import { readOnnx } from './read-onnx';

/**
 * What pmm needs from onnxruntime-web: pass the module namespace (`import * as ort from 'onnxruntime-web'`
 * in Node, `'onnxruntime-web/wasm'` in Workers, after configuring `ort.env.wasm` as that runtime needs).
 */
export type OrtModule = Pick<typeof OrtNamespace, 'InferenceSession' | 'Tensor'>;
export type OrtSessionOptions = OrtNamespace.InferenceSession.SessionOptions;

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Creates an ORT-backed Predictor: one InferenceSession, created here and reused by every `predict`
 * (runs are serialised: one session runs one batch at a time). Inputs are fed by the names and types the
 * session reports, so the feeds follow the artifact. Example:
 * `const p = await createOrtPredictor(ort, bytes); await p.predict(records)` → Float32Array of P(churn).
 */
export async function createOrtPredictor(
  ort: OrtModule,
  onnxBytes: Uint8Array,
  options: OrtSessionOptions = { executionProviders: ['wasm'] },
  serving?: Serving,
): Promise<Predictor> {
  if (!(onnxBytes instanceof Uint8Array) || onnxBytes.length === 0)
    throw new OnnxModelError('not an ONNX model: the byte array is empty');
  // Categorical inputs as codes where the graph allows (same answers, far less copying); the graph as it is
  // when it does not, or when the runtime refuses the rewritten one.
  let coded = codeCategoricalInputs(onnxBytes);
  let session: OrtNamespace.InferenceSession;
  try {
    session = await (coded
      ? ort.InferenceSession.create(coded.onnx, options).catch(() => {
          coded = null;
          return ort.InferenceSession.create(onnxBytes, options);
        })
      : ort.InferenceSession.create(onnxBytes, options));
  } catch (cause) {
    throw new OnnxModelError(
      `onnxruntime cannot load the model (${onnxBytes.length} bytes): ${describe(cause)}`,
      {
        cause,
      },
    );
  }

  const metadata = (session as { inputMetadata?: readonly OrtNamespace.InferenceSession.ValueMetadata[] })
    .inputMetadata;
  const declared = metadata
    ? null
    : new Map(readOnnx(coded?.onnx ?? onnxBytes).graph.inputs.map((i) => [i.name, i.elemType]));
  const inputs: FeedInput[] = session.inputNames.map((name, i) => {
    const m = metadata?.[i];
    const elemType = m ? (m.isTensor ? m.type : 'non-tensor') : (declared?.get(name) ?? 'unknown');
    const kind = feedKind(elemType);
    if (kind === null)
      throw new OnnxModelError(`input "${name}" is ${elemType}; pmm feeds string and float32 inputs`);
    const codes = coded?.codes.get(name);
    return codes ? { name, kind, codes } : { name, kind };
  });
  const output =
    serving?.output.name ??
    (session.outputNames.includes(PROBABILITY_OUTPUT) ? PROBABILITY_OUTPUT : session.outputNames[0]);
  if (output === undefined || !session.outputNames.includes(output))
    throw new OnnxModelError(`the model has no output ${output === undefined ? '' : `"${output}"`}`.trim());
  const column = serving?.output.column ?? null;

  let queue: Promise<unknown> = Promise.resolve();
  const run = async (records: readonly FeatureRecord[] | FeatureColumns): Promise<Float32Array> => {
    const n = rowsOf(records);
    const feeds: Record<string, OrtNamespace.Tensor> = {};
    for (const feed of buildFeeds(records, inputs, serving)) {
      const dims = [n, feed.width ?? 1];
      feeds[feed.name] =
        feed.kind === 'string'
          ? new ort.Tensor('string', feed.data as string[], dims)
          : new ort.Tensor('float32', feed.data as Float32Array, dims);
    }
    const results = await session.run(feeds, [output]);
    const tensor = results[output]!;
    if (!(tensor.data instanceof Float32Array || tensor.data instanceof Float64Array))
      throw new OnnxModelError(`output "${output}" has type ${tensor.type}, expected float probabilities`);
    const probabilities = probabilitiesFrom(tensor.data, tensor.dims, n, column, output);
    tensor.dispose();
    return probabilities;
  };

  const engine: EngineName = 'ort';
  return {
    engine,
    predict(records) {
      if (rowsOf(records) === 0) return Promise.resolve(new Float32Array(0));
      const next = queue.then(
        () => run(records),
        () => run(records),
      );
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
