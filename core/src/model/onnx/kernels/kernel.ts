// What every lite-engine kernel shares: runtime values, the build context, attribute access, errors.
import { OnnxModelError, UnsupportedOperatorError } from '../errors';
import type { OnnxNode, OnnxTensor } from '../read-onnx';

/** A runtime tensor: row-major data and its dims. */
export interface Value {
  readonly data: Float32Array | string[];
  readonly dims: readonly number[];
}

export type Slots = (Value | undefined)[];
export type Kernel = (slots: Slots) => void;

export interface BuildContext {
  readonly node: OnnxNode;
  /** Slot of the node's i-th input (throws when absent). */
  input(i: number): number;
  output(i: number): number;
  /** The constant behind the node's i-th input, if it is an initializer. */
  constant(i: number): Value | undefined;
}

export type KernelBuilder = (ctx: BuildContext) => Kernel;

export const fround = Math.fround;

export function opLabel(node: OnnxNode): string {
  return node.domain === '' ? node.opType : `${node.domain}::${node.opType}`;
}

export function size(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function floats(v: Value | undefined, node: OnnxNode, what = 'input'): Float32Array {
  if (!v || !(v.data instanceof Float32Array))
    throw new OnnxModelError(`${opLabel(node)} "${node.name}": ${what} must be a float32 tensor`);
  return v.data;
}

export interface AttributeValues {
  float: number;
  int: number;
  string: string;
  floats: readonly number[];
  ints: readonly number[];
  strings: readonly string[];
  tensor: OnnxTensor;
}

export function attr<K extends keyof AttributeValues>(
  node: OnnxNode,
  name: string,
  kind: K,
): AttributeValues[K] | undefined {
  const a = node.attributes.get(name);
  if (a === undefined) return undefined;
  if (a.kind !== kind)
    throw new OnnxModelError(
      `${opLabel(node)} "${node.name}": attribute ${name} should be ${kind}, is ${a.kind}`,
    );
  return (a as { value: unknown }).value as AttributeValues[K];
}

export function refuseAttributes(node: OnnxNode, allowed: readonly string[]): void {
  for (const name of node.attributes.keys())
    if (!allowed.includes(name))
      throw new UnsupportedOperatorError(
        opLabel(node),
        `lite engine: ${opLabel(node)} "${node.name}" uses attribute "${name}", which it does not implement`,
      );
}

/** Resolves a possibly negative axis against `rank`; valid results are 0..max. */
export function normaliseAxis(axis: number, rank: number, max: number, node: OnnxNode): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a > max)
    throw new OnnxModelError(`${opLabel(node)} "${node.name}": axis ${axis} out of range`);
  return a;
}
