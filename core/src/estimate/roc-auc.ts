// ROC AUC two ways: the realized value as scikit-learn's roc_auc_score (ties count one half), and NannyML 0.13's
// estimate from calibrated probabilities (performance_estimation/confidence_based/metrics.py `estimate_roc_auc`).

import { numpyArgsort } from './numpy-argsort';

/**
 * Area under the ROC curve of binary targets (0/1) ranked by scores, ties shared; NaN with one class.
 * Equal to sklearn `roc_auc_score`. `rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])` → 0.75.
 */
export function rocAuc(targets: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = scores.length;
  let nPos = 0;
  for (let i = 0; i < n; i++) nPos += targets[i] === 1 ? 1 : 0;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(nNeg);
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    if (targets[i] === 1) pos[a++] = scores[i]!;
    else neg[b++] = scores[i]!;
  }
  pos.sort();
  neg.sort();
  // U = Σ over positives of (#negatives below + ½ #negatives equal): exact in integers and halves
  let u = 0;
  let below = 0;
  let equalEnd = 0;
  for (let k = 0; k < nPos; k++) {
    const s = pos[k]!;
    while (below < nNeg && neg[below]! < s) below++;
    if (equalEnd < below) equalEnd = below;
    while (equalEnd < nNeg && neg[equalEnd]! === s) equalEnd++;
    u += below + (equalEnd - below) / 2;
  }
  return u / (nPos * nNeg);
}

/** numpy `round(x, 5)`: rint(x·1e5)/1e5 with round-half-to-even. */
export function round5(x: number): number {
  const y = x * 100000;
  let r = Math.round(y);
  if (r - y === 0.5 && r % 2 !== 0) r -= 1;
  return r / 100000;
}

/**
 * NannyML's estimated ROC AUC: sort by the uncalibrated score (descending, numpy argsort reversed), take the
 * cumulative calibrated probabilities as expected true positives, 1 + i − tp as expected false positives, round
 * both to 5 decimals, normalise and integrate by the trapezoid rule.
 */
export function estimateRocAuc(calibrated: ArrayLike<number>, uncalibrated: ArrayLike<number>): number {
  const n = calibrated.length;
  const asc = numpyArgsort(uncalibrated);
  const tps = new Float64Array(n + 1);
  const fps = new Float64Array(n + 1);
  let cum = 0;
  for (let i = 0; i < n; i++) {
    cum += calibrated[asc[n - 1 - i]!]!;
    tps[i + 1] = round5(cum);
    fps[i + 1] = round5(1 + i - cum);
  }
  const tLast = tps[n]!;
  const fLast = fps[n]!;
  let area = 0;
  for (let i = 0; i < n; i++) {
    const dx = fps[i + 1]! / fLast - fps[i]! / fLast;
    area += (dx * (tps[i + 1]! / tLast + tps[i]! / tLast)) / 2;
  }
  return area;
}
