// Fitting and applying the preprocessing (one-hot + impute + standardise) that the ONNX graph reproduces.
import { featuresByKind, type ModelSchema } from '../schema/model-schema';
import type { FeatureRecord } from '../schema/validator';
import { encodedWidth, type PreprocessSpec } from './spec';

/** At most this many categories get a one-hot slot (the most frequent); the rest encode as unknown. */
export const MAX_CATEGORIES = 1000;

function median(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function numericValue(value: string | number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN;
}

/** The categories of an open feature seen in the training records: most frequent first cut, then sorted. */
function seenCategories(records: readonly FeatureRecord[], name: string): string[] {
  const counts = new Map<string, number>();
  for (const r of records) {
    const v = r[name];
    if (typeof v === 'string') counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  let cats = [...counts.keys()];
  if (cats.length > MAX_CATEGORIES)
    cats = cats.sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : 1)).slice(0, MAX_CATEGORIES);
  return cats.sort();
}

/**
 * Fits preprocessing on training records by the schema: a closed categorical keeps the schema's categories
 * (every known category has a slot even if the training split lacks it); an open one takes the categories
 * seen in training. Numericals are imputed with the schema's fixed value when it gives one, else the
 * training median, then standardised with the training mean and population standard deviation.
 */
export function fitPreprocess(records: readonly FeatureRecord[], schema: ModelSchema): PreprocessSpec {
  const kinds = featuresByKind(schema);
  const numerical = kinds.numerical.map((feature) => {
    const present = Float64Array.from(
      records.map((r) => numericValue(r[feature.name])).filter((v) => !Number.isNaN(v)),
    ).sort();
    const impute = feature.missing.value ?? median(present);
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
  const categorical = kinds.categorical.map((f) => ({
    name: f.name,
    categories: f.closed ? [...f.categories] : seenCategories(records, f.name),
  }));
  return { categorical, numerical };
}

/**
 * The schema as trained: open categoricals list the categories the model has slots for, numericals carry
 * the training range and the imputation value the graph applies.
 */
export function fittedSchema(
  schema: ModelSchema,
  spec: PreprocessSpec,
  records: readonly FeatureRecord[],
): ModelSchema {
  const cats = new Map(spec.categorical.map((c) => [c.name, c.categories]));
  const imputes = new Map(spec.numerical.map((n) => [n.name, n.impute]));
  return {
    ...schema,
    features: schema.features.map((f) => {
      if (f.kind === 'categorical') return { ...f, categories: [...cats.get(f.name)!] };
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const r of records) {
        const v = numericValue(r[f.name]);
        if (v < min) min = v;
        if (v > max) max = v;
      }
      return {
        ...f,
        range: min <= max ? { min, max } : null,
        missing: { ...f.missing, value: imputes.get(f.name)! },
      };
    }),
  };
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
