// Lite kernel Flatten: [d0..dn] → 2-D at `axis`, data shared.
import { attr, type KernelBuilder, normaliseAxis, refuseAttributes, size } from './kernel';

/** Flatten: `[d0..dn]` → `[d0*..*d(axis-1), d(axis)*..*dn]`, data shared. */
export const flatten: KernelBuilder = (ctx) => {
  const { node } = ctx;
  refuseAttributes(node, ['axis']);
  const axisAttr = attr(node, 'axis', 'int') ?? 1;
  const x = ctx.input(0);
  const y = ctx.output(0);
  return (slots) => {
    const v = slots[x]!;
    const axis = normaliseAxis(axisAttr, v.dims.length, v.dims.length, node);
    slots[y] = { data: v.data, dims: [size(v.dims.slice(0, axis)), size(v.dims.slice(axis))] };
  };
};
