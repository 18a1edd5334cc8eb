// The stratified split and the seeded PRNG.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from './rng';
import { stratifiedSplit } from './split';

describe('stratifiedSplit', () => {
  const labels = Uint8Array.from({ length: 1000 }, (_, i) => (i % 4 === 0 ? 1 : 0));

  it('keeps each class share in the holdout and partitions all rows', () => {
    const { train, holdout } = stratifiedSplit(labels, 0.2, 0);
    expect(train.length + holdout.length).toBe(1000);
    expect(new Set([...train, ...holdout]).size).toBe(1000);
    expect(holdout.length).toBe(200);
    expect(Array.from(holdout).filter((i) => labels[i] === 1).length).toBe(50);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    expect(stratifiedSplit(labels, 0.2, 3).holdout).toEqual(stratifiedSplit(labels, 0.2, 3).holdout);
    expect(stratifiedSplit(labels, 0.2, 3).holdout).not.toEqual(stratifiedSplit(labels, 0.2, 4).holdout);
  });

  it('rejects a share outside (0, 1)', () => {
    expect(() => stratifiedSplit(labels, 1, 0)).toThrow(RangeError);
  });

  it('mulberry32 gives its documented first value', () => {
    expect(mulberry32(1)()).toBe(0.6270739405881613);
  });
});
