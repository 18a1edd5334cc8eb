// Fitting and applying the preprocessing (one-hot + impute + standardise) that the ONNX graph reproduces.
import { CATEGORICAL_FEATURES, type FeatureRecord, NUMERICAL_FEATURES } from '../schema/features';
import { encodedWidth, type PreprocessSpec } from './spec';

/** Features whose missing value means zero rather than "typical": TotalCharges is blank only at tenure 0. */
const IMPUTE_ZERO = new Set(['total_charges']);

function median(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function numericValue(value: string | number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN;
}

/**
 * Fits preprocessing on training records: categories come from the schema (so every known category has a
 * slot even if the training split lacks it); numericals are imputed with the training median (zero for
 * total_charges), then standardised with the training mean and population standard deviation.
 */
export function fitPreprocess(records: readonly FeatureRecord[]): PreprocessSpec {
  const numerical = NUMERICAL_FEATURES.map((feature) => {
    const present = Float64Array.from(
      records.map((r) => numericValue(r[feature.name])).filter((v) => !Number.isNaN(v)),
    ).sort();
    const impute = IMPUTE_ZERO.has(feature.name) ? 0 : median(present);
    let sum = 0;
    let sumSq = 0;
    for (const r of records) {
      const v = numericValue(r[feature.name]);
      const x = Number.isNaN(v) ? impute : v;
      sum += x;
      sumSq += x * x;
    }
    const n = Math.max(records.length, 1);
    const mean = sum / n;
    const std = Math.sqrt(Math.max(sumSq / n - mean * mean, 0));
    return { name: feature.name, impute, offset: mean, scale: std > 1e-12 ? 1 / std : 1 };
  });
  const categorical = CATEGORICAL_FEATURES.map((f) => ({ name: f.name, categories: [...f.categories] }));
  return { categorical, numerical };
}

/**
 * Encodes records into a row-major Float32Array `[rows][encodedWidth]`, in float32 arithmetic exactly as the
 * ONNX graph (OneHotEncoder, Imputer, Scaler) computes it.
 */
export function encodeRecords(spec: PreprocessSpec, records: readonly FeatureRecord[]): Float32Array {
  const width = encodedWidth(spec);
  const out = new Float32Array(records.length * width);
  const lookups = spec.categorical.map((c) => new Map(c.categories.map((cat, i) => [cat, i])));
  const f = Math.fround;
  records.forEach((record, row) => {
    let col = row * width;
    spec.categorical.forEach((c, k) => {
      const value = record[c.name];
      const hit = typeof value === 'string' ? lookups[k]!.get(value) : undefined;
      if (hit !== undefined) out[col + hit] = 1;
      col += c.categories.length;
    });
    for (const n of spec.numerical) {
      const v = f(numericValue(record[n.name]));
      const x = Number.isNaN(v) ? f(n.impute) : v;
      out[col++] = f(f(x - f(n.offset)) * f(n.scale));
    }
  });
  return out;
}
