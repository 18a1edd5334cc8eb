// sortFloat64 against the engine's comparison sort.

import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../fixtures/fixture-support';
import { sortFloat64 } from './sort-float64';

function reference(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

describe('sortFloat64', () => {
  it('sorts mixed signs, magnitudes, infinities, subnormals and ties above the radix threshold', () => {
    const rnd = mulberry32(7);
    const values = new Float64Array(20000);
    for (let i = 0; i < values.length; i++) {
      const u = rnd();
      values[i] =
        i % 7 === 0
          ? Math.floor(u * 10) - 5
          : i % 11 === 0
            ? (u - 0.5) * 1e300
            : i % 13 === 0
              ? u * 5e-324
              : u - 0.5;
    }
    values[3] = Number.POSITIVE_INFINITY;
    values[5] = Number.NEGATIVE_INFINITY;
    values[8] = Number.MAX_VALUE;
    values[9] = -Number.MAX_VALUE;
    expect(sortFloat64(values)).toEqual(reference(values));
  });

  it('does not mutate its input and returns a new array', () => {
    const values = new Float64Array(2000).map((_, i) => (i * 7919) % 2000);
    const copy = values.slice();
    const sorted = sortFloat64(values);
    expect(values).toEqual(copy);
    expect(sorted).not.toBe(values);
    expect(sorted).toEqual(reference(values));
  });

  it('handles all-equal values (every pass skipped), small and empty inputs, plain arrays', () => {
    expect(sortFloat64(new Float64Array(5000).fill(3.25))).toEqual(new Float64Array(5000).fill(3.25));
    expect(sortFloat64([])).toEqual(new Float64Array(0));
    expect(sortFloat64([3, -1, 2])).toEqual(new Float64Array([-1, 2, 3]));
  });

  it('keeps −0 and +0 together, −0 first', () => {
    const values = new Float64Array(1000).map((_, i) => (i % 2 ? 0 : -0));
    const sorted = sortFloat64(values);
    expect(Object.is(sorted[0], -0)).toBe(true);
    expect(Object.is(sorted[999], 0)).toBe(true);
  });

  describe('the grid path (4096 values and more)', () => {
    const rnd = mulberry32(11);
    const sample = (n: number, f: () => number): Float64Array => Float64Array.from({ length: n }, f);
    const normal = (): number => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    const cauchy = (): number => Math.tan(Math.PI * (rnd() - 0.5));
    // A fair share of values in each of 256 high buckets, all inside one grid cell in random order: the
    // insertion pass runs out of budget and each crowded cell is sorted on its own (some cells hold zeros).
    const cluster = (): Float64Array => {
      const a = sample(5000, () => Math.floor(rnd() * 256) / 256 - 0.5 + (rnd() < 0.5 ? 0 : rnd() * 1e-7));
      a[0] = -0.5;
      a[1] = 0.5;
      for (let i = 2; i < 600; i++) a[i] = rnd() < 0.5 ? -0 : 0;
      return a;
    };
    const cases: [string, Float64Array][] = [
      ['normals', sample(50000, normal)],
      ['uniforms', sample(30000, () => rnd() * 100 - 20)],
      ['heavy tails (crowded: radix sort)', sample(30000, cauchy)],
      ['ties spread over the range', sample(30000, () => Math.floor(rnd() * 5000) / 7)],
      [
        '−0 and +0 among other values',
        sample(20000, () => (rnd() < 0.3 ? (rnd() < 0.5 ? -0 : 0) : normal())),
      ],
      ['a few zeros', sample(20000, () => (rnd() < 0.001 ? (rnd() < 0.5 ? -0 : 0) : normal()))],
      ['already sorted', sample(20000, () => rnd()).sort()],
      [
        'sorted descending',
        sample(20000, () => rnd())
          .sort()
          .reverse(),
      ],
      ['tiny negatives', sample(20000, () => -rnd() * 1e-300)],
      ['crowded cells', cluster()],
    ];
    it.each(cases)('%s', (_, values) => {
      const copy = values.slice();
      expect(sortFloat64(values)).toEqual(reference(values));
      expect(values).toEqual(copy);
    });

    it('sorts a view at an offset of a larger buffer, and a plain array', () => {
      const values = sample(10000, normal);
      const view = new Float64Array(values.buffer, 8 * 100, 8000);
      expect(sortFloat64(view)).toEqual(reference(view));
      expect(sortFloat64(Array.from(values))).toEqual(reference(values));
    });

    it('returns a fresh array each call (the work array is reused, the result is not)', () => {
      const a = sample(8000, normal);
      const b = sample(6000, () => rnd());
      const sa = sortFloat64(a);
      const sb = sortFloat64(b);
      expect(sa).toEqual(reference(a));
      expect(sb).toEqual(reference(b));
      expect(sa.buffer).not.toBe(sb.buffer);
    });
  });
});
