// Mini-batch Adam for a small dense network on one-hot + numerical inputs, in plain TypeScript (no tfjs).
//
// The encoded input is mostly zeros (one bit per categorical block), so the first layer adds the weight rows
// of the set bits and of the numerical slots instead of multiplying the whole vector: a table with hundreds
// of categories costs what one with a handful does. Loss: mean binary cross-entropy over the batch plus
// `l2 · Σ W²` (weights, not biases), as tf.losses.sigmoidCrossEntropy + the penalty computed it before.
// Adam as Kingma & Ba (2015), β1 0.9, β2 0.999, ε 1e-7 (tfjs's defaults).

/** One encoded row in sparse form: the indices of its non-zero inputs and their values. */
export interface SparseRows {
  readonly rows: number;
  readonly width: number;
  /** Row r's entries are `index[start[r]..start[r+1])` with values `value[...]`. */
  readonly start: Uint32Array;
  readonly index: Uint32Array;
  readonly value: Float32Array;
}

/** Converts a dense row-major `[rows][width]` matrix to SparseRows (zeros dropped). */
export function toSparseRows(x: Float32Array, rows: number, width: number): SparseRows {
  let nnz = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) nnz++;
  const start = new Uint32Array(rows + 1);
  const index = new Uint32Array(nnz);
  const value = new Float32Array(nnz);
  let at = 0;
  for (let r = 0; r < rows; r++) {
    start[r] = at;
    const base = r * width;
    for (let j = 0; j < width; j++) {
      const v = x[base + j]!;
      if (v !== 0) {
        index[at] = j;
        value[at++] = v;
      }
    }
  }
  start[rows] = at;
  return { rows, width, start, index, value };
}

export interface FitDenseOptions {
  readonly sizes: readonly number[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly l2: number;
  /** Initial weights per layer, row-major `[in][out]` (biases start at zero). */
  readonly initialWeights: readonly Float32Array[];
  /** The row order of each epoch. */
  readonly order: (epoch: number) => Uint32Array;
  readonly onEpoch?: (epoch: number, epochs: number, loss: number) => void;
}

export interface FittedLayers {
  readonly weights: Float64Array[];
  readonly biases: Float64Array[];
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-7;

function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * Fits the layers `sizes[0] → ... → 1` (ReLU between, a sigmoid output) to 0/1 labels. Deterministic for
 * the given initial weights and orders. Returns the weights and biases in float64.
 */
export function fitDense(x: SparseRows, y: ArrayLike<number>, options: FitDenseOptions): FittedLayers {
  const { sizes, batchSize, l2 } = options;
  const layers = sizes.length - 1;
  const weights = options.initialWeights.map((w) => Float64Array.from(w));
  const biases = sizes.slice(1).map((n) => new Float64Array(n));
  const params = [...weights, ...biases];
  const grads = params.map((p) => new Float64Array(p.length));
  const m = params.map((p) => new Float64Array(p.length));
  const v = params.map((p) => new Float64Array(p.length));
  const isWeight = params.map((_, i) => i < layers);
  // Activations and their gradients for one row, per layer output.
  const acts = sizes.slice(1).map((n) => new Float64Array(n));
  const deltas = sizes.slice(1).map((n) => new Float64Array(n));
  let step = 0;

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const order = options.order(epoch);
    let lossSum = 0;
    let batches = 0;
    for (let from = 0; from < x.rows; from += batchSize) {
      const size = Math.min(batchSize, x.rows - from);
      for (const g of grads) g.fill(0);
      let batchLoss = 0;
      for (let b = 0; b < size; b++) {
        const r = order[from + b]!;
        const s0 = x.start[r]!;
        const s1 = x.start[r + 1]!;
        // Forward: layer 0 from the sparse input, the rest dense.
        for (let l = 0; l < layers; l++) {
          const out = acts[l]!;
          const n = sizes[l + 1]!;
          const w = weights[l]!;
          out.set(biases[l]!);
          if (l === 0) {
            for (let e = s0; e < s1; e++) {
              const xv = x.value[e]!;
              const row = x.index[e]! * n;
              for (let j = 0; j < n; j++) out[j] = out[j]! + xv * w[row + j]!;
            }
          } else {
            const inp = acts[l - 1]!;
            for (let i = 0; i < inp.length; i++) {
              const a = inp[i]!;
              if (a === 0) continue;
              const row = i * n;
              for (let j = 0; j < n; j++) out[j] = out[j]! + a * w[row + j]!;
            }
          }
          if (l < layers - 1) for (let j = 0; j < n; j++) if (out[j]! < 0) out[j] = 0;
        }
        const z = acts[layers - 1]![0]!;
        const label = y[r]!;
        batchLoss += softplus(z) - label * z;
        // Backward: d loss / d z = sigmoid(z) - y, averaged over the batch.
        deltas[layers - 1]![0] = (1 / (1 + Math.exp(-z)) - label) / size;
        for (let l = layers - 1; l >= 0; l--) {
          const d = deltas[l]!;
          const n = sizes[l + 1]!;
          const gw = grads[l]!;
          const gb = grads[layers + l]!;
          for (let j = 0; j < n; j++) gb[j] = gb[j]! + d[j]!;
          if (l === 0) {
            for (let e = s0; e < s1; e++) {
              const xv = x.value[e]!;
              const row = x.index[e]! * n;
              for (let j = 0; j < n; j++) gw[row + j] = gw[row + j]! + xv * d[j]!;
            }
          } else {
            const inp = acts[l - 1]!;
            const prev = deltas[l - 1]!;
            const w = weights[l]!;
            for (let i = 0; i < inp.length; i++) {
              const a = inp[i]!;
              const row = i * n;
              let back = 0;
              for (let j = 0; j < n; j++) {
                gw[row + j] = gw[row + j]! + a * d[j]!;
                back += w[row + j]! * d[j]!;
              }
              prev[i] = a > 0 ? back : 0;
            }
          }
        }
      }
      // Adam step on every parameter (the L2 term's gradient is 2·l2·W on weights).
      step++;
      const lr = (options.learningRate * Math.sqrt(1 - BETA2 ** step)) / (1 - BETA1 ** step);
      let penalty = 0;
      for (let p = 0; p < params.length; p++) {
        const w = params[p]!;
        const g = grads[p]!;
        const mp = m[p]!;
        const vp = v[p]!;
        const decay = isWeight[p] ? 2 * l2 : 0;
        for (let i = 0; i < w.length; i++) {
          const wi = w[i]!;
          if (decay) penalty += wi * wi;
          const gi = g[i]! + decay * wi;
          const mi = BETA1 * mp[i]! + (1 - BETA1) * gi;
          const vi = BETA2 * vp[i]! + (1 - BETA2) * gi * gi;
          mp[i] = mi;
          vp[i] = vi;
          w[i] = wi - (lr * mi) / (Math.sqrt(vi) + EPSILON);
        }
      }
      lossSum += batchLoss / size + l2 * penalty;
      batches++;
    }
    options.onEpoch?.(epoch + 1, options.epochs, lossSum / batches);
  }
  return { weights, biases };
}
