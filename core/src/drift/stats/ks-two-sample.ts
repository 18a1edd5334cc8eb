// The two-sample Kolmogorov–Smirnov test: statistic and two-sided p-value as scipy `ks_2samp(a, b, method='auto')`.

import { wasmDriftKernels } from '../kernels/active-kernels';
import { DriftInputError } from './drift-input-error';
import { kolmogorovNSf } from './kolmogorov-n';
import { sortFloat64 } from './sort-float64';

/** scipy's 'auto' mode is exact when max(n1, n2) ≤ this, asymptotic above. */
export const KS_MAX_EXACT_N = 10000;

export interface KsTwoSampleResult {
  /** D = sup |F₁ − F₂|; in exact mode rounded to h/lcm(n1, n2) as scipy reports it. */
  readonly statistic: number;
  readonly pValue: number;
  readonly method: 'exact' | 'asymp';
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** numpy's round-half-to-even for the non-negative values used here. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Pr(D_{n,n} ≥ h/n) for two samples of equal size n: 2 Σ_k (−1)^(k+1) C(2n, n − kh) / C(2n, n), evaluated
 * Horner-style without cancellation (scipy `_compute_prob_outside_square`).
 * @example ksProbOutsideSquare(5, 3) // 0.35714285714285715
 */
export function ksProbOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * Pr(D_{m,n} ≥ h/lcm(m, n)): the share of lattice paths from (0,0) to (m,n) that leave the band
 * |x/m − y/n| < h/lcm, computed directly as 1 − p by Viehmann's recursion (arXiv:2102.08037; Hodges 1958),
 * scipy `_compute_outer_prob_inside_method`.
 * @example ksOuterProbInside(5, 3, 1, 11) // 0.14285714285714288
 */
export function ksOuterProbInside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, Math.min(lenA, maxj - minj + (lastlen - curlen)));
  }
  return A[maxj - minj - 1]!;
}

/**
 * D = sup_x |F₁(x) − F₂(x)| of two ascending-sorted samples (one merge walk; ties handled as scipy's
 * searchsorted(side="right")).
 */
function ksStatisticSorted(a: Float64Array, b: Float64Array): number {
  const kernels = wasmDriftKernels();
  // In WebAssembly about 1.5× faster at 10⁶ + 10⁶ values, copies included (the same operations in order).
  return kernels && a.length + b.length >= 8192 ? kernels.ksStatisticSorted(a, b) : ksStatisticSortedTs(a, b);
}

/** `ksStatisticSorted` in TypeScript (the fallback, and the reference the WebAssembly kernel is tested against). */
export function ksStatisticSortedTs(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let maxS = Number.NEGATIVE_INFINITY;
  let minS = Number.POSITIVE_INFINITY;
  while (i < n1 || j < n2) {
    const x = i === n1 ? b[j]! : j === n2 ? a[i]! : Math.min(a[i]!, b[j]!);
    while (i < n1 && a[i]! <= x) i++;
    while (j < n2 && b[j]! <= x) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minS) minS = diff;
  }
  const negMin = Math.min(Math.max(-minS, 0), 1);
  return Math.max(negMin, maxS);
}

/**
 * The two-sample KS test on ascending-sorted samples, two-sided (scipy `ks_2samp(a, b, method='auto')`):
 * exact null distribution when max(n1, n2) ≤ 10000 (falling back to asymptotic if the exact value is not a
 * probability), else kstwo.sf(D, round(n1·n2/(n1+n2))). Throws DriftInputError on an empty side.
 * @example ksTwoSampleSorted(new Float64Array([1, 2, 3]), new Float64Array([4, 5, 6])).pValue // 0.09999999999999999
 */
export function ksTwoSampleSorted(a: Float64Array, b: Float64Array): KsTwoSampleResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new DriftInputError('the KS test needs a non-empty sample on each side');
  return ksFromStatistic(ksStatisticSorted(a, b), n1, n2);
}

/**
 * The two-sided p-value of a KS statistic `d` for samples of sizes n1 and n2, as `ks_2samp(method='auto')`
 * turns its statistic into one (exact up to 10000 values per side, else asymptotic). Used directly when
 * the statistic is only known to lie in a range (drift from binned profiles).
 */
export function ksFromStatistic(statistic: number, n1: number, n2: number): KsTwoSampleResult {
  let d = statistic;
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    const dExact = h / lcm;
    if (h === 0) return { statistic: dExact, pValue: 1, method: 'exact' };
    const prob = n1 === n2 ? ksProbOutsideSquare(n1, h) : ksOuterProbInside(n1, n2, g, h);
    d = dExact;
    if (prob >= 0 && prob <= 1) return { statistic: d, pValue: prob, method: 'exact' };
  }
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  const p = kolmogorovNSf(roundHalfEven(en), d);
  return { statistic: d, pValue: Math.min(Math.max(p, 0), 1), method: 'asymp' };
}

/**
 * The two-sample KS test on unsorted samples (sorts copies with `sortFloat64`, then `ksTwoSampleSorted`).
 * @example ksTwoSample([1, 2, 3], [4, 5, 6]).pValue // 0.09999999999999999
 */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>): KsTwoSampleResult {
  return ksTwoSampleSorted(sortFloat64(a), sortFloat64(b));
}
