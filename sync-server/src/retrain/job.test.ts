// The retrain job's holdout is fair: production is scored on exactly the rows it held out itself.
import { readFileSync } from 'node:fs';
import { parseCsv, sha256Hex, toFeatureRows } from '@pmm/core/data';
import { modelSchemaOf } from '@pmm/core/model';
import { trainArtifact } from '@pmm/core/train';
import { requireParts, telcoCsvPath } from '@pmm/test-support';
import { describe, expect, it } from 'vitest';
import { runRetrainJob } from './job';

const TELCO = telcoCsvPath();
const present = requireParts('the retrain job test', { 'Telco data': TELCO });

describe.skipIf(!present)('runRetrainJob', () => {
  it('scores production on its own holdout when it was trained on the same file, so it has not seen those rows', async () => {
    const bytes = readFileSync(TELCO);
    const rows = toFeatureRows(parseCsv(bytes.toString('utf8')));
    const production = await trainArtifact({
      records: rows.records,
      labels: rows.labels!,
      trainingDataSha256: await sha256Hex(new Uint8Array(bytes)),
      options: { seed: 3 },
    });
    const result = await runRetrainJob({
      name: 'churn',
      schema: modelSchemaOf(production.card),
      trainingData: TELCO,
      labelled: [],
      parentVersion: production.card.version,
      productionOnnx: production.onnx,
      productionTraining: {
        seed: production.card.training.seed,
        training_data_sha256: production.card.training_data_sha256,
      },
      seed: 0,
    });
    expect(result.rows.holdout).toBe(production.card.metrics.rows);
    expect(result.metrics.production!.rows).toBe(production.card.metrics.rows);
    // Same rows, same model (tfjs at training time, the lite ONNX engine here): the same metrics.
    expect(result.metrics.production!.roc_auc).toBeCloseTo(production.card.metrics.roc_auc, 4);
    expect(result.metrics.production!.accuracy).toBeCloseTo(production.card.metrics.accuracy, 3);
  });
});

describe('runRetrainJob on a model that is not Telco', () => {
  it('reads the training CSV by the schema from the model card and trains a version of that name', async () => {
    const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { fraudModel } = await import('../test/other-model');
    const fraud = await fraudModel();
    const dir = await mkdtemp(path.join(tmpdir(), 'pmm-retrain-fraud-'));
    try {
      const csv = path.join(dir, 'fraud table.csv');
      await writeFile(csv, fraud.csv);
      const labelled = fraud.records
        .slice(0, 40)
        .map((features, i) => ({ features: { ...features, extra: 'ignored' }, outcome: fraud.labels[i]! }));
      const result = await runRetrainJob({
        name: 'fraud',
        schema: modelSchemaOf(fraud.card),
        trainingData: csv,
        labelled: [...labelled, { features: { 'Amount USD': 'lots' }, outcome: 1 }],
        parentVersion: fraud.card.version,
        productionOnnx: fraud.onnx,
        productionTraining: {
          seed: fraud.card.training.seed,
          training_data_sha256: fraud.card.training_data_sha256,
        },
        seed: 0,
        epochs: 30,
      });
      expect(result.card.version).toMatch(/^fraud-/);
      expect(result.card.parent_version).toBe(fraud.card.version);
      expect(result.card.schema!.features.map((f) => f.name)).toEqual(
        fraud.schema.features.map((f) => f.name),
      );
      expect(result.card.schema!.target).toEqual(fraud.schema.target);
      expect(result.rows).toMatchObject({
        reference: fraud.records.length,
        labelled: 40,
        labelled_skipped: 1,
      });
      expect(result.metrics.production!.rows).toBe(result.rows.holdout);
      expect(result.metrics.challenger.roc_auc).toBeGreaterThan(0.6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
