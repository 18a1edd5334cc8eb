// ModelSpec → model.onnx: one self-contained graph from the raw features to P(churn), preprocessing included.

import type { onnx as proto } from 'onnx-proto';
import onnxPkg from 'onnx-proto';
import type { ModelSpec } from '../spec';
import { encodedWidth } from '../spec';
import { ModelSpecError } from './errors';

const { onnx } = onnxPkg;

/** Name of the single graph output: P(churn), FLOAT `[N, 1]`. */
export const PROBABILITY_OUTPUT = 'probability';
/** `metadata_props` key holding the pmm model version id. */
export const VERSION_METADATA_KEY = 'pmm_version';
/** Opsets the exported graph imports (ORT-web 1.30 and the lite engine both support them). */
export const EXPORT_OPSETS = { onnx: 17, onnxMl: 3 } as const;
export const EXPORT_IR_VERSION = 8;

export interface ExportMeta {
  /** pmm model version id, stored as `metadata_props[pmm_version]`. */
  readonly version?: string;
  readonly docString?: string;
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const STRING = onnx.TensorProto.DataType.STRING;
const A = onnx.AttributeProto.AttributeType;
const utf8 = new TextEncoder();

type AttrValue =
  | { ints: number[] }
  | { int: number }
  | { floats: readonly number[] }
  | { float: number }
  | { strings: readonly string[] };

function attribute(name: string, value: AttrValue): proto.IAttributeProto {
  if ('ints' in value) return { name, type: A.INTS, ints: value.ints };
  if ('int' in value) return { name, type: A.INT, i: value.int };
  if ('floats' in value) return { name, type: A.FLOATS, floats: [...value.floats] };
  if ('float' in value) return { name, type: A.FLOAT, f: value.float };
  return { name, type: A.STRINGS, strings: value.strings.map((s) => utf8.encode(s)) };
}

function node(
  opType: string,
  inputs: string[],
  output: string,
  attrs: Record<string, AttrValue> = {},
  domain = '',
): proto.INodeProto {
  return {
    name: output,
    opType,
    domain,
    input: inputs,
    output: [output],
    attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
  };
}

function batchInput(name: string, elemType: number, width: number | null): proto.IValueInfoProto {
  const dim = [{ dimParam: 'N' }, ...(width === null ? [] : [{ dimValue: width }])];
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

/** A FLOAT initializer stored as little-endian `raw_data` (compact, and exact for float32 values). */
function floatInitializer(name: string, dims: number[], values: readonly number[]): proto.ITensorProto {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return { name, dims, dataType: FLOAT, rawData: raw };
}

/** Names of the graph's intermediate tensors, which a feature's input may not take. */
const INTERNAL_NAME = /^(onehot|encoded|numerical)\/|^dense\d+\//;

function validate(spec: ModelSpec): void {
  const names = new Set<string>();
  const claim = (name: string) => {
    // Any non-empty name is an input name as written; only pmm's own tensor names are taken.
    if (name === '' || name === 'features' || name === PROBABILITY_OUTPUT || INTERNAL_NAME.test(name))
      throw new ModelSpecError(`feature name "${name}" is empty or one of the graph's own tensor names`);
    if (names.has(name)) throw new ModelSpecError(`feature "${name}" appears twice`);
    names.add(name);
  };
  for (const c of spec.preprocess.categorical) {
    claim(c.name);
    if (c.categories.length === 0)
      throw new ModelSpecError(`categorical feature "${c.name}" has no categories`);
    if (new Set(c.categories).size !== c.categories.length)
      throw new ModelSpecError(`categorical feature "${c.name}" lists a category twice`);
  }
  for (const n of spec.preprocess.numerical) {
    claim(n.name);
    if (![n.impute, n.offset, n.scale].every(Number.isFinite))
      throw new ModelSpecError(`numerical feature "${n.name}": impute, offset and scale must be finite`);
  }
  if (names.size === 0) throw new ModelSpecError('the spec has no features');
  if (spec.layers.length === 0) throw new ModelSpecError('the spec has no dense layers');
  let width = encodedWidth(spec.preprocess);
  spec.layers.forEach((layer, i) => {
    if (layer.inputSize !== width)
      throw new ModelSpecError(
        `layer ${i}: inputSize ${layer.inputSize}, but the previous width is ${width}`,
      );
    if (layer.weights.length !== layer.inputSize * layer.outputSize)
      throw new ModelSpecError(`layer ${i}: expected ${layer.inputSize * layer.outputSize} weights`);
    if (layer.bias.length !== layer.outputSize)
      throw new ModelSpecError(`layer ${i}: expected ${layer.outputSize} biases`);
    if (![...layer.weights, ...layer.bias].every(Number.isFinite))
      throw new ModelSpecError(`layer ${i}: weights and biases must be finite`);
    width = layer.outputSize;
  });
  const last = spec.layers[spec.layers.length - 1]!;
  if (last.outputSize !== 1 || last.activation !== 'sigmoid')
    throw new ModelSpecError('the last layer must have one sigmoid output (P(churn))');
}

/**
 * Exports a ModelSpec as one ONNX graph (ir_version 8, opsets ai.onnx 17 + ai.onnx.ml 3).
 *
 * Inputs: one per feature, named by the feature's name exactly as written, categorical → STRING `[N, 1]`,
 * numerical → FLOAT `[N, 1]` (NaN = missing), in PreprocessSpec order (categoricals, then numericals).
 * Graph: per categorical `OneHotEncoder(cats_strings, zeros=1)` → `Flatten(axis=1)` (unknown → all zeros);
 * the numericals `Concat` → `Imputer(imputed_value_floats, replaced_value_float=NaN)` →
 * `Scaler(offset, scale)`, i.e. `((isNaN(x) ? impute : x) - offset) * scale`; everything `Concat`-ed in
 * PreprocessSpec order, then per dense layer `MatMul` → `Add` → `Relu` | `Sigmoid` | (linear: nothing).
 * Output: `probability`, FLOAT `[N, 1]`. Example: `exportOnnx(spec, { version: 'v3' })` → bytes of model.onnx.
 */
export function exportOnnx(spec: ModelSpec, meta: ExportMeta = {}): Uint8Array {
  validate(spec);
  const { categorical, numerical } = spec.preprocess;
  const inputs: proto.IValueInfoProto[] = [];
  const nodes: proto.INodeProto[] = [];
  const initializers: proto.ITensorProto[] = [];
  const blocks: string[] = [];

  for (const c of categorical) {
    inputs.push(batchInput(c.name, STRING, 1));
    nodes.push(
      node(
        'OneHotEncoder',
        [c.name],
        `onehot/${c.name}`,
        { cats_strings: { strings: c.categories }, zeros: { int: 1 } },
        'ai.onnx.ml',
      ),
      node('Flatten', [`onehot/${c.name}`], `encoded/${c.name}`, { axis: { int: 1 } }),
    );
    blocks.push(`encoded/${c.name}`);
  }
  if (numerical.length > 0) {
    for (const n of numerical) inputs.push(batchInput(n.name, FLOAT, 1));
    nodes.push(
      node(
        'Concat',
        numerical.map((n) => n.name),
        'numerical/raw',
        { axis: { int: 1 } },
      ),
      node(
        'Imputer',
        ['numerical/raw'],
        'numerical/imputed',
        {
          imputed_value_floats: { floats: numerical.map((n) => n.impute) },
          replaced_value_float: { float: Number.NaN },
        },
        'ai.onnx.ml',
      ),
      node(
        'Scaler',
        ['numerical/imputed'],
        'numerical/scaled',
        {
          offset: { floats: numerical.map((n) => n.offset) },
          scale: { floats: numerical.map((n) => n.scale) },
        },
        'ai.onnx.ml',
      ),
    );
    blocks.push('numerical/scaled');
  }
  nodes.push(node('Concat', blocks, 'features', { axis: { int: 1 } }));

  let x = 'features';
  spec.layers.forEach((layer, i) => {
    const last = i === spec.layers.length - 1;
    initializers.push(
      floatInitializer(`dense${i}/W`, [layer.inputSize, layer.outputSize], layer.weights),
      floatInitializer(`dense${i}/b`, [layer.outputSize], layer.bias),
    );
    nodes.push(node('MatMul', [x, `dense${i}/W`], `dense${i}/matmul`));
    nodes.push(node('Add', [`dense${i}/matmul`, `dense${i}/b`], `dense${i}/add`));
    x = `dense${i}/add`;
    // validate() guarantees the last layer is sigmoid, so `probability` is always produced here.
    if (layer.activation !== 'linear') {
      const out = last ? PROBABILITY_OUTPUT : `dense${i}/${layer.activation}`;
      nodes.push(node(layer.activation === 'relu' ? 'Relu' : 'Sigmoid', [x], out));
      x = out;
    }
  });

  const model: proto.IModelProto = {
    irVersion: EXPORT_IR_VERSION,
    producerName: 'pmm',
    producerVersion: '1',
    docString: meta.docString ?? '',
    opsetImport: [
      { domain: '', version: EXPORT_OPSETS.onnx },
      { domain: 'ai.onnx.ml', version: EXPORT_OPSETS.onnxMl },
    ],
    metadataProps: meta.version === undefined ? [] : [{ key: VERSION_METADATA_KEY, value: meta.version }],
    graph: {
      name: 'pmm_churn',
      input: inputs,
      output: [batchInput(PROBABILITY_OUTPUT, FLOAT, 1)],
      initializer: initializers,
      node: nodes,
    },
  };
  // Copy into a plain Uint8Array: in Node protobufjs returns a Buffer, whose slice() is a view, not a copy.
  return new Uint8Array(onnx.ModelProto.encode(model).finish());
}
