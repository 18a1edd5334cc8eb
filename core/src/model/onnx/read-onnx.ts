// model.onnx bytes → a small typed description of the graph (protobufjs static decode: no runtime codegen).

import type { onnx as proto } from 'onnx-proto';
import onnxPkg from 'onnx-proto';
import { OnnxModelError } from './errors';

const { onnx } = onnxPkg;

export type OnnxTensorData = Float32Array | number[] | string[];

/** A constant tensor (initializer or tensor attribute). int64 values are converted to numbers. */
export interface OnnxTensor {
  readonly name: string;
  readonly type: 'float32' | 'int64' | 'string';
  readonly dims: readonly number[];
  readonly data: OnnxTensorData;
}

export type OnnxAttribute =
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'strings'; readonly value: readonly string[] }
  | { readonly kind: 'tensor'; readonly value: OnnxTensor }
  | { readonly kind: 'unsupported'; readonly type: number };

export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  /** '' for the default ONNX domain (also when the file says 'ai.onnx'). */
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, OnnxAttribute>;
}

/** A graph input or output: element type name (ORT's spelling, e.g. 'float32', 'string') and shape. */
export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: string;
  /** Per dimension: a size, a symbolic name, or null when unknown; null when the rank is unknown. */
  readonly shape: readonly (number | string | null)[] | null;
}

export interface OnnxModel {
  readonly irVersion: number;
  readonly producerName: string;
  readonly docString: string;
  /** Opset version per domain ('' = default ONNX domain). */
  readonly opsets: ReadonlyMap<string, number>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly graph: {
    readonly name: string;
    /** Runtime inputs only: inputs that are also initializers are left out. */
    readonly inputs: readonly OnnxValueInfo[];
    readonly outputs: readonly OnnxValueInfo[];
    readonly initializers: ReadonlyMap<string, OnnxTensor>;
    readonly nodes: readonly OnnxNode[];
  };
}

const DT = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;

const ELEM_TYPE_NAMES: Record<number, string> = {
  [DT.FLOAT]: 'float32',
  [DT.UINT8]: 'uint8',
  [DT.INT8]: 'int8',
  [DT.UINT16]: 'uint16',
  [DT.INT16]: 'int16',
  [DT.INT32]: 'int32',
  [DT.INT64]: 'int64',
  [DT.STRING]: 'string',
  [DT.BOOL]: 'bool',
  [DT.FLOAT16]: 'float16',
  [DT.DOUBLE]: 'float64',
  [DT.UINT32]: 'uint32',
  [DT.UINT64]: 'uint64',
};

type Int64 = number | { low: number; high: number; unsigned?: boolean } | null | undefined;

/** protobufjs yields int64 as a number, or as a Long when the `long` package is loadable (Node): normalise. */
function toNumber(v: Int64): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const low = v.low >>> 0;
  return v.unsigned ? (v.high >>> 0) * 2 ** 32 + low : v.high * 2 ** 32 + low;
}

const utf8 = new TextDecoder('utf-8');

function decodeTensor(t: proto.ITensorProto): OnnxTensor {
  const name = t.name ?? '';
  const dims = (t.dims ?? []).map((d) => toNumber(d as Int64));
  const count = dims.reduce((a, b) => a * b, 1);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL)
    throw new OnnxModelError(`tensor "${name}" uses external data; pmm artifacts are self-contained`);
  const check = (length: number) => {
    if (length !== count)
      throw new OnnxModelError(`tensor "${name}": ${length} values for dims [${dims.join(', ')}]`);
  };
  switch (t.dataType) {
    case DT.FLOAT: {
      let data: Float32Array;
      if (raw) {
        if (raw.length % 4 !== 0)
          throw new OnnxModelError(`tensor "${name}": raw_data is not a float32 array`);
        const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
        data = new Float32Array(raw.length / 4);
        for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(i * 4, true);
      } else data = Float32Array.from(t.floatData ?? []);
      check(data.length);
      return { name, type: 'float32', dims, data };
    }
    case DT.INT64: {
      let data: number[];
      if (raw) {
        if (raw.length % 8 !== 0)
          throw new OnnxModelError(`tensor "${name}": raw_data is not an int64 array`);
        const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
        data = [];
        for (let i = 0; i < raw.length / 8; i++) data.push(Number(view.getBigInt64(i * 8, true)));
      } else data = (t.int64Data ?? []).map((v) => toNumber(v as Int64));
      check(data.length);
      return { name, type: 'int64', dims, data };
    }
    case DT.STRING: {
      const data = (t.stringData ?? []).map((b) => utf8.decode(b));
      check(data.length);
      return { name, type: 'string', dims, data };
    }
    default:
      throw new OnnxModelError(
        `tensor "${name}" has element type ${ELEM_TYPE_NAMES[t.dataType ?? 0] ?? t.dataType}; only float32, int64 and string are read`,
      );
  }
}

function decodeAttribute(a: proto.IAttributeProto): OnnxAttribute {
  switch (a.type) {
    case AT.FLOAT:
      return { kind: 'float', value: a.f ?? 0 };
    case AT.INT:
      return { kind: 'int', value: toNumber(a.i as Int64) };
    case AT.STRING:
      return { kind: 'string', value: utf8.decode(a.s ?? new Uint8Array()) };
    case AT.FLOATS:
      return { kind: 'floats', value: [...(a.floats ?? [])] };
    case AT.INTS:
      return { kind: 'ints', value: (a.ints ?? []).map((v) => toNumber(v as Int64)) };
    case AT.STRINGS:
      return { kind: 'strings', value: (a.strings ?? []).map((b) => utf8.decode(b)) };
    case AT.TENSOR:
      return { kind: 'tensor', value: decodeTensor(a.t ?? {}) };
    default:
      return { kind: 'unsupported', type: a.type ?? 0 };
  }
}

function decodeValueInfo(v: proto.IValueInfoProto): OnnxValueInfo {
  const tensor = v.type?.tensorType;
  const dims = tensor?.shape?.dim;
  return {
    name: v.name ?? '',
    elemType: tensor ? (ELEM_TYPE_NAMES[tensor.elemType ?? 0] ?? `type${tensor.elemType}`) : 'non-tensor',
    shape: dims
      ? dims.map((d) =>
          d.dimValue !== null && d.dimValue !== undefined
            ? toNumber(d.dimValue as Int64)
            : (d.dimParam ?? null),
        )
      : null,
  };
}

/**
 * Decodes model.onnx bytes into an OnnxModel. Throws OnnxModelError for bytes that are not a protobuf
 * ModelProto or that hold no usable graph. Example: `readOnnx(bytes).metadata.pmm_version` → 'v3'.
 */
export function readOnnx(bytes: Uint8Array): OnnxModel {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0)
    throw new OnnxModelError('not an ONNX model: the byte array is empty');
  let model: proto.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (cause) {
    throw new OnnxModelError(
      `not an ONNX model (${bytes.length} bytes, truncated or corrupt): ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  const g = model.graph;
  if (!g || (g.node ?? []).length === 0 || (g.output ?? []).length === 0)
    throw new OnnxModelError(`not an ONNX model (${bytes.length} bytes): no graph with nodes and outputs`);

  const initializers = new Map<string, OnnxTensor>();
  for (const t of g.initializer ?? []) {
    const tensor = decodeTensor(t);
    initializers.set(tensor.name, tensor);
  }
  const opsets = new Map<string, number>();
  for (const o of model.opsetImport ?? []) {
    const domain = o.domain === 'ai.onnx' ? '' : (o.domain ?? '');
    opsets.set(domain, toNumber(o.version as Int64));
  }
  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) if (p.key) metadata[p.key] = p.value ?? '';

  return {
    irVersion: toNumber(model.irVersion as Int64),
    producerName: model.producerName ?? '',
    docString: model.docString ?? '',
    opsets,
    metadata,
    graph: {
      name: g.name ?? '',
      inputs: (g.input ?? []).map(decodeValueInfo).filter((v) => !initializers.has(v.name)),
      outputs: (g.output ?? []).map(decodeValueInfo),
      initializers,
      nodes: (g.node ?? []).map((n, i) => ({
        name: n.name || `node${i}`,
        opType: n.opType ?? '',
        domain: n.domain === 'ai.onnx' ? '' : (n.domain ?? ''),
        inputs: n.input ?? [],
        outputs: n.output ?? [],
        attributes: new Map((n.attribute ?? []).map((a) => [a.name ?? '', decodeAttribute(a)])),
      })),
    },
  };
}
