// Training the churn model with TensorFlow.js: a small dense network (or plain logistic regression) on the
// encoded features, mini-batch Adam with L2, seeded so that a seed always gives the same model.
import * as tf from '@tensorflow/tfjs';
import type { FeatureRecord } from '../schema/features';
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

/** Trains on records with 0/1 labels and returns the model as plain numbers (see ModelSpec). */
export async function trainModel(
  records: readonly FeatureRecord[],
  labels: ArrayLike<number>,
  options: TrainOptions = DEFAULT_TRAIN_OPTIONS,
): Promise<ModelSpec> {
  await ensureTfBackend();
  const preprocess = fitPreprocess(records);
  const width = encodedWidth(preprocess);
  const x = encodeRecords(preprocess, records);
  const y = Float32Array.from(labels as ArrayLike<number>);
  const random = mulberry32(options.seed);
  const sizes = [width, ...options.hiddenUnits, 1];
  const weights = sizes
    .slice(1)
    .map((out, i) => tf.variable(tf.tensor2d(glorot(sizes[i]!, out, random), [sizes[i]!, out])));
  const biases = sizes.slice(1).map((out) => tf.variable(tf.zeros([out])));
  const optimizer = tf.train.adam(options.learningRate);

  const logits = (input: tf.Tensor2D): tf.Tensor2D => {
    let h: tf.Tensor2D = input;
    weights.forEach((w, i) => {
      h = tf.add(tf.matMul(h, w), biases[i]!) as tf.Tensor2D;
      if (i < weights.length - 1) h = tf.relu(h);
    });
    return h;
  };

  const n = records.length;
  const batchX = new Float32Array(options.batchSize * width);
  const batchY = new Float32Array(options.batchSize);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const order = shuffledIndices(n, random);
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start < n; start += options.batchSize) {
      const size = Math.min(options.batchSize, n - start);
      for (let b = 0; b < size; b++) {
        const row = order[start + b]!;
        batchX.set(x.subarray(row * width, (row + 1) * width), b * width);
        batchY[b] = y[row]!;
      }
      const loss = tf.tidy(() => {
        const xb = tf.tensor2d(batchX.subarray(0, size * width), [size, width]);
        const yb = tf.tensor2d(batchY.subarray(0, size), [size, 1]);
        const value = optimizer.minimize(() => {
          const dataLoss = tf.losses.sigmoidCrossEntropy(yb, logits(xb));
          const penalty = weights.reduce<tf.Scalar>(
            (acc, w) => tf.add(acc, tf.sum(tf.square(w))),
            tf.scalar(0),
          );
          return tf.add(dataLoss, tf.mul(options.l2, penalty)) as tf.Scalar;
        }, true);
        return value ?? tf.scalar(Number.NaN);
      });
      lossSum += (await loss.data())[0]!;
      loss.dispose();
      batches++;
    }
    options.onEpoch?.(epoch + 1, options.epochs, lossSum / batches);
  }

  const layers: DenseLayer[] = [];
  for (let i = 0; i < weights.length; i++) {
    layers.push({
      inputSize: sizes[i]!,
      outputSize: sizes[i + 1]!,
      weights: Array.from(await weights[i]!.data()),
      bias: Array.from(await biases[i]!.data()),
      activation: i < weights.length - 1 ? 'relu' : 'sigmoid',
    });
  }
  for (const v of [...weights, ...biases]) v.dispose();
  optimizer.dispose();
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
