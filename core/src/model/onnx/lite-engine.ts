// The lite engine: a plain-TypeScript evaluator (no WASM, no codegen) of the ONNX ops pmm's artifacts use.
//
// Numerics follow ONNX Runtime's CPU (MLAS) kernels in float32, so both engines agree (bit for bit on
// pmm's artifacts in the tests; the contract is 1e-6):
// every op output is stored in a Float32Array (one rounding per op, like a float in C++); MatMul
// accumulates each dot product sequentially over k in float32, rounding the product and then the sum,
// as MLAS's WebAssembly SGEMM kernel does (mul, then add: no fused multiply-add in wasm SIMD); Sigmoid
// is MLAS's rational approximation (MlasComputeLogistic, the Eigen coefficients) evaluated in float32.
// (For K beyond MLAS's SGEMM K-block, a few hundred, ORT's sums may round in a different order: ~1 ulp.)

import type { FeatureRecord } from '../../schema/validator';
import type { EngineName, Predictor } from '../predictor';
import { OnnxModelError, UnsupportedOperatorError } from './errors';
import { buildFeeds, type FeedColumn, type FeedInput, feedKind } from './feeds';
import { type OnnxModel, type OnnxNode, type OnnxTensor, readOnnx } from './read-onnx';

/** A runtime tensor: row-major data and its dims. */
interface Value {
  readonly data: Float32Array | string[];
  readonly dims: readonly number[];
}

type Slots = (Value | undefined)[];
type Kernel = (slots: Slots) => void;

interface BuildContext {
  readonly node: OnnxNode;
  /** Slot of the node's i-th input (throws when absent). */
  input(i: number): number;
  output(i: number): number;
  /** The constant behind the node's i-th input, if it is an initializer. */
  constant(i: number): Value | undefined;
}

type KernelBuilder = (ctx: BuildContext) => Kernel;

const fround = Math.fround;

function opLabel(node: OnnxNode): string {
  return node.domain === '' ? node.opType : `${node.domain}::${node.opType}`;
}

function size(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

function floats(v: Value | undefined, node: OnnxNode, what = 'input'): Float32Array {
  if (!v || !(v.data instanceof Float32Array))
    throw new OnnxModelError(`${opLabel(node)} "${node.name}": ${what} must be a float32 tensor`);
  return v.data;
}

interface AttributeValues {
  float: number;
  int: number;
  string: string;
  floats: readonly number[];
  ints: readonly number[];
  strings: readonly string[];
  tensor: OnnxTensor;
}

function attr<K extends keyof AttributeValues>(
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

function refuseAttributes(node: OnnxNode, allowed: readonly string[]): void {
  for (const name of node.attributes.keys())
    if (!allowed.includes(name))
      throw new UnsupportedOperatorError(
        opLabel(node),
        `lite engine: ${opLabel(node)} "${node.name}" uses attribute "${name}", which it does not implement`,
      );
}

/** Resolves a possibly negative axis against `rank`; valid results are 0..max. */
function normaliseAxis(axis: number, rank: number, max: number, node: OnnxNode): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a > max)
    throw new OnnxModelError(`${opLabel(node)} "${node.name}": axis ${axis} out of range`);
  return a;
}

// ---- ai.onnx.ml -------------------------------------------------------------------------------------------

/** OneHotEncoder over strings: `[...dims]` → `[...dims, K]`; an unknown string gives zeros (zeros=1) or fails. */
const oneHotEncoder: KernelBuilder = (ctx) => {
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

/** Per-column constants of Imputer/Scaler: length 1 (all columns) or the last dimension. */
function perColumn(values: readonly number[], node: OnnxNode, name: string): Float32Array {
  if (values.length === 0)
    throw new OnnxModelError(`${opLabel(node)} "${node.name}": attribute ${name} is empty`);
  return Float32Array.from(values);
}

function columnsOf(dims: readonly number[]): number {
  return dims.length <= 1 ? (dims[0] ?? 1) : dims[dims.length - 1]!;
}

function checkColumns(c: Float32Array, columns: number, node: OnnxNode): void {
  if (c.length !== 1 && c.length !== columns)
    throw new OnnxModelError(
      `${opLabel(node)} "${node.name}": ${c.length} per-column values for ${columns} columns`,
    );
}

/** Imputer (floats): replaces NaN (replaced_value_float = NaN) or the given value by the column's value. */
const imputer: KernelBuilder = (ctx) => {
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

/** Scaler: `y = (x - offset) * scale` per column, each step rounded to float32 as in ORT. */
const scaler: KernelBuilder = (ctx) => {
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

// ---- ai.onnx ----------------------------------------------------------------------------------------------

/** Flatten: `[d0..dn]` → `[d0*..*d(axis-1), d(axis)*..*dn]`, data shared. */
const flatten: KernelBuilder = (ctx) => {
  const { node } = ctx;
  refuseAttributes(node, ['axis']);
  const axisAttr = attr(node, 'axis', 'int') ?? 1;
  const x = ctx.input(0);
  const y = ctx.output(0);
  return (slots) => {
    const v = slots[x]!;
    const axis = normaliseAxis(axisAttr, v.dims.length, v.dims.length, node);
    slots[y] = { data: v.data, dims: [size(v.dims.slice(0, axis)), size(v.dims.slice(axis))] };
  };
};

/** Concat of float tensors along `axis` (negative counts from the end). */
const concat: KernelBuilder = (ctx) => {
  const { node } = ctx;
  refuseAttributes(node, ['axis']);
  const axisAttr = attr(node, 'axis', 'int');
  if (axisAttr === undefined) throw new OnnxModelError(`Concat "${node.name}": attribute axis is required`);
  const xs = node.inputs.map((_, i) => ctx.input(i));
  const y = ctx.output(0);
  return (slots) => {
    const vs = xs.map((s) => slots[s]!);
    const first = vs[0]!;
    const rank = first.dims.length;
    const axis = normaliseAxis(axisAttr, rank, rank - 1, node);
    const outer = size(first.dims.slice(0, axis));
    const inners = vs.map((v) => {
      if (v.dims.length !== rank || v.dims.some((d, i) => i !== axis && d !== first.dims[i]))
        throw new OnnxModelError(
          `Concat "${node.name}": input shapes [${first.dims}] and [${v.dims}] do not match`,
        );
      return size(v.dims.slice(axis));
    });
    let width = 0;
    for (const w of inners) width += w;
    const out = new Float32Array(outer * width);
    let at = 0;
    vs.forEach((v, j) => {
      const a = floats(v, node);
      const inner = inners[j]!;
      // A plain loop beats subarray()+set() for the narrow blocks pmm concatenates (1-4 floats a row).
      for (let o = 0; o < outer; o++) {
        const from = o * inner;
        const to = o * width + at;
        for (let i = 0; i < inner; i++) out[to + i] = a[from + i]!;
      }
      at += inner;
    });
    const dims = [...first.dims];
    dims[axis] = vs.reduce((n, v) => n + v.dims[axis]!, 0);
    slots[y] = { data: out, dims };
  };
};

/**
 * MatMul `[..., K] · [K, N]`. Each output is `sum_k a[k]·b[k][j]` accumulated in order k = 0..K-1 in
 * float32, product rounded then sum rounded (MLAS's wasm SGEMM). Zero entries of `a` are skipped when `b`
 * is a finite constant: `0·b` is then exactly zero and adding it changes nothing, so results are identical.
 */
const matMul: KernelBuilder = (ctx) => {
  const { node } = ctx;
  refuseAttributes(node, []);
  const x = ctx.input(0);
  const w = ctx.input(1);
  const constant = ctx.constant(1);
  const skipZeros = constant?.data instanceof Float32Array && constant.data.every(Number.isFinite);
  const y = ctx.output(0);
  return (slots) => {
    const av = slots[x]!;
    const bv = slots[w]!;
    const a = floats(av, node, 'A');
    const b = floats(bv, node, 'B');
    if (bv.dims.length !== 2 || av.dims.length < 1)
      throw new UnsupportedOperatorError(
        'MatMul',
        `lite engine: MatMul "${node.name}" supports [..., K] x [K, N] only, got [${av.dims}] x [${bv.dims}]`,
      );
    const k = bv.dims[0]!;
    const n = bv.dims[1]!;
    if (av.dims[av.dims.length - 1] !== k)
      throw new OnnxModelError(`MatMul "${node.name}": shapes [${av.dims}] and [${bv.dims}] do not match`);
    const m = k === 0 ? 0 : a.length / k;
    const out = new Float32Array(m * n);
    for (let i = 0; i < m; i++) {
      const row = i * n;
      const ai = i * k;
      for (let kk = 0; kk < k; kk++) {
        const s = a[ai + kk]!;
        if (skipZeros && s === 0) continue;
        const bk = kk * n;
        for (let j = 0; j < n; j++) out[row + j] = out[row + j]! + fround(s * b[bk + j]!);
      }
    }
    slots[y] = { data: out, dims: [...av.dims.slice(0, -1), n] };
  };
};

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
const add: KernelBuilder = (ctx) => {
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

/** An elementwise float kernel. `loop` is a separate function per operator so V8 inlines each one. */
function unary(loop: (a: Float32Array, out: Float32Array) => void): KernelBuilder {
  return (ctx) => {
    const { node } = ctx;
    refuseAttributes(node, []);
    const x = ctx.input(0);
    const y = ctx.output(0);
    return (slots) => {
      const v = slots[x]!;
      const a = floats(v, node);
      const out = new Float32Array(a.length);
      loop(a, out);
      slots[y] = { data: out, dims: v.dims };
    };
  };
}

/** max(x, 0); NaN stays NaN. */
const relu = unary((a, out) => {
  for (let i = 0; i < a.length; i++) out[i] = Math.max(a[i]!, 0);
});

// MlasLogisticConstants (onnxruntime/core/mlas/lib/logistic.cpp; the coefficients come from Eigen).
const L_ALPHA_9 = fround(4.37031012579801e-11);
const L_ALPHA_7 = fround(1.15627324459942e-7);
const L_ALPHA_5 = fround(6.08574864600143e-5);
const L_ALPHA_3 = fround(8.51377133304701e-3);
const L_ALPHA_1 = fround(2.48287947061529e-1);
const L_BETA_10 = fround(6.10247389755681e-13);
const L_BETA_8 = fround(5.76102136993427e-9);
const L_BETA_6 = fround(6.2910678501704e-6);
const L_BETA_4 = fround(1.70198817374094e-3);
const L_BETA_2 = fround(1.16817656904453e-1);
const L_BETA_0 = fround(9.9315192102318e-1);

/**
 * The logistic function as MLAS computes it: x clamped to [-18, 18], then `p(x²)·x / q(x²) + 1/2` with
 * odd/even rational coefficients, every step rounded to float32, the result clamped to [0, 1].
 * Within ~1 ulp of 1/(1+e^-x). Example: `mlasLogistic(0)` → 0.5.
 */
export function mlasLogistic(input: number): number {
  const x = Math.min(18, Math.max(-18, input));
  const x2 = fround(x * x);
  let p = fround(fround(x2 * L_ALPHA_9) + L_ALPHA_7);
  p = fround(fround(p * x2) + L_ALPHA_5);
  p = fround(fround(p * x2) + L_ALPHA_3);
  p = fround(fround(p * x2) + L_ALPHA_1);
  p = fround(p * x);
  let q = fround(fround(x2 * L_BETA_10) + L_BETA_8);
  q = fround(fround(q * x2) + L_BETA_6);
  q = fround(fround(q * x2) + L_BETA_4);
  q = fround(fround(q * x2) + L_BETA_2);
  q = fround(fround(q * x2) + L_BETA_0);
  const r = fround(fround(p / q) + 0.5);
  return Math.min(1, Math.max(0, r));
}

const sigmoid = unary((a, out) => {
  for (let i = 0; i < a.length; i++) out[i] = mlasLogistic(a[i]!);
});

/** The operators the lite engine implements, keyed `domain::OpType` ('' = the default ONNX domain). */
const KERNELS: ReadonlyMap<string, KernelBuilder> = new Map([
  ['ai.onnx.ml::OneHotEncoder', oneHotEncoder],
  ['ai.onnx.ml::Imputer', imputer],
  ['ai.onnx.ml::Scaler', scaler],
  ['::Flatten', flatten],
  ['::Concat', concat],
  ['::MatMul', matMul],
  ['::Add', add],
  ['::Relu', relu],
  ['::Sigmoid', sigmoid],
]);

/** `domain::OpType` names of the operators the lite engine implements. */
export const LITE_OPERATORS: readonly string[] = [...KERNELS.keys()].map((k) => k.replace(/^::/, ''));

// ---- compilation ------------------------------------------------------------------------------------------

/** A compiled graph: fixed slots, constants preloaded, kernels in topological order. */
export interface LitePlan {
  readonly inputs: readonly FeedInput[];
  readonly output: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** Evaluates the graph on N rows given one column per input (any order, matched by name). */
  run(columns: readonly FeedColumn[], n: number): Float32Array;
}

function topologicalOrder(model: OnnxModel): OnnxNode[] {
  const available = new Set<string>([
    '',
    ...model.graph.initializers.keys(),
    ...model.graph.inputs.map((i) => i.name),
  ]);
  let pending = [...model.graph.nodes];
  const ordered: OnnxNode[] = [];
  while (pending.length > 0) {
    const ready = pending.filter((n) => n.inputs.every((i) => available.has(i)));
    if (ready.length === 0) {
      const missing = pending.flatMap((n) => n.inputs.filter((i) => !available.has(i)));
      throw new OnnxModelError(`graph has a cycle or undefined tensors: ${[...new Set(missing)].join(', ')}`);
    }
    for (const n of ready) {
      ordered.push(n);
      for (const o of n.outputs) available.add(o);
    }
    pending = pending.filter((n) => !ready.includes(n));
  }
  return ordered;
}

/** Compiles a decoded model into a LitePlan; refuses unimplemented operators with UnsupportedOperatorError. */
export function compileLitePlan(model: OnnxModel): LitePlan {
  const { graph } = model;
  for (const node of graph.nodes) {
    if (!KERNELS.has(`${node.domain}::${node.opType}`))
      throw new UnsupportedOperatorError(
        opLabel(node),
        `lite engine does not implement operator ${opLabel(node)} (node "${node.name}"); it implements ${LITE_OPERATORS.join(', ')}`,
      );
  }
  const slotOf = new Map<string, number>();
  const slot = (name: string) => {
    let s = slotOf.get(name);
    if (s === undefined) {
      s = slotOf.size;
      slotOf.set(name, s);
    }
    return s;
  };
  const constants: Slots = [];
  for (const [name, t] of graph.initializers) {
    if (t.type !== 'float32') continue;
    constants[slot(name)] = { data: t.data as Float32Array, dims: t.dims };
  }

  const inputs = graph.inputs.map((i) => {
    const kind = feedKind(i.elemType);
    if (kind === null)
      throw new OnnxModelError(
        `lite engine: input "${i.name}" is ${i.elemType}; it feeds string and float32 inputs only`,
      );
    const rank = i.shape?.length ?? 2;
    if (rank !== 1 && rank !== 2)
      throw new OnnxModelError(`lite engine: input "${i.name}" has rank ${rank}; it feeds [N] or [N, 1]`);
    return { name: i.name, kind, slot: slot(i.name), rank };
  });

  const kernels = topologicalOrder(model).map((node) => {
    const build = KERNELS.get(`${node.domain}::${node.opType}`)!;
    const ctx: BuildContext = {
      node,
      input(i) {
        const name = node.inputs[i];
        if (!name) throw new OnnxModelError(`${opLabel(node)} "${node.name}": input ${i} is missing`);
        return slot(name);
      },
      output(i) {
        const name = node.outputs[i];
        if (!name) throw new OnnxModelError(`${opLabel(node)} "${node.name}": output ${i} is missing`);
        return slot(name);
      },
      constant(i) {
        const name = node.inputs[i];
        return name === undefined ? undefined : constants[slotOf.get(name) ?? -1];
      },
    };
    return build(ctx);
  });

  const outputInfo = graph.outputs.find((o) => o.name === 'probability') ?? graph.outputs[0]!;
  if (outputInfo.elemType !== 'float32')
    throw new OnnxModelError(
      `lite engine: output "${outputInfo.name}" is ${outputInfo.elemType}, not float32`,
    );
  const outputSlot = slotOf.get(outputInfo.name);
  if (outputSlot === undefined)
    throw new OnnxModelError(`graph output "${outputInfo.name}" is never produced`);
  const slotCount = slotOf.size;

  return {
    inputs: inputs.map(({ name, kind }) => ({ name, kind })),
    output: outputInfo.name,
    metadata: model.metadata,
    run(columns, n) {
      const slots: Slots = constants.slice();
      slots.length = slotCount;
      for (const input of inputs) {
        const column = columns.find((c) => c.name === input.name);
        if (!column || column.kind !== input.kind || column.data.length !== n)
          throw new OnnxModelError(
            `lite engine: no ${input.kind} column of length ${n} for input "${input.name}"`,
          );
        slots[input.slot] = { data: column.data, dims: input.rank === 1 ? [n] : [n, 1] };
      }
      for (const kernel of kernels) kernel(slots);
      const out = slots[outputSlot]!;
      if (!(out.data instanceof Float32Array) || out.data.length !== n)
        throw new OnnxModelError(
          `lite engine: output "${outputInfo.name}" has shape [${out.dims}], expected N = ${n} values`,
        );
      return out.data;
    },
  };
}

/**
 * A Predictor backed by the lite engine: parses model.onnx once, compiles it into a plan, then each
 * `predict` builds the input columns and runs the plan. Works anywhere (no WASM, no eval).
 * Example: `(await createLitePredictor(bytes)).predict([record])` → Float32Array [0.27].
 */
export async function createLitePredictor(onnxBytes: Uint8Array): Promise<Predictor> {
  const plan = compileLitePlan(readOnnx(onnxBytes));
  const engine: EngineName = 'lite';
  return {
    engine,
    async predict(records: readonly FeatureRecord[]) {
      if (records.length === 0) return new Float32Array(0);
      return plan.run(buildFeeds(records, plan.inputs), records.length);
    },
  };
}
