// Lite kernel Concat of float tensors along an axis.
import { OnnxModelError } from '../errors';
import { attr, floats, type KernelBuilder, normaliseAxis, refuseAttributes, size } from './kernel';

/** Concat of float tensors along `axis` (negative counts from the end). */
export const concat: KernelBuilder = (ctx) => {
  const { node } = ctx;
  refuseAttributes(node, ['axis']);
  const axisAttr = attr(node, 'axis', 'int');
  if (axisAttr === undefined) throw new OnnxModelError(`Concat "${node.name}": attribute axis is required`);
  const xs = node.inputs.map((_, i) => ctx.input(i));
  const y = ctx.output(0);
  return (slots) => {
    const vs = xs.map((s) => slots[s]!);
    const first = vs[0]!;
    const rank = first.dims.length;
    const axis = normaliseAxis(axisAttr, rank, rank - 1, node);
    const outer = size(first.dims.slice(0, axis));
    const inners = vs.map((v) => {
      if (v.dims.length !== rank || v.dims.some((d, i) => i !== axis && d !== first.dims[i]))
        throw new OnnxModelError(
          `Concat "${node.name}": input shapes [${first.dims}] and [${v.dims}] do not match`,
        );
      return size(v.dims.slice(axis));
    });
    let width = 0;
    for (const w of inners) width += w;
    const out = new Float32Array(outer * width);
    let at = 0;
    vs.forEach((v, j) => {
      const a = floats(v, node);
      const inner = inners[j]!;
      // A plain loop beats subarray()+set() for the narrow blocks pmm concatenates (1-4 floats a row).
      for (let o = 0; o < outer; o++) {
        const from = o * inner;
        const to = o * width + at;
        for (let i = 0; i < inner; i++) out[to + i] = a[from + i]!;
      }
      at += inner;
    });
    const dims = [...first.dims];
    dims[axis] = vs.reduce((n, v) => n + v.dims[axis]!, 0);
    slots[y] = { data: out, dims };
  };
};
