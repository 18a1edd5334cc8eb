// Categorical inputs as codes: the rewritten graph answers bit for bit what the string graph answers, in ORT,
// for known, unknown, missing and numeric categories; graphs it cannot rewrite safely are left alone.
import { readFileSync } from 'node:fs';
import onnxPkg from 'onnx-proto';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import type { FeatureRecord } from '../../schema/validator';
import { codeCategoricalInputs } from './category-codes';
import { churnSpec, randomRecords } from './churn-fixture';
import { exportOnnx } from './export-onnx';
import { buildFeeds, type FeedInput } from './feeds';
import { createOrtPredictor } from './ort-engine';
import { readOnnx } from './read-onnx';

const { onnx } = onnxPkg;
ort.env.wasm.numThreads = 1;

const spec = churnSpec(7, 8);
const bytes = exportOnnx(spec, { version: 'v-codes-test' });

/** ORT on the graph as exported, every categorical fed as strings. */
async function stringProbabilities(records: readonly FeatureRecord[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const inputs: FeedInput[] = readOnnx(bytes).graph.inputs.map((i) => ({
    name: i.name,
    kind: i.elemType === 'string' ? 'string' : 'float32',
  }));
  const feeds: Record<string, ort.Tensor> = {};
  for (const f of buildFeeds(records, inputs))
    feeds[f.name] =
      f.kind === 'string'
        ? new ort.Tensor('string', f.data as string[], [records.length, 1])
        : new ort.Tensor('float32', f.data as Float32Array, [records.length, 1]);
  const out = await session.run(feeds, ['probability']);
  return Float32Array.from(out['probability']!.data as Float32Array);
}

describe('codeCategoricalInputs', () => {
  it('rewrites every one-hot-only string input to codes in cats_strings order', () => {
    const coded = codeCategoricalInputs(bytes)!;
    expect(coded).not.toBeNull();
    const categorical = spec.preprocess.categorical;
    expect([...coded.codes.keys()].sort()).toEqual(categorical.map((f) => f.name).sort());
    for (const f of categorical)
      expect([...coded.codes.get(f.name)!.entries()]).toEqual(f.categories.map((c, i) => [c, i]));
    const inputs = readOnnx(coded.onnx).graph.inputs;
    expect(inputs.every((i) => i.elemType === 'float32')).toBe(true);
    const encoders = readOnnx(coded.onnx).graph.nodes.filter((n) => n.opType === 'OneHotEncoder');
    expect(encoders.every((n) => n.attributes.get('cats_int64s')?.kind === 'ints')).toBe(true);
    expect(encoders.some((n) => n.attributes.has('cats_strings'))).toBe(false);
  });

  it('gives the string graph’s probabilities bit for bit (known, unknown, missing, numeric categories)', async () => {
    const records: FeatureRecord[] = [
      ...randomRecords(3000, 21),
      ...randomRecords(500, 22, true),
      {},
      { gender: 'Robot', contract: 'Forever', partner: 1, payment_method: '', internet_service: null },
    ];
    const coded = await createOrtPredictor(ort, bytes);
    const viaCodes = await coded.predict(records);
    const viaStrings = await stringProbabilities(records);
    expect(Array.from(viaCodes)).toEqual(Array.from(viaStrings));
  });

  it('leaves a graph alone where codes would change what it computes', () => {
    const model = onnx.ModelProto.decode(bytes);
    // `gender` is also read by another node (here it is passed through as an output)
    model.graph!.node!.push(
      onnx.NodeProto.create({ opType: 'Identity', input: ['gender'], output: ['gender_copy'] }),
    );
    model.graph!.output!.push(
      onnx.ValueInfoProto.create({ name: 'gender_copy', type: model.graph!.input![0]!.type }),
    );
    // `contract`'s encoder lists a category twice
    const contract = model.graph!.node!.find(
      (n) => n.opType === 'OneHotEncoder' && n.input![0] === 'contract',
    )!;
    const cats = contract.attribute!.find((a) => a.name === 'cats_strings')!;
    cats.strings = [...cats.strings!, cats.strings![0]!];
    const coded = codeCategoricalInputs(onnx.ModelProto.encode(model).finish())!;
    expect(coded.codes.has('gender')).toBe(false);
    expect(coded.codes.has('contract')).toBe(false);
    expect(coded.codes.has('partner')).toBe(true);
    const inputs = new Map(readOnnx(coded.onnx).graph.inputs.map((i) => [i.name, i.elemType]));
    expect(inputs.get('gender')).toBe('string');
    expect(inputs.get('contract')).toBe('string');
    expect(inputs.get('partner')).toBe('float32');
  });

  it('returns null for a graph without string inputs and for bytes that are not a model', () => {
    const gemm = new Uint8Array(readFileSync(new URL('../import/fixtures/gemm.onnx', import.meta.url)));
    expect(codeCategoricalInputs(gemm)).toBeNull();
    expect(codeCategoricalInputs(new Uint8Array([1, 2, 3, 4]))).toBeNull();
  });
});
