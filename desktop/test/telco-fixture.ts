// Synthetic monitoring data from the Telco CSV: two model versions, aliases, a prediction log that drifts, feedback.
import { readFileSync } from 'node:fs';
import { parseCsv, toFeatureRows } from '@pmm/core/data';
import type { ReferenceProfile } from '@pmm/core/drift';
import { FEATURES } from '@pmm/core/schema';
import type { ColumnType, FakeShapeServer } from './fake-shape-server';
import { PREDICTION_SCHEMA } from './fake-shape-server';

type FeatureRecord = Record<string, string | number | null>;

/** The reference profile shape core stores in model.json: sorted numerical values, category counts. */
export function profileOf(records: readonly FeatureRecord[]): ReferenceProfile {
  const columns: ReferenceProfile['columns'] = {};
  const out = columns as Record<string, ReferenceProfile['columns'][string]>;
  for (const f of FEATURES) {
    let missing = 0;
    if (f.kind === 'numerical') {
      const values: number[] = [];
      for (const r of records) {
        const v = r[f.name];
        if (typeof v === 'number' && Number.isFinite(v)) values.push(v);
        else missing++;
      }
      out[f.name] = { type: 'numerical', values: values.sort((a, b) => a - b), missing };
    } else {
      const counts: Record<string, number> = {};
      for (const r of records) {
        const v = r[f.name];
        if (v === null || v === undefined) missing++;
        else counts[String(v)] = (counts[String(v)] ?? 0) + 1;
      }
      out[f.name] = {
        type: 'categorical',
        counts: Object.fromEntries(Object.entries(counts).sort()),
        missing,
      };
    }
  }
  return { rows: records.length, columns };
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const uuid = (i: number, prefix: string) => `${prefix}-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** Loads the Telco CSV into a FakeShapeServer's tables: `rows` predictions over 14 days, drifting in week two. */
export function seedTelco(
  server: FakeShapeServer,
  csvPath: string,
  rows: number,
): { start: number; end: number } {
  const { records, labels } = toFeatureRows(parseCsv(readFileSync(csvPath, 'utf8'), csvPath));
  const rand = mulberry32(7);
  const monthly = records.map((_, i) => i).filter((i) => records[i]!['contract'] === 'Month-to-month');
  const end = Date.UTC(2026, 10, 20);
  const start = end - 14 * 86_400_000;
  const predictions: Record<string, unknown>[] = [];
  const feedback: Record<string, unknown>[] = [];
  for (let i = 0; i < rows; i++) {
    const late = i >= rows / 2;
    const k =
      late && rand() < 0.6
        ? monthly[Math.floor(rand() * monthly.length)]!
        : Math.floor(rand() * records.length);
    const r = records[k]!;
    const z =
      -1.2 +
      (r['contract'] === 'Month-to-month' ? 1.3 : -0.8) -
      0.03 * Number(r['tenure']) +
      0.012 * (Number(r['monthly_charges']) - 65) +
      (late ? 0.4 : 0);
    const probability = 1 / (1 + Math.exp(-z));
    const ts = start + ((end - start) * i) / rows;
    const id = uuid(i, '00000000');
    predictions.push({
      prediction_id: id,
      created_at: new Date(ts).toISOString(),
      node_id: `edge-${(i % 3) + 1}`,
      model_version: 'v1',
      features: r,
      probability: Math.round(probability * 1e4) / 1e4,
      label: probability >= 0.5 ? 1 : 0,
      seq: i + 1,
    });
    if (rand() < 0.4) {
      feedback.push({
        prediction_id: id,
        outcome: labels![k]!,
        created_at: new Date(ts + 86_400_000).toISOString(),
        seq: feedback.length + 1,
      });
    }
  }
  const half = Math.floor(records.length / 2);
  const card = (version: string, parent: string | null, part: FeatureRecord[], auc: number) => ({
    format: 'pmm-model/1',
    version,
    created_at: new Date(start - (version === 'v1' ? 30 : 2) * 86_400_000).toISOString(),
    parent_version: parent,
    feature_schema: FEATURES.map((f) => ({ name: f.name, kind: f.kind })),
    metrics: {
      roc_auc: auc,
      log_loss: 0.43 - (auc - 0.84),
      accuracy: 0.8 + (auc - 0.84) / 2,
      brier: 0.14,
      precision: 0.66,
      recall: 0.52,
      rows: 1409,
    },
    reference_profile: profileOf(part),
  });
  const v1 = card('v1', null, records.slice(0, half), 0.842);
  const v2 = card('v2', 'v1', records.slice(half), 0.851);
  const models = [v1, v2].map((c, i) => ({
    version: c.version,
    created_at: c.created_at,
    parent_version: c.parent_version,
    metrics: c.metrics,
    card: c,
    seq: i + 1,
  }));
  const history = [
    {
      id: 1,
      alias: 'production',
      from_version: null,
      to_version: 'v1',
      actor: 'ci',
      reason: 'first model',
      at: new Date(start - 29 * 86_400_000).toISOString(),
      seq: 1,
    },
    {
      id: 2,
      alias: 'challenger',
      from_version: null,
      to_version: 'v2',
      actor: 'ci',
      reason: 'retrained on recent data',
      at: new Date(start - 86_400_000).toISOString(),
      seq: 2,
    },
  ];
  const t = (schema: Record<string, ColumnType>, pk: string, rows: Record<string, unknown>[]) => ({
    schema,
    pk,
    rows,
  });
  server.tables.set('predictions', t(PREDICTION_SCHEMA, 'prediction_id', predictions));
  server.tables.set(
    'feedback',
    t(
      { prediction_id: 'text', outcome: 'int2', created_at: 'timestamptz', seq: 'int8' },
      'prediction_id',
      feedback,
    ),
  );
  server.tables.set(
    'models',
    t(
      {
        version: 'text',
        created_at: 'timestamptz',
        parent_version: 'text',
        metrics: 'jsonb',
        card: 'jsonb',
        seq: 'int8',
      },
      'version',
      models,
    ),
  );
  server.tables.set(
    'alias_history',
    t(
      {
        id: 'int8',
        alias: 'text',
        from_version: 'text',
        to_version: 'text',
        actor: 'text',
        reason: 'text',
        at: 'timestamptz',
        seq: 'int8',
      },
      'id',
      history,
    ),
  );
  server.tables.set(
    'drift_reports',
    t(
      {
        id: 'int8',
        model_version: 'text',
        node_id: 'text',
        window: 'jsonb',
        report: 'jsonb',
        dataset_drift: 'bool',
        drift_share: 'float8',
        created_at: 'timestamptz',
        seq: 'int8',
      },
      'id',
      [],
    ),
  );
  return { start, end };
}
