// The ONNX artifact end to end: export, ORT vs a float64 reference, lite vs ORT, messy inputs, bad artifacts.
import { readFileSync } from 'node:fs';
import { requireParts, telcoCsvPath } from '@pmm/test-support';
import onnxPkg from 'onnx-proto';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../data/csv';
import { toFeatureRows } from '../../data/telco';
import { FEATURES } from '../../data/telco-schema';
import type { FeatureRecord } from '../../schema/validator';
import type { Predictor } from '../predictor';
import { mulberry32 } from '../rng';
import { encodedWidth } from '../spec';
import { churnSpec, maxAbsDiff, randomRecords, referencePredict } from './churn-fixture';
import {
  createLitePredictor,
  createOrtPredictor,
  exportOnnx,
  ModelSpecError,
  OnnxModelError,
  PROBABILITY_OUTPUT,
  readOnnx,
  UnsupportedOperatorError,
} from './index';

const { onnx } = onnxPkg;
const TELCO_CSV = telcoCsvPath();
const haveTelco = requireParts('the ONNX test on the whole Telco data', { 'Telco data': TELCO_CSV });

ort.env.wasm.numThreads = 1;

const spec = churnSpec(42, 16);
const bytes = exportOnnx(spec, { version: 'v20260101-test', docString: 'pmm churn model (test)' });
let ortPredictor: Predictor;
let litePredictor: Predictor;

beforeAll(async () => {
  ortPredictor = await createOrtPredictor(ort, bytes);
  litePredictor = await createLitePredictor(bytes);
});

describe('exportOnnx', () => {
  it('lays out one input per feature, preprocessing in-graph, one probability output', () => {
    const model = readOnnx(bytes);
    expect(model.irVersion).toBe(8);
    expect(model.opsets.get('')).toBe(17);
    expect(model.opsets.get('ai.onnx.ml')).toBe(3);
    expect(model.metadata).toEqual({ pmm_version: 'v20260101-test' });
    expect(model.docString).toBe('pmm churn model (test)');
    const inputs = new Map(model.graph.inputs.map((i) => [i.name, i]));
    expect(inputs.size).toBe(19);
    for (const f of FEATURES) {
      expect(inputs.get(f.name)?.elemType).toBe(f.kind === 'categorical' ? 'string' : 'float32');
      expect(inputs.get(f.name)?.shape).toEqual(['N', 1]);
    }
    expect(model.graph.outputs).toEqual([{ name: PROBABILITY_OUTPUT, elemType: 'float32', shape: ['N', 1] }]);
    const ops = new Set(model.graph.nodes.map((n) => n.opType));
    expect([...ops].sort()).toEqual(
      ['Add', 'Concat', 'Flatten', 'Imputer', 'MatMul', 'OneHotEncoder', 'Relu', 'Scaler', 'Sigmoid'].sort(),
    );
    expect(model.graph.nodes.some((n) => n.opType === 'ZipMap')).toBe(false);
    expect(model.graph.initializers.get('dense0/W')?.dims).toEqual([encodedWidth(spec.preprocess), 16]);
  });

  it('omits metadata_props when no version is given', () => {
    expect(readOnnx(exportOnnx(spec)).metadata).toEqual({});
  });

  it('rejects an inconsistent spec', () => {
    const [first, second] = spec.layers;
    expect(() => exportOnnx({ ...spec, layers: [first!] })).toThrow(ModelSpecError);
    expect(() => exportOnnx({ ...spec, layers: [{ ...first!, inputSize: 3 }, second!] })).toThrow(
      /inputSize 3/,
    );
    const categorical = [{ name: 'gender', categories: [] }];
    expect(() => exportOnnx({ ...spec, preprocess: { ...spec.preprocess, categorical } })).toThrow(
      /no categories/,
    );
  });
});

describe('ORT engine', () => {
  it('matches a float64 reference computation of the spec (max abs diff <= 1e-5)', async () => {
    for (const messy of [false, true]) {
      const records = randomRecords(2000, messy ? 11 : 10, messy);
      const p = await ortPredictor.predict(records);
      expect(ortPredictor.engine).toBe('ort');
      expect(p.length).toBe(records.length);
      expect(maxAbsDiff(p, referencePredict(spec, records))).toBeLessThanOrEqual(1e-5);
    }
  });

  it('takes rows as columns as well as records, with the same answers in both engines', async () => {
    const records = randomRecords(700, 31, true);
    const columns = { rows: records.length, column: (name: string) => (i: number) => records[i]![name] };
    for (const predictor of [ortPredictor, litePredictor])
      expect(Array.from(await predictor.predict(columns))).toEqual(
        Array.from(await predictor.predict(records)),
      );
    expect((await ortPredictor.predict({ rows: 0, column: () => () => undefined })).length).toBe(0);
  });

  it('returns an empty result for no records and handles concurrent calls in order', async () => {
    expect((await ortPredictor.predict([])).length).toBe(0);
    const a = randomRecords(5, 1);
    const b = randomRecords(7, 2);
    const [pa, pb] = await Promise.all([ortPredictor.predict(a), ortPredictor.predict(b)]);
    expect(maxAbsDiff(pa, referencePredict(spec, a))).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(pb, referencePredict(spec, b))).toBeLessThanOrEqual(1e-5);
  });
});

describe('lite engine', () => {
  it('equals ORT (<= 1e-6) on thousands of random rows, batched and one at a time', async () => {
    expect(litePredictor.engine).toBe('lite');
    for (const seed of [1, 2, 3]) {
      const other = churnSpec(seed, 16);
      const otherBytes = exportOnnx(other);
      const o = await createOrtPredictor(ort, otherBytes);
      const l = await createLitePredictor(otherBytes);
      const records = randomRecords(3000, seed + 100, seed === 3);
      const po = await o.predict(records);
      const pl = await l.predict(records);
      expect(maxAbsDiff(pl, po)).toBeLessThanOrEqual(1e-6);
      expect(maxAbsDiff(pl, referencePredict(other, records))).toBeLessThanOrEqual(1e-5);
      for (const r of records.slice(0, 50)) {
        const [a] = await o.predict([r]);
        const [b] = await l.predict([r]);
        expect(Math.abs(a! - b!)).toBeLessThanOrEqual(1e-6);
      }
    }
  });

  it.skipIf(!haveTelco)('equals ORT on the whole Telco data set', async () => {
    const text = readFileSync(TELCO_CSV, 'utf8');
    const rows = toFeatureRows(parseCsv(text, TELCO_CSV), TELCO_CSV);
    expect(rows.records.length).toBe(7043);
    const po = await ortPredictor.predict(rows.records);
    const pl = await litePredictor.predict(rows.records);
    expect(maxAbsDiff(pl, po)).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(po, referencePredict(spec, rows.records))).toBeLessThanOrEqual(1e-5);
    // The 11 blank TotalCharges rows arrive as null and are imputed, not NaN.
    expect(rows.records.filter((r) => r['total_charges'] === null).length).toBe(11);
    expect(po.every(Number.isFinite)).toBe(true);
  });

  it('refuses a graph with an operator it does not implement, naming the operator', async () => {
    const tanh = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'tanh',
        input: [
          {
            name: 'x',
            type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: 1 }] } } },
          },
        ],
        output: [
          {
            name: 'y',
            type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: 1 }] } } },
          },
        ],
        node: [{ name: 'squash', opType: 'Tanh', input: ['x'], output: ['y'] }],
      },
    }).finish();
    const error = await createLitePredictor(tanh).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedOperatorError);
    expect(error).toMatchObject({ name: 'UnsupportedOperatorError', op: 'Tanh' });
    expect((error as Error).message).toMatch(/operator Tanh \(node "squash"\)/);
    // ORT itself runs it: the refusal is the lite engine's, not a broken artifact.
    const o = await createOrtPredictor(ort, tanh);
    expect(o.engine).toBe('ort');
  });
});

describe('messy inputs', () => {
  const messy: FeatureRecord[] = [
    {},
    { gender: 'Robot', contract: 'Forever', tenure: Number.NaN, monthly_charges: null, total_charges: null },
    { ...randomRecords(1, 5)[0], payment_method: '', senior_citizen: null },
    { ...randomRecords(1, 6)[0], internet_service: null, total_charges: Number.NaN, extra_column: 'ignored' },
    { ...randomRecords(1, 7)[0], tenure: '12', monthly_charges: 'abc', partner: 1 },
  ];

  it('unknown categories and missing values give identical finite results in both engines', async () => {
    const po = await ortPredictor.predict(messy);
    const pl = await litePredictor.predict(messy);
    expect(maxAbsDiff(pl, po)).toBeLessThanOrEqual(1e-6);
    expect(po.every((p) => p >= 0 && p <= 1)).toBe(true);
    // Unknown/missing category = all zeros, missing number = impute: exactly the reference encoding.
    const reference = referencePredict(spec, messy.slice(0, 4));
    expect(maxAbsDiff(po.subarray(0, 4), reference)).toBeLessThanOrEqual(1e-5);
  });

  it('a numeric string is parsed and an unparsable one is missing, in both engines', async () => {
    const base = randomRecords(1, 9)[0]!;
    const asString = { ...base, tenure: String(base['tenure']), monthly_charges: 'n/a' };
    const asMissing = { ...base, monthly_charges: null };
    const [a, b] = await litePredictor.predict([asString, asMissing]);
    expect(a).toBe(b);
    const [c, d] = await ortPredictor.predict([asString, asMissing]);
    expect(c).toBe(d);
    expect(a).toBe(c);
  });
});

describe('bad artifacts', () => {
  const rand = mulberry32(3);
  const garbage = Uint8Array.from({ length: 4096 }, () => Math.floor(rand() * 256));
  const cases: [string, Uint8Array][] = [
    ['truncated', bytes.subarray(0, Math.floor(bytes.length / 2))],
    ['garbage', garbage],
    ['empty', new Uint8Array(0)],
    ['text', new TextEncoder().encode('this is not an onnx file, it is a sentence about churn')],
  ];

  it.each(cases)('%s bytes: both engines fail with OnnxModelError', async (_label, input) => {
    const lite = await createLitePredictor(input).catch((e: unknown) => e);
    expect(lite).toBeInstanceOf(OnnxModelError);
    expect((lite as Error).message).toMatch(/not an ONNX model|lite engine/);
    const viaOrt = await createOrtPredictor(ort, input).catch((e: unknown) => e);
    expect(viaOrt).toBeInstanceOf(OnnxModelError);
    expect((viaOrt as Error).message).toMatch(/not an ONNX model|onnxruntime cannot load the model/);
  });
});
