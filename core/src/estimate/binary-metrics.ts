// CBPE's estimated binary metrics from calibrated probabilities and predicted labels, and the realized metrics
// from targets, as NannyML 0.13 computes them (performance_estimation/confidence_based/metrics.py: estimate_f1,
// estimate_precision, estimate_recall, estimate_specificity, estimate_accuracy, the confusion-matrix estimates, and
// each metric's `_realized_performance`, which returns NaN where scikit-learn would warn).

export const METRICS = ['roc_auc', 'accuracy', 'f1', 'precision', 'recall', 'specificity'] as const;
export type MetricName = (typeof METRICS)[number];

export interface ConfusionCounts {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
}

/** Expected confusion matrix: Σ p over predicted positives is the expected TP, Σ (1 − p) the expected FP, … */
export function expectedConfusion(
  predictions: ArrayLike<number>,
  probabilities: ArrayLike<number>,
): ConfusionCounts {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < predictions.length; i++) {
    const p = probabilities[i]!;
    if (predictions[i] === 1) {
      tp += p;
      fp += 1 - p;
    } else {
      fn += p;
      tn += 1 - p;
    }
  }
  return { tp, fp, fn, tn };
}

/** Estimated threshold metric from expected counts (NannyML's formulas; 0/0 gives NaN as numpy does). */
export function estimateFromConfusion(
  metric: Exclude<MetricName, 'roc_auc'>,
  c: ConfusionCounts,
  n: number,
): number {
  switch (metric) {
    case 'accuracy':
      return (c.tp + c.tn) / n;
    case 'f1':
      return c.tp / (c.tp + 0.5 * (c.fp + c.fn));
    case 'precision':
      return c.tp / (c.tp + c.fp);
    case 'recall':
      return c.tp / (c.tp + c.fn);
    case 'specificity':
      return c.tn / (c.tn + c.fp);
  }
}

/** Realized confusion counts of 0/1 targets and predictions. */
export function realizedConfusion(
  targets: ArrayLike<number>,
  predictions: ArrayLike<number>,
): ConfusionCounts {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i] === 1;
    const p = predictions[i] === 1;
    if (t && p) tp++;
    else if (!t && p) fp++;
    else if (t && !p) fn++;
    else tn++;
  }
  return { tp, fp, fn, tn };
}

/**
 * Realized threshold metric as NannyML reports it: f1, precision and recall are NaN when targets or predictions
 * hold one class; specificity is NaN without negatives; accuracy is always defined.
 */
export function realizedFromConfusion(metric: Exclude<MetricName, 'roc_auc'>, c: ConfusionCounts): number {
  const n = c.tp + c.fp + c.fn + c.tn;
  const targetClasses = (c.tp + c.fn > 0 ? 1 : 0) + (c.tn + c.fp > 0 ? 1 : 0);
  const predClasses = (c.tp + c.fp > 0 ? 1 : 0) + (c.tn + c.fn > 0 ? 1 : 0);
  switch (metric) {
    case 'accuracy':
      return (c.tp + c.tn) / n;
    case 'specificity':
      return c.tn + c.fp === 0 ? Number.NaN : c.tn / (c.tn + c.fp);
    default:
      if (targetClasses <= 1 || predClasses <= 1) return Number.NaN;
      if (metric === 'f1') return (2 * c.tp) / (2 * c.tp + c.fp + c.fn);
      if (metric === 'precision') return c.tp / (c.tp + c.fp);
      return c.tp / (c.tp + c.fn);
  }
}
