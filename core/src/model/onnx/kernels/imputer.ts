// Lite kernel ai.onnx.ml Imputer (floats): NaN or a given value replaced per column.
import { attr, floats, fround, type KernelBuilder, refuseAttributes } from './kernel';
import { checkColumns, columnsOf, perColumn } from './per-column';

/** Imputer (floats): replaces NaN (replaced_value_float = NaN) or the given value by the column's value. */
export const imputer: KernelBuilder = (ctx) => {
  const { node } = ctx;
  refuseAttributes(node, ['imputed_value_floats', 'replaced_value_float']);
  const imputed = perColumn(attr(node, 'imputed_value_floats', 'floats') ?? [], node, 'imputed_value_floats');
  const replaced = fround(attr(node, 'replaced_value_float', 'float') ?? 0);
  const replaceNaN = Number.isNaN(replaced);
  const x = ctx.input(0);
  const y = ctx.output(0);
  return (slots) => {
    const v = slots[x]!;
    const a = floats(v, node);
    const columns = columnsOf(v.dims);
    checkColumns(imputed, columns, node);
    const stride = imputed.length;
    const out = new Float32Array(a.length);
    for (let i = 0; i < a.length; i++) {
      const value = a[i]!;
      out[i] = (replaceNaN ? Number.isNaN(value) : value === replaced)
        ? imputed[stride === 1 ? 0 : i % columns]!
        : value;
    }
    slots[y] = { data: out, dims: v.dims };
  };
};
