// Lite kernel ai.onnx.ml OneHotEncoder (strings → one-hot, unknown → zeros).
import { OnnxModelError, UnsupportedOperatorError } from '../errors';
import { attr, type KernelBuilder, refuseAttributes } from './kernel';

/** OneHotEncoder over strings: `[...dims]` → `[...dims, K]`; an unknown string gives zeros (zeros=1) or fails. */
export const oneHotEncoder: KernelBuilder = (ctx) => {
  const { node } = ctx;
  refuseAttributes(node, ['cats_strings', 'zeros']);
  const cats = attr(node, 'cats_strings', 'strings');
  if (!cats || cats.length === 0)
    throw new UnsupportedOperatorError(
      'ai.onnx.ml::OneHotEncoder',
      `lite engine: OneHotEncoder "${node.name}" without cats_strings (integer categories) is not implemented`,
    );
  const zeros = (attr(node, 'zeros', 'int') ?? 1) !== 0;
  const index = new Map<string, number>();
  cats.forEach((c, i) => {
    if (!index.has(c)) index.set(c, i);
  });
  const k = cats.length;
  const x = ctx.input(0);
  const y = ctx.output(0);
  return (slots) => {
    const v = slots[x]!;
    if (!Array.isArray(v.data))
      throw new OnnxModelError(`OneHotEncoder "${node.name}": the lite engine encodes string inputs only`);
    const s = v.data;
    const out = new Float32Array(s.length * k);
    for (let i = 0; i < s.length; i++) {
      const j = index.get(s[i]!);
      if (j !== undefined) out[i * k + j] = 1;
      else if (!zeros)
        throw new OnnxModelError(`OneHotEncoder "${node.name}": unknown category "${s[i]}" and zeros = 0`);
    }
    slots[y] = { data: out, dims: [...v.dims, k] };
  };
};
