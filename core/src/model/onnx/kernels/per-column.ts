// Per-column constants of the ai.onnx.ml column-wise kernels (Imputer, Scaler): length 1 or one per column.
import { OnnxModelError } from '../errors';
import type { OnnxNode } from '../read-onnx';
import { opLabel } from './kernel';

/** Per-column constants of Imputer/Scaler: length 1 (all columns) or the last dimension. */
export function perColumn(values: readonly number[], node: OnnxNode, name: string): Float32Array {
  if (values.length === 0)
    throw new OnnxModelError(`${opLabel(node)} "${node.name}": attribute ${name} is empty`);
  return Float32Array.from(values);
}

export function columnsOf(dims: readonly number[]): number {
  return dims.length <= 1 ? (dims[0] ?? 1) : dims[dims.length - 1]!;
}

export function checkColumns(c: Float32Array, columns: number, node: OnnxNode): void {
  if (c.length !== 1 && c.length !== columns)
    throw new OnnxModelError(
      `${opLabel(node)} "${node.name}": ${c.length} per-column values for ${columns} columns`,
    );
}
