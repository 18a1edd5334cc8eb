// NannyML 0.13's calibrate-or-not decision (nannyml/calibration.py `needs_calibration`): isotonic calibration is
// fitted on each of StratifiedShuffleSplit(10, test_size=0.1, random_state=42)'s train folds and applied to its
// test fold; calibration is used when the expected calibration error over the pooled test folds (equal-count
// bins over the scores sorted by numpy's argsort) is lower after it than before. Code and docs disagree: the
// docstring says "if in any of the folds the difference is lower than zero returns False"; the code pools all
// test folds and compares one ECE before with one after — followed here.

import { fitIsotonic, predictIsotonic } from './isotonic';
import { numpyArgsort } from './numpy-argsort';
import { rocAuc } from './roc-auc';
import { stratifiedShuffleSplit } from './stratified-shuffle-split';

/**
 * NannyML `_get_bin_index_edges`: [left, right) row ranges of bins of length // binCount rows, the last one
 * absorbing the rest; fewer bins when length ≤ 2·binCount. `binIndexEdges(20, 4)` → [[0,5],[5,10],[10,15],[15,20]].
 */
export function binIndexEdges(length: number, binCount: number): [number, number][] {
  let count = binCount;
  if (length <= 2 * count) {
    count = Math.floor(length / 2);
    if (count < 2)
      throw new RangeError(
        `cannot split into minimum of 2 bins. Current sample size is ${length}, please increase sample size.`,
      );
  }
  const width = Math.floor(length / count);
  const edges: number[] = [];
  for (let e = 0; e <= length; e += width) edges.push(e);
  edges[edges.length - 1] = length;
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < edges.length; i++) out.push([edges[i]!, edges[i + 1]!]);
  return out;
}

/** NannyML `_calculate_expected_calibration_error`: Σ weight·|mean score − mean target| over the bins. */
export function expectedCalibrationError(
  targets: ArrayLike<number>,
  scores: ArrayLike<number>,
  edges: [number, number][],
): number {
  const order = numpyArgsort(scores);
  const n = scores.length;
  let ece = 0;
  for (const [l, r] of edges) {
    let sp = 0;
    let st = 0;
    for (let i = l; i < r; i++) {
      sp += scores[order[i]!]!;
      st += targets[order[i]!]!;
    }
    const len = r - l;
    ece += (len / n) * Math.abs(sp / len - st / len);
  }
  return ece;
}

export interface CalibrationDecision {
  readonly needed: boolean;
  /** Why: 'single class', 'auroc above 0.999', or the two ECEs compared. */
  readonly reason: string;
  readonly eceBefore?: number;
  readonly eceAfter?: number;
}

/**
 * Whether isotonic calibration lowers the expected calibration error (NannyML `needs_calibration`).
 * NannyML's doctest — targets of np.random.seed(1) binomial(1, 0.5, 10), scores linspace(0, 1, 10),
 * bin_count=2, split_count=3 — gives true.
 */
export function needsCalibration(
  targets: ArrayLike<number>,
  scores: ArrayLike<number>,
  binCount = 10,
  splitCount = 10,
): CalibrationDecision {
  if (new Set(Array.from(targets)).size === 1) return { needed: false, reason: 'single class' };
  if (rocAuc(targets, scores) > 0.999) return { needed: false, reason: 'auroc above 0.999' };
  const yTest: number[] = [];
  const pTest: number[] = [];
  const cTest: number[] = [];
  for (const { train, test } of stratifiedShuffleSplit(targets, splitCount, 0.1, 42)) {
    const fit = fitIsotonic(
      train.map((i) => scores[i]!),
      train.map((i) => targets[i]!),
    );
    const testScores = test.map((i) => scores[i]!);
    const calibrated = predictIsotonic(fit, testScores);
    for (let k = 0; k < test.length; k++) {
      yTest.push(targets[test[k]!]!);
      pTest.push(testScores[k]!);
      cTest.push(calibrated[k]!);
    }
  }
  const edges = binIndexEdges(pTest.length, binCount);
  const eceBefore = expectedCalibrationError(yTest, pTest, edges);
  const eceAfter = expectedCalibrationError(yTest, cTest, edges);
  return { needed: eceBefore > eceAfter, reason: 'expected calibration error', eceBefore, eceAfter };
}
