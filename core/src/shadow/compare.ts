// Shadow scoring: the same logged inputs scored by production and by a challenger, compared as an analyst
// needs before promoting — label agreement at the decision threshold, how scores moved, the drift of the
// challenger's score distribution against production's, CBPE's estimated metrics of both (no labels needed)
// and realized metrics where labels have arrived.
import { ksTwoSample } from '../drift/stats/ks-two-sample';
import { wassersteinDistance } from '../drift/stats/wasserstein-distance';
import { realizedConfusion, realizedFromConfusion } from '../estimate/binary-metrics';
import { type CbpeFit, estimateCbpe } from '../estimate/cbpe';
import { rocAuc } from '../estimate/roc-auc';

export interface ShadowInput {
  /** Production's scores as logged (what it answered). */
  readonly production: ArrayLike<number>;
  /** The challenger's scores on the same rows, in the same order. */
  readonly challenger: ArrayLike<number>;
  /** True outcomes where known: 0, 1, or NaN / null for a row whose label has not arrived. */
  readonly targets?: ArrayLike<number | null>;
  /** Decision threshold (default 0.5). */
  readonly threshold?: number;
  /** CBPE fits on each model's own reference (its holdout scores and targets), for label-free estimates. */
  readonly productionFit?: CbpeFit | null;
  readonly challengerFit?: CbpeFit | null;
}

export interface ModelSide {
  readonly positive_share: number;
  readonly mean_score: number;
  /** CBPE estimates (null without a fit). */
  readonly estimated: { readonly roc_auc: number; readonly accuracy: number; readonly f1: number } | null;
  /** On the labelled rows only (null when none are labelled). */
  readonly realized: { readonly roc_auc: number; readonly accuracy: number; readonly f1: number } | null;
}

export interface ShadowComparison {
  readonly rows: number;
  readonly labelled_rows: number;
  readonly threshold: number;
  /** Share of rows where both models give the same label at the threshold. */
  readonly agreement: number;
  /** Rows production called negative and the challenger positive, and the reverse. */
  readonly flips: { readonly to_positive: number; readonly to_negative: number };
  /** challenger − production per row. */
  readonly score_difference: {
    readonly mean: number;
    readonly mean_absolute: number;
    readonly max_absolute: number;
    readonly quantiles: Readonly<Record<'p05' | 'p25' | 'p50' | 'p75' | 'p95', number>>;
    /** Histogram of the differences on 20 equal bins over [−1, 1]. */
    readonly histogram: { readonly edges: number[]; readonly counts: number[] };
  };
  /** The challenger's score distribution against production's (KS p-value and Wasserstein distance). */
  readonly score_drift: {
    readonly ks_statistic: number;
    readonly ks_p_value: number;
    readonly wasserstein: number;
  };
  readonly production: ModelSide;
  readonly challenger: ModelSide;
}

export class ShadowInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShadowInputError';
  }
}

/** numpy's default (linear) quantile of ascending-sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function side(
  scores: Float64Array,
  threshold: number,
  fit: CbpeFit | null | undefined,
  labelled: Int32Array,
  targets: Float64Array,
): ModelSide {
  const n = scores.length;
  const predictions = new Float64Array(n);
  let positives = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    predictions[i] = scores[i]! >= threshold ? 1 : 0;
    positives += predictions[i]!;
    sum += scores[i]!;
  }
  let estimated: ModelSide['estimated'] = null;
  if (fit) {
    const [chunk] = estimateCbpe(fit, { scores, predictions }, (rows) => [
      { key: 'shadow', start_index: 0, end_index: rows - 1 },
    ]);
    const m = chunk!.metrics;
    estimated = {
      roc_auc: m.roc_auc?.estimate ?? Number.NaN,
      accuracy: m.accuracy?.estimate ?? Number.NaN,
      f1: m.f1?.estimate ?? Number.NaN,
    };
  }
  let realized: ModelSide['realized'] = null;
  if (labelled.length > 0) {
    const s = Float64Array.from(labelled, (i) => scores[i]!);
    const p = Float64Array.from(labelled, (i) => predictions[i]!);
    const t = Float64Array.from(labelled, (i) => targets[i]!);
    const confusion = realizedConfusion(t, p);
    realized = {
      roc_auc: rocAuc(t, s),
      accuracy: realizedFromConfusion('accuracy', confusion),
      f1: realizedFromConfusion('f1', confusion),
    };
  }
  return { positive_share: positives / n, mean_score: sum / n, estimated, realized };
}

/** Compares production's and a challenger's scores on the same logged rows. */
export function compareShadow(input: ShadowInput): ShadowComparison {
  const n = input.production.length;
  if (n === 0) throw new ShadowInputError('no rows to compare');
  if (input.challenger.length !== n)
    throw new ShadowInputError(`production has ${n} scores but the challenger ${input.challenger.length}`);
  const threshold = input.threshold ?? 0.5;
  if (!(threshold > 0 && threshold < 1)) throw new ShadowInputError('threshold must be in (0, 1)');
  const prod = Float64Array.from(input.production);
  const chal = Float64Array.from(input.challenger);
  for (const [name, scores] of [
    ['production', prod],
    ['challenger', chal],
  ] as const) {
    const bad = scores.findIndex((s) => !(s >= 0 && s <= 1));
    if (bad >= 0)
      throw new ShadowInputError(`${name} score of row ${bad} is not a probability: ${scores[bad]}`);
  }
  const targets = new Float64Array(n).fill(Number.NaN);
  const labelledIdx: number[] = [];
  if (input.targets) {
    for (let i = 0; i < n; i++) {
      const t = input.targets[i];
      if (t === 0 || t === 1) {
        targets[i] = t;
        labelledIdx.push(i);
      }
    }
  }
  const labelled = Int32Array.from(labelledIdx);
  let agree = 0;
  let toPositive = 0;
  let toNegative = 0;
  const diff = new Float64Array(n);
  let sum = 0;
  let sumAbs = 0;
  let maxAbs = 0;
  const counts = new Array<number>(20).fill(0);
  for (let i = 0; i < n; i++) {
    const a = prod[i]! >= threshold;
    const b = chal[i]! >= threshold;
    if (a === b) agree++;
    else if (b) toPositive++;
    else toNegative++;
    const d = chal[i]! - prod[i]!;
    diff[i] = d;
    sum += d;
    sumAbs += Math.abs(d);
    maxAbs = Math.max(maxAbs, Math.abs(d));
    counts[Math.min(19, Math.floor((d + 1) * 10))]!++;
  }
  const sorted = diff.slice().sort();
  const ks = ksTwoSample(prod, chal);
  return {
    rows: n,
    labelled_rows: labelled.length,
    threshold,
    agreement: agree / n,
    flips: { to_positive: toPositive, to_negative: toNegative },
    score_difference: {
      mean: sum / n,
      mean_absolute: sumAbs / n,
      max_absolute: maxAbs,
      quantiles: {
        p05: quantile(sorted, 0.05),
        p25: quantile(sorted, 0.25),
        p50: quantile(sorted, 0.5),
        p75: quantile(sorted, 0.75),
        p95: quantile(sorted, 0.95),
      },
      histogram: { edges: Array.from({ length: 21 }, (_, i) => -1 + i / 10), counts },
    },
    score_drift: {
      ks_statistic: ks.statistic,
      ks_p_value: ks.pValue,
      wasserstein: wassersteinDistance(prod, chal),
    },
    production: side(prod, threshold, input.productionFit, labelled, targets),
    challenger: side(chal, threshold, input.challengerFit, labelled, targets),
  };
}
