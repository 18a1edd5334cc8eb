// Categorical inputs fed as codes instead of strings. onnxruntime-web copies every string of a string tensor into
// WebAssembly memory one allocation at a time: on the Telco graph (15 string inputs, each one OneHotEncoder)
// that is most of a 100k-row run. A string input whose every consumer is an ai.onnx.ml OneHotEncoder with
// `cats_strings` is rewritten to a float input and `cats_int64s` 0..k−1, and the feed maps each value to its
// category's position (−1 when unknown). The encoder's answer is the same: the same column set for a known
// category, all zeros (or its error, with zeros=0) for an unknown one.
import type { onnx as proto } from 'onnx-proto';
import onnxPkg from 'onnx-proto';

const { onnx } = onnxPkg;
const DT = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;
const ML_DOMAIN = 'ai.onnx.ml';
const utf8 = new TextDecoder('utf-8');

export interface CodedGraph {
  /** The rewritten model.onnx. */
  readonly onnx: Uint8Array;
  /** Per rewritten input: category → code (its position in `cats_strings`). */
  readonly codes: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

function isOneHotOnStrings(node: proto.INodeProto): boolean {
  return (
    node.opType === 'OneHotEncoder' &&
    node.domain === ML_DOMAIN &&
    (node.attribute ?? []).some((a) => a.name === 'cats_strings' && a.type === AT.STRINGS)
  );
}

/**
 * Rewrites the string inputs read only by OneHotEncoders into coded float inputs; null when no input
 * qualifies (then feed the model as it is). An encoder with a repeated category, or with 2^24 or more (codes
 * would not be exact in float32), is left alone. Example: `codeCategoricalInputs(bytes)?.codes.get('contract')?.get('Two year')` → 2.
 */
export function codeCategoricalInputs(bytes: Uint8Array): CodedGraph | null {
  let model: proto.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch {
    return null;
  }
  const graph = model.graph;
  if (!graph) return null;
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const outputs = new Set((graph.output ?? []).map((o) => o.name));
  const consumers = new Map<string, proto.INodeProto[]>();
  const subgraphs = (graph.node ?? []).some((n) =>
    (n.attribute ?? []).some((a) => a.type === AT.GRAPH || a.type === AT.GRAPHS),
  );
  if (subgraphs) return null; // an input read inside a subgraph is not visible here: leave the model alone
  for (const node of graph.node ?? [])
    for (const input of node.input ?? []) {
      const list = consumers.get(input);
      if (list) list.push(node);
      else consumers.set(input, [node]);
    }
  const codes = new Map<string, Map<string, number>>();
  for (const input of graph.input ?? []) {
    const name = input.name ?? '';
    const tensor = input.type?.tensorType;
    if (!tensor || tensor.elemType !== DT.STRING || initializers.has(name) || outputs.has(name)) continue;
    const readers = consumers.get(name) ?? [];
    if (readers.length === 0 || !readers.every(isOneHotOnStrings)) continue;
    const lists = readers.map((n) =>
      (n.attribute!.find((a) => a.name === 'cats_strings')!.strings ?? []).map((b) => utf8.decode(b)),
    );
    // one code per category for every reader: all readers must list the same categories
    const first = lists[0]!;
    const map = new Map(first.map((c, i) => [c, i]));
    // a repeated category's column is ambiguous: leave such an encoder alone
    if (map.size !== first.length || first.length >= 2 ** 24) continue;
    if (lists.some((l) => l.length !== first.length || l.some((c, i) => c !== first[i]))) continue;
    for (const node of readers) {
      node.attribute = (node.attribute ?? [])
        .filter((a) => a.name !== 'cats_strings')
        .concat(
          onnx.AttributeProto.create({
            name: 'cats_int64s',
            type: AT.INTS,
            ints: first.map((_, i) => i),
          }),
        );
    }
    tensor.elemType = DT.FLOAT;
    codes.set(name, map);
  }
  if (codes.size === 0) return null;
  return { onnx: onnx.ModelProto.encode(model).finish(), codes };
}
