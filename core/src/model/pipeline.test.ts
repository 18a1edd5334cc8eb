// The model pipeline end to end on the Telco data: quality, ONNX parity with tfjs, robustness, integrity.
import { readFileSync } from 'node:fs';
import { requireParts, telcoCsvPath } from '@pmm/test-support';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../data/csv';
import { sha256Hex } from '../data/sha256';
import { toFeatureRows } from '../data/telco';
import { EXAMPLE_FEATURES } from '../data/telco-request';
import { compileRowError, reconstructionErrors, tableFromRecords } from '../multivariate/index';
import type { FeatureRecord } from '../schema/validator';
import { ArtifactError, parseModelCard, verifyArtifact } from './artifact';
import { createLitePredictor, createOrtPredictor } from './onnx/index';
import { type TrainedArtifact, trainArtifact } from './pipeline';
import { predictWithTf } from './train';

const SHARED = telcoCsvPath();
const present = requireParts('the model pipeline tests', { 'Telco data': SHARED });

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe.skipIf(!present)('the default churn model on the Telco data', () => {
  let records: FeatureRecord[];
  let labels: Uint8Array;
  let artifact: TrainedArtifact;

  beforeAll(async () => {
    const bytes = new Uint8Array(readFileSync(SHARED));
    const rows = toFeatureRows(parseCsv(new TextDecoder().decode(bytes)));
    records = rows.records;
    labels = rows.labels!;
    ort.env.wasm.numThreads = 1;
    artifact = await trainArtifact({
      records,
      labels,
      trainingDataSha256: await sha256Hex(bytes),
      now: () => new Date('2026-11-26T00:00:00Z'),
    });
  });

  it('reaches holdout ROC AUC >= 0.84 on the stratified 80/20 split', () => {
    expect(artifact.card.metrics.rows).toBe(1409);
    expect(artifact.card.training.train_rows).toBe(5634);
    expect(artifact.card.metrics.roc_auc).toBeGreaterThanOrEqual(0.84);
  });

  it('writes a model.json that validates and carries the reference profile and the ONNX sha256', async () => {
    const card = parseModelCard(JSON.parse(JSON.stringify(artifact.card)));
    expect(card.onnx_sha256).toBe(await sha256Hex(artifact.onnx));
    expect(card.version).toMatch(/^churn-20261126-000000-[0-9a-f]{8}$/);
    expect(Object.keys(card.reference_profile.columns)).toHaveLength(19);
    expect(card.reference_profile.rows).toBe(5634);
    const tenure = card.reference_profile.columns.tenure!;
    expect(tenure.type === 'numerical' && tenure.values.length).toBe(5634);
  });

  it("puts the multivariate fit of all 7,043 labelled rows into model.json, the rows' errors as the table's", () => {
    const card = parseModelCard(JSON.parse(JSON.stringify(artifact.card)));
    const fit = card.multivariate!;
    expect(fit.columns.map((c) => c.name)).toEqual(card.schema!.features.map((f) => f.name));
    expect(fit.reference_errors).toHaveLength(7043);
    const features = card.schema!.features.map((f) => ({ name: f.name, kind: f.kind }));
    const errors = reconstructionErrors(fit, tableFromRecords(records, features));
    expect(fit.reference_errors).toEqual(Array.from(errors));
    const rowError = compileRowError(fit);
    expect(records.slice(0, 50).map((r) => rowError(r))).toEqual(Array.from(errors.subarray(0, 50)));
  });

  it('ONNX Runtime gives the tfjs model its own probabilities on all 7,043 rows (max |diff| <= 1e-5)', async () => {
    const expected = await predictWithTf(artifact.spec, records);
    const predictor = await createOrtPredictor(ort, artifact.onnx);
    expect(maxAbsDiff(await predictor.predict(records), expected)).toBeLessThanOrEqual(1e-5);
  });

  it('the lite engine agrees with ONNX Runtime on all 7,043 rows (max |diff| <= 1e-6)', async () => {
    const viaOrt = await (await createOrtPredictor(ort, artifact.onnx)).predict(records);
    const viaLite = await (await createLitePredictor(artifact.onnx)).predict(records);
    expect(maxAbsDiff(viaLite, viaOrt)).toBeLessThanOrEqual(1e-6);
  });

  it('scores unknown categories and missing values without crashing, the same in every engine', async () => {
    const odd: FeatureRecord[] = [
      { ...EXAMPLE_FEATURES, contract: 'Weekly', payment_method: 'Bitcoin' },
      { ...EXAMPLE_FEATURES, total_charges: null, tenure: null, gender: null },
      Object.fromEntries(Object.keys(EXAMPLE_FEATURES).map((k) => [k, null])),
    ];
    const expected = await predictWithTf(artifact.spec, odd);
    for (const predictor of [
      await createOrtPredictor(ort, artifact.onnx),
      await createLitePredictor(artifact.onnx),
    ]) {
      const p = await predictor.predict(odd);
      expect(Array.from(p).every((v) => Number.isFinite(v) && v > 0 && v < 1)).toBe(true);
      expect(maxAbsDiff(p, expected)).toBeLessThanOrEqual(1e-5);
    }
  });

  it('refuses a corrupted model.onnx by its sha256', async () => {
    const corrupted = artifact.onnx.slice();
    corrupted[corrupted.length >> 1] = corrupted[corrupted.length >> 1]! ^ 0xff;
    await expect(verifyArtifact(artifact.card, corrupted)).rejects.toThrow(ArtifactError);
    await expect(verifyArtifact(artifact.card, corrupted)).rejects.toThrow(/sha256 mismatch/);
    await expect(verifyArtifact(artifact.card, artifact.onnx)).resolves.toBeUndefined();
  });

  it('is reproducible: the same seed gives the same ONNX bytes', async () => {
    const again = await trainArtifact({
      records,
      labels,
      trainingDataSha256: artifact.card.training_data_sha256,
      now: () => new Date('2026-11-26T00:00:00Z'),
    });
    expect(again.card.onnx_sha256).toBe(artifact.card.onnx_sha256);
  });
});

describe('parseModelCard', () => {
  it('names the offending field', () => {
    expect(() => parseModelCard('{')).toThrow(/not valid JSON/);
    expect(() => parseModelCard({ format: 'pmm-model/1' })).toThrow(/model\.json: version/);
  });
});
