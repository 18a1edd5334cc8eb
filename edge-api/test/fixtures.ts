// Test artifacts built in the test itself: a hand-made ModelSpec exported with exportOnnx, and its model card.
import type { ModelCard, ModelSpec } from '@pmm/core/model';
import { exportOnnx } from '@pmm/core/onnx';
import {
  CATEGORICAL_FEATURES,
  EXAMPLE_FEATURES,
  FEATURES,
  NUMERICAL_FEATURES,
  parseModelSchema,
} from '@pmm/core/schema';
import onnxPkg from 'onnx-proto';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const INGEST_TOKEN = 'test-ingest-token';
export { EXAMPLE_FEATURES };

/**
 * A logistic model: month-to-month contracts and fiber raise P(churn), tenure lowers it.
 * `bias` shifts every probability, so two versions give visibly different answers.
 */
export function churnSpec(bias = 0): ModelSpec {
  const preprocess = {
    categorical: CATEGORICAL_FEATURES.map((f) => ({ name: f.name, categories: [...f.categories] })),
    numerical: NUMERICAL_FEATURES.map((f) => ({
      name: f.name,
      impute: 0,
      offset: f.name === 'tenure' ? 30 : 0,
      scale: f.name === 'tenure' ? 1 / 30 : f.name === 'monthly_charges' ? 1 / 100 : 0,
    })),
  };
  const weights: number[] = [];
  for (const c of preprocess.categorical) {
    for (const category of c.categories) {
      weights.push(category === 'Month-to-month' ? 1.2 : category === 'Fiber optic' ? 0.6 : 0);
    }
  }
  for (const n of preprocess.numerical)
    weights.push(n.name === 'tenure' ? -1 : n.name === 'monthly_charges' ? 0.3 : 0);
  return {
    preprocess,
    layers: [
      { inputSize: weights.length, outputSize: 1, weights, bias: [bias - 0.8], activation: 'sigmoid' },
    ],
  };
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export async function cardFor(version: string, onnx: Uint8Array): Promise<ModelCard> {
  return {
    format: 'pmm-model/1',
    version,
    created_at: '2026-11-26T05:00:00.000Z',
    parent_version: null,
    training_data_sha256: 'a'.repeat(64),
    onnx_sha256: await sha256Hex(onnx),
    feature_schema: FEATURES.map((f) =>
      f.kind === 'categorical'
        ? { name: f.name, kind: f.kind, categories: [...f.categories] }
        : { name: f.name, kind: f.kind },
    ),
    metrics: {
      roc_auc: 0.84,
      log_loss: 0.42,
      accuracy: 0.8,
      brier: 0.14,
      precision: 0.66,
      recall: 0.52,
      rows: 1409,
    },
    training: {
      seed: 1,
      train_rows: 5634,
      holdout_rows: 1409,
      epochs: 10,
      hidden_units: [],
      l2: 0.001,
      learning_rate: 0.01,
      seconds: 1.5,
    },
    reference_profile: { rows: 0, columns: {} },
  };
}

export interface Artifact {
  readonly card: ModelCard;
  readonly onnx: Uint8Array;
}

export async function artifact(version: string, bias = 0): Promise<Artifact> {
  const onnx = exportOnnx(churnSpec(bias), { version });
  return { card: await cardFor(version, onnx), onnx };
}

/** A well-formed ONNX model that fails the canary: its output is Relu(x·w + 50) ≈ 50, not a probability. */
export async function artifactFailingCanary(version: string): Promise<Artifact> {
  const { onnx: protos } = onnxPkg;
  const model = protos.ModelProto.decode(exportOnnx(churnSpec(50), { version }));
  let swapped = 0;
  for (const node of model.graph?.node ?? []) {
    if (node.opType === 'Sigmoid') {
      node.opType = 'Relu';
      swapped++;
    }
  }
  if (swapped === 0) throw new Error('fixture: the exported graph has no Sigmoid node to swap');
  const onnx = protos.ModelProto.encode(model).finish();
  return { card: await cardFor(version, onnx), onnx };
}

export function installBody(a: Artifact) {
  return JSON.stringify({ model: a.card, onnx_base64: toBase64(a.onnx) });
}

/**
 * A model that is not Telco, built in the test: P(fraud) = σ(1.5·[airport = AMS] + 0.01·(amount − 100)
 * − 0.02·(card age days − 30) + bias − 0.5), its inputs named with spaces and capitals.
 */
export function fraudSpec(bias = 0): ModelSpec {
  return {
    preprocess: {
      categorical: [{ name: 'Home Airport', categories: ['AMS', 'CDG', 'LHR'] }],
      numerical: [
        { name: 'Amount USD', impute: 100, offset: 100, scale: 1 },
        { name: 'Card Age Days', impute: 30, offset: 30, scale: 1 },
      ],
    },
    layers: [
      {
        inputSize: 5,
        outputSize: 1,
        weights: [1.5, 0, 0, 0.01, -0.02],
        bias: [bias - 0.5],
        activation: 'sigmoid',
      },
    ],
  };
}

/** The fraud model's schema (model.json `schema`): an open category set, a nullable amount, an integer age. */
export const FRAUD_SCHEMA = parseModelSchema({
  task: 'binary_classification',
  target: { column: 'Is Fraud', positive: 'fraud', negative: 'ok' },
  features: [
    {
      name: 'Home Airport',
      kind: 'categorical',
      categories: ['AMS', 'CDG', 'LHR'],
      missing: { allowed: false },
    },
    {
      name: 'Amount USD',
      kind: 'numerical',
      range: { min: 1, max: 500 },
      missing: { allowed: true, value: 100 },
    },
    {
      name: 'Card Age Days',
      kind: 'numerical',
      range: { min: 0, max: 3650 },
      bounds: { min: 0 },
      integer: true,
      missing: { allowed: false },
    },
  ],
});

/** P(fraud) of one row by `fraudSpec(bias)`, computed without ONNX. */
export function fraudProbability(
  row: { 'Home Airport': string; 'Amount USD': number | null; 'Card Age Days': number },
  bias = 0,
): number {
  const amount = row['Amount USD'] ?? 100;
  const z =
    1.5 * (row['Home Airport'] === 'AMS' ? 1 : 0) +
    0.01 * (amount - 100) -
    0.02 * (row['Card Age Days'] - 30) +
    bias -
    0.5;
  return 1 / (1 + Math.exp(-z));
}

export async function fraudArtifact(version: string, bias = 0): Promise<Artifact> {
  const onnx = exportOnnx(fraudSpec(bias), { version });
  return { card: { ...(await cardFor(version, onnx)), schema: FRAUD_SCHEMA, feature_schema: [] }, onnx };
}

/** `POST /admin/models` body installing `a` under `name` (no name: the default model). */
export function namedInstallBody(a: Artifact, name?: string) {
  return JSON.stringify({
    ...(name === undefined ? {} : { name }),
    model: a.card,
    onnx_base64: toBase64(a.onnx),
  });
}
