// NannyML 0.13's sampling-error components and their use (nannyml/sampling_error/binary_classification.py):
// each metric keeps (std, fraction) from the reference and a chunk of n rows gets std / sqrt(n · fraction)
// (accuracy: std / sqrt(n)). Standard deviations are population ones (ddof 0), as numpy's np.std.

import type { MetricName } from './binary-metrics';
import { numpyArgsort } from './numpy-argsort';

export interface SamplingComponents {
  readonly std: number;
  /** Share of reference rows the metric is a mean over (1 for accuracy). */
  readonly fraction: number;
}

/** np.std of an array of `ones` ones followed by `zeros` zeros, each scaled by `scale` (two-pass as numpy). */
function std01(ones: number, zeros: number, scale = 1): number {
  const m = ones + zeros;
  if (m === 0) return Number.NaN;
  const mean = (ones * scale) / m;
  return Math.sqrt((ones * (scale - mean) ** 2 + zeros * mean ** 2) / m);
}

function populationStd(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i]!;
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  return Math.sqrt(ss / n);
}

/**
 * AUROC components (`auroc_sampling_error_components`): targets flipped when most are positive; rows sorted by score
 * with numpy's argsort; for the i-th positive rank r (rank 0 dropped with the zeros, as np.unique(...)[1:] does),
 * (r − i) / n_neg; std of those, fraction of positives.
 */
export function aurocComponents(targets: ArrayLike<number>, scores: ArrayLike<number>): SamplingComponents {
  const n = targets.length;
  let pos = 0;
  for (let i = 0; i < n; i++) pos += targets[i]!;
  const flip = pos / n > 0.5;
  const y = Float64Array.from(targets, (t) => (flip ? Math.abs(t - 1) : t));
  const p = Float64Array.from(scores, (s) => (flip ? 1 - s : s));
  const order = numpyArgsort(p);
  const ranks: number[] = [];
  for (let r = 0; r < n; r++) if (y[order[r]!] === 1 && r > 0) ranks.push(r);
  let nPos = 0;
  for (let i = 0; i < n; i++) nPos += y[i]!;
  const nNeg = n - nPos;
  const ser = ranks.map((r, i) => (r - i) / nNeg);
  return { std: populationStd(ser), fraction: nPos / n };
}

/** Components of the threshold metrics from reference targets and predictions. */
export function thresholdComponents(
  metric: Exclude<MetricName, 'roc_auc'>,
  targets: ArrayLike<number>,
  predictions: ArrayLike<number>,
): SamplingComponents {
  const n = targets.length;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const t = targets[i] === 1;
    const pr = predictions[i] === 1;
    if (t) positives++;
    if (t && pr) tp++;
    else if (!t && pr) fp++;
    else if (t && !pr) fn++;
    else tn++;
  }
  switch (metric) {
    case 'accuracy':
      return { std: std01(tp + tn, fp + fn), fraction: 1 };
    case 'precision':
      return { std: std01(tp, fp), fraction: (tp + fp) / n };
    case 'recall':
      return { std: std01(tp, fn), fraction: positives / n };
    case 'specificity':
      return { std: std01(tn, fp), fraction: (tn + fp) / n };
    case 'f1': {
      const len = tp + fn + fp;
      const factor = len / ((fn + fp) * 0.5 + tp);
      return { std: std01(tp, fn + fp, factor), fraction: len / n };
    }
  }
}

/** Sampling error of a metric on a chunk of `rows` rows. */
export function samplingError(metric: MetricName, c: SamplingComponents, rows: number): number {
  return metric === 'accuracy' ? c.std / Math.sqrt(rows) : c.std / Math.sqrt(rows * c.fraction);
}
