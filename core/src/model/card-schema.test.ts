// Older model.json files (no `schema` field) still load: their schema is derived from their other fields.
import { describe, expect, it } from 'vitest';
import { TELCO_SCHEMA } from '../data/telco-schema';
import { parseModelCard } from './artifact';
import { modelSchemaOf } from './card-schema';

const base = {
  format: 'pmm-model/1',
  version: 'churn-20261126-000000-00000000',
  created_at: '2026-11-26T00:00:00.000Z',
  parent_version: null,
  training_data_sha256: 'a'.repeat(64),
  onnx_sha256: 'b'.repeat(64),
  metrics: { roc_auc: 0.8, log_loss: 0.4, accuracy: 0.8, brier: 0.1, precision: 0.6, recall: 0.5, rows: 10 },
  training: {
    seed: 0,
    train_rows: 40,
    holdout_rows: 10,
    epochs: 40,
    hidden_units: [16],
    l2: 0.001,
    learning_rate: 0.003,
    seconds: 1,
  },
  // A field a newer pmm may add (the estimation work's reference predictions): kept, not refused.
  reference_predictions: { scores: [0.1, 0.9], targets: [0, 1] },
};

describe('modelSchemaOf', () => {
  it("gives an older demo card the demo's schema (closed sets, bounds, target) with ranges from its profile", () => {
    const card = parseModelCard({
      ...base,
      feature_schema: TELCO_SCHEMA.features.map((f) =>
        f.kind === 'categorical'
          ? { name: f.name, kind: f.kind, categories: f.categories }
          : { name: f.name, kind: f.kind },
      ),
      reference_profile: {
        rows: 3,
        columns: { tenure: { type: 'numerical', values: [0, 5, 72], missing: 0 } },
      },
    });
    expect((card as Record<string, unknown>).reference_predictions).toEqual(base.reference_predictions);
    const schema = modelSchemaOf(card);
    expect(schema.target).toEqual(TELCO_SCHEMA.target);
    const tenure = schema.features.find((f) => f.name === 'tenure')!;
    expect(tenure).toMatchObject({ range: { min: 0, max: 72 }, bounds: { min: 0, max: 600 }, integer: true });
    const contract = schema.features.find((f) => f.name === 'contract')!;
    expect(contract).toMatchObject({ closed: true, categories: ['Month-to-month', 'One year', 'Two year'] });
  });

  it('derives any other older card from its feature_schema and profile: closed sets, ranges, missing seen', () => {
    const card = parseModelCard({
      ...base,
      feature_schema: [
        { name: 'colour', kind: 'categorical', categories: ['red', 'blue'] },
        { name: 'size cm', kind: 'numerical' },
      ],
      reference_profile: {
        rows: 4,
        columns: {
          colour: { type: 'categorical', counts: { red: 3, blue: 1 }, missing: 0 },
          'size cm': { type: 'numerical', values: [2, 9.5, 4], missing: 1 },
        },
      },
    });
    expect(modelSchemaOf(card).features).toEqual([
      {
        name: 'colour',
        kind: 'categorical',
        categories: ['red', 'blue'],
        closed: true,
        missing: { allowed: false, treatment: 'unknown_category' },
      },
      {
        name: 'size cm',
        kind: 'numerical',
        range: { min: 2, max: 9.5 },
        integer: false,
        missing: { allowed: true, treatment: 'impute', value: null },
      },
    ]);
  });
});
