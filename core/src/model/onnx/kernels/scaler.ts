// Lite kernel ai.onnx.ml Scaler: (x - offset) * scale per column, float32 as ONNX Runtime.
import { attr, floats, fround, type KernelBuilder, refuseAttributes } from './kernel';
import { checkColumns, columnsOf, perColumn } from './per-column';

/** Scaler: `y = (x - offset) * scale` per column, each step rounded to float32 as in ORT. */
export const scaler: KernelBuilder = (ctx) => {
  const { node } = ctx;
  refuseAttributes(node, ['offset', 'scale']);
  const offset = perColumn(attr(node, 'offset', 'floats') ?? [], node, 'offset');
  const scale = perColumn(attr(node, 'scale', 'floats') ?? [], node, 'scale');
  const x = ctx.input(0);
  const y = ctx.output(0);
  return (slots) => {
    const v = slots[x]!;
    const a = floats(v, node);
    const columns = columnsOf(v.dims);
    checkColumns(offset, columns, node);
    checkColumns(scale, columns, node);
    const out = new Float32Array(a.length);
    for (let i = 0; i < a.length; i++) {
      const c = i % columns;
      out[i] = fround(a[i]! - offset[offset.length === 1 ? 0 : c]!) * scale[scale.length === 1 ? 0 : c]!;
    }
    slots[y] = { data: out, dims: v.dims };
  };
};
