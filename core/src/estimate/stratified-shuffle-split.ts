// scikit-learn's StratifiedShuffleSplit(n_splits, test_size, random_state) for a float test_size, ported from
// sklearn 1.2 model_selection/_split.py (`_iter_indices`, `_approximate_mode`, `_validate_shuffle_split`) on
// numpy's legacy RandomState, so random_state=42 gives sklearn's very folds.

import { NumpyRandomState } from '../random/numpy-random-state';

export interface Split {
  readonly train: number[];
  readonly test: number[];
}

/** sklearn `_approximate_mode`: floor the proportional share, hand out the rest by remainder, ties at random. */
function approximateMode(classCounts: number[], nDraws: number, rng: NumpyRandomState): number[] {
  const total = classCounts.reduce((a, b) => a + b, 0);
  const continuous = classCounts.map((c) => (c / total) * nDraws);
  const floored = continuous.map(Math.floor);
  let needToAdd = Math.trunc(nDraws - floored.reduce((a, b) => a + b, 0));
  if (needToAdd > 0) {
    const remainder = continuous.map((c, i) => c - floored[i]!);
    const values = [...new Set(remainder)].sort((a, b) => b - a);
    for (const value of values) {
      const inds = remainder.flatMap((r, i) => (r === value ? [i] : []));
      const addNow = Math.min(inds.length, needToAdd);
      for (const i of rng.choiceWithoutReplacement(inds, addNow)) floored[i]! += 1;
      needToAdd -= addNow;
      if (needToAdd === 0) break;
    }
  }
  return floored;
}

/**
 * The splits of `y` (class labels) sklearn yields, in order: train and test row indices, each permuted.
 * Throws as sklearn does when a class has fewer than 2 members or a side cannot hold every class.
 */
export function stratifiedShuffleSplit(
  y: ArrayLike<number>,
  nSplits: number,
  testSize: number,
  randomState: number,
): Split[] {
  const n = y.length;
  const nTest = Math.ceil(testSize * n);
  const nTrain = n - nTest;
  if (nTrain <= 0 || nTest <= 0) throw new RangeError(`cannot split ${n} rows with test_size=${testSize}`);
  const classes = [...new Set(Array.from(y))].sort((a, b) => a - b);
  const classOf = new Map(classes.map((c, i) => [c, i]));
  const yIndex = Array.from(y, (v) => classOf.get(v)!);
  const classCounts = classes.map(() => 0);
  for (const k of yIndex) classCounts[k]! += 1;
  if (Math.min(...classCounts) < 2)
    throw new RangeError('The least populated class in y has only 1 member, which is too few.');
  if (nTrain < classes.length || nTest < classes.length)
    throw new RangeError('each side of the split must hold at least one row of every class');
  // np.argsort(y_indices, kind='mergesort') split by class: each class's rows in original order
  const classIndices: number[][] = classes.map(() => []);
  for (let i = 0; i < yIndex.length; i++) classIndices[yIndex[i]!]!.push(i);
  const rng = new NumpyRandomState(randomState);
  const splits: Split[] = [];
  for (let s = 0; s < nSplits; s++) {
    const nI = approximateMode(classCounts, nTrain, rng);
    const remaining = classCounts.map((c, i) => c - nI[i]!);
    const tI = approximateMode(remaining, nTest, rng);
    const train: number[] = [];
    const test: number[] = [];
    for (let c = 0; c < classes.length; c++) {
      const perm = rng.permutation(classCounts[c]!);
      const idx = perm.map((p) => classIndices[c]![p]!);
      for (let k = 0; k < nI[c]!; k++) train.push(idx[k]!);
      for (let k = nI[c]!; k < nI[c]! + tI[c]!; k++) test.push(idx[k]!);
    }
    splits.push({ train: rng.permutation(train), test: rng.permutation(test) });
  }
  return splits;
}
