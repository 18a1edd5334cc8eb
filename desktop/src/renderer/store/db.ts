// The local-first store: Dexie (IndexedDB) tables mirroring the sync server's shapes, the sync state and the outbox.
import Dexie, { type Table } from 'dexie';
import { buildAllBlocks, type FeatureBlock } from './blocks';

/** int8 columns arrive as numbers when they fit in a double, else as decimal strings (IndexedDB rejects BigInt). */
export type Int8 = number | string;

export type FeatureValues = Record<string, string | number | null>;

export interface PredictionRow {
  prediction_id: string;
  created_at: string;
  node_id: string;
  model_version: string;
  features: FeatureValues;
  probability: number;
  label: number;
  seq?: Int8;
  /** `created_at` as epoch milliseconds, for ordering and range queries. */
  ts: number;
}

export interface FeedbackRow {
  prediction_id: string;
  outcome: number;
  created_at: string;
  seq?: Int8;
  ts: number;
}

export interface ModelRow {
  version: string;
  created_at: string;
  parent_version: string | null;
  metrics: Record<string, number> | null;
  /** model.json (ModelCard), including `reference_profile`. */
  card: Record<string, unknown> | null;
  seq?: Int8;
  ts: number;
  [column: string]: unknown;
}

export interface AliasHistoryRow {
  id: Int8 | string;
  alias: string;
  from_version: string | null;
  /** null: the alias was removed (e.g. the challenger, once promoted). */
  to_version: string | null;
  actor: string | null;
  reason: string | null;
  at: string;
  seq?: Int8;
  ts: number;
}

export interface DriftReportRow {
  id: Int8 | string;
  model_version: string;
  node_id: string | null;
  window: unknown;
  report: unknown;
  dataset_drift: boolean;
  drift_share: number;
  created_at: string;
  seq?: Int8;
  ts: number;
}

/**
 * CBPE and multivariate drift of one drift report's window, computed by the centre (`monitor_windows` shape).
 * `performance.metrics.roc_auc` holds estimate, realized (null until labels arrive), bands and thresholds.
 */
export interface MonitorWindowRow {
  drift_report_id: Int8 | string;
  model_version: string;
  node_id: string | null;
  window_start: string | null;
  window_end: string | null;
  rows: number;
  labelled: number;
  performance: Record<string, unknown>;
  multivariate: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  seq?: Int8;
  ts: number;
}

/** A change a streaming detector found in a model's score or error stream (`detector_alarms` shape). */
export interface DetectorAlarmRow {
  id: Int8 | string;
  model_version: string;
  stream: 'score' | 'error';
  method: string;
  position: Int8;
  prediction_id: string;
  at: string;
  value: number;
  drift_report_id: Int8 | string | null;
  created_at: string;
  seq?: Int8;
  ts: number;
}

/**
 * One edge's profile of a model version over a time chunk (`profile_chunks` shape): `profile` is the sparse stored
 * form (`pmm-profile-sparse/1`, @pmm/core/profile `fromSparse`). Append-only.
 */
export interface ProfileChunkRow {
  chunk_id: string;
  node_id: string;
  model_version: string;
  layout_hash: string;
  start_at: string;
  end_at: string;
  rows: Int8;
  content_sha256: string;
  profile: Record<string, unknown>;
  received_at: string;
  seq?: Int8;
  /** `start_at` as epoch milliseconds. */
  ts: number;
}

/** Where one table's shape stream stands: written in the same transaction as the rows it covers. */
export interface SyncStateRow {
  table: SyncedTable;
  handle: string | null;
  offset: string;
  /** Rows currently held for this table. */
  rows: number;
  /** Last time rows or state were written (epoch ms). */
  updated_at: number;
  /** Last time the server said this table was up to date (epoch ms); null before the first catch-up. */
  up_to_date_at: number | null;
}

export type OutboxStatus = 'pending' | 'sending' | 'done' | 'conflict' | 'failed' | 'discarded';

/** An analyst's note, as the `notes` shape serves it. */
export interface NoteRow {
  id: string;
  subject_type: NoteSubjectType;
  subject_id: string;
  text: string;
  author: string;
  created_at: string;
  seq?: Int8;
  ts: number;
}

export type NoteSubjectType = 'model' | 'drift_report';

/** A model version's model.onnx, downloaded once and checked against the card's `onnx_sha256`. */
export interface ArtifactRow {
  version: string;
  sha256: string;
  bytes: Uint8Array;
  /** When it was downloaded (epoch ms). */
  fetched_at: number;
}

/** What every queued write carries. `key` is the Idempotency-Key. */
interface OutboxItemBase {
  key: string;
  status: OutboxStatus;
  created_at: number;
  attempts: number;
  last_error: string | null;
  sent_at: number | null;
}

/** An alias move (promote / roll back). */
export interface SetAliasItem extends OutboxItemBase {
  kind: 'set-alias';
  alias: string;
  version: string;
  reason: string | null;
  /** The version the alias pointed to when the user decided; the server answers 409 if it moved since. */
  expected_version: string | null;
  /** On a conflict: the alias's version on the server. */
  current_version: string | null;
}

/** A note on a model version or drift report; `key` is also the note's id (the server is idempotent by it). */
export interface NoteItem extends OutboxItemBase {
  kind: 'note';
  subject_type: NoteSubjectType;
  subject_id: string;
  text: string;
}

/** A write waiting for the server: alias moves and notes, sent in queue order. */
export type OutboxItem = SetAliasItem | NoteItem;

export const SYNCED_TABLES = [
  'predictions',
  'feedback',
  'models',
  'alias_history',
  'drift_reports',
  'notes',
  'monitor_windows',
  'detector_alarms',
  'profile_chunks',
] as const;
export type SyncedTable = (typeof SYNCED_TABLES)[number];

/** The primary key column of each synced table (the server's primary key). */
export const PRIMARY_KEYS: Record<SyncedTable, string> = {
  predictions: 'prediction_id',
  feedback: 'prediction_id',
  models: 'version',
  alias_history: 'id',
  drift_reports: 'id',
  notes: 'id',
  monitor_windows: 'drift_report_id',
  detector_alarms: 'id',
  profile_chunks: 'chunk_id',
};

/** The column whose time becomes `ts`. */
export const TIME_COLUMNS: Record<SyncedTable, string> = {
  predictions: 'created_at',
  feedback: 'created_at',
  models: 'created_at',
  alias_history: 'at',
  drift_reports: 'created_at',
  notes: 'created_at',
  monitor_windows: 'created_at',
  detector_alarms: 'at',
  profile_chunks: 'start_at',
};

export class PmmDb extends Dexie {
  predictions!: Table<PredictionRow, string>;
  feedback!: Table<FeedbackRow, string>;
  models!: Table<ModelRow, string>;
  alias_history!: Table<AliasHistoryRow, Int8 | string>;
  drift_reports!: Table<DriftReportRow, Int8 | string>;
  notes!: Table<NoteRow, string>;
  monitor_windows!: Table<MonitorWindowRow, Int8 | string>;
  detector_alarms!: Table<DetectorAlarmRow, Int8 | string>;
  profile_chunks!: Table<ProfileChunkRow, string>;
  sync_state!: Table<SyncStateRow, SyncedTable>;
  outbox!: Table<OutboxItem, string>;
  /** The prediction log column-wise, for analysis (see blocks.ts). */
  feature_blocks!: Table<FeatureBlock, number>;
  /** model.onnx per version, for inference in the app (models/artifact-cache.ts). */
  artifacts!: Table<ArtifactRow, string>;

  constructor(name = 'pmm', options?: ConstructorParameters<typeof Dexie>[1]) {
    super(name, options);
    this.version(1).stores({
      predictions: '&prediction_id, ts, [model_version+ts], [node_id+ts]',
      feedback: '&prediction_id, ts',
      models: '&version, ts',
      alias_history: '&id, ts, [alias+ts]',
      drift_reports: '&id, ts, [model_version+ts]',
      sync_state: '&table',
      outbox: '&key, status, created_at',
    });
    this.version(2)
      .stores({ feature_blocks: '++id' })
      .upgrade((tx) => buildAllBlocks(tx));
    // Analysts' notes, synced like the other tables (the engine starts its stream from scratch).
    this.version(3).stores({ notes: '&id, ts, [subject_type+subject_id]' });
    // The centre's CBPE and multivariate drift per drift window, and its detectors' alarms.
    this.version(4).stores({
      monitor_windows: '&drift_report_id, ts, [model_version+ts]',
      detector_alarms: '&id, ts, [model_version+ts]',
    });
    // Downloaded model artifacts (a local cache, not synced). Numbered apart from other additions.
    this.version(7).stores({ artifacts: '&version' });
    // Edge profile chunks, for fleet drift from profiles (synced like the other tables).
    this.version(8).stores({ profile_chunks: '&chunk_id, ts, [model_version+ts]' });
  }

  synced(table: SyncedTable): Table<Record<string, unknown>, unknown> {
    return this.table(table);
  }
}

/**
 * Epoch milliseconds of a PostgreSQL or ISO timestamp ("2026-01-01 10:00:00.12+00" or
 * "2026-01-01T10:00:00.120Z"); NaN when unparseable.
 */
export function timestampMs(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return Number.NaN;
  let text = value.trim().replace(' ', 'T');
  // PostgreSQL writes offsets as +HH or +HHMM; ISO needs +HH:MM.
  text = text.replace(/([+-]\d{2})(\d{2})?$/, (_m, h: string, m?: string) => `${h}:${m ?? '00'}`);
  return Date.parse(text);
}
