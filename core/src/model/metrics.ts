// Binary classification metrics on predicted probabilities: ROC AUC, log loss, accuracy, Brier, precision/recall.
import type { HoldoutMetrics } from './artifact-types';

/**
 * ROC AUC by the rank statistic (Mann–Whitney U), ties given their average rank — equal to
 * sklearn's `roc_auc_score`. `rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])` → 0.75.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSumPositives = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!] === 1) {
        positives++;
        rankSumPositives += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean binary cross-entropy with probabilities clipped to [1e-15, 1 - 1e-15] (sklearn's `log_loss`). */
export function logLoss(labels: ArrayLike<number>, probabilities: ArrayLike<number>): number {
  const eps = 1e-15;
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - eps, Math.max(eps, probabilities[i]!));
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

/** All holdout metrics at the 0.5 decision threshold. */
export function classificationMetrics(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
): HoldoutMetrics {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let correct = 0;
  let brier = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    const p = probabilities[i]!;
    const predicted = p >= 0.5 ? 1 : 0;
    if (predicted === y) correct++;
    if (predicted === 1 && y === 1) tp++;
    if (predicted === 1 && y === 0) fp++;
    if (predicted === 0 && y === 1) fn++;
    brier += (p - y) ** 2;
  }
  return {
    roc_auc: rocAuc(labels, probabilities),
    log_loss: logLoss(labels, probabilities),
    accuracy: correct / labels.length,
    brier: brier / labels.length,
    precision: tp + fp === 0 ? 0 : tp / (tp + fp),
    recall: tp + fn === 0 ? 0 : tp / (tp + fn),
    rows: labels.length,
  };
}
