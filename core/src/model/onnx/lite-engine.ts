// The lite engine: a plain-TypeScript evaluator (no WASM, no codegen) of the ONNX ops pmm's artifacts and
// typical imported models use; one file per operator kernel in kernels/.
//
// Numerics follow ONNX Runtime's CPU (MLAS) kernels in float32, so both engines agree (bit for bit on
// pmm's artifacts in the tests; the contract is 1e-6):
// every op output is stored in a Float32Array (one rounding per op, like a float in C++); MatMul
// accumulates each dot product sequentially over k in float32, rounding the product and then the sum,
// as MLAS's WebAssembly SGEMM kernel does (mul, then add: no fused multiply-add in wasm SIMD); Sigmoid
// is MLAS's rational approximation (MlasComputeLogistic, the Eigen coefficients) evaluated in float32.
// (For K beyond MLAS's SGEMM K-block, a few hundred, ORT's sums may round in a different order: ~1 ulp.)

import type { FeatureRecord } from '../../schema/validator';
import type { Serving } from '../artifact-types';
import type { EngineName, Predictor } from '../predictor';
import { OnnxModelError, UnsupportedOperatorError } from './errors';
import {
  buildFeeds,
  type FeatureColumns,
  type FeedColumn,
  type FeedInput,
  feedKind,
  probabilitiesFrom,
  rowsOf,
} from './feeds';
import { add } from './kernels/add';
import { cast, identity } from './kernels/cast';
import { concat } from './kernels/concat';
import { relu, sigmoid } from './kernels/elementwise';
import { flatten } from './kernels/flatten';
import { imputer } from './kernels/imputer';
import { type BuildContext, type KernelBuilder, opLabel, type Slots } from './kernels/kernel';
import { linearClassifier } from './kernels/linear-classifier';
import { matMul } from './kernels/mat-mul';
import { normalizer } from './kernels/normalizer';
import { oneHotEncoder } from './kernels/one-hot-encoder';
import { scaler } from './kernels/scaler';
import { type OnnxModel, type OnnxNode, readOnnx } from './read-onnx';

export { mlasLogistic } from './kernels/elementwise';

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
  ['ai.onnx.ml::LinearClassifier', linearClassifier],
  ['ai.onnx.ml::Normalizer', normalizer],
  ['::Cast', cast],
  ['::Identity', identity],
]);

/** `domain::OpType` names of the operators the lite engine implements. */
export const LITE_OPERATORS: readonly string[] = [...KERNELS.keys()].map((k) => k.replace(/^::/, ''));

// ---- compilation ------------------------------------------------------------------------------------------

/** A compiled graph: fixed slots, constants preloaded, kernels in topological order. */
export interface LitePlan {
  readonly inputs: readonly FeedInput[];
  readonly output: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** Evaluates the graph on N rows given one column per input (any order, matched by name): the output's data. */
  run(columns: readonly FeedColumn[], n: number): Float32Array;
  /** The same, with the output's dims. */
  runValue(columns: readonly FeedColumn[], n: number): { data: Float32Array; dims: readonly number[] };
}

/** Which output to read (default `probability`, else the first). */
export interface LitePlanOptions {
  readonly output?: string;
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
export function compileLitePlan(model: OnnxModel, options: LitePlanOptions = {}): LitePlan {
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
      throw new OnnxModelError(`lite engine: input "${i.name}" has rank ${rank}; it feeds [N] or [N, F]`);
    const last = rank === 2 ? i.shape?.[1] : 1;
    return { name: i.name, kind, slot: slot(i.name), rank, width: typeof last === 'number' ? last : null };
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

  const wanted = options.output ?? 'probability';
  const outputInfo = graph.outputs.find((o) => o.name === wanted) ?? graph.outputs[0]!;
  if (options.output !== undefined && outputInfo.name !== options.output)
    throw new OnnxModelError(`lite engine: the graph has no output "${options.output}"`);
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
    runValue(columns, n) {
      const slots: Slots = constants.slice();
      slots.length = slotCount;
      for (const input of inputs) {
        const column = columns.find((c) => c.name === input.name);
        const width = column?.width ?? 1;
        if (
          !column ||
          column.kind !== input.kind ||
          column.data.length !== n * width ||
          (input.width !== null && width !== input.width)
        )
          throw new OnnxModelError(
            `lite engine: no ${input.kind} column of ${n} x ${input.width ?? 'F'} values for input "${input.name}"`,
          );
        slots[input.slot] = { data: column.data, dims: input.rank === 1 ? [n] : [n, width] };
      }
      for (const kernel of kernels) kernel(slots);
      const out = slots[outputSlot]!;
      if (!(out.data instanceof Float32Array))
        throw new OnnxModelError(`lite engine: output "${outputInfo.name}" is not a float tensor`);
      return { data: out.data, dims: out.dims };
    },
    run(columns, n) {
      const out = this.runValue(columns, n);
      if (out.data.length !== n)
        throw new OnnxModelError(
          `lite engine: output "${outputInfo.name}" has shape [${out.dims}], expected N = ${n} values`,
        );
      return out.data;
    },
  };
}

/**
 * A Predictor backed by the lite engine: parses model.onnx once, compiles it into a plan, then each
 * `predict` builds the input columns and runs the plan. Works anywhere (no WASM, no eval). `serving`
 * (an imported model's layout, from model.json) says how to feed it and which output column to read.
 * Example: `(await createLitePredictor(bytes)).predict([record])` → Float32Array [0.27].
 */
export async function createLitePredictor(onnxBytes: Uint8Array, serving?: Serving): Promise<Predictor> {
  const plan = compileLitePlan(readOnnx(onnxBytes), serving ? { output: serving.output.name } : {});
  const engine: EngineName = 'lite';
  return {
    engine,
    async predict(records: readonly FeatureRecord[] | FeatureColumns) {
      const n = rowsOf(records);
      if (n === 0) return new Float32Array(0);
      const out = plan.runValue(buildFeeds(records, plan.inputs, serving), n);
      return probabilitiesFrom(out.data, out.dims, n, serving?.output.column ?? null, plan.output);
    },
  };
}
