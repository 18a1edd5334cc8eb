// The regularized incomplete gamma functions P(a, x) and Q(a, x) = 1 − P(a, x) (chi-square tail probabilities).

import { logGamma } from './log-gamma';

const EPS = 1.1102230246251565e-16;
const MAX_ITER = 100_000;
const BIG = 4503599627370496; // 2^52, Cephes's rescaling threshold for the continued fraction
const BIGINV = 2.220446049250313e-16;

/** ln(x^a e^-x / Γ(a)), the common prefactor of both expansions. */
function logPrefactor(a: number, x: number): number {
  return a * Math.log(x) - x - logGamma(a);
}

/** P(a, x) by its power series x^a e^-x / Γ(a+1) · Σ x^n / ((a+1)…(a+n)) (Cephes igam). */
function lowerSeries(a: number, x: number): number {
  let r = a;
  let c = 1;
  let ans = 1;
  for (let i = 0; i < MAX_ITER; i++) {
    r += 1;
    c *= x / r;
    ans += c;
    if (c <= ans * EPS) break;
  }
  return (Math.exp(logPrefactor(a, x)) * ans) / a;
}

/** Q(a, x) by its continued fraction (Cephes igamc, Legendre's fraction evaluated with rescaled convergents). */
function upperContinuedFraction(a: number, x: number): number {
  let y = 1 - a;
  let z = x + y + 1;
  let c = 0;
  let pkm2 = 1;
  let qkm2 = x;
  let pkm1 = x + 1;
  let qkm1 = z * x;
  let ans = pkm1 / qkm1;
  for (let i = 0; i < MAX_ITER; i++) {
    c += 1;
    y += 1;
    z += 2;
    const yc = y * c;
    const pk = pkm1 * z - pkm2 * yc;
    const qk = qkm1 * z - qkm2 * yc;
    let t = 1;
    if (qk !== 0) {
      const r = pk / qk;
      t = Math.abs((ans - r) / r);
      ans = r;
    }
    pkm2 = pkm1;
    pkm1 = pk;
    qkm2 = qkm1;
    qkm1 = qk;
    if (Math.abs(pk) > BIG) {
      pkm2 *= BIGINV;
      pkm1 *= BIGINV;
      qkm2 *= BIGINV;
      qkm1 *= BIGINV;
    }
    if (t <= EPS) break;
  }
  return ans * Math.exp(logPrefactor(a, x));
}

/**
 * The regularized lower incomplete gamma P(a, x) = γ(a, x)/Γ(a) (as `scipy.special.gammainc`).
 * Series for x < a + 1, continued fraction otherwise (Numerical Recipes §6.2; Cephes igam).
 * @example gammaincP(2, 1) // 0.2642411176571153
 */
export function gammaincP(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a < 0 || x < 0) return Number.NaN;
  if (a === 0) return x > 0 ? 1 : Number.NaN;
  if (x === 0) return 0;
  if (x === Number.POSITIVE_INFINITY) return 1;
  if (x > 1 && x > a) return 1 - upperContinuedFraction(a, x);
  return lowerSeries(a, x);
}

/**
 * The regularized upper incomplete gamma Q(a, x) = Γ(a, x)/Γ(a) (as `scipy.special.gammaincc`, Cephes igamc).
 * Continued fraction for x > max(1, a), else 1 − series; the chi-square survival function is Q(k/2, χ²/2).
 * @example gammaincQ(2, 1) // 0.7357588823428847
 */
export function gammaincQ(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a < 0 || x < 0) return Number.NaN;
  if (a === 0) return x > 0 ? 0 : Number.NaN;
  if (x === 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  if (x < 1 || x < a) return 1 - lowerSeries(a, x);
  return upperContinuedFraction(a, x);
}

/**
 * The chi-square survival function Pr(X ≥ x) for `df` degrees of freedom, Q(df/2, x/2) (`scipy.stats.chi2.sf`).
 * NaN when df ≤ 0, as scipy.
 * @example chiSquareSf(3.84, 1) // 0.05004352124870519
 */
export function chiSquareSf(x: number, df: number): number {
  if (!(df > 0) || Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 1;
  return gammaincQ(df / 2, x / 2);
}
