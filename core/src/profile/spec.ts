// A profile's frozen layout: bin edges per numerical feature and the score bins, derived from a model's
// reference profile so that every edge node and the centre bin the same way. Two profiles merge only
// when their layouts hash the same.
import type { ReferenceProfile } from '../drift/profile';

/** At most this many edges per numerical feature (quantile edges of the reference). */
export const DEFAULT_MAX_EDGES = 1000;
/** Fine fixed bins over [0, 1] for the model's score. */
export const DEFAULT_SCORE_BINS = 1000;

export type FeatureBins =
  | {
      readonly name: string;
      readonly kind: 'numerical';
      /**
       * Ascending, distinct. Bin 0 holds x ≤ edges[0], bin i holds edges[i−1] < x ≤ edges[i], the last bin
       * x > edges[last]: right-closed, so the empirical CDF at every edge is known exactly.
       */
      readonly edges: readonly number[];
    }
  | { readonly name: string; readonly kind: 'categorical'; readonly categories: readonly string[] };

export interface ProfileSpec {
  readonly model_version: string;
  readonly features: readonly FeatureBins[];
  readonly score_bins: number;
  /** fnv1a-64 of the layout (features and score bins, not the version): equal hashes merge. */
  readonly hash: string;
}

export interface SpecOptions {
  readonly maxEdges?: number;
  readonly scoreBins?: number;
}

/** Quantile edges of sorted values: every distinct value when there are few, else `max` order statistics. */
export function quantileEdges(sorted: readonly number[], max: number): number[] {
  const distinct: number[] = [];
  for (const v of sorted) if (distinct.length === 0 || distinct[distinct.length - 1] !== v) distinct.push(v);
  if (distinct.length <= max) return distinct;
  const n = sorted.length;
  const edges: number[] = [];
  for (let k = 0; k < max; k++) {
    const v = sorted[Math.floor((k * (n - 1)) / (max - 1))]!;
    if (edges.length === 0 || edges[edges.length - 1] !== v) edges.push(v);
  }
  return edges;
}

/** 64-bit FNV-1a of a string's UTF-16 code units, as 16 hex digits (no crypto needed: a layout id, not a secret). */
export function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * prime) & mask;
  }
  return h.toString(16).padStart(16, '0');
}

/** The layout's hash: features in order with their edges or categories, and the score bins. */
export function layoutHash(features: readonly FeatureBins[], scoreBins: number): string {
  return fnv1a64(JSON.stringify({ features, score_bins: scoreBins }));
}

/**
 * The profile layout of a model: numerical features get quantile edges of the reference values (at most
 * `maxEdges`), categorical ones the reference categories. `features` gives the order and kinds (the
 * model's schema).
 */
export function profileSpecFromReference(
  modelVersion: string,
  reference: ReferenceProfile,
  features: readonly { readonly name: string; readonly kind: 'numerical' | 'categorical' }[],
  options: SpecOptions = {},
): ProfileSpec {
  const maxEdges = options.maxEdges ?? DEFAULT_MAX_EDGES;
  const scoreBins = options.scoreBins ?? DEFAULT_SCORE_BINS;
  if (!Number.isInteger(maxEdges) || maxEdges < 2) throw new RangeError('maxEdges must be an integer ≥ 2');
  if (!Number.isInteger(scoreBins) || scoreBins < 1)
    throw new RangeError('scoreBins must be a positive integer');
  const bins: FeatureBins[] = features.map((f) => {
    const column = reference.columns[f.name];
    if (!column) throw new RangeError(`the reference profile has no column "${f.name}"`);
    if (f.kind === 'numerical') {
      if (column.type !== 'numerical') throw new RangeError(`reference column "${f.name}" is not numerical`);
      return { name: f.name, kind: 'numerical', edges: quantileEdges(column.values, maxEdges) };
    }
    if (column.type !== 'categorical')
      throw new RangeError(`reference column "${f.name}" is not categorical`);
    // Sorted: the layout must not depend on key order (PostgreSQL's jsonb, which stores model.json at the
    // centre, reorders object keys).
    const categories = Object.keys(column.counts).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { name: f.name, kind: 'categorical', categories };
  });
  return {
    model_version: modelVersion,
    features: bins,
    score_bins: scoreBins,
    hash: layoutHash(bins, scoreBins),
  };
}

/** The bin of `x` among right-closed bins on ascending `edges` (0 … edges.length), by binary search. */
export function binOf(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  // smallest i with x <= edges[i]; edges.length when x > every edge
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
