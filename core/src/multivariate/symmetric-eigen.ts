// Eigenvalues and eigenvectors of a small symmetric matrix by the cyclic Jacobi method (Jacobi 1846; rotations in
// Rutishauser's stable form as in Numerical Recipes §11.1, stopping rule of Demmel & Veselić 1992). Chosen over
// ml-matrix for Workers: ~1 KB minified against ~70 KB (18 KB gzip) for its EigenvalueDecomposition, with the high
// relative accuracy Jacobi is known for on the covariance matrices of a few dozen columns PCA needs here.

export interface SymmetricEigen {
  /** Eigenvalues in descending order. */
  readonly values: Float64Array;
  /** Row-major n×n; row i is the unit eigenvector of values[i]. */
  readonly vectors: Float64Array;
}

const EPS = 2 ** -52;

/**
 * Eigen-decomposition of the symmetric n×n matrix `a` (row-major; only its symmetric part is meaningful).
 * `symmetricEigen(Float64Array.of(2, 1, 1, 2), 2).values` → [3, 1].
 */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  if (a.length !== n * n) throw new Error(`symmetricEigen: expected ${n * n} entries, got ${a.length}`);
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (apq === 0) continue;
        const app = m[p * n + p]!;
        const aqq = m[q * n + q]!;
        // negligible against the diagonal: the rotation would not change any entry by more than rounding
        if (
          Math.abs(apq) <= EPS * Math.sqrt(Math.abs(app * aqq)) ||
          Math.abs(apq) < Number.MIN_VALUE * 1e10
        ) {
          m[p * n + q] = 0;
          m[q * n + p] = 0;
          continue;
        }
        rotated = true;
        const theta = (aqq - app) / (2 * apq);
        const t =
          Math.abs(theta) > 1e150
            ? 1 / (2 * theta)
            : Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        const tau = s / (1 + c);
        m[p * n + p] = app - t * apq;
        m[q * n + q] = aqq + t * apq;
        m[p * n + q] = 0;
        m[q * n + p] = 0;
        for (let r = 0; r < n; r++) {
          if (r !== p && r !== q) {
            const arp = m[r * n + p]!;
            const arq = m[r * n + q]!;
            const np = arp - s * (arq + tau * arp);
            const nq = arq + s * (arp - tau * arq);
            m[r * n + p] = np;
            m[p * n + r] = np;
            m[r * n + q] = nq;
            m[q * n + r] = nq;
          }
          const vrp = v[r * n + p]!;
          const vrq = v[r * n + q]!;
          v[r * n + p] = vrp - s * (vrq + tau * vrp);
          v[r * n + q] = vrq + s * (vrp - tau * vrq);
        }
      }
    }
    if (!rotated) break;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[j * n + j]! - m[i * n + i]! || i - j);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((col, row) => {
    values[row] = m[col * n + col]!;
    for (let r = 0; r < n; r++) vectors[row * n + r] = v[r * n + col]!;
  });
  return { values, vectors };
}
