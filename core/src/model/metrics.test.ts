// Classification metrics against scipy reference values (fixtures/generate.py).
import { describe, expect, it } from 'vitest';
import fixtures from './fixtures/metrics.json';
import { classificationMetrics, logLoss, rocAuc } from './metrics';

describe('classification metrics against scipy (fixtures/generate.py)', () => {
  for (const c of fixtures.cases) {
    it(`${c.name}: every metric matches`, () => {
      const m = classificationMetrics(c.labels, c.probabilities);
      expect(m.roc_auc).toBeCloseTo(c.roc_auc, 12);
      expect(m.log_loss).toBeCloseTo(c.log_loss, 12);
      expect(m.brier).toBeCloseTo(c.brier, 12);
      expect(m.accuracy).toBe(c.accuracy);
      expect(m.precision).toBeCloseTo(c.precision, 12);
      expect(m.recall).toBeCloseTo(c.recall, 12);
      expect(m.rows).toBe(c.labels.length);
    });
  }

  it('gives the documented example', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
  });

  it('is NaN when only one class is present, and clips log loss at certainty', () => {
    expect(rocAuc([1, 1], [0.2, 0.3])).toBeNaN();
    expect(logLoss([1, 0], [0, 1])).toBeCloseTo(-(Math.log(1e-15) + Math.log(1 - (1 - 1e-15))) / 2, 12);
  });
});
