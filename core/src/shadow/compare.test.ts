import { describe, expect, it } from 'vitest';
import { fitCbpe } from '../estimate/cbpe';
import { compareShadow, ShadowInputError } from './compare';
import { renderShadowHtml } from './render-html';

/** ROC AUC by counting pairs (ties count half): independent of the library's sort-based one. */
function pairAuc(targets: number[], scores: number[]): number {
  let wins = 0;
  let pairs = 0;
  targets.forEach((ti, i) => {
    if (ti !== 1) return;
    targets.forEach((tj, j) => {
      if (tj !== 0) return;
      pairs++;
      wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

describe('shadow comparison', () => {
  const production = [0.1, 0.4, 0.6, 0.9, 0.55, 0.2];
  const challenger = [0.2, 0.6, 0.5, 0.95, 0.7, 0.1];
  const targets = [0, 1, 0, 1, null, Number.NaN];

  it('counts agreement and flips at the threshold', () => {
    const c = compareShadow({ production, challenger, targets });
    // labels: prod 0,0,1,1,1,0 · chal 0,1,1,1,1,0 → rows 1 flips to positive; nothing flips to negative
    expect(c.agreement).toBeCloseTo(5 / 6, 15);
    expect(c.flips).toEqual({ to_positive: 1, to_negative: 0 });
    expect(c.labelled_rows).toBe(4);
    expect(c.score_difference.mean).toBeCloseTo((0.1 + 0.2 - 0.1 + 0.05 + 0.15 - 0.1) / 6, 12);
    expect(c.score_difference.max_absolute).toBeCloseTo(0.2, 12);
    expect(c.score_difference.histogram.counts.reduce((a, b) => a + b, 0)).toBe(6);
    expect(c.production.positive_share).toBeCloseTo(0.5, 15);
    expect(c.challenger.positive_share).toBeCloseTo(4 / 6, 15);
  });

  it('gives realized metrics on the labelled rows only', () => {
    const c = compareShadow({ production, challenger, targets });
    expect(c.production.realized?.roc_auc).toBeCloseTo(pairAuc([0, 1, 0, 1], [0.1, 0.4, 0.6, 0.9]), 12);
    expect(c.challenger.realized?.roc_auc).toBeCloseTo(pairAuc([0, 1, 0, 1], [0.2, 0.6, 0.5, 0.95]), 12);
    // challenger labels on labelled rows: 0,1,1,1 against 0,1,0,1 → 3 of 4 right
    expect(c.challenger.realized?.accuracy).toBeCloseTo(0.75, 12);
    expect(compareShadow({ production, challenger }).production.realized).toBeNull();
  });

  it('estimates both models without labels when each has a CBPE fit', () => {
    let seed = 7;
    const r = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const ref = Array.from({ length: 4000 }, () => r());
    const refTargets = ref.map((s) => (r() < s ? 1 : 0));
    const fit = fitCbpe({
      scores: ref,
      targets: refTargets,
      predictions: ref.map((s) => (s >= 0.5 ? 1 : 0)),
    });
    const prod = Array.from({ length: 2000 }, () => r());
    const chal = prod.map((s) => Math.min(1, s * 0.9 + 0.05));
    const c = compareShadow({ production: prod, challenger: chal, productionFit: fit, challengerFit: fit });
    expect(c.production.estimated?.roc_auc).toBeGreaterThan(0.7);
    expect(c.challenger.estimated?.roc_auc).toBeGreaterThan(0.7);
    expect(c.score_drift.ks_p_value).toBeLessThan(0.05);
    expect(c.score_drift.wasserstein).toBeGreaterThan(0);
  });

  it('refuses mismatched or invalid scores with a message', () => {
    expect(() => compareShadow({ production: [0.1], challenger: [0.1, 0.2] })).toThrow(ShadowInputError);
    expect(() => compareShadow({ production: [0.1], challenger: [1.5] })).toThrow(
      /challenger score of row 0/,
    );
    expect(() => compareShadow({ production: [], challenger: [] })).toThrow(/no rows/);
  });

  it('renders a self-contained page', () => {
    const html = renderShadowHtml(compareShadow({ production, challenger, targets }), {
      production: 'churn-1 <prod>',
      challenger: 'churn-2',
    });
    expect(html).toContain('83.3%');
    expect(html).toContain('churn-1 &lt;prod&gt;');
    expect(html).not.toMatch(/<script|https?:\/\//);
  });
});
