// Empty, constant, tied and degenerate inputs of the CBPE building blocks, against values worked by hand.

import { describe, expect, it } from 'vitest';
import {
  aurocComponents,
  binIndexEdges,
  estimateRocAuc,
  fitIsotonic,
  needsCalibration,
  numpyArgsort,
  predictIsotonic,
  rocAuc,
  thresholdComponents,
} from './index';

describe('rocAuc', () => {
  it('shares ties by half, as the Mann–Whitney U', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
  });
  it('is NaN with one class', () => {
    expect(rocAuc([1, 1, 1], [0.1, 0.2, 0.3])).toBeNaN();
  });
});

describe('estimateRocAuc', () => {
  it('is 1 when calibrated probabilities separate perfectly along the score', () => {
    expect(estimateRocAuc([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1])).toBe(1);
  });
  it('is NaN when every expected outcome is positive (no expected false positives), as numpy gives', () => {
    expect(estimateRocAuc([1, 1, 1], [0.9, 0.5, 0.1])).toBeNaN();
  });
});

describe('numpyArgsort', () => {
  it('handles empty, single and all-equal inputs, NaN last', () => {
    expect(Array.from(numpyArgsort([]))).toEqual([]);
    expect(Array.from(numpyArgsort([5]))).toEqual([0]);
    expect(Array.from(numpyArgsort([2, 2, 2]))).toEqual([0, 1, 2]);
    expect(Array.from(numpyArgsort([Number.NaN, 1, 0]))).toEqual([2, 1, 0]);
  });
});

describe('isotonic calibration', () => {
  it('with one distinct score predicts the mean target everywhere', () => {
    const fit = fitIsotonic([0.3, 0.3, 0.3, 0.3], [1, 0, 0, 0]);
    expect(Array.from(predictIsotonic(fit, [0, 0.3, 1]))).toEqual([0.25, 0.25, 0.25]);
  });
  it('pools a decreasing run and interpolates between the pooled points', () => {
    // y = 1, 0 at x = 0.2, 0.4 pool to 0.5; the ends 0 and 1 stay
    const fit = fitIsotonic([0.1, 0.2, 0.4, 0.6], [0, 1, 0, 1]);
    expect(fit.x).toEqual([0.1, 0.2, 0.4, 0.6]);
    expect(fit.y).toEqual([0, 0.5, 0.5, 1]);
    expect(predictIsotonic(fit, [0.5])[0]).toBeCloseTo(0.75, 15);
  });
});

describe('calibration decision and bins', () => {
  it('declines with one class, and above an AUROC of 0.999', () => {
    expect(needsCalibration([1, 1, 1], [0.1, 0.2, 0.3]).reason).toBe('single class');
    const y = Array.from({ length: 100 }, (_, i) => (i < 50 ? 0 : 1));
    const s = y.map((t, i) => (t ? 0.6 : 0.1) + i / 1000);
    expect(needsCalibration(y, s).reason).toBe('auroc above 0.999');
  });
  it('uses fewer, wider bins for short vectors and lets the last bin absorb the rest', () => {
    expect(binIndexEdges(25, 10)).toHaveLength(12);
    expect(binIndexEdges(25, 10).at(-1)).toEqual([22, 25]);
    expect(() => binIndexEdges(3, 10)).toThrow(/minimum of 2 bins/);
  });
});

describe('sampling-error components', () => {
  it('accuracy: std of correctness, precision: of TP ones among predicted positives', () => {
    const y = [1, 0, 1, 1, 0, 0];
    const p = [1, 1, 1, 0, 0, 0];
    expect(thresholdComponents('accuracy', y, p)).toEqual({ std: Math.sqrt(2 / 9), fraction: 1 });
    const prec = thresholdComponents('precision', y, p);
    expect(prec.std).toBeCloseTo(Math.sqrt(2 / 9), 15);
    expect(prec.fraction).toBe(0.5);
  });
  it('AUROC flips targets and scores when positives are the majority', () => {
    const a = aurocComponents([1, 1, 0, 1], [0.9, 0.8, 0.1, 0.7]);
    const b = aurocComponents([0, 0, 1, 0], [0.1, 0.2, 0.9, 0.3]);
    expect(a).toEqual(b);
    expect(a.fraction).toBe(0.25);
  });
});
