// Fitting NannyML 0.13's data-reconstruction model on reference data (nannyml/drift/multivariate/data_reconstruction/
// calculator.py @ v0.13 `_fit`): SimpleImputer (most frequent / mean), category_encoders' CountEncoder(normalize=True),
// StandardScaler and PCA(n_components=0.65). The result is plain JSON, so it can travel in model.json.

import { symmetricEigen } from './symmetric-eigen';

export type ColumnKind = 'continuous' | 'categorical';

/** One column of input: continuous values (NaN = missing) or categorical text (null = missing). */
export type MultivariateColumn =
  | { readonly name: string; readonly kind: 'continuous'; readonly values: ArrayLike<number> }
  | { readonly name: string; readonly kind: 'categorical'; readonly values: readonly (string | null)[] };

export interface MultivariateTable {
  readonly rows: number;
  readonly columns: readonly MultivariateColumn[];
}

/** What the reference taught about one column: its imputation value and, for categories, their frequencies. */
export type FittedColumn =
  | { readonly name: string; readonly kind: 'continuous'; readonly impute: number }
  | {
      readonly name: string;
      readonly kind: 'categorical';
      readonly impute: string;
      /** category → share of reference rows (after imputation); a category not listed encodes to 0. */
      readonly encoding: Readonly<Record<string, number>>;
    };

/** The fitted model: everything needed to compute a row's reconstruction error, as JSON. */
export interface ReconstructionModel {
  readonly version: 1;
  readonly columns: readonly FittedColumn[];
  /** StandardScaler's mean_ and scale_ (scale 1 for a constant column), one per column. */
  readonly scaler: { readonly mean: readonly number[]; readonly scale: readonly number[] };
  readonly pca: {
    /** PCA's mean_ of the scaled reference (≈ 0). */
    readonly mean: readonly number[];
    /** k rows of length columns.length, unit vectors (sign: largest |entry| positive). */
    readonly components: readonly (readonly number[])[];
    /** Explained variance ratio of every principal axis, descending (the first k are kept). */
    readonly explained_variance_ratio: readonly number[];
  };
  /**
   * The reconstruction error of each row the model was fitted on, in their order (model.json keeps them so the
   * reference chunks and thresholds can be recomputed without the rows). Absent from a bare fit.
   */
  readonly reference_errors?: readonly number[];
}

/** Bad input to the multivariate method: names the column or what is missing. */
export class MultivariateInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultivariateInputError';
  }
}

const EPS = 2 ** -52;

/** Code-unit order, as Python's min() over str for the BMP (SimpleImputer's tie-break). */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** SimpleImputer(strategy='most_frequent') on text: the most frequent value, the smallest on a tie. */
export function mostFrequent(values: readonly (string | null)[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | undefined;
  let bestCount = 0;
  for (const [v, c] of counts)
    if (c > bestCount || (c === bestCount && best !== undefined && byText(v, best) < 0)) {
      best = v;
      bestCount = c;
    }
  return best;
}

function meanOfPresent(values: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) {
      s += v;
      n++;
    }
  }
  return n === 0 ? Number.NaN : s / n;
}

function fitColumn(column: MultivariateColumn, rows: number): FittedColumn {
  if (column.values.length !== rows)
    throw new MultivariateInputError(
      `column "${column.name}" has ${column.values.length} values for ${rows} rows`,
    );
  if (column.kind === 'continuous') {
    for (let i = 0; i < rows; i++)
      if (column.values[i] === Number.POSITIVE_INFINITY || column.values[i] === Number.NEGATIVE_INFINITY)
        throw new MultivariateInputError(`column "${column.name}" row ${i + 1} is infinite`);
    const impute = meanOfPresent(column.values);
    if (Number.isNaN(impute))
      throw new MultivariateInputError(
        `column "${column.name}" has no value in the reference, so it cannot be imputed`,
      );
    return { name: column.name, kind: 'continuous', impute };
  }
  const impute = mostFrequent(column.values);
  if (impute === undefined)
    throw new MultivariateInputError(
      `column "${column.name}" has no value in the reference, so it cannot be imputed`,
    );
  // CountEncoder(normalize=True) on the imputed column: value_counts / rows
  const counts = new Map<string, number>();
  for (const v of column.values) {
    const key = v ?? impute;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const encoding: Record<string, number> = {};
  for (const key of [...counts.keys()].sort(byText)) encoding[key] = counts.get(key)! / rows;
  return { name: column.name, kind: 'categorical', impute, encoding };
}

/** A column imputed and encoded as numbers, per the fitted column (the transform NannyML applies to any data). */
export function encodeColumn(fitted: FittedColumn, column: MultivariateColumn): Float64Array {
  const n = column.values.length;
  const out = new Float64Array(n);
  if (fitted.kind === 'continuous') {
    if (column.kind !== 'continuous')
      throw new MultivariateInputError(`column "${fitted.name}" is continuous in the reference but not here`);
    for (let i = 0; i < n; i++) {
      const v = column.values[i]!;
      out[i] = Number.isNaN(v) ? fitted.impute : v;
    }
    return out;
  }
  if (column.kind !== 'categorical')
    throw new MultivariateInputError(`column "${fitted.name}" is categorical in the reference but not here`);
  const lookup = new Map(Object.entries(fitted.encoding));
  for (let i = 0; i < n; i++) out[i] = lookup.get(column.values[i] ?? fitted.impute) ?? 0;
  return out;
}

/**
 * StandardScaler's mean and scale of one column, as sklearn's _incremental_mean_and_var (with its correction term)
 * and _is_constant_feature: a constant column gets scale 1.
 */
export function standardScale(x: ArrayLike<number>): { mean: number; scale: number; constant: boolean } {
  const n = x.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i]!;
  const mean = sum / n;
  let correction = 0;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mean;
    correction += d;
    ss += d * d;
  }
  const variance = (ss - (correction * correction) / n) / n;
  const constant = variance <= n * EPS * variance + (n * mean * EPS) ** 2;
  return { mean, scale: constant ? 1 : Math.sqrt(variance), constant };
}

export interface FitOptions {
  /** PCA keeps the fewest components whose cumulative explained variance ratio is strictly above this. */
  readonly varianceRatio?: number;
}

/**
 * Fits the reconstruction model on a reference table. Throws MultivariateInputError for fewer than 2 rows, no
 * columns, a column without any value, or every column constant.
 */
export function fitReconstruction(
  reference: MultivariateTable,
  options: FitOptions = {},
): ReconstructionModel {
  const ratio = options.varianceRatio ?? 0.65;
  const n = reference.rows;
  const p = reference.columns.length;
  if (p === 0) throw new MultivariateInputError('no usable column');
  if (n < 2) throw new MultivariateInputError(`the reference needs at least 2 rows (it has ${n})`);
  const columns = reference.columns.map((c) => fitColumn(c, n));
  const scaled: Float64Array[] = [];
  const scalerMean: number[] = [];
  const scalerScale: number[] = [];
  let constant = 0;
  columns.forEach((fitted, j) => {
    const x = encodeColumn(fitted, reference.columns[j]!);
    const s = standardScale(x);
    if (s.constant) constant++;
    scalerMean.push(s.mean);
    scalerScale.push(s.scale);
    scaled.push(x.map((v) => (v - s.mean) / s.scale));
  });
  if (constant === p)
    throw new MultivariateInputError(
      `every column is constant in the reference (${columns.map((c) => c.name).join(', ')})`,
    );
  const pcaMean = scaled.map((z) => z.reduce((a, b) => a + b, 0) / n);
  const centred = scaled.map((z, j) => z.map((v) => v - pcaMean[j]!));
  const cov = new Float64Array(p * p);
  for (let a = 0; a < p; a++)
    for (let b = a; b < p; b++) {
      const za = centred[a]!;
      const zb = centred[b]!;
      let s = 0;
      for (let i = 0; i < n; i++) s += za[i]! * zb[i]!;
      cov[a * p + b] = s / (n - 1);
      cov[b * p + a] = s / (n - 1);
    }
  const { values, vectors } = symmetricEigen(cov, p);
  const variance = Array.from(values, (v) => Math.max(v, 0));
  const total = variance.reduce((a, b) => a + b, 0);
  const ratios = variance.map((v) => v / total);
  // sklearn: np.searchsorted(stable_cumsum(ratio), n_components, side='right') + 1
  let k = 1;
  let cumulative = 0;
  for (let i = 0; i < p - 1; i++) {
    cumulative += ratios[i]!;
    if (cumulative <= ratio) k++;
    else break;
  }
  const components: number[][] = [];
  for (let i = 0; i < k; i++) {
    const row = Array.from(vectors.subarray(i * p, (i + 1) * p));
    let big = 0;
    for (let j = 1; j < p; j++) if (Math.abs(row[j]!) > Math.abs(row[big]!)) big = j;
    components.push(row[big]! < 0 ? row.map((x) => -x) : row);
  }
  return {
    version: 1,
    columns,
    scaler: { mean: scalerMean, scale: scalerScale },
    pca: { mean: pcaMean, components, explained_variance_ratio: ratios },
  };
}
