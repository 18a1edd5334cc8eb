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
});
