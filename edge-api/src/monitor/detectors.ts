// Streaming change detectors on a model version's score stream (River's Page-Hinkley and ADWIN from
// @pmm/core/detect), fed in log order and kept in D1 between requests and cron runs.
import {
  type AnyDetector,
  createDetector,
  type DetectorMethod,
  type DetectorState,
  restoreDetector,
} from '@pmm/core/detect';
import type { DetectorRow, ProfileStore } from './profile-store';

/** The detectors every served version gets, with River's default parameters. */
export const EDGE_DETECTORS: readonly DetectorMethod[] = ['page-hinkley', 'adwin'];

export interface DetectorView {
  readonly method: DetectorMethod;
  /** What it watches: the model's score (P(positive)) of every prediction, in log order. */
  readonly signal: 'score';
  /** When the prediction at which it last detected a change was made; null: no change so far. */
  readonly detected_at: string | null;
  readonly detections: number;
  readonly rows_seen: number;
  /** The detector's JSON state (restore it with @pmm/core/detect `restoreDetector`). */
  readonly state: DetectorState;
}

const view = (row: DetectorRow): DetectorView => ({
  method: row.method as DetectorMethod,
  signal: 'score',
  detected_at: row.detected_at,
  detections: row.detections,
  rows_seen: row.rows_seen,
  state: JSON.parse(row.state) as DetectorState,
});

/**
 * Feeds the version's scores written since each detector last saw the log (up to `maxRows` per call) and saves
 * the states. Concurrent callers cannot feed a row twice: a save only lands on the state it started from.
 */
export async function feedDetectors(
  store: ProfileStore,
  version: string,
  now: Date,
  maxRows = 50_000,
): Promise<DetectorView[]> {
  const at = now.toISOString();
  const saved = new Map((await store.detectors(version)).map((r) => [r.method, r]));
  const live = EDGE_DETECTORS.map((method) => {
    const row = saved.get(method);
    const detector: AnyDetector = row
      ? restoreDetector(JSON.parse(row.state) as DetectorState)
      : createDetector(method);
    return {
      method,
      detector,
      previous: row ? row.fed_upto : null,
      upto: row?.fed_upto ?? 0,
      rows_seen: row?.rows_seen ?? 0,
      detections: row?.detections ?? 0,
      detected_at: row?.detected_at ?? null,
    };
  });
  const from = Math.min(...live.map((d) => d.upto));
  let fed = 0;
  for (let cursor = from; fed < maxRows; ) {
    const page = await store.scores(version, cursor, Math.min(5_000, maxRows - fed));
    for (const r of page) {
      for (const d of live) {
        if (r.id <= d.upto) continue;
        if (Number.isFinite(r.probability) && d.detector.update(r.probability)) {
          d.detections++;
          d.detected_at = r.created_at;
        }
        d.rows_seen++;
        d.upto = r.id;
      }
    }
    fed += page.length;
    if (page.length < 5_000) break;
    cursor = page[page.length - 1]!.id;
  }
  const out: DetectorView[] = [];
  for (const d of live) {
    const row: DetectorRow = {
      model_version: version,
      method: d.method,
      state: JSON.stringify(d.detector.save()),
      fed_upto: d.upto,
      rows_seen: d.rows_seen,
      detections: d.detections,
      detected_at: d.detected_at,
      updated_at: at,
    };
    if (d.previous === d.upto) {
      out.push(view(saved.get(d.method)!));
      continue;
    }
    if (await store.saveDetector(row, d.previous)) out.push(view(row));
    else {
      // Someone else saved first: theirs stands (it started from the same state and saw at least as much).
      const theirs = (await store.detectors(version)).find((r) => r.method === d.method);
      out.push(view(theirs ?? row));
    }
  }
  return out;
}
