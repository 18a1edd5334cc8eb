// The sync server's PostgreSQL schema (drizzle): one definition for PGlite and PostgreSQL; drizzle-kit generates the migrations.
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** int8 read as a decimal string, so values past 2^53 survive JSON (PGlite returns bigint, postgres-js a string). */
export const int8 = customType<{ data: string; driverData: string | number | bigint }>({
  dataType: () => 'bigint',
  fromDriver: (value) => String(value),
});

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});

/**
 * One sequence for every table the desktop syncs: `seq` takes the next value on each insert and
 * (by the `pmm_bump_seq` trigger) on each update, so a shape endpoint can page with `seq > cursor`.
 */
export const syncSeq = pgSequence('sync_seq');

const seq = () => int8('seq').notNull().default(sql`nextval('sync_seq')`);

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const now = (name: string) => at(name).notNull().defaultNow();

export const predictions = pgTable(
  'predictions',
  {
    predictionId: uuid('prediction_id').primaryKey(),
    createdAt: at('created_at').notNull(),
    receivedAt: now('received_at'),
    nodeId: text('node_id').notNull(),
    modelVersion: text('model_version').notNull(),
    features: jsonb('features').$type<Record<string, unknown>>().notNull(),
    probability: doublePrecision('probability').notNull(),
    label: smallint('label').notNull(),
    seq: seq(),
    /** The seq a row had before its first update (null until then): a shape reports updates as `update`. */
    firstSeq: int8('first_seq'),
  },
  (t) => [
    uniqueIndex('predictions_seq_idx').on(t.seq),
    index('predictions_model_created_idx').on(t.modelVersion, t.createdAt),
    index('predictions_node_created_idx').on(t.nodeId, t.createdAt),
  ],
);

export const feedback = pgTable(
  'feedback',
  {
    predictionId: uuid('prediction_id')
      .primaryKey()
      .references(() => predictions.predictionId),
    outcome: smallint('outcome').notNull(),
    createdAt: at('created_at').notNull(),
    receivedAt: now('received_at'),
    seq: seq(),
    /** The seq a row had before its first update (null until then): a shape reports updates as `update`. */
    firstSeq: int8('first_seq'),
  },
  (t) => [uniqueIndex('feedback_seq_idx').on(t.seq)],
);

export const models = pgTable(
  'models',
  {
    version: text('version').primaryKey(),
    /** The registered model this version belongs to (MLflow's registered model); versions are globally unique. */
    name: text('name').notNull().default('churn'),
    createdAt: at('created_at').notNull(),
    registeredAt: now('registered_at'),
    registeredBy: text('registered_by'),
    parentVersion: text('parent_version'),
    trainingDataSha256: text('training_data_sha256').notNull(),
    onnxSha256: text('onnx_sha256').notNull(),
    onnxBytes: integer('onnx_bytes').notNull(),
    metrics: jsonb('metrics').$type<Record<string, number>>().notNull(),
    /** model.json as registered (includes the reference profile). */
    card: jsonb('card').$type<Record<string, unknown>>().notNull(),
    onnx: bytea('onnx').notNull(),
    seq: seq(),
    /** The seq a row had before its first update (null until then): a shape reports updates as `update`. */
    firstSeq: int8('first_seq'),
  },
  (t) => [
    uniqueIndex('models_seq_idx').on(t.seq),
    index('models_created_idx').on(t.createdAt),
    index('models_name_created_idx').on(t.name, t.createdAt),
  ],
);

/** Aliases per model name: `production` of `churn` and `production` of `fraud` are two rows. */
export const modelAliases = pgTable(
  'model_aliases',
  {
    name: text('name').notNull().default('churn'),
    alias: text('alias').notNull(),
    version: text('version')
      .notNull()
      .references(() => models.version),
    updatedAt: now('updated_at'),
  },
  (t) => [primaryKey({ name: 'model_aliases_pkey', columns: [t.name, t.alias] })],
);

/** Append-only (a trigger refuses UPDATE and DELETE): every alias change, with who and why. */
export const aliasHistory = pgTable(
  'alias_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** The model name whose alias moved. */
    name: text('name').notNull().default('churn'),
    alias: text('alias').notNull(),
    /** null: the alias did not exist before. */
    fromVersion: text('from_version'),
    /** null: the alias was deleted. */
    toVersion: text('to_version'),
    actor: text('actor').notNull(),
    reason: text('reason'),
    at: now('at'),
    seq: seq(),
  },
  (t) => [
    uniqueIndex('alias_history_seq_idx').on(t.seq),
    index('alias_history_alias_idx').on(t.alias, t.id),
    index('alias_history_name_alias_idx').on(t.name, t.alias, t.id),
  ],
);

export const nodes = pgTable('nodes', {
  nodeId: text('node_id').primaryKey(),
  url: text('url').notNull(),
  /** The edge's own admin token, kept in clear: the centre presents it when pushing models. */
  adminToken: text('admin_token').notNull(),
  registeredAt: now('registered_at'),
  lastContactAt: at('last_contact_at'),
  activeModelVersion: text('active_model_version'),
  /** When `active_model_version` was last learnt (from an ingested row's created_at or a push). */
  activeModelAt: at('active_model_at'),
});

export const nodePushes = pgTable(
  'node_pushes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    nodeId: text('node_id')
      .notNull()
      .references(() => nodes.nodeId, { onDelete: 'cascade' }),
    /** The model name pushed (pushes are tracked per node and name). */
    name: text('name').notNull().default('churn'),
    version: text('version').notNull(),
    attempt: integer('attempt').notNull(),
    /** 'succeeded' | 'failed' (will retry) | 'gave_up' | 'rejected' (edge answered 4xx) | 'superseded' */
    status: text('status').notNull(),
    httpStatus: integer('http_status'),
    error: text('error'),
    at: now('at'),
  },
  (t) => [index('node_pushes_node_idx').on(t.nodeId, t.id)],
);

export const driftReports = pgTable(
  'drift_reports',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** The model name of `model_version`. */
    modelName: text('model_name').notNull().default('churn'),
    modelVersion: text('model_version').notNull(),
    nodeId: text('node_id'),
    window: jsonb('window').$type<Record<string, unknown>>().notNull(),
    report: jsonb('report').$type<Record<string, unknown>>().notNull(),
    datasetDrift: boolean('dataset_drift').notNull(),
    driftShare: doublePrecision('drift_share').notNull(),
    createdAt: now('created_at'),
    seq: seq(),
    /** The seq a row had before its first update (null until then): a shape reports updates as `update`. */
    firstSeq: int8('first_seq'),
  },
  (t) => [
    uniqueIndex('drift_reports_seq_idx').on(t.seq),
    index('drift_reports_model_created_idx').on(t.modelVersion, t.createdAt),
    index('drift_reports_name_created_idx').on(t.modelName, t.createdAt),
  ],
);

export const retrainRuns = pgTable(
  'retrain_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** 'queued' | 'running' | 'succeeded' | 'failed' */
    status: text('status').notNull(),
    /** The model name retrained. */
    modelName: text('model_name').notNull().default('churn'),
    trigger: text('trigger').notNull(),
    startedAt: now('started_at'),
    finishedAt: at('finished_at'),
    challengerVersion: text('challenger_version'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('retrain_runs_status_idx').on(t.status, t.startedAt)],
);

export const tokens = pgTable(
  'tokens',
  {
    id: text('id').primaryKey(),
    /** 'admin' | 'read' | 'ingest' */
    role: text('role').notNull(),
    /** Set for ingest tokens: the only node they may ingest for. */
    nodeId: text('node_id').references(() => nodes.nodeId, { onDelete: 'cascade' }),
    /** Lowercase hex SHA-256 of the token; the token itself is never stored. */
    sha256: text('sha256').notNull(),
    createdAt: now('created_at'),
    revokedAt: at('revoked_at'),
  },
  (t) => [uniqueIndex('tokens_sha256_idx').on(t.sha256)],
);

/** Results of requests sent with an `Idempotency-Key`, so a retry returns the original answer. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestSha256: text('request_sha256').notNull(),
    status: integer('status').notNull(),
    response: jsonb('response').notNull(),
    createdAt: now('created_at'),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);

/**
 * Analyst notes on a model version or a drift report. Append-only (a trigger refuses UPDATE and DELETE); the
 * desktop outbox generates `id`, so a retried POST finds the note it already stored.
 */
export const notes = pgTable(
  'notes',
  {
    id: uuid('id').primaryKey(),
    /** 'model' | 'drift_report' */
    subjectType: text('subject_type').notNull(),
    /** A model version, or a drift report id. */
    subjectId: text('subject_id').notNull(),
    text: text('text').notNull(),
    /** Who wrote it (`role:token-id`, like alias_history.actor). */
    author: text('author').notNull(),
    createdAt: now('created_at'),
    seq: seq(),
  },
  (t) => [
    uniqueIndex('notes_seq_idx').on(t.seq),
    index('notes_subject_created_idx').on(t.subjectType, t.subjectId, t.createdAt),
    check('notes_subject_type_check', sql`${t.subjectType} in ('model', 'drift_report')`),
    check('notes_text_length_check', sql`char_length(${t.text}) between 1 and 4000`),
  ],
);

/** The shape endpoint's handle epoch per table: a retired handle is never issued again, even after a restart. */
export const shapeEpochs = pgTable('shape_epochs', {
  tableName: text('table_name').primaryKey(),
  epoch: text('epoch').notNull(),
});

/**
 * Per drift report: label-free performance (CBPE against the version's holdout) and multivariate drift (PCA
 * reconstruction error) of the same window (migration 0006, hand-written). `performance.realized` is refilled
 * when feedback arrives later, so the row is updated (and takes a new seq).
 */
export const monitorWindows = pgTable(
  'monitor_windows',
  {
    driftReportId: int8('drift_report_id')
      .primaryKey()
      .references(() => driftReports.id, { onDelete: 'cascade' }),
    modelVersion: text('model_version').notNull(),
    nodeId: text('node_id'),
    windowStart: at('window_start'),
    windowEnd: at('window_end'),
    rows: integer('rows').notNull(),
    /** Rows of the window whose feedback had arrived when `performance` was last computed. */
    labelled: integer('labelled').notNull(),
    /** `{ status: 'ok', calibrated, chunk }` (core's CBPE chunk record) or `{ status: 'skipped', reason }`. */
    performance: jsonb('performance').$type<Record<string, unknown>>().notNull(),
    /** `{ status: 'ok', components, reference_rows, chunk }` or `{ status: 'skipped', reason }`. */
    multivariate: jsonb('multivariate').$type<Record<string, unknown>>().notNull(),
    createdAt: now('created_at'),
    updatedAt: now('updated_at'),
    seq: seq(),
    /** The seq a row had before its first update (null until then): a shape reports updates as `update`. */
    firstSeq: int8('first_seq'),
  },
  (t) => [
    uniqueIndex('monitor_windows_seq_idx').on(t.seq),
    index('monitor_windows_model_end_idx').on(t.modelVersion, t.windowEnd),
  ],
);

/** A streaming detector's JSON state per model version and stream, carried from one drift run to the next. */
export const detectorStates = pgTable(
  'detector_states',
  {
    modelVersion: text('model_version').notNull(),
    /** 'score' (logged probabilities) | 'error' (|outcome − probability| where feedback exists) */
    stream: text('stream').notNull(),
    method: text('method').notNull(),
    state: jsonb('state').$type<Record<string, unknown>>().notNull(),
    /** The highest seq fed to the detector (predictions' for 'score', feedback's for 'error'). */
    lastSeq: int8('last_seq').notNull(),
    /** Elements fed so far (the next element's position). */
    count: int8('count').notNull(),
    updatedAt: now('updated_at'),
  },
  (t) => [
    primaryKey({ columns: [t.modelVersion, t.stream] }),
    check('detector_states_stream_check', sql`${t.stream} in ('score', 'error')`),
  ],
);

/** Append-only (a trigger refuses UPDATE and DELETE): each change a detector found, at the element that showed it. */
export const detectorAlarms = pgTable(
  'detector_alarms',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    modelVersion: text('model_version').notNull(),
    stream: text('stream').notNull(),
    method: text('method').notNull(),
    /** 0-based position of the element in the version's stream. */
    position: int8('position').notNull(),
    predictionId: uuid('prediction_id').notNull(),
    /** created_at of the prediction at which the change was detected. */
    at: at('at').notNull(),
    value: doublePrecision('value').notNull(),
    /** The drift run that fed the element. */
    driftReportId: int8('drift_report_id'),
    createdAt: now('created_at'),
    seq: seq(),
  },
  (t) => [
    uniqueIndex('detector_alarms_seq_idx').on(t.seq),
    index('detector_alarms_model_at_idx').on(t.modelVersion, t.at),
    check('detector_alarms_stream_check', sql`${t.stream} in ('score', 'error')`),
  ],
);

/**
 * Edge profile chunks (migration 0007, hand-written with the rollup tables it feeds; see that file for the
 * design). `profile` is the sparse form of `core/src/profile/sparse.ts` (`@pmm/core/profile`). Append-only: synced as a shape.
 */
export const profileChunks = pgTable(
  'profile_chunks',
  {
    chunkId: text('chunk_id').primaryKey(),
    nodeId: text('node_id').notNull(),
    modelVersion: text('model_version').notNull(),
    layoutHash: text('layout_hash').notNull(),
    startAt: timestamp('start_at', { withTimezone: true }).notNull(),
    endAt: timestamp('end_at', { withTimezone: true }).notNull(),
    rows: int8('rows').notNull(),
    contentSha256: text('content_sha256').notNull(),
    profile: jsonb('profile').$type<Record<string, unknown>>().notNull(),
    receivedAt: now('received_at'),
    seq: seq(),
  },
  (t) => [
    uniqueIndex('profile_chunks_seq_idx').on(t.seq),
    index('profile_chunks_version_start_idx').on(t.modelVersion, t.startAt),
    index('profile_chunks_node_start_idx').on(t.modelVersion, t.nodeId, t.startAt),
  ],
);
