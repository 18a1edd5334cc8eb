// Benjamini–Hochberg adjusted p-values (false discovery rate control across a report's columns).

/**
 * BH-adjusted p-values, order preserved (as `scipy.stats.false_discovery_control(ps, method='bh')`):
 * sort ascending, pᵢ·m/i, running minimum from the largest down, clip to [0, 1], unsort.
 * Benjamini & Hochberg (1995), JRSS B 57(1). NaN entries (untestable columns) stay NaN and are not counted in m.
 * @example benjaminiHochberg([0.5, 0.6, 0.1, 0.001]) // Float64Array [0.6, 0.6, 0.2, 0.004]
 */
export function benjaminiHochberg(pValues: ArrayLike<number>): Float64Array {
  const out = new Float64Array(pValues.length).fill(Number.NaN);
  const order: number[] = [];
  for (let i = 0; i < pValues.length; i++) if (!Number.isNaN(pValues[i]!)) order.push(i);
  order.sort((a, b) => pValues[a]! - pValues[b]! || a - b);
  const m = order.length;
  let running = Number.POSITIVE_INFINITY;
  for (let r = m - 1; r >= 0; r--) {
    const idx = order[r]!;
    const adjusted = pValues[idx]! * (m / (r + 1));
    if (adjusted < running) running = adjusted;
    out[idx] = Math.min(Math.max(running, 0), 1);
  }
  return out;
}
