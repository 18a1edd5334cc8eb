// Bins a column pair into reference and current counts over shared bins (Evidently's `get_binned_data`).

import type { ColumnPair } from '../types';
import { categoryCounts } from './category-counts';
import { DriftInputError } from './drift-input-error';
import { histogramCounts, sturgesBinEdges } from './histogram-bin-edges';
import { sortFloat64 } from './sort-float64';

/** A numerical column with more distinct reference values than this is binned by Sturges histogram. */
export const MAX_DISTINCT_FOR_VALUE_BINS = 20;

/** Reference and current counts over shared bins; `reference.length === current.length === bins`. */
export type BinnedColumn =
  | {
      /** Equal-width bins [edges[i], edges[i+1]) (the last closed) over both sides' range. */
      readonly kind: 'histogram';
      readonly edges: Float64Array;
      readonly reference: Float64Array;
      readonly current: Float64Array;
    }
  | {
      /** One bin per distinct numerical value found on either side, ascending. */
      readonly kind: 'values';
      readonly values: Float64Array;
      readonly reference: Float64Array;
      readonly current: Float64Array;
    }
  | {
      /** One bin per category found on either side, in the pair's (sorted) category order. */
      readonly kind: 'categories';
      readonly categories: readonly string[];
      readonly reference: Float64Array;
      readonly current: Float64Array;
    };

/** True when `values` holds more than `limit` distinct values (stops early). */
function hasMoreDistinctThan(values: ArrayLike<number>, limit: number): boolean {
  const seen = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    seen.add(values[i]!);
    if (seen.size > limit) return true;
  }
  return false;
}

/** Distinct values of two sorted arrays (ascending) with each side's count of each value. */
function valueCounts(ref: Float64Array, cur: Float64Array): BinnedColumn & { kind: 'values' } {
  const values: number[] = [];
  const rc: number[] = [];
  const cc: number[] = [];
  let i = 0;
  let j = 0;
  while (i < ref.length || j < cur.length) {
    const x = i === ref.length ? cur[j]! : j === cur.length ? ref[i]! : Math.min(ref[i]!, cur[j]!);
    const i0 = i;
    const j0 = j;
    while (i < ref.length && ref[i] === x) i++;
    while (j < cur.length && cur[j] === x) j++;
    values.push(x);
    rc.push(i - i0);
    cc.push(j - j0);
  }
  return {
    kind: 'values',
    values: Float64Array.from(values),
    reference: Float64Array.from(rc),
    current: Float64Array.from(cc),
  };
}

/** Category counts on both sides, dropping categories absent from both. */
function binCategories(
  refCodes: Int32Array,
  curCodes: Int32Array,
  categories0: readonly string[],
): BinnedColumn {
  const size = categories0.length;
  const ref = categoryCounts(refCodes, size);
  const cur = categoryCounts(curCodes, size);
  let present = 0;
  for (let c = 0; c < size; c++) if (ref[c]! + cur[c]! > 0) present++;
  if (present === size) return { kind: 'categories', categories: categories0, reference: ref, current: cur };
  const categories: string[] = [];
  const r = new Float64Array(present);
  const k = new Float64Array(present);
  let p = 0;
  for (let c = 0; c < size; c++) {
    if (ref[c]! + cur[c]! === 0) continue;
    categories.push(categories0[c]!);
    r[p] = ref[c]!;
    k[p] = cur[c]!;
    p++;
  }
  return { kind: 'categories', categories, reference: r, current: k };
}

/**
 * Bins both sides of a column on shared bins, as Evidently's `get_binned_data` (before zero filling):
 * a numerical column with more than 20 distinct reference values gets Sturges equal-width bins over both
 * sides (`np.histogram_bin_edges(concat, 'sturges')` then `np.histogram` per side); any other column is binned
 * by value over the union of values present on either side (categories absent from both are dropped).
 * Throws DriftInputError when either side is empty.
 * @example binColumnPair({ type: 'numerical', reference: new Float64Array([1, 2]), current: new Float64Array([2]) })
 *   // { kind: 'values', values: [1, 2], reference: [1, 1], current: [0, 1] }
 */
export function binColumnPair(pair: ColumnPair): BinnedColumn {
  if (pair.reference.length === 0 || pair.current.length === 0) {
    throw new DriftInputError('binning needs a non-empty sample on each side');
  }
  if (pair.type === 'categorical') return binCategories(pair.reference, pair.current, pair.categories);
  if (pair.type === 'numerical' && hasMoreDistinctThan(pair.reference, MAX_DISTINCT_FOR_VALUE_BINS)) {
    const edges = sturgesBinEdges(pair.reference, pair.current);
    return {
      kind: 'histogram',
      edges,
      reference: histogramCounts(pair.reference, edges),
      current: histogramCounts(pair.current, edges),
    };
  }
  return binByValue(pair);
}

/**
 * Bins both sides by value over the union of values present on either side: numerical columns by distinct value
 * (ascending), categorical columns by category (categories absent from both sides dropped). Throws DriftInputError
 * when either side is empty.
 * @example binByValue({ type: 'numerical', reference: new Float64Array([1, 1]), current: new Float64Array([3]) })
 *   // { kind: 'values', values: [1, 3], reference: [2, 0], current: [0, 1] }
 */
export function binByValue(pair: ColumnPair): BinnedColumn {
  if (pair.reference.length === 0 || pair.current.length === 0) {
    throw new DriftInputError('binning needs a non-empty sample on each side');
  }
  if (pair.type === 'categorical') return binCategories(pair.reference, pair.current, pair.categories);
  return valueCounts(sortFloat64(pair.reference), sortFloat64(pair.current));
}

/**
 * counts / total: the shares of each bin.
 * @example shares(new Float64Array([1, 3])) // Float64Array [0.25, 0.75]
 */
export function shares(counts: Float64Array): Float64Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const out = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = counts[i]! / total;
  return out;
}
