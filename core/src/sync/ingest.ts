// The edge → centre log-shipping protocol: the row shapes both sides validate with the same zod schemas.
import { z } from 'zod';

/** Rows per ingest request: the edge ships in batches of this size, the centre refuses larger ones. */
export const INGEST_BATCH_SIZE = 500;

/** Paths on the sync server, relative to `SYNC_URL`. */
export const INGEST_PREDICTIONS_PATH = '/v1/ingest/predictions';
export const INGEST_FEEDBACK_PATH = '/v1/ingest/feedback';
export const PRODUCTION_MODEL_PATH = '/v1/models/@production';
export const modelArtifactPath = (version: string): string =>
  `/v1/models/${encodeURIComponent(version)}/artifact`;

const isoTimestamp = z.iso.datetime({ offset: true });
const nodeId = z.string().min(1).max(128);

/**
 * A logged row's features: any model's (strings, numbers, null for missing). The centre checks them against
 * the schema of the row's `model_version` (and names the model by that version).
 */
export const loggedFeaturesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));

/** One logged prediction, as the edge stored it. The centre's ingest is idempotent by `prediction_id`. */
export const ingestPredictionRowSchema = z.strictObject({
  prediction_id: z.uuid(),
  created_at: isoTimestamp,
  node_id: nodeId,
  model_version: z.string().min(1).max(128),
  /**
   * null: the edge ships no raw feature values (`SHIP_FEATURES = "false"`); its profiles carry the
   * distributions instead, and the centre's drift for it comes from those (`GET /v1/drift/fleet`).
   */
  features: loggedFeaturesSchema.nullable(),
  probability: z.number().min(0).max(1),
  label: z.union([z.literal(0), z.literal(1)]),
});
export type IngestPredictionRow = z.infer<typeof ingestPredictionRowSchema>;

/** The true outcome of a prediction; a later row for the same `prediction_id` replaces an earlier one. */
export const ingestFeedbackRowSchema = z.strictObject({
  prediction_id: z.uuid(),
  outcome: z.union([z.literal(0), z.literal(1)]),
  created_at: isoTimestamp,
});
export type IngestFeedbackRow = z.infer<typeof ingestFeedbackRowSchema>;

/** `POST {SYNC_URL}/v1/ingest/predictions` body. */
export const ingestPredictionsRequestSchema = z.strictObject({
  node_id: nodeId,
  rows: z.array(ingestPredictionRowSchema).min(1).max(INGEST_BATCH_SIZE),
});
export type IngestPredictionsRequest = z.infer<typeof ingestPredictionsRequestSchema>;

/** `POST {SYNC_URL}/v1/ingest/feedback` body. */
export const ingestFeedbackRequestSchema = z.strictObject({
  node_id: nodeId,
  rows: z.array(ingestFeedbackRowSchema).min(1).max(INGEST_BATCH_SIZE),
});
export type IngestFeedbackRequest = z.infer<typeof ingestFeedbackRequestSchema>;

/** The centre's answer to an ingest request (2xx): how many rows were new and how many it already had. */
export const ingestResponseSchema = z.object({
  accepted: z.number().int().min(0),
  duplicates: z.number().int().min(0),
});
export type IngestResponse = z.infer<typeof ingestResponseSchema>;

/** One row of a batch the centre did not store, named by its index in the batch, with the field and why. */
export const ingestRowProblemSchema = z.object({
  index: z.number().int().min(0),
  path: z.string(),
  message: z.string(),
});
export type IngestRowProblem = z.infer<typeof ingestRowProblemSchema>;

/**
 * The full answer: the counts, the rows refused by validation (`rejected`) and the predictions whose id the
 * centre already holds with different content (`conflicts`: the first is kept). Every row of a batch is in
 * exactly one of: accepted, duplicates, rejected, conflicts. An older centre may omit the lists.
 */
export const ingestResultSchema = ingestResponseSchema.extend({
  rejected: z.array(ingestRowProblemSchema).default([]),
  conflicts: z.array(ingestRowProblemSchema).default([]),
});
export type IngestResult = z.infer<typeof ingestResultSchema>;
