// wassersteinDistance's grid path against the sort-then-walk definition (itself checked against scipy in
// methods/drift-methods.test.ts), bit for bit, on the inputs that exercise each of its branches.

import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../fixtures/fixture-support';
import { DriftInputError } from './drift-input-error';
import { sortFloat64 } from './sort-float64';
import { wassersteinDistance, wassersteinSorted } from './wasserstein-distance';

/** The definition: sort both sides, one merge walk. */
function reference(u: ArrayLike<number>, v: ArrayLike<number>): number {
  return wassersteinSorted(sortFloat64(u), sortFloat64(v));
}

const rnd = mulberry32(20240611);
const sample = (n: number, f: () => number): Float64Array => Float64Array.from({ length: n }, f);
const normal = (): number => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
const cauchy = (): number => Math.tan(Math.PI * (rnd() - 0.5));

describe('wassersteinDistance', () => {
  const cases: [string, Float64Array, Float64Array][] = [
    ['normals, shifted (the grid path)', sample(30000, normal), sample(25000, () => normal() + 0.3)],
    ['uniforms, unequal sizes', sample(20000, () => rnd() * 100), sample(7000, () => 10 + rnd() * 100)],
    [
      'heavy tails (Cauchy: a crowded grid, sorted instead)',
      sample(20000, cauchy),
      sample(15000, () => 2 * cauchy()),
    ],
    [
      'log-normal with a wide tail',
      sample(20000, () => Math.exp(3 * normal())),
      sample(20000, () => Math.exp(2 * normal())),
    ],
    [
      'many ties: a few integers',
      sample(20000, () => Math.floor(rnd() * 7)),
      sample(9000, () => Math.floor(rnd() * 9) - 1),
    ],
    [
      'ties spread over the grid',
      sample(30000, () => Math.floor(rnd() * 5000) / 7),
      sample(30000, () => Math.floor(rnd() * 5100) / 7),
    ],
    ['one far outlier', Float64Array.of(...sample(10000, () => rnd()), 1e12), sample(10000, () => rnd())],
    ['already sorted', sample(10000, () => rnd()).sort(), sample(12000, () => rnd() * 1.5).sort()],
    [
      'sorted descending',
      sample(10000, () => rnd())
        .sort()
        .reverse(),
      sample(12000, () => rnd() * 1.5),
    ],
    ['subnormals', sample(5000, () => rnd() * 4e-323), sample(5000, () => rnd() * 2.5e-323)],
    [
      'a range near the largest double',
      sample(5000, () => (rnd() - 0.5) * 1e300),
      sample(5000, () => rnd() * 1e300),
    ],
    [
      'a range that overflows (sorted instead)',
      sample(5000, () => (rnd() - 0.5) * 1.7e308),
      sample(5000, () => rnd() * 1e308),
    ],
  ];
  it.each(cases)('%s: equals sorting both sides then walking, bit for bit', (_, u, v) => {
    expect(wassersteinDistance(u, v)).toBe(reference(u, v));
    expect(wassersteinDistance(v, u)).toBe(reference(v, u));
  });

  it('sorts crowded grid cells on their own once the insertion pass has moved too much', () => {
    // 3000 + 3000 values: 256 high buckets of 256 cells. Each high bucket holds its fair share (not
    // crowded), but all of it inside one cell, in random order: the insertion pass runs out of budget and
    // the runs are sorted on their own.
    const cluster = (n: number): Float64Array =>
      sample(n, () => Math.floor(rnd() * 256) / 256 + rnd() * 1e-7);
    const u = cluster(3000);
    const v = cluster(3000);
    u[0] = 0;
    v[0] = 1;
    expect(wassersteinDistance(u, v)).toBe(reference(u, v));
  });

  it('is 0 for all-equal values, −0 and +0 included', () => {
    expect(wassersteinDistance(new Float64Array(5000).fill(2.5), new Float64Array(3000).fill(2.5))).toBe(0);
    const zeros = sample(4000, () => (rnd() < 0.5 ? -0 : 0));
    expect(
      wassersteinDistance(
        zeros,
        sample(3000, () => (rnd() < 0.5 ? 0 : -0)),
      ),
    ).toBe(0);
  });

  it('mixes −0 and +0 with other values like the sorted walk', () => {
    const u = sample(6000, () => (rnd() < 0.4 ? (rnd() < 0.5 ? -0 : 0) : normal()));
    const v = sample(5000, () => (rnd() < 0.2 ? -0 : normal() + 0.1));
    expect(wassersteinDistance(u, v)).toBe(reference(u, v));
  });

  it('takes the sorted path for ±Infinity, with the same result, and gives NaN for a NaN', () => {
    const u = sample(4000, normal);
    const withInf = Float64Array.of(...sample(3999, normal), Number.POSITIVE_INFINITY);
    expect(wassersteinDistance(u, withInf)).toBe(reference(u, withInf));
    const withNegInf = Float64Array.of(Number.NEGATIVE_INFINITY, ...sample(3999, normal));
    expect(wassersteinDistance(withNegInf, u)).toBe(reference(withNegInf, u));
    const withNaN = Float64Array.of(...sample(2000, normal), Number.NaN, ...sample(1999, normal));
    expect(wassersteinDistance(u, withNaN)).toBeNaN();
    expect(wassersteinDistance(withNaN, u)).toBeNaN();
    expect(wassersteinDistance(u, new Float64Array(3000).fill(Number.NaN))).toBeNaN();
  });

  it('does not mutate its inputs, takes plain arrays, and gives the documented small values', () => {
    const u = sample(5000, normal);
    const v = sample(5000, () => normal() * 2);
    const copies = [u.slice(), v.slice()];
    wassersteinDistance(u, v);
    expect([u, v]).toEqual(copies);
    expect(wassersteinDistance(Array.from(u), Array.from(v))).toBe(reference(u, v));
    expect(wassersteinDistance([0, 1, 3], [5, 6, 8])).toBe(5);
  });

  it('gives the same value when called again with smaller inputs (reused work arrays)', () => {
    const big = [sample(40000, normal), sample(40000, normal)] as const;
    const small = [sample(3000, () => rnd() * 10), sample(2500, () => rnd() * 11)] as const;
    const expected = reference(small[0], small[1]);
    wassersteinDistance(big[0], big[1]);
    expect(wassersteinDistance(small[0], small[1])).toBe(expected);
  });

  it('throws DriftInputError when a side is empty', () => {
    expect(() => wassersteinDistance([], [1])).toThrow(DriftInputError);
    expect(() => wassersteinDistance(new Float64Array(5000), [])).toThrow(DriftInputError);
  });
});
