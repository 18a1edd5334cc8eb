// Test-only: a hand-built churn ModelSpec (seeded weights), random feature records, and a float64 reference.
import { CATEGORICAL_FEATURES, type FeatureRecord, NUMERICAL_FEATURES } from '../../data/telco-schema';
import { mulberry32 } from '../rng';
import type { DenseLayer, ModelSpec, PreprocessSpec } from '../spec';
import { encodedWidth } from '../spec';

// Roughly the Telco training statistics: median (impute), mean (offset) and 1/std (scale).
const NUMERICAL_STATS: Record<string, { impute: number; offset: number; scale: number }> = {
  senior_citizen: { impute: 0, offset: 0.1621, scale: 1 / 0.3686 },
  tenure: { impute: 29, offset: 32.37, scale: 1 / 24.56 },
  monthly_charges: { impute: 70.35, offset: 64.76, scale: 1 / 30.09 },
  total_charges: { impute: 0, offset: 2279.73, scale: 1 / 2266.79 },
};

function denseLayer(
  rand: () => number,
  inputSize: number,
  outputSize: number,
  activation: DenseLayer['activation'],
) {
  const limit = Math.sqrt(6 / (inputSize + outputSize)) * 1.5;
  return {
    inputSize,
    outputSize,
    activation,
    weights: Array.from({ length: inputSize * outputSize }, () => (rand() * 2 - 1) * limit),
    bias: Array.from({ length: outputSize }, () => (rand() * 2 - 1) * 0.5),
  } satisfies DenseLayer;
}

/** All 19 features, one hidden relu layer of `hidden` units, one sigmoid output; weights from `seed`. */
export function churnSpec(seed = 42, hidden = 16): ModelSpec {
  const preprocess: PreprocessSpec = {
    categorical: CATEGORICAL_FEATURES.map((f) => ({ name: f.name, categories: [...f.categories] })),
    numerical: NUMERICAL_FEATURES.map((f) => ({ name: f.name, ...NUMERICAL_STATS[f.name]! })),
  };
  const rand = mulberry32(seed);
  const width = encodedWidth(preprocess);
  return {
    preprocess,
    layers: [denseLayer(rand, width, hidden, 'relu'), denseLayer(rand, hidden, 1, 'sigmoid')],
  };
}

/**
 * Random records over the schema. With `messy`, about 8% of categorical values are unknown strings,
 * '' or null, and about 8% of numerical values are null or NaN; some keys are absent altogether.
 */
export function randomRecords(count: number, seed: number, messy = false): FeatureRecord[] {
  const rand = mulberry32(seed);
  const records: FeatureRecord[] = [];
  for (let i = 0; i < count; i++) {
    const r: FeatureRecord = {};
    for (const f of CATEGORICAL_FEATURES) {
      const u = rand();
      if (messy && u < 0.02) r[f.name] = 'Not a category';
      else if (messy && u < 0.04) r[f.name] = '';
      else if (messy && u < 0.06) r[f.name] = null;
      else if (messy && u < 0.08) continue;
      else r[f.name] = f.categories[Math.floor(rand() * f.categories.length)]!;
    }
    const tenure = Math.floor(rand() * 73);
    const monthly = Math.round((18 + rand() * 102) * 100) / 100;
    const values: Record<string, number> = {
      senior_citizen: rand() < 0.16 ? 1 : 0,
      tenure,
      monthly_charges: monthly,
      total_charges: Math.round(tenure * monthly * (0.9 + rand() * 0.2) * 100) / 100,
    };
    for (const f of NUMERICAL_FEATURES) {
      const u = rand();
      if (messy && u < 0.03) r[f.name] = null;
      else if (messy && u < 0.06) r[f.name] = Number.NaN;
      else if (messy && u < 0.08) continue;
      else r[f.name] = values[f.name]!;
    }
    records.push(r);
  }
  return records;
}

/** The spec evaluated directly in float64: PreprocessSpec's encoding, dense layers, exact sigmoid. */
export function referencePredict(spec: ModelSpec, records: readonly FeatureRecord[]): Float64Array {
  const out = new Float64Array(records.length);
  records.forEach((r, row) => {
    let x: number[] = [];
    for (const c of spec.preprocess.categorical) {
      const v = r[c.name];
      for (const category of c.categories) x.push(v === category ? 1 : 0);
    }
    for (const n of spec.preprocess.numerical) {
      const v = r[n.name];
      const value = typeof v === 'number' && !Number.isNaN(v) ? v : n.impute;
      x.push((value - n.offset) * n.scale);
    }
    for (const layer of spec.layers) {
      const y: number[] = [];
      for (let j = 0; j < layer.outputSize; j++) {
        let s = layer.bias[j]!;
        for (let k = 0; k < layer.inputSize; k++) s += x[k]! * layer.weights[k * layer.outputSize + j]!;
        y.push(
          layer.activation === 'relu'
            ? Math.max(0, s)
            : layer.activation === 'sigmoid'
              ? 1 / (1 + Math.exp(-s))
              : s,
        );
      }
      x = y;
    }
    out[row] = x[0]!;
  });
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= max)) max = d; // NaN counts as the largest difference
  }
  return max;
}
