// CBPE from a profile's score bins, weighted by the bin counts: the same numbers as core's estimateFromProfile
// (which expands every bin into pseudo-rows, 2.4 GB of arrays and a 100M-row sort for a 30-day fleet window),
// in O(bins). Every row of a bin stands at the bin's mean score, so each step of the row-level computation
// over a bin is a straight line and only the bin boundaries matter; the one difference is NannyML's rounding
// of the cumulative ROC counts to 5 decimals, applied here at bin boundaries instead of at every row.
// Formulas: ../estimate/cbpe.ts, binary-metrics.ts and roc-auc.ts (NannyML 0.13).
import { estimateFromConfusion, type MetricName, realizedFromConfusion } from '../estimate/binary-metrics';
import { type CbpeFit, type MetricResult, SAMPLING_ERROR_RANGE } from '../estimate/cbpe';
import { predictIsotonic } from '../estimate/isotonic';
import { round5 } from '../estimate/roc-auc';
import { samplingError } from '../estimate/sampling-error';
import { ProfileError, type ScoreProfile } from './profile';

/** Counts accumulated over the bins (mutable; the metric formulas take them as ConfusionCounts). */
interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** CBPE metrics of a score profile as one chunk: estimateFromProfile(fit, score, threshold).metrics in O(bins). */
export function estimateFromScoreBins(
  fit: CbpeFit,
  score: ScoreProfile | null,
  threshold = 0.5,
): Partial<Record<MetricName, MetricResult>> {
  if (!score) throw new ProfileError('the profile has no scores: estimation needs the model’s scores');
  // bins with rows, ascending by score (bin means are ordered as the bins)
  const used: number[] = [];
  for (let b = 0; b < score.bins; b++) if (score.counts[b]! > 0) used.push(b);
  const n = used.reduce((s, b) => s + score.counts[b]!, 0);
  if (n === 0) throw new ProfileError('the profile has no scored rows');
  const mean = Float64Array.from(used, (b) => score.score_sum[b]! / score.counts[b]!);
  const cal = fit.calibrator ? predictIsotonic(fit.calibrator, mean) : mean;
  const pred = mean.map((m) => (m >= threshold ? 1 : 0));

  const expected: Confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  const realized: Confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  let labelled = 0;
  used.forEach((b, i) => {
    const c = score.counts[b]!;
    const p = cal[i]!;
    const pos = score.positives[b]!;
    const neg = score.labelled[b]! - pos;
    labelled += score.labelled[b]!;
    if (pred[i] === 1) {
      expected.tp += c * p;
      expected.fp += c * (1 - p);
      realized.tp += pos;
      realized.fp += neg;
    } else {
      expected.fn += c * p;
      expected.tn += c * (1 - p);
      realized.fn += pos;
      realized.tn += neg;
    }
  });

  // NannyML's estimated ROC AUC: rows by descending score, cumulative calibrated probability as expected TP.
  const estimatedAuc = (): number => {
    const tps = [0];
    const fps = [0];
    let cum = 0;
    let rows = 0;
    for (let i = used.length - 1; i >= 0; i--) {
      const c = score.counts[used[i]!]!;
      cum += c * cal[i]!;
      rows += c;
      tps.push(round5(cum));
      fps.push(round5(rows - cum));
    }
    const tLast = tps.at(-1)!;
    const fLast = fps.at(-1)!;
    let area = 0;
    for (let k = 0; k + 1 < tps.length; k++)
      area += ((fps[k + 1]! / fLast - fps[k]! / fLast) * (tps[k + 1]! / tLast + tps[k]! / tLast)) / 2;
    return area;
  };

  // Realized ROC AUC of the labelled rows (sklearn's: ties, i.e. a bin, count one half).
  const realizedAuc = (): number => {
    let nPos = 0;
    let nNeg = 0;
    for (const b of used) {
      nPos += score.positives[b]!;
      nNeg += score.labelled[b]! - score.positives[b]!;
    }
    if (nPos === 0 || nNeg === 0) return Number.NaN;
    let u = 0;
    let below = 0;
    for (const b of used) {
      const pos = score.positives[b]!;
      const neg = score.labelled[b]! - pos;
      u += pos * (below + neg / 2);
      below += neg;
    }
    return u / (nPos * nNeg);
  };

  const metrics: Partial<Record<MetricName, MetricResult>> = {};
  for (const m of fit.metrics) {
    const estimate = m === 'roc_auc' ? estimatedAuc() : estimateFromConfusion(m, expected, n);
    const se = samplingError(m, fit.components[m]!, n);
    const [lower, upper] = fit.thresholds[m]!;
    metrics[m] = {
      estimate,
      realized:
        labelled === 0 ? Number.NaN : m === 'roc_auc' ? realizedAuc() : realizedFromConfusion(m, realized),
      sampling_error: se,
      upper_band: Math.min(1, estimate + SAMPLING_ERROR_RANGE * se),
      lower_band: Math.max(0, estimate - SAMPLING_ERROR_RANGE * se),
      lower_threshold: lower,
      upper_threshold: upper,
      alert: estimate < lower || estimate > upper,
    };
  }
  return metrics;
}
