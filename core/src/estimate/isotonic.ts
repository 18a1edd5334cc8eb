// scikit-learn's IsotonicRegression(out_of_bounds='clip', increasing=True) as NannyML's IsotonicCalibrator uses
// it (sklearn 1.2 isotonic.py + _isotonic.pyx): sort by (x, y), pool equal x (within float64 resolution 1e-15)
// into weighted means, pool adjacent violators, drop interior points equal to both neighbours, then predict by
// clipping to [min x, max x] and interpolating linearly (numpy.interp, which scipy's interp1d delegates to).

export interface IsotonicFit {
  /** Increasing thresholds of x and the fitted values there. */
  readonly x: readonly number[];
  readonly y: readonly number[];
}

/** sklearn `_inplace_contiguous_isotonic_regression`: pool adjacent violators with unit-or-given weights. */
function pava(y: Float64Array, w: Float64Array): void {
  const n = y.length;
  const target = new Int32Array(n);
  for (let i = 0; i < n; i++) target[i] = i;
  let i = 0;
  while (i < n) {
    let k = target[i]! + 1;
    if (k === n) break;
    if (y[i]! < y[k]!) {
      i = k;
      continue;
    }
    let sumWy = w[i]! * y[i]!;
    let sumW = w[i]!;
    for (;;) {
      const prevY = y[k]!;
      sumWy += w[k]! * y[k]!;
      sumW += w[k]!;
      k = target[k]! + 1;
      if (k === n || prevY < y[k]!) {
        y[i] = sumWy / sumW;
        w[i] = sumW;
        target[i] = k - 1;
        target[k - 1] = i;
        if (i > 0) i = target[i - 1]!;
        break;
      }
    }
  }
  i = 0;
  while (i < n) {
    const k = target[i]! + 1;
    for (let j = i + 1; j < k; j++) y[j] = y[i]!;
    i = k;
  }
}

/**
 * The (x, y) pairs in numpy lexsort((y, x)) order. For 0/1 targets (always, in calibration) each class's scores
 * are sorted natively and merged, zeros first on equal x; other targets use a comparison sort of rows.
 */
function sortPairs(x: ArrayLike<number>, y: ArrayLike<number>): [Float64Array, Float64Array] {
  const n = x.length;
  const sx = new Float64Array(n);
  const sy = new Float64Array(n);
  let binary = true;
  for (let i = 0; i < n && binary; i++) binary = y[i] === 0 || y[i] === 1;
  if (!binary) {
    const order = Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => x[a]! - x[b]! || y[a]! - y[b]! || a - b,
    );
    for (let k = 0; k < n; k++) {
      sx[k] = x[order[k]!]!;
      sy[k] = y[order[k]!]!;
    }
    return [sx, sy];
  }
  let ones = 0;
  for (let i = 0; i < n; i++) ones += y[i]!;
  const xz = new Float64Array(n - ones);
  const xo = new Float64Array(ones);
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    if (y[i] === 1) xo[b++] = x[i]!;
    else xz[a++] = x[i]!;
  }
  xz.sort();
  xo.sort();
  for (let k = 0, a = 0, b = 0; k < n; k++) {
    if (b >= xo.length || (a < xz.length && xz[a]! <= xo[b]!)) sx[k] = xz[a++]!;
    else {
      sx[k] = xo[b++]!;
      sy[k] = 1;
    }
  }
  return [sx, sy];
}

const RESOLUTION = 1e-15; // np.finfo(np.float64).resolution

/**
 * Fits the isotonic calibrator of targets on scores.
 * @example predictIsotonic(fitIsotonic([0.1, 0.2, 0.3], [0, 1, 0]), [0.25]) // [0.5]
 */
export function fitIsotonic(x: ArrayLike<number>, y: ArrayLike<number>): IsotonicFit {
  const n = x.length;
  if (n === 0) throw new RangeError('isotonic regression needs at least one point');
  const [sx, sy] = sortPairs(x, y);
  const ux: number[] = [];
  const uy: number[] = [];
  const uw: number[] = [];
  let cx = sx[0]!;
  let cy = 0;
  let cw = 0;
  for (let j = 0; j < n; j++) {
    const xj = sx[j]!;
    if (xj - cx >= RESOLUTION) {
      ux.push(cx);
      uw.push(cw);
      uy.push(cy / cw);
      cx = xj;
      cw = 1;
      cy = sy[j]!;
    } else {
      cw += 1;
      cy += sy[j]!;
    }
  }
  ux.push(cx);
  uw.push(cw);
  uy.push(cy / cw);
  const fy = Float64Array.from(uy);
  pava(fy, Float64Array.from(uw));
  const keepX: number[] = [];
  const keepY: number[] = [];
  const m = fy.length;
  for (let i = 0; i < m; i++) {
    if (i === 0 || i === m - 1 || fy[i] !== fy[i - 1] || fy[i] !== fy[i + 1]) {
      keepX.push(ux[i]!);
      keepY.push(fy[i]!);
    }
  }
  return { x: keepX, y: keepY };
}

/** Calibrated values for `scores`: clipped to the fitted range, then numpy.interp over the thresholds. */
export function predictIsotonic(fit: IsotonicFit, scores: ArrayLike<number>): Float64Array {
  const { x, y } = fit;
  const n = scores.length;
  const out = new Float64Array(n);
  const last = x.length - 1;
  for (let i = 0; i < n; i++) {
    const t = Math.min(Math.max(scores[i]!, x[0]!), x[last]!);
    if (last === 0) {
      out[i] = y[0]!;
      continue;
    }
    if (t >= x[last]!) {
      out[i] = y[last]!;
      continue;
    }
    // largest j with x[j] <= t
    let lo = 0;
    let hi = last;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (x[mid]! <= t) lo = mid;
      else hi = mid;
    }
    const slope = (y[lo + 1]! - y[lo]!) / (x[lo + 1]! - x[lo]!);
    let v = slope * (t - x[lo]!) + y[lo]!;
    if (Number.isNaN(v)) {
      v = slope * (t - x[lo + 1]!) + y[lo + 1]!;
      if (Number.isNaN(v) && y[lo] === y[lo + 1]) v = y[lo]!;
    }
    out[i] = v;
  }
  return out;
}
