// Importing foreign ONNX models (fixtures/generate.py): tensor input, label + probabilities, ZipMap, ORT-only.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../data/csv';
import { sha256Hex } from '../../data/sha256';
import { tableToRows } from '../../schema/rows';
import { parseModelCard } from '../artifact';
import { createLitePredictor } from '../onnx/lite-engine';
import { createOrtPredictor } from '../onnx/ort-engine';
import { ImportError, importOnnx } from './import-onnx';

const here = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures');
const file = (name: string) => new Uint8Array(readFileSync(path.join(here, name)));
const csvText = readFileSync(path.join(here, 'reference.csv'), 'utf8');
const reference = parseCsv(csvText);
const expected = JSON.parse(readFileSync(path.join(here, 'expected.json'), 'utf8')) as {
  features: string[];
  probabilities: number[];
};

async function run(onnxFile: string, extra: Partial<Parameters<typeof importOnnx>[0]> = {}) {
  return importOnnx({
    onnx: file(onnxFile),
    fileName: onnxFile,
    reference,
    referenceSha256: await sha256Hex(csvText),
    target: 'Bought',
    ort,
    now: () => new Date('2026-11-30T00:00:00Z'),
    ...extra,
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
});

describe('importOnnx', () => {
  it('imports a scikit-learn-style model (one float tensor, Scaler + LinearClassifier, label + probabilities)', async () => {
    const { card, notes } = await run('linear.onnx');
    expect(parseModelCard(JSON.parse(JSON.stringify(card))).version).toBe(card.version);
    expect(card.schema!.target).toEqual({ column: 'Bought', positive: 'yes', negative: 'no' });
    expect(card.schema!.features.map((f) => [f.name, f.kind])).toEqual(
      expected.features.map((f) => [f, 'numerical']),
    );
    expect(card.serving).toEqual({
      input: { layout: 'tensor', name: 'float_input', features: expected.features },
      output: { name: 'probabilities', column: 1 },
      engines: ['ort', 'lite'],
    });
    expect(card.origin).toEqual({ kind: 'imported', file: 'linear.onnx', producer: 'skl2onnx' });
    expect(card.metrics.rows).toBe(300);
    expect(notes).toContain('engines: ONNX Runtime and lite');
    // the multivariate fit on the 300 reference rows, with their errors (`pmm multivariate --model`)
    expect(notes.at(-1)).toBe('multivariate drift: PCA with 2 of 3 components fitted on the reference rows');
    expect(card.multivariate?.columns.map((c) => c.name)).toEqual(card.schema!.features.map((f) => f.name));
    expect(card.multivariate?.reference_errors).toHaveLength(300);
    // Both engines give the positive-class probability the float64 numpy computation gives.
    const rows = tableToRows(reference, card.schema!);
    for (const predictor of [
      await createOrtPredictor(ort, file('linear.onnx'), undefined, card.serving),
      await createLitePredictor(file('linear.onnx'), card.serving),
    ]) {
      expect(maxAbsDiff(await predictor.predict(rows.records), expected.probabilities)).toBeLessThan(1e-6);
    }
  });

  it('records that only ONNX Runtime can serve a model with an operator the lite engine lacks (Gemm)', async () => {
    const { card } = await run('gemm.onnx');
    expect(card.serving!.engines).toEqual(['ort']);
    expect(card.serving!.lite_refusal).toMatch(/lite engine does not implement operator Gemm/);
    expect(card.serving!.output).toEqual({ name: 'probability', column: null });
    const rows = tableToRows(reference, card.schema!);
    const p = await (await createOrtPredictor(ort, file('gemm.onnx'), undefined, card.serving)).predict(
      rows.records,
    );
    expect(maxAbsDiff(p, expected.probabilities)).toBeLessThan(1e-5);
  });

  it('refuses a ZipMap output at import, saying how to export without it', async () => {
    await expect(run('zipmap.onnx')).rejects.toThrow(ImportError);
    await expect(run('zipmap.onnx')).rejects.toThrow(
      `the model's output "output_probability" is a ZipMap (a sequence of maps), which pmm cannot read; export it with ZipMap disabled (skl2onnx: options={'zipmap': False})`,
    );
  });

  it('says the model expects numbers when a tensor-input model meets a categorical column', async () => {
    const withText = parseCsv(csvText.replace('\n36,', '\nabout forty,'));
    await expect(run('linear.onnx', { reference: withText })).rejects.toThrow(
      'reference column "Age Years" is categorical (it holds "about forty"), but the model takes one float tensor: it expects numbers',
    );
  });

  it('takes the tensor column order from --features, and refuses a count the model does not take', async () => {
    const reordered = [...expected.features].reverse();
    const { card } = await run('linear.onnx', { features: reordered });
    expect(card.serving!.input).toEqual({ layout: 'tensor', name: 'float_input', features: reordered });
    await expect(run('linear.onnx', { features: expected.features.slice(0, 2) })).rejects.toThrow(
      /takes 3 columns, but 2 feature columns were given/,
    );
  });
});
