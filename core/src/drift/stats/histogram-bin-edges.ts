// Equal-width histogram bin edges by the Sturges rule, and histogram counts against edges, as numpy.

import { wasmDriftKernels } from '../kernels/active-kernels';
import { DriftInputError } from './drift-input-error';

/**
 * Bin edges over the combined range of `a` and `b` with Sturges' rule, exactly
 * `np.histogram_bin_edges(np.concatenate([a, b]), bins='sturges')`: width = ptp / (log₂ n + 1),
 * ⌈ptp / width⌉ bins (1 when every value is equal, over [v − 0.5, v + 0.5]), edges by `np.linspace`
 * (start + i·step, the last edge exactly the maximum). Throws DriftInputError when both are empty.
 * @example sturgesBinEdges([0, 1, 2], [3]) // Float64Array [0, 1, 2, 3]
 */
export function sturgesBinEdges(a: ArrayLike<number>, b: ArrayLike<number> = []): Float64Array {
  const n = a.length + b.length;
  if (n === 0) throw new DriftInputError('histogram bin edges need at least one value');
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const side of [a, b]) {
    for (let i = 0; i < side.length; i++) {
      const v = side[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const ptp = max - min;
  const width = ptp / (Math.log2(n) + 1);
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const bins = width ? Math.ceil((last - first) / width) : 1;
  return linspace(first, last, bins + 1);
}

/** `np.linspace(start, stop, num)` with endpoint: start + i·(stop − start)/(num − 1), the last exactly stop. */
function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const div = num - 1;
  const delta = stop - start;
  const step = delta / div;
  for (let i = 0; i < num; i++) out[i] = step === 0 ? (i / div) * delta + start : i * step + start;
  out[num - 1] = stop;
  return out;
}

/** Below this many values the copy into WebAssembly memory is not worth it. */
const WASM_MIN = 4096;

/**
 * Counts of `values` in the bins given by ascending `edges`, as `np.histogram(values, bins=edges)[0]`: bin i holds
 * edges[i] ≤ x < edges[i+1], the last bin also holds x = edges[last]; values outside are not counted.
 * Like numpy's equal-width path the bin index is first computed arithmetically, then corrected against the
 * edges, so a value on an edge lands exactly where the comparison puts it.
 * @example histogramCounts([0, 0.5, 1, 2, 3], new Float64Array([0, 1, 2, 3])) // Float64Array [2, 1, 2]
 */
export function histogramCounts(values: ArrayLike<number>, edges: Float64Array): Float64Array {
  const kernels = wasmDriftKernels();
  // In WebAssembly about 2× faster at 10⁶ values, copies included (same counts).
  if (kernels && values.length >= WASM_MIN) return kernels.histogramCounts(values, edges);
  return histogramCountsTs(values, edges);
}

/** `histogramCounts` in TypeScript (the fallback, and the reference the WebAssembly kernel is tested against). */
export function histogramCountsTs(values: ArrayLike<number>, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const counts = new Float64Array(Math.max(bins, 0));
  if (bins < 1) return counts;
  const first = edges[0]!;
  const last = edges[bins]!;
  const norm = bins / (last - first);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!(x >= first && x <= last)) continue;
    let k = Math.floor((x - first) * norm);
    if (k >= bins) k = bins - 1;
    if (k < 0) k = 0;
    while (k > 0 && x < edges[k]!) k--;
    while (k < bins - 1 && x >= edges[k + 1]!) k++;
    counts[k]!++;
  }
  return counts;
}
