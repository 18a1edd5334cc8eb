// Lite kernels Cast (to float or integer types, numbers kept as float32) and Identity.
import { UnsupportedOperatorError } from '../errors';
import { attr, floats, type KernelBuilder, refuseAttributes } from './kernel';

/** TensorProto element types the lite engine casts to: FLOAT, INT32, INT64, DOUBLE (values held as float32). */
const NUMERIC_TARGETS = new Map([
  [1, 'float'],
  [6, 'int32'],
  [7, 'int64'],
  [11, 'double'],
]);

/**
 * Cast of a float tensor to a numeric type: integer targets truncate toward zero; every result is held in
 * float32 (the lite engine reads probabilities, so a cast label only needs to be exact for small integers).
 */
export const cast: KernelBuilder = (ctx) => {
  const { node } = ctx;
  refuseAttributes(node, ['to', 'saturate']);
  const to = attr(node, 'to', 'int') ?? 1;
  const target = NUMERIC_TARGETS.get(to);
  if (target === undefined)
    throw new UnsupportedOperatorError(
      'Cast',
      `lite engine: Cast "${node.name}" to element type ${to} is not implemented`,
    );
  const x = ctx.input(0);
  const y = ctx.output(0);
  return (slots) => {
    const v = slots[x]!;
    const a = floats(v, node);
    slots[y] = { data: target.startsWith('int') ? a.map(Math.trunc) : a, dims: v.dims };
  };
};

/** Identity: the output is the input. */
export const identity: KernelBuilder = (ctx) => {
  refuseAttributes(ctx.node, []);
  const x = ctx.input(0);
  const y = ctx.output(0);
  return (slots) => {
    slots[y] = slots[x];
  };
};
