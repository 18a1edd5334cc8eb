// Streaming detectors at the centre: core's ADWIN / Page-Hinkley / KSWIN over each version's score stream (logged
// probabilities, in arrival order) and error stream (|outcome − probability| as feedback arrives), their JSON state
// kept in PostgreSQL between drift runs, each detection stored as an alarm.
import { createDetector, type DetectorMethod, type DetectorState, restoreDetector } from '@pmm/core/detect';
import type { Executor } from '../db/client';
import {
  type DetectorAlarm,
  type DetectorStream,
  getDetectorState,
  insertDetectorAlarm,
  putDetectorState,
  streamAfter,
} from '../db/monitor';

/** Elements read per query. */
const PAGE = 10_000;
/** Elements fed per run at most (a long history is caught up over several runs). */
const MAX_PER_RUN = 200_000;

/**
 * Feeds the stream's elements after the stored state's last seq to the detector (a new one when there is no
 * state or it is of another method), stores every detection and the new state. Call inside a transaction.
 */
export async function feedDetector(
  db: Executor,
  modelVersion: string,
  stream: DetectorStream,
  method: DetectorMethod,
  driftReportId: string | null,
): Promise<{ fed: number; alarms: DetectorAlarm[] }> {
  const stored = await getDetectorState(db, modelVersion, stream);
  const resume = stored !== null && stored.method === method;
  const detector = resume
    ? restoreDetector(stored.state as unknown as DetectorState)
    : createDetector(method);
  let lastSeq = resume ? stored.last_seq : (stored?.last_seq ?? '0');
  let count = resume ? stored.count : (stored?.count ?? 0);
  const alarms: DetectorAlarm[] = [];
  let fed = 0;
  for (;;) {
    const page = await streamAfter(db, modelVersion, stream, lastSeq, PAGE);
    for (const e of page) {
      if (detector.update(e.value))
        alarms.push(
          await insertDetectorAlarm(db, {
            model_version: modelVersion,
            stream,
            method,
            position: count,
            prediction_id: e.prediction_id,
            at: e.created_at,
            value: e.value,
            drift_report_id: driftReportId,
          }),
        );
      count++;
      lastSeq = e.seq;
    }
    fed += page.length;
    if (page.length < PAGE || fed >= MAX_PER_RUN) break;
  }
  if (fed > 0 || !resume)
    await putDetectorState(db, modelVersion, stream, {
      method,
      state: detector.save() as unknown as Record<string, unknown>,
      last_seq: lastSeq,
      count,
    });
  return { fed, alarms };
}
