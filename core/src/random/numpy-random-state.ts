// numpy's legacy `RandomState(seed)` draws used by scikit-learn's splitters: bounded integers by masked
// rejection, shuffle/permutation (Fisher–Yates from the end) and choice without replacement (numpy 1.17+ mtrand.pyx,
// distributions.c `random_interval`).

import { Mt19937, type Mt19937State } from './mt19937';

/**
 * `numpy.random.RandomState(seed)`: an MT19937 seeded by `init_genrand(seed)` for 0 ≤ seed < 2³².
 * `new NumpyRandomState(42).permutation(5)` → [1, 4, 2, 0, 3] as numpy.
 */
export class NumpyRandomState {
  private readonly mt: Mt19937;

  constructor(seed: number | Mt19937) {
    if (seed instanceof Mt19937) {
      this.mt = seed;
      return;
    }
    if (!Number.isInteger(seed) || seed < 0 || seed > 4294967295)
      throw new Error('Seed must be between 0 and 2**32 - 1');
    this.mt = new Mt19937().initGenrand(seed);
  }

  /** A uniform integer in [0, max] by masking to the smallest all-ones mask ≥ max and rejecting (`random_interval`). */
  interval(max: number): number {
    if (max === 0) return 0;
    if (max > 4294967295) throw new Error('interval above 2**32 - 1 is not supported');
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value = (this.mt.nextUint32() & mask) >>> 0;
    while (value > max) value = (this.mt.nextUint32() & mask) >>> 0;
    return value;
  }

  /** Shuffles in place: for i from n−1 down to 1, swap a[i] with a[interval(i)] (`shuffle` on a 1-d array). */
  shuffle<T>(a: T[]): void {
    const order = this.shuffledIndices(a.length);
    const copy = a.slice();
    for (let i = 0; i < a.length; i++) a[i] = copy[order[i]!]!;
  }

  /** arange(n) shuffled as numpy does; the draws do not depend on the values, so every shuffle reduces to this. */
  private shuffledIndices(n: number): Int32Array {
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    for (let i = n - 1; i >= 1; i--) {
      const j = this.interval(i);
      const t = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = t;
    }
    return idx;
  }

  /** `permutation(n)`: a shuffled arange(n); `permutation(array)`: a shuffled copy. */
  permutation(n: number): number[];
  permutation<T>(values: readonly T[]): T[];
  permutation<T>(x: number | readonly T[]): (number | T)[] {
    if (typeof x === 'number') return Array.from(this.shuffledIndices(x));
    const order = this.shuffledIndices(x.length);
    return Array.from(order, (i) => x[i]!);
  }

  /** `choice(values, size, replace=False)` without probabilities: the first `size` of a permutation. */
  choiceWithoutReplacement<T>(values: readonly T[], size: number): T[] {
    if (size > values.length)
      throw new Error("Cannot take a larger sample than population when 'replace=False'");
    const perm = this.permutation(values.length);
    return perm.slice(0, size).map((i) => values[i]!);
  }

  save(): Mt19937State {
    return this.mt.save();
  }

  static restore(state: Mt19937State): NumpyRandomState {
    return new NumpyRandomState(Mt19937.restore(state));
  }
}
