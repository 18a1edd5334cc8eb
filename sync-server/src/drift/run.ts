// One drift run: the logged features of a window of a version's predictions against that version's
// reference profile (from its model.json), through core's drift engine; the report is stored and announced.
import { DriftDataError, DriftOptionsError, driftReport, driftTablesFromProfile } from '@pmm/core/drift';
import { ApiError, NotFoundError, ValidationError } from '@pmm/core/http';
import { referenceProfileSchema } from '@pmm/core/model';
import { DEFAULT_MODEL_NAME } from '@pmm/core/sync';
import type { Db } from '../db/client';
import { type DriftWindow, insertDriftReport, type StoredDriftReport, windowFeatures } from '../db/drift';
import { getModel, resolveAlias } from '../db/registry';
import { cardOf, type MonitorOptions, type MonitorOutcome, monitorDriftWindow } from '../monitor/window';
import { notifyShapeChange } from '../shapes';

export interface DriftRunRequest {
  /** The model name whose production version is run when `model_version` is absent (default churn). */
  readonly name?: string | undefined;
  readonly model_version?: string | undefined;
  readonly window?:
    | { last_n?: number | undefined; from?: string | undefined; to?: string | undefined }
    | undefined;
  readonly node_id?: string | undefined;
}

export interface DriftRunOptions {
  /** `last_n` when the request gives none. */
  readonly defaultLastN: number;
  readonly minRows: number;
  /** Recorded in the stored window: 'api' or 'schedule'. */
  readonly trigger: 'api' | 'schedule';
  /** More facts to record in the stored window (the scheduler's `seen_seq`). */
  readonly windowExtra?: Record<string, unknown>;
  /** CBPE, multivariate drift and detectors beside the report (absent: none). */
  readonly monitor?: MonitorOptions;
}

/** A stored report and what was computed beside it (null: not asked for; `error`: it failed, the report stands). */
export type DriftRunResult = StoredDriftReport & {
  readonly monitor: MonitorOutcome | { readonly error: string } | null;
};

/** A window with too few rows for a meaningful report (422, naming `window`). */
export class WindowTooSmallError extends ApiError {
  constructor(found: number, minRows: number) {
    super(
      422,
      'window_too_small',
      `window: ${found} prediction(s) found, at least ${minRows} needed for a drift report`,
      [{ path: 'window', message: `${found} prediction(s) found, at least ${minRows} needed` }],
    );
    this.name = 'WindowTooSmallError';
  }
}

export async function runDrift(
  db: Db,
  request: DriftRunRequest,
  options: DriftRunOptions,
): Promise<DriftRunResult> {
  let version = request.model_version;
  if (version === undefined) {
    const name = request.name ?? DEFAULT_MODEL_NAME;
    version = (await resolveAlias(db, 'production', name)) ?? undefined;
    if (version === undefined) {
      throw new NotFoundError(`no model_version given and the production alias of ${name} is not set`);
    }
  }
  const model = await getModel(db, version);
  if (!model) throw new NotFoundError(`model version ${version} is not registered`);
  if (request.name !== undefined && model.summary.name !== request.name) {
    throw new ValidationError([
      {
        path: 'model_version',
        message: `version ${version} belongs to model ${model.summary.name}, not ${request.name}`,
      },
    ]);
  }
  const profile = referenceProfileSchema.safeParse(model.card.reference_profile);
  if (!profile.success) {
    throw new ApiError(
      422,
      'no_reference_profile',
      `model version ${version} has no usable reference profile`,
    );
  }
  const window: DriftWindow = {
    last_n: request.window?.last_n ?? options.defaultLastN,
    ...(request.window?.from !== undefined && { from: request.window.from }),
    ...(request.window?.to !== undefined && { to: request.window.to }),
  };
  const nodeId = request.node_id ?? null;
  const found = await windowFeatures(db, version, window, nodeId);
  if (found.features.length < options.minRows) {
    throw new WindowTooSmallError(found.features.length, options.minRows);
  }
  let report: ReturnType<typeof driftReport>;
  try {
    const tables = driftTablesFromProfile(profile.data, found.features, {
      names: { reference: `${version} reference profile`, current: 'logged predictions' },
    });
    report = driftReport(tables.reference, tables.current);
  } catch (err) {
    if (err instanceof DriftDataError || err instanceof DriftOptionsError) {
      throw new ApiError(422, 'drift_data', err.message, err.column ? { column: err.column } : null);
    }
    throw err;
  }
  const stored = await insertDriftReport(db, {
    modelName: model.summary.name,
    modelVersion: version,
    nodeId,
    window: {
      ...window,
      node_id: nodeId,
      rows: found.features.length,
      first_created_at: found.first_created_at,
      last_created_at: found.last_created_at,
      max_seq: found.max_seq,
      trigger: options.trigger,
      ...options.windowExtra,
    },
    report: report as unknown as Record<string, unknown>,
    datasetDrift: report.dataset_drift,
    driftShare: report.drift_share,
  });
  notifyShapeChange('drift_reports');
  let monitor: DriftRunResult['monitor'] = null;
  if (options.monitor) {
    const card = cardOf(model.card);
    try {
      monitor = card
        ? await monitorDriftWindow(db, stored, card, options.monitor)
        : { error: `model version ${version} has no readable model.json` };
    } catch (err) {
      monitor = { error: err instanceof Error ? err.message : String(err) };
    }
  }
  return { ...stored, monitor };
}
