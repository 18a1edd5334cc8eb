// Training a model: a small dense network (or plain logistic regression) on the encoded features, mini-batch
// Adam with L2, seeded so that a seed always gives the same model. tfjs computes the reference predictions.
import * as tf from '@tensorflow/tfjs';
import type { ModelSchema } from '../schema/model-schema';
import type { FeatureRecord } from '../schema/validator';
import { fitDense, toSparseRows } from './fit-dense';
import { encodeRecords, fitPreprocess } from './preprocess';
import { mulberry32, shuffledIndices } from './rng';
import { type DenseLayer, encodedWidth, type ModelSpec } from './spec';

export interface TrainOptions {
  readonly seed: number;
  /** Hidden layer widths; `[]` is logistic regression. */
  readonly hiddenUnits: readonly number[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** L2 penalty on the weights (not the biases), added to the mean log loss. */
  readonly l2: number;
  /** Called after each epoch with (epoch, epochs, mean training loss). */
  readonly onEpoch?: (epoch: number, epochs: number, loss: number) => void;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  seed: 0,
  hiddenUnits: [16],
  epochs: 40,
  batchSize: 128,
  learningRate: 0.003,
  l2: 0.001,
};

/**
 * The defaults for a training set of `rows` rows: the tuned Telco defaults up to 20,000 rows; beyond, fewer
 * epochs (at least 10) so that the rows seen stay about those of 20,000 rows × 40 epochs.
 */
export function trainOptionsFor(rows: number): TrainOptions {
  if (rows <= 20_000) return DEFAULT_TRAIN_OPTIONS;
  return {
    ...DEFAULT_TRAIN_OPTIONS,
    epochs: Math.max(10, Math.round((DEFAULT_TRAIN_OPTIONS.epochs * 20_000) / rows)),
  };
}

let backendReady: Promise<void> | null = null;

/**
 * Selects tfjs's pure-JS CPU backend once (no WebGL, no native addon: identical in Node, browsers, workers),
 * in production mode (no debug checks, no "install tfjs-node" banner).
 */
export function ensureTfBackend(): Promise<void> {
  backendReady ??= (async () => {
    tf.enableProdMode();
    await tf.setBackend('cpu');
    await tf.ready();
  })();
  return backendReady;
}

/** Glorot-uniform initial weights from our seeded PRNG (tfjs's own seeding differs across backends). */
function glorot(inputs: number, outputs: number, random: () => number): Float32Array {
  const limit = Math.sqrt(6 / (inputs + outputs));
  const w = new Float32Array(inputs * outputs);
  for (let i = 0; i < w.length; i++) w[i] = (random() * 2 - 1) * limit;
  return w;
}

/**
 * Trains on records with 0/1 labels and returns the model as plain numbers (see ModelSpec): the schema's
 * preprocessing is fitted on the records, then the network by mini-batch Adam with L2 (fit-dense.ts).
 * Seeded: the same records, schema and options give the same model.
 */
export async function trainModel(
  records: readonly FeatureRecord[],
  labels: ArrayLike<number>,
  schema: ModelSchema,
  options: TrainOptions = DEFAULT_TRAIN_OPTIONS,
): Promise<ModelSpec> {
  const preprocess = fitPreprocess(records, schema);
  const width = encodedWidth(preprocess);
  const x = toSparseRows(encodeRecords(preprocess, records), records.length, width);
  const random = mulberry32(options.seed);
  const sizes = [width, ...options.hiddenUnits, 1];
  const initialWeights = sizes.slice(1).map((out, i) => glorot(sizes[i]!, out, random));
  const fitted = fitDense(x, labels, {
    sizes,
    epochs: options.epochs,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    l2: options.l2,
    initialWeights,
    order: () => shuffledIndices(records.length, random),
    ...(options.onEpoch && { onEpoch: options.onEpoch }),
  });
  const layers: DenseLayer[] = fitted.weights.map((w, i) => ({
    inputSize: sizes[i]!,
    outputSize: sizes[i + 1]!,
    weights: Array.from(Float32Array.from(w)),
    bias: Array.from(Float32Array.from(fitted.biases[i]!)),
    activation: i < fitted.weights.length - 1 ? 'relu' : 'sigmoid',
  }));
  return { preprocess, layers };
}

/** P(churn) for each record computed by tfjs from a ModelSpec — the reference the ONNX artifact must match. */
export async function predictWithTf(
  spec: ModelSpec,
  records: readonly FeatureRecord[],
): Promise<Float32Array> {
  await ensureTfBackend();
  const width = encodedWidth(spec.preprocess);
  const x = encodeRecords(spec.preprocess, records);
  const out = tf.tidy(() => {
    let h: tf.Tensor2D = tf.tensor2d(x, [records.length, width]);
    for (const layer of spec.layers) {
      const w = tf.tensor2d(Float32Array.from(layer.weights), [layer.inputSize, layer.outputSize]);
      h = tf.add(tf.matMul(h, w), tf.tensor1d(Float32Array.from(layer.bias))) as tf.Tensor2D;
      if (layer.activation === 'relu') h = tf.relu(h);
      else if (layer.activation === 'sigmoid') h = tf.sigmoid(h);
    }
    return h.reshape([records.length]);
  });
  const data = (await out.data()) as Float32Array;
  out.dispose();
  return data;
}
