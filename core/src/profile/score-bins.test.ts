// estimateFromScoreBins against core's row-expanding estimateFromProfile on the same score profiles.
import { describe, expect, it } from 'vitest';
import { fitCbpe } from '../estimate/cbpe';
import { mulberry32 } from '../model/rng';
import { estimateFromProfile } from './estimate';
import type { ScoreProfile } from './profile';
import { estimateFromScoreBins } from './score-bins';

/** mulberry32 (core's seeded generator). */
const rng = mulberry32;

function scoreProfile(n: number, r: () => number, labelShare: number, skew: number): ScoreProfile {
  const bins = 1000;
  const p: ScoreProfile = {
    bins,
    counts: new Array(bins).fill(0),
    score_sum: new Array(bins).fill(0),
    labelled: new Array(bins).fill(0),
    positives: new Array(bins).fill(0),
  };
  for (let i = 0; i < n; i++) {
    const s = r() ** skew;
    const b = Math.min(bins - 1, Math.floor(s * bins));
    p.counts[b]! += 1;
    p.score_sum[b]! += s;
    if (r() < labelShare) {
      p.labelled[b]! += 1;
      if (r() < s * s) p.positives[b]! += 1;
    }
  }
  return p;
}

describe('estimateFromScoreBins', () => {
  // miscalibrated reference (targets ~ s²): CBPE fits an isotonic calibrator
  const r = rng(3);
  const scores = Float64Array.from({ length: 3000 }, () => r());
  const fit = fitCbpe({
    scores,
    predictions: scores.map((s) => (s >= 0.5 ? 1 : 0)),
    targets: scores.map((s) => (r() < s * s ? 1 : 0)),
  });

  it.each([
    ['labelled, shifted', 5000, 0.3, 1.5],
    ['no labels', 2000, 0, 1],
    ['few rows', 40, 1, 0.7],
  ])('equals estimateFromProfile (%s)', (_name, n, labelShare, skew) => {
    expect(fit.calibrated).toBe(true);
    const profile = scoreProfile(n, rng(n), labelShare, skew);
    const want = estimateFromProfile(fit, profile).metrics;
    const got = estimateFromScoreBins(fit, profile);
    expect(Object.keys(got)).toEqual(Object.keys(want));
    for (const [m, w] of Object.entries(want)) {
      const g = got[m as keyof typeof got]!;
      const digits = m === 'roc_auc' ? 6 : 10;
      for (const key of [
        'estimate',
        'sampling_error',
        'upper_band',
        'lower_band',
        'lower_threshold',
        'upper_threshold',
      ] as const)
        expect(g[key], `${m}.${key}`).toBeCloseTo(w![key], digits);
      if (Number.isNaN(w!.realized)) expect(g.realized).toBeNaN();
      else expect(g.realized, `${m}.realized`).toBeCloseTo(w!.realized, 12);
      expect(g.alert).toBe(w!.alert);
    }
  });

  it('refuses a profile without scored rows', () => {
    expect(() => estimateFromScoreBins(fit, null)).toThrow(/no scores/);
    expect(() => estimateFromScoreBins(fit, scoreProfile(0, rng(1), 0, 1))).toThrow(/no scored rows/);
  });
});
