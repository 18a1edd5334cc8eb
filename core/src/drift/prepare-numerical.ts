// Preparing a numerical column pair: missing values dropped, distinct values counted, shared bins and the chart.
import { numericalDistribution } from './distribution';
import type { PreparedColumn } from './prepared-column';
import { binColumnPair } from './stats/bin-column-pair';
import type { NumericalColumn } from './table';

/**
 * The non-missing values of a numerical column and how many cells were missing (NaN), in one read: the column
 * itself when nothing is missing; else, from the first NaN on, the rest is compacted into a new array (the
 * result is a view of its first `length − missing` elements).
 */
function nonMissing(values: Float64Array): { values: Float64Array; missing: number } {
  const n = values.length;
  let first = 0;
  while (first < n && !Number.isNaN(values[first])) first++;
  if (first === n) return { values, missing: 0 };
  const out = new Float64Array(n - 1);
  out.set(values.subarray(0, first));
  let k = first;
  for (let i = first + 1; i < n; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) out[k++] = v;
  }
  return { values: out.subarray(0, k), missing: n - k };
}

/** Up to `limit + 1` distinct values of both sides (stops early). */
function fewDistinct(a: Float64Array, b: Float64Array, limit: number): number {
  const seen = new Float64Array(limit + 1);
  let n = 0;
  for (const values of [a, b]) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      let j = 0;
      while (j < n && seen[j] !== v) j++;
      if (j === n) {
        seen[n++] = v;
        if (n > limit) return n;
      }
    }
  }
  return n;
}

export function prepareNumerical(ref: NumericalColumn, cur: NumericalColumn): PreparedColumn {
  const { values: reference, missing: refMissing } = nonMissing(ref.values);
  const { values: current, missing: curMissing } = nonMissing(cur.values);
  const few = fewDistinct(reference, current, 5);
  const pair = { type: 'numerical', reference, current } as const;
  const binned = reference.length > 0 && current.length > 0 ? binColumnPair(pair) : null;
  return {
    pair: () => pair,
    bins: binned,
    nValues: few <= 5 ? few : countDistinctNumerical(reference, current),
    refMissing,
    curMissing,
    refLength: ref.values.length,
    curLength: cur.values.length,
    distribution: numericalDistribution(pair, binned),
  };
}

/** Exact distinct count of two value arrays (hash set; only used above 5 distinct values). */
function countDistinctNumerical(a: Float64Array, b: Float64Array): number | null {
  if (a.length + b.length > 200_000) return null;
  const seen = new Set<number>();
  for (let i = 0; i < a.length; i++) seen.add(a[i]!);
  for (let i = 0; i < b.length; i++) seen.add(b[i]!);
  return seen.size;
}
