// One retraining job, CPU-bound and database-free: reads the labelled reference CSV by the model's feature
// schema (from its model.json), adds the labelled predictions, trains a new version, and scores it and the
// production model on the same holdout rows.
import { readFile } from 'node:fs/promises';
import { parseCsv, sha256Hex } from '@pmm/core/data';
import { classificationMetrics, type HoldoutMetrics, type ModelCard, stratifiedSplit } from '@pmm/core/model';
import { createLitePredictor } from '@pmm/core/onnx';
import { buildFeaturesSchema, type FeatureRecord, type ModelSchema, tableToRows } from '@pmm/core/schema';
import { trainArtifact } from '@pmm/core/train';

export interface LabelledRow {
  readonly features: Record<string, unknown>;
  /** The true outcome (1 = churned). */
  readonly outcome: number;
}

export interface RetrainJobInput {
  /** The model name: the new version's prefix. */
  readonly name: string;
  /** The feature schema, target and task, read from the model's card. */
  readonly schema: ModelSchema;
  /** Path of the labelled reference CSV (the model's training data). */
  readonly trainingData: string;
  readonly labelled: readonly LabelledRow[];
  readonly parentVersion: string | null;
  /** The production model's ONNX bytes, scored on the same holdout (null: no production model). */
  readonly productionOnnx: Uint8Array | null;
  /**
   * How production was trained (its model.json `training.seed` and `training_data_sha256`): when it was trained
   * on this same reference file, its own holdout split is reproduced, so neither model has seen the holdout.
   */
  readonly productionTraining?: { readonly seed: number; readonly training_data_sha256: string } | null;
  readonly seed: number;
  readonly epochs?: number;
}

export interface RetrainRows {
  readonly reference: number;
  /** Reference CSV rows left out because they failed validation. */
  readonly reference_skipped: number;
  readonly labelled: number;
  /** Labelled predictions left out because their features failed validation. */
  readonly labelled_skipped: number;
  readonly train: number;
  readonly holdout: number;
}

export interface RetrainMetrics {
  /** Both models scored by the lite ONNX engine on the challenger's holdout rows. */
  readonly challenger: HoldoutMetrics;
  readonly production: HoldoutMetrics | null;
  /** The same, on the holdout rows that came from labelled predictions (null when too few or one class). */
  readonly labelled_holdout: { challenger: HoldoutMetrics; production: HoldoutMetrics | null } | null;
  readonly production_error?: string;
}

export interface RetrainJobResult {
  readonly card: ModelCard;
  readonly onnx: Uint8Array;
  readonly rows: RetrainRows;
  readonly metrics: RetrainMetrics;
  /** Wall-clock seconds of the job (reading, training, scoring). */
  readonly seconds: number;
}

/** The logged features as a feature record (only the schema's features), or null when the schema refuses them. */
function recordReader(schema: ModelSchema): (features: Record<string, unknown>) => FeatureRecord | null {
  const names = schema.features.map((f) => f.name);
  const validator = buildFeaturesSchema(schema);
  return (features) => {
    const picked: Record<string, unknown> = {};
    for (const name of names) picked[name] = Object.hasOwn(features, name) ? features[name] : null;
    return validator.safeParse(picked).success ? (picked as FeatureRecord) : null;
  };
}

function hasBothClasses(labels: ArrayLike<number>): boolean {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] === 1 ? 1 : 0;
  return positives > 0 && positives < labels.length;
}

export async function runRetrainJob(input: RetrainJobInput): Promise<RetrainJobResult> {
  const started = performance.now();
  let bytes: Buffer;
  try {
    bytes = await readFile(input.trainingData);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `training data not found: ${input.trainingData} (set PMM_TRAINING_DATA to the model's labelled training CSV)`
        : `cannot read the training data ${input.trainingData}: ${(err as Error).message}`,
    );
  }
  const reference = tableToRows(
    parseCsv(bytes.toString('utf8'), input.trainingData),
    input.schema,
    input.trainingData,
  );
  if (!reference.labels)
    throw new Error(
      `${input.trainingData}: no ${input.schema.target.column} column, so there is nothing to learn from`,
    );
  const toRecord = recordReader(input.schema);

  const records: FeatureRecord[] = [...reference.records];
  const labels: number[] = Array.from(reference.labels);
  const fromLabelled: boolean[] = records.map(() => false);
  let labelledSkipped = 0;
  for (const row of input.labelled) {
    const record = toRecord(row.features);
    if (!record || (row.outcome !== 0 && row.outcome !== 1)) {
      labelledSkipped++;
      continue;
    }
    records.push(record);
    labels.push(row.outcome);
    fromLabelled.push(true);
  }
  const positives = labels.reduce((n, y) => n + y, 0);
  if (records.length < 20 || positives < 5 || records.length - positives < 5) {
    throw new Error(
      `too few rows to train (${records.length} rows, ${positives} ${input.schema.target.column} = ${input.schema.target.positive})`,
    );
  }

  const referenceSha = await sha256Hex(new Uint8Array(bytes));
  const labelledCount = records.length - reference.records.length;
  const trainingDataSha256 =
    labelledCount === 0
      ? referenceSha
      : await sha256Hex(
          `${referenceSha}\n${JSON.stringify(records.slice(reference.records.length).map((r, i) => [r, labels[reference.records.length + i]]))}`,
        );

  // Holdout = production's own holdout of the reference rows (when it trained on this file) plus a stratified
  // share of the labelled predictions; everything else trains the challenger.
  const referenceCount = reference.records.length;
  const referenceSplit = stratifiedSplit(
    reference.labels,
    0.2,
    input.productionTraining?.training_data_sha256 === referenceSha
      ? input.productionTraining.seed
      : input.seed,
  );
  const labelledSplit =
    labelledCount > 0
      ? stratifiedSplit(labels.slice(referenceCount), 0.2, input.seed)
      : { train: new Uint32Array(), holdout: new Uint32Array() };
  const shift = (idx: Uint32Array) => Array.from(idx, (i) => i + referenceCount);
  const split = {
    train: Uint32Array.from([...referenceSplit.train, ...shift(labelledSplit.train)]),
    holdout: Uint32Array.from([...referenceSplit.holdout, ...shift(labelledSplit.holdout)]),
  };

  const artifact = await trainArtifact({
    records,
    labels: Uint8Array.from(labels),
    split,
    trainingDataSha256,
    parentVersion: input.parentVersion,
    schema: input.schema,
    versionPrefix: input.name,
    clock: () => performance.now(),
    options: { seed: input.seed, ...(input.epochs !== undefined && { epochs: input.epochs }) },
  });

  const holdoutIdx = Array.from(artifact.holdout.indices);
  const holdoutRecords = holdoutIdx.map((i) => records[i]!);
  const holdoutLabels = artifact.holdout.labels;
  const challengerProbs = await (await createLitePredictor(artifact.onnx)).predict(holdoutRecords);
  let productionProbs: Float32Array | null = null;
  let productionError: string | undefined;
  if (input.productionOnnx) {
    try {
      productionProbs = await (await createLitePredictor(input.productionOnnx)).predict(holdoutRecords);
    } catch (err) {
      productionError = `the production model could not be scored: ${(err as Error).message}`;
    }
  }

  const labelledPositions = holdoutIdx.flatMap((idx, k) => (fromLabelled[idx] ? [k] : []));
  const subset = (values: ArrayLike<number>) => labelledPositions.map((k) => values[k]!);
  const labelledLabels = subset(holdoutLabels);
  const labelledHoldout =
    labelledPositions.length >= 10 && hasBothClasses(labelledLabels)
      ? {
          challenger: classificationMetrics(labelledLabels, subset(challengerProbs)),
          production: productionProbs ? classificationMetrics(labelledLabels, subset(productionProbs)) : null,
        }
      : null;

  return {
    card: artifact.card,
    onnx: artifact.onnx,
    rows: {
      reference: reference.records.length,
      reference_skipped: reference.issues.length,
      labelled: labelledCount,
      labelled_skipped: labelledSkipped,
      train: artifact.card.training.train_rows,
      holdout: holdoutRecords.length,
    },
    metrics: {
      challenger: classificationMetrics(holdoutLabels, challengerProbs),
      production: productionProbs ? classificationMetrics(holdoutLabels, productionProbs) : null,
      labelled_holdout: labelledHoldout,
      ...(productionError && { production_error: productionError }),
    },
    seconds: (performance.now() - started) / 1000,
  };
}
