// A column's distribution on both sides as the report charts it: histogram shares or value shares per label.
import type { BinnedColumn } from './stats/bin-column-pair';
import { histogramCounts, sturgesBinEdges } from './stats/histogram-bin-edges';
import type { ColumnPair } from './types';

/** Categories shown one by one in a distribution; the rest are folded into one "other" bar. */
export const MAX_DISTRIBUTION_LABELS = 20;

/**
 * A column's distribution on both sides as shares of its non-missing values (each side sums to 1, or
 * all zeros when the side has no values). `histogram`: `edges` has one more entry than the shares
 * (bins are [edge_i, edge_i+1), the last one closed). `values`: one bar per label; when `other` > 0 the
 * last label folds that many categories together.
 */
export type ColumnDistribution =
  | {
      readonly kind: 'histogram';
      readonly edges: number[];
      readonly reference: number[];
      readonly current: number[];
    }
  | {
      readonly kind: 'values';
      readonly labels: string[];
      readonly reference: number[];
      readonly current: number[];
      readonly other: number;
    };

/** Counts as shares of `total` (all zeros when `total` is 0). */
export function shares(counts: ArrayLike<number>, total: number): number[] {
  const out = new Array<number>(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = total > 0 ? counts[i]! / total : 0;
  return out;
}

/** The chart bins of a numerical pair: `binned`, the bins the binned methods use (null: a side is empty). */
export function numericalDistribution(
  pair: ColumnPair & { type: 'numerical' },
  binned: BinnedColumn | null,
): ColumnDistribution {
  const refCount = pair.reference.length;
  const curCount = pair.current.length;
  if (refCount + curCount === 0) return { kind: 'histogram', edges: [], reference: [], current: [] };
  if (binned) {
    if (binned.kind === 'values') {
      return {
        kind: 'values',
        labels: Array.from(binned.values, (v) => String(v)),
        reference: shares(binned.reference, refCount),
        current: shares(binned.current, curCount),
        other: 0,
      };
    }
    if (binned.kind === 'histogram') {
      return {
        kind: 'histogram',
        edges: Array.from(binned.edges),
        reference: shares(binned.reference, refCount),
        current: shares(binned.current, curCount),
      };
    }
  }
  // One side is empty: bin the other on its own range so the chart still shows it.
  const edges = sturgesBinEdges(pair.reference, pair.current);
  return {
    kind: 'histogram',
    edges: Array.from(edges),
    reference: shares(histogramCounts(pair.reference, edges), refCount),
    current: shares(histogramCounts(pair.current, edges), curCount),
  };
}

/** The most frequent categories (both sides together) one by one, the rest folded into one bar. */
export function categoricalDistribution(
  categories: readonly string[],
  ref: readonly number[],
  cur: readonly number[],
  refCount: number,
  curCount: number,
): ColumnDistribution {
  const refShare = shares(ref, refCount);
  const curShare = shares(cur, curCount);
  const order = categories.map((_, i) => i);
  if (categories.length <= MAX_DISTRIBUTION_LABELS) {
    return { kind: 'values', labels: [...categories], reference: refShare, current: curShare, other: 0 };
  }
  order.sort((a, b) => refShare[b]! + curShare[b]! - (refShare[a]! + curShare[a]!) || a - b);
  const keep = order.slice(0, MAX_DISTRIBUTION_LABELS - 1);
  const rest = order.slice(MAX_DISTRIBUTION_LABELS - 1);
  const sum = (s: number[], idx: number[]): number => idx.reduce((acc, i) => acc + s[i]!, 0);
  return {
    kind: 'values',
    labels: [...keep.map((i) => categories[i]!), `other (${rest.length} categories)`],
    reference: [...keep.map((i) => refShare[i]!), sum(refShare, rest)],
    current: [...keep.map((i) => curShare[i]!), sum(curShare, rest)],
    other: rest.length,
  };
}
