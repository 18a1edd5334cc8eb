// Lite kernel ai.onnx.ml Normalizer: each row divided by its MAX, L1 or L2 norm.
import { OnnxModelError } from '../errors';
import { attr, floats, fround, type KernelBuilder, refuseAttributes } from './kernel';

/**
 * Normalizer over the last axis of a `[N, C]` (or `[C]`) float tensor, as ONNX Runtime: MAX divides by the
 * row's largest value, L1 by the sum of absolute values, L2 by the square root of the sum of squares.
 * Example: L1 of [1, 3] → [0.25, 0.75].
 */
export const normalizer: KernelBuilder = (ctx) => {
  const { node } = ctx;
  refuseAttributes(node, ['norm']);
  const norm = attr(node, 'norm', 'string') ?? 'MAX';
  if (!['MAX', 'L1', 'L2'].includes(norm))
    throw new OnnxModelError(`Normalizer "${node.name}": norm ${norm} is not MAX, L1 or L2`);
  const x = ctx.input(0);
  const y = ctx.output(0);
  return (slots) => {
    const v = slots[x]!;
    const a = floats(v, node);
    const width = v.dims.length <= 1 ? a.length : v.dims[v.dims.length - 1]!;
    const out = new Float32Array(a.length);
    for (let start = 0; start < a.length; start += width) {
      let d = norm === 'MAX' ? Number.NEGATIVE_INFINITY : 0;
      for (let j = 0; j < width; j++) {
        const value = a[start + j]!;
        if (norm === 'MAX') d = Math.max(d, value);
        else if (norm === 'L1') d += Math.abs(value);
        else d += value * value;
      }
      if (norm === 'L2') d = Math.sqrt(d);
      for (let j = 0; j < width; j++) out[start + j] = d === 0 ? a[start + j]! : fround(a[start + j]! / d);
    }
    slots[y] = { data: out, dims: v.dims };
  };
};
