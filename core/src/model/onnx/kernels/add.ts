// Lite kernel Add with numpy broadcasting.
import { OnnxModelError } from '../errors';
import type { OnnxNode } from '../read-onnx';
import { floats, type KernelBuilder, opLabel, refuseAttributes, size } from './kernel';

/** Numpy-style broadcast of two shapes. */
function broadcastDims(a: readonly number[], b: readonly number[], node: OnnxNode): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1)
      throw new OnnxModelError(`${opLabel(node)} "${node.name}": cannot broadcast [${a}] with [${b}]`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Element strides of `dims` inside a broadcast result of rank `rank` (0 along broadcast dimensions). */
function broadcastStrides(dims: readonly number[], rank: number): number[] {
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    strides[rank - dims.length + i] = dims[i] === 1 ? 0 : stride;
    stride *= dims[i]!;
  }
  return strides;
}

/** Add with numpy broadcasting; the float32 store rounds `a + b` once, as float addition does. */
export const add: KernelBuilder = (ctx) => {
  const { node } = ctx;
  refuseAttributes(node, []);
  const xa = ctx.input(0);
  const xb = ctx.input(1);
  const y = ctx.output(0);
  return (slots) => {
    const av = slots[xa]!;
    const bv = slots[xb]!;
    const a = floats(av, node, 'A');
    const b = floats(bv, node, 'B');
    const dims = broadcastDims(av.dims, bv.dims, node);
    const total = size(dims);
    const out = new Float32Array(total);
    if (a.length === total && b.length === total) {
      for (let i = 0; i < total; i++) out[i] = a[i]! + b[i]!;
    } else if (a.length === total && b.length === dims[dims.length - 1] && b.length > 0) {
      // The dense-layer bias: [M, N] + [N].
      const n = b.length;
      for (let i = 0; i < total; i++) out[i] = a[i]! + b[i % n]!;
    } else {
      const rank = dims.length;
      const sa = broadcastStrides(av.dims, rank);
      const sb = broadcastStrides(bv.dims, rank);
      const index = new Array<number>(rank).fill(0);
      let ia = 0;
      let ib = 0;
      for (let i = 0; i < total; i++) {
        out[i] = a[ia]! + b[ib]!;
        for (let d = rank - 1; d >= 0; d--) {
          index[d]!++;
          ia += sa[d]!;
          ib += sb[d]!;
          if (index[d]! < dims[d]!) break;
          ia -= sa[d]! * dims[d]!;
          ib -= sb[d]! * dims[d]!;
          index[d] = 0;
        }
      }
    }
    slots[y] = { data: out, dims };
  };
};
