// What each drift run adds beside its report: CBPE and multivariate drift of the same window (one monitor_windows
// row), realized values refilled for earlier windows whose labels arrived since, and the streaming detectors fed.
import type { DetectorMethod } from '@pmm/core/detect';
import { type ModelCard, modelCardSchema } from '@pmm/core/model';
import { sql } from 'drizzle-orm';
import type { DetectorSetting } from '../config';
import type { Db } from '../db/client';
import type { StoredDriftReport } from '../db/drift';
import {
  type DetectorAlarm,
  earliestPredictions,
  insertMonitorWindow,
  type MonitorWindow,
  updateMonitorPerformance,
  type WindowBounds,
  windowLabelled,
  windowPredictions,
  windowsAwaitingLabels,
} from '../db/monitor';
import { notifyShapeChange } from '../shapes';
import { feedDetector } from './detectors';
import { windowMultivariate } from './multivariate';
import { windowPerformance } from './performance';

export interface MonitorOptions {
  /** Rows of the reference period (the version's first logged predictions) for multivariate drift. */
  readonly referenceRows: number;
  /** Fewer rows in the reference period: no multivariate result (skipped, with the reason). */
  readonly minRows: number;
  readonly detector: DetectorSetting;
}

export interface MonitorOutcome {
  readonly window: MonitorWindow;
  /** Earlier windows of the version whose realized values were refilled. */
  readonly refilled: readonly string[];
  readonly alarms: readonly DetectorAlarm[];
}

/** Earlier windows looked at for late labels per run. */
const REFILL_WINDOWS = 50;

function boundsOf(report: StoredDriftReport): WindowBounds | null {
  const w = report.window;
  if (typeof w.first_created_at !== 'string' || typeof w.last_created_at !== 'string' || w.max_seq == null)
    return null;
  return {
    modelVersion: report.model_version,
    nodeId: report.node_id,
    first: w.first_created_at,
    last: w.last_created_at,
    maxSeq: String(w.max_seq),
    rows: Number(w.rows),
  };
}

export function cardOf(card: Record<string, unknown>): ModelCard | null {
  const parsed = modelCardSchema.safeParse(card);
  return parsed.success ? parsed.data : null;
}

export async function monitorDriftWindow(
  db: Db,
  report: StoredDriftReport,
  card: ModelCard,
  options: MonitorOptions,
): Promise<MonitorOutcome> {
  const bounds = boundsOf(report);
  const rows = bounds ? await windowPredictions(db, bounds) : [];
  const reference = await earliestPredictions(db, report.model_version, options.referenceRows);
  const performance = windowPerformance(card, rows);
  const multivariate = windowMultivariate(
    card,
    reference,
    // Rows from an edge that withholds feature values (SHIP_FEATURES = "false") carry none to compare.
    rows.map((r) => r.features).filter((f) => f !== null && typeof f === 'object'),
    options.minRows,
  );
  const window = await insertMonitorWindow(db, {
    driftReportId: report.id,
    modelVersion: report.model_version,
    nodeId: report.node_id,
    windowStart: bounds?.first ?? null,
    windowEnd: bounds?.last ?? null,
    rows: rows.length,
    labelled: rows.filter((r) => r.outcome !== null).length,
    performance: performance as unknown as Record<string, unknown>,
    multivariate: multivariate as unknown as Record<string, unknown>,
  });

  const refilled: string[] = [];
  for (const earlier of await windowsAwaitingLabels(db, report.model_version, REFILL_WINDOWS)) {
    if (earlier.drift_report_id === report.id || !earlier.bounds) continue;
    // A count first: most windows gained no label since the last run.
    if ((await windowLabelled(db, earlier.bounds)) <= earlier.labelled) continue;
    const again = await windowPredictions(db, earlier.bounds, { features: false });
    const labelled = again.filter((r) => r.outcome !== null).length;
    const refreshed = windowPerformance(card, again);
    await updateMonitorPerformance(
      db,
      earlier.drift_report_id,
      labelled,
      refreshed as unknown as Record<string, unknown>,
    );
    refilled.push(earlier.drift_report_id);
  }
  notifyShapeChange('monitor_windows');

  const alarms: DetectorAlarm[] = [];
  if (options.detector !== 'off') {
    const method: DetectorMethod = options.detector;
    // One feeder per version at a time: two overlapping runs would feed the same elements twice.
    await db.transaction(async (tx) => {
      await tx.execute(sqlLock(report.model_version));
      for (const stream of ['score', 'error'] as const)
        alarms.push(
          ...(await feedDetector(tx as unknown as Db, report.model_version, stream, method, report.id))
            .alarms,
        );
    });
    if (alarms.length > 0) notifyShapeChange('detector_alarms');
  }
  return { window, refilled, alarms };
}

const sqlLock = (version: string) =>
  sql`select pg_advisory_xact_lock(hashtext(${`pmm-detector:${version}`}))`;
