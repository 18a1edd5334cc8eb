// Stratified train/holdout split: each class keeps its share in both parts.
import { mulberry32, shuffledIndices } from './rng';

export interface Split {
  readonly train: Uint32Array;
  readonly holdout: Uint32Array;
}

/**
 * Splits row indices so that `holdoutShare` of each label class goes to the holdout (rounded per class),
 * deterministically for a seed. Indices in each part are ascending.
 */
export function stratifiedSplit(labels: ArrayLike<number>, holdoutShare: number, seed: number): Split {
  if (!(holdoutShare > 0 && holdoutShare < 1)) throw new RangeError('holdoutShare must be in (0, 1)');
  const random = mulberry32(seed);
  const train: number[] = [];
  const holdout: number[] = [];
  for (const cls of [0, 1]) {
    const rows: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === cls) rows.push(i);
    const order = shuffledIndices(rows.length, random);
    const nHoldout = Math.round(rows.length * holdoutShare);
    order.forEach((k, i) => {
      (i < nHoldout ? holdout : train).push(rows[k]!);
    });
  }
  const sort = (a: number[]) => Uint32Array.from(a).sort();
  return { train: sort(train), holdout: sort(holdout) };
}
