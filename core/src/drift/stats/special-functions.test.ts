// Special functions against scipy.special / scipy.stats values from fixtures/generate.py.

import { describe, expect, it } from 'vitest';
import raw from '../fixtures/drift-methods.json';
import { closeAbs, closeRel, type Fixtures, num } from '../fixtures/fixture-support';
import { erf, erfc, ndtr } from './erfc';
import { chiSquareSf, gammaincP, gammaincQ } from './gamma-incomplete';
import { kolmogorovNSf } from './kolmogorov-n';
import { ksOuterProbInside, ksProbOutsideSquare } from './ks-two-sample';
import { logGamma } from './log-gamma';
import { smirnov } from './smirnov';

const { special } = raw as unknown as Fixtures;

function failures<T extends unknown[]>(rows: T[], check: (row: T) => boolean): T[] {
  return rows.filter((row) => !check(row));
}

describe('erf, erfc, ndtr (Cephes) against scipy.special', () => {
  it('erfc to 1e-14 relative, including the far tails', () => {
    expect(failures(special.erfc, ([x, e]) => closeRel(erfc(x), num(e), 1e-14))).toEqual([]);
  });
  it('erf to 1e-14 relative', () => {
    expect(failures(special.erf, ([x, e]) => closeRel(erf(x), num(e), 1e-14))).toEqual([]);
  });
  it('ndtr to 1e-14 relative down to Φ(−38)', () => {
    expect(failures(special.ndtr, ([x, e]) => closeRel(ndtr(x), num(e), 1e-14))).toEqual([]);
  });
  it('NaN in, NaN out', () => {
    expect(erfc(Number.NaN)).toBeNaN();
    expect(ndtr(Number.NaN)).toBeNaN();
  });
});

describe('log-gamma and the regularized incomplete gamma against scipy.special', () => {
  it('gammaln to 1e-13 relative', () => {
    expect(failures(special.gammaln, ([x, e]) => closeRel(logGamma(x), num(e), 1e-13))).toEqual([]);
  });
  // The e^(−x) x^a / Γ(a) prefactor is formed in log space: at a = 2000 that costs ~1e-12 relative
  // (Cephes switches to Temme's expansion there); p-values need only 1e-6 absolute.
  it('gammaincc and gammainc to 1e-11 relative (or 1e-15 absolute)', () => {
    const bad = failures(special.gammainc, ([a, x, q, p]) => {
      const okQ = closeRel(gammaincQ(a, x), num(q), 1e-11) || closeAbs(gammaincQ(a, x), num(q), 1e-15);
      const okP = closeRel(gammaincP(a, x), num(p), 1e-11) || closeAbs(gammaincP(a, x), num(p), 1e-15);
      return okQ && okP;
    });
    expect(bad).toEqual([]);
  });
  it('chi2.sf to 1e-12 relative', () => {
    expect(failures(special.chi2sf, ([x, df, e]) => closeRel(chiSquareSf(x, df), num(e), 1e-12))).toEqual([]);
  });
  it('edge values: Q(a, 0) = 1, Q(a, ∞) = 0, df = 0 is NaN', () => {
    expect(gammaincQ(3, 0)).toBe(1);
    expect(gammaincQ(3, Number.POSITIVE_INFINITY)).toBe(0);
    expect(chiSquareSf(Number.POSITIVE_INFINITY, 4)).toBe(0);
    expect(chiSquareSf(1, 0)).toBeNaN();
  });
});

describe('Kolmogorov distribution pieces against scipy', () => {
  it('kstwo.sf(x, n) over every algorithm branch to 1e-9 absolute', () => {
    const bad = failures(special.kolmogn, ([n, x, e]) => closeAbs(kolmogorovNSf(n, x), num(e), 1e-9));
    expect(bad).toEqual([]);
  });
  it('kstwo.sf(x, n) to 1e-9 relative where the p-value is not tiny', () => {
    const bad = failures(
      special.kolmogn,
      ([n, x, e]) => num(e) < 1e-6 || closeRel(kolmogorovNSf(n, x), num(e), 1e-9),
    );
    expect(bad).toEqual([]);
  });
  it('smirnov(n, x) to 1e-10 relative (or 1e-15 absolute)', () => {
    const bad = failures(
      special.smirnov,
      ([n, x, e]) => closeRel(smirnov(n, x), num(e), 1e-10) || closeAbs(smirnov(n, x), num(e), 1e-15),
    );
    expect(bad).toEqual([]);
  });
  it('exact two-sample null probabilities (equal and unequal sizes) to 1e-12 relative', () => {
    expect(
      failures(special.probOutsideSquare, ([n, h, e]) => closeRel(ksProbOutsideSquare(n, h), num(e), 1e-12)),
    ).toEqual([]);
    expect(
      failures(special.outerProbInside, ([m, n, g, h, e]) =>
        closeRel(ksOuterProbInside(m, n, g, h), num(e), 1e-12),
      ),
    ).toEqual([]);
  });
});
