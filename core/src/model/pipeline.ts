// The whole training pipeline: split, train, evaluate on the holdout, export ONNX, profile, build model.json.

import { sha256Hex } from '../data/sha256';
import { TELCO_SCHEMA } from '../data/telco-schema';
import { buildReferenceProfile } from '../drift/profile';
import type { ModelSchema } from '../schema/model-schema';
import type { FeatureRecord } from '../schema/validator';
import { versionId } from './artifact';
import { MODEL_CARD_FORMAT, type ModelCard } from './artifact-types';
import { classificationMetrics } from './metrics';
import { fitMultivariateField } from './multivariate-fit';
import { exportOnnx } from './onnx/index';
import { fittedSchema } from './preprocess';
import { mulberry32, shuffledIndices } from './rng';
import type { ModelSpec } from './spec';
import { type Split, stratifiedSplit } from './split';
import { predictWithTf, type TrainOptions, trainModel, trainOptionsFor } from './train';

/** The reference profile keeps at most this many training rows (a seeded sample beyond it). */
export const PROFILE_MAX_ROWS = 20_000;

export interface TrainArtifactInput {
  readonly records: readonly FeatureRecord[];
  readonly labels: ArrayLike<number>;
  /** sha256 of the training data as given (the CSV file's bytes, or a hash of the rows used). */
  readonly trainingDataSha256: string;
  /**
   * The schema to train by (from `inferSchema`, or the demo's). Callers that predate schemas (the
   * retrainer) leave it out and train the built-in Telco demo.
   */
  readonly schema?: ModelSchema;
  /** Prefix of the version id (`churn` for the demo, else `model`). */
  readonly versionPrefix?: string;
  readonly options?: Partial<TrainOptions>;
  readonly holdoutShare?: number;
  /**
   * A precomputed train/holdout split of `records` (row indices), instead of the seeded stratified one —
   * retraining passes one that keeps the production model's own holdout rows out of training.
   */
  readonly split?: Split;
  readonly parentVersion?: string | null;
  readonly now?: () => Date;
  /** A monotonic clock in milliseconds, for the training duration. */
  readonly clock?: () => number;
}

export interface TrainedArtifact {
  readonly card: ModelCard;
  readonly onnx: Uint8Array;
  readonly spec: ModelSpec;
  /** Holdout rows (indices into the input), their labels and the tfjs model's probabilities. */
  readonly holdout: {
    readonly indices: Uint32Array;
    readonly labels: Uint8Array;
    readonly probabilities: Float32Array;
  };
}

function checkSplit(split: Split, rows: number): void {
  const seen = new Uint8Array(rows);
  for (const part of [split.train, split.holdout]) {
    for (const i of part) {
      if (i >= rows || seen[i]) throw new RangeError(`split index ${i} is out of range or used twice`);
      seen[i] = 1;
    }
  }
  if (split.train.length === 0 || split.holdout.length === 0) throw new RangeError('split has an empty part');
}

/** The training rows the reference profile keeps: all up to PROFILE_MAX_ROWS, else a seeded sample in order. */
function profileSample(records: readonly FeatureRecord[], seed: number): readonly FeatureRecord[] {
  if (records.length <= PROFILE_MAX_ROWS) return records;
  const picked = shuffledIndices(records.length, mulberry32(seed ^ 0x5eed))
    .slice(0, PROFILE_MAX_ROWS)
    .sort();
  return Array.from(picked, (i) => records[i]!);
}

/** Trains on a stratified split, evaluates on the holdout and returns a complete, self-describing artifact. */
export async function trainArtifact(input: TrainArtifactInput): Promise<TrainedArtifact> {
  const schema = input.schema ?? TELCO_SCHEMA;
  const options: TrainOptions = { ...trainOptionsFor(input.records.length), ...input.options };
  const clock = input.clock ?? (() => Date.now());
  const started = clock();
  const split = input.split ?? stratifiedSplit(input.labels, input.holdoutShare ?? 0.2, options.seed);
  checkSplit(split, input.records.length);
  const pick = (idx: Uint32Array) => Array.from(idx, (i) => input.records[i]!);
  const trainRecords = pick(split.train);
  const holdoutRecords = pick(split.holdout);
  const trainLabels = Uint8Array.from(split.train, (i) => input.labels[i]!);
  const holdoutLabels = Uint8Array.from(split.holdout, (i) => input.labels[i]!);

  const spec = await trainModel(trainRecords, trainLabels, schema, options);
  const trained = fittedSchema(schema, spec.preprocess, trainRecords);
  const probabilities = await predictWithTf(spec, holdoutRecords);
  const metrics = classificationMetrics(holdoutLabels, probabilities);
  const seconds = (clock() - started) / 1000;

  // The multivariate reference is every labelled row given, in order (as `pmm multivariate --reference` reads the file).
  const multivariate = fitMultivariateField(input.records, trained.features, options.seed).field;
  const createdAt = (input.now ?? (() => new Date()))();
  const provisional = exportOnnx(spec);
  const prefix =
    input.versionPrefix ?? (input.schema === undefined || input.schema === TELCO_SCHEMA ? 'churn' : 'model');
  const version = versionId(createdAt, await sha256Hex(provisional), prefix);
  const onnx = exportOnnx(spec, { version });
  const card: ModelCard = {
    format: MODEL_CARD_FORMAT,
    version,
    created_at: createdAt.toISOString(),
    parent_version: input.parentVersion ?? null,
    training_data_sha256: input.trainingDataSha256,
    onnx_sha256: await sha256Hex(onnx),
    feature_schema: trained.features.map((f) =>
      f.kind === 'categorical'
        ? { name: f.name, kind: f.kind, categories: [...f.categories] }
        : { name: f.name, kind: f.kind },
    ),
    schema: trained,
    origin: { kind: 'trained' },
    metrics,
    training: {
      seed: options.seed,
      train_rows: trainRecords.length,
      holdout_rows: holdoutRecords.length,
      epochs: options.epochs,
      hidden_units: [...options.hiddenUnits],
      l2: options.l2,
      learning_rate: options.learningRate,
      seconds,
    },
    reference_profile: buildReferenceProfile(profileSample(trainRecords, options.seed), trained.features),
    reference_predictions: {
      scores: Array.from(probabilities, (p) => Math.min(1, Math.max(0, p))),
      targets: Array.from(holdoutLabels, (t) => (t === 1 ? 1 : 0)),
    },
    ...(multivariate && { multivariate }),
  };
  return { card, onnx, spec, holdout: { indices: split.holdout, labels: holdoutLabels, probabilities } };
}
