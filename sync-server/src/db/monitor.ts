// Per-window monitoring rows (CBPE and multivariate drift beside each drift report), detector state and alarms.
import { sql } from 'drizzle-orm';
import { type Executor, rows } from './client';

const iso = (column: string) =>
  sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

type Json = Record<string, unknown>;
const json = (v: Json | string): Json => (typeof v === 'string' ? JSON.parse(v) : v) as Json;

/** One logged prediction of a window with its outcome, if feedback arrived. */
export interface WindowPrediction {
  readonly prediction_id: string;
  readonly created_at: string;
  readonly features: Record<string, string | number | null>;
  readonly probability: number;
  readonly outcome: number | null;
}

/** What identifies a drift report's rows again: the bounds its window recorded. */
export interface WindowBounds {
  readonly modelVersion: string;
  readonly nodeId: string | null;
  readonly first: string;
  readonly last: string;
  /** The highest seq among the window's rows. */
  readonly maxSeq: string;
  readonly rows: number;
}

/**
 * The rows of a stored window, oldest first: the newest `rows` predictions (the drift run's order) within
 * [first, last] with seq ≤ maxSeq, so rows ingested later are not counted in.
 */
export async function windowPredictions(
  db: Executor,
  b: WindowBounds,
  options: { features?: boolean } = {},
): Promise<WindowPrediction[]> {
  const withFeatures = options.features ?? true;
  const found = await rows<{
    prediction_id: string;
    created_at: string;
    features: WindowPrediction['features'] | string;
    probability: number | string;
    outcome: number | string | null;
  }>(
    db,
    sql`select p.prediction_id::text as prediction_id, ${iso('p.created_at')} as created_at,
               ${withFeatures ? sql`p.features` : sql`'{}'::jsonb`} as features, p.probability, f.outcome
        from predictions p left join feedback f on f.prediction_id = p.prediction_id
        where p.model_version = ${b.modelVersion}
          ${b.nodeId === null ? sql`` : sql`and p.node_id = ${b.nodeId}`}
          and p.created_at >= ${b.first}::timestamptz and p.created_at <= ${b.last}::timestamptz
          and p.seq <= ${b.maxSeq}::bigint
        order by p.created_at desc, p.prediction_id desc
        limit ${b.rows}`,
  );
  return found.reverse().map((r) => ({
    prediction_id: r.prediction_id,
    created_at: r.created_at,
    features: typeof r.features === 'string' ? JSON.parse(r.features) : r.features,
    probability: Number(r.probability),
    outcome: r.outcome === null ? null : Number(r.outcome),
  }));
}

/** How many of a stored window's rows have feedback now (the same rows as `windowPredictions`). */
export async function windowLabelled(db: Executor, b: WindowBounds): Promise<number> {
  const [row] = await rows<{ n: string | number }>(
    db,
    sql`select count(f.prediction_id) as n from (
          select p.prediction_id from predictions p
          where p.model_version = ${b.modelVersion}
            ${b.nodeId === null ? sql`` : sql`and p.node_id = ${b.nodeId}`}
            and p.created_at >= ${b.first}::timestamptz and p.created_at <= ${b.last}::timestamptz
            and p.seq <= ${b.maxSeq}::bigint
          order by p.created_at desc, p.prediction_id desc
          limit ${b.rows}) w
        left join feedback f on f.prediction_id = w.prediction_id`,
  );
  return Number(row?.n ?? 0);
}

/** The version's first `n` logged predictions (by created_at): the reference period of multivariate drift. */
export async function earliestPredictions(
  db: Executor,
  modelVersion: string,
  n: number,
): Promise<{ features: Record<string, string | number | null>[]; from: string | null; to: string | null }> {
  const found = await rows<{ features: Record<string, string | number | null> | string; created_at: string }>(
    db,
    sql`select features, ${iso('p.created_at')} as created_at from predictions p
        where model_version = ${modelVersion} and jsonb_typeof(features) = 'object'
        order by p.created_at asc, p.prediction_id asc limit ${n}`,
  );
  return {
    features: found.map((r) => (typeof r.features === 'string' ? JSON.parse(r.features) : r.features)),
    from: found[0]?.created_at ?? null,
    to: found.at(-1)?.created_at ?? null,
  };
}

export interface MonitorWindow {
  readonly drift_report_id: string;
  readonly model_version: string;
  readonly node_id: string | null;
  readonly window_start: string | null;
  readonly window_end: string | null;
  readonly rows: number;
  readonly labelled: number;
  readonly performance: Json;
  readonly multivariate: Json;
  readonly created_at: string;
  readonly updated_at: string;
}

type MonitorRow = Omit<MonitorWindow, 'performance' | 'multivariate' | 'rows' | 'labelled'> & {
  performance: Json | string;
  multivariate: Json | string;
  rows: number | string;
  labelled: number | string;
};

const toMonitor = (r: MonitorRow): MonitorWindow => ({
  ...r,
  rows: Number(r.rows),
  labelled: Number(r.labelled),
  performance: json(r.performance),
  multivariate: json(r.multivariate),
});

const monitorColumns = sql`drift_report_id::text as drift_report_id, model_version, node_id,
  ${iso('window_start')} as window_start, ${iso('window_end')} as window_end, rows, labelled, performance,
  multivariate, ${iso('created_at')} as created_at, ${iso('updated_at')} as updated_at`;

export async function insertMonitorWindow(
  db: Executor,
  v: {
    driftReportId: string;
    modelVersion: string;
    nodeId: string | null;
    windowStart: string | null;
    windowEnd: string | null;
    rows: number;
    labelled: number;
    performance: Json;
    multivariate: Json;
  },
): Promise<MonitorWindow> {
  const [row] = await rows<MonitorRow>(
    db,
    sql`insert into monitor_windows (drift_report_id, model_version, node_id, window_start, window_end, rows,
          labelled, performance, multivariate)
        values (${v.driftReportId}::int8, ${v.modelVersion}, ${v.nodeId}, ${v.windowStart}::timestamptz,
          ${v.windowEnd}::timestamptz, ${v.rows}, ${v.labelled}, ${JSON.stringify(v.performance)}::jsonb,
          ${JSON.stringify(v.multivariate)}::jsonb)
        returning ${monitorColumns}`,
  );
  return toMonitor(row!);
}

export async function getMonitorWindow(db: Executor, driftReportId: string): Promise<MonitorWindow | null> {
  const [row] = await rows<MonitorRow>(
    db,
    sql`select ${monitorColumns} from monitor_windows where drift_report_id = ${driftReportId}::int8`,
  );
  return row ? toMonitor(row) : null;
}

export async function listMonitorWindows(
  db: Executor,
  options: { modelVersion?: string; limit: number },
): Promise<MonitorWindow[]> {
  const found = await rows<MonitorRow>(
    db,
    sql`select ${monitorColumns} from monitor_windows
        ${options.modelVersion === undefined ? sql`` : sql`where model_version = ${options.modelVersion}`}
        order by window_end desc nulls last, drift_report_id desc limit ${options.limit}`,
  );
  return found.map(toMonitor);
}

/**
 * A version's windows whose performance was estimated but not every label had arrived, newest first, with the
 * bounds to read their rows again.
 */
export async function windowsAwaitingLabels(
  db: Executor,
  modelVersion: string,
  limit: number,
): Promise<(MonitorWindow & { bounds: WindowBounds | null })[]> {
  const found = await rows<MonitorRow & { window: Json | string }>(
    db,
    sql`select m.drift_report_id::text as drift_report_id, m.model_version, m.node_id,
          ${iso('m.window_start')} as window_start, ${iso('m.window_end')} as window_end, m.rows, m.labelled,
          m.performance, m.multivariate, ${iso('m.created_at')} as created_at, ${iso('m.updated_at')} as updated_at,
          d."window"
        from monitor_windows m join drift_reports d on d.id = m.drift_report_id
        where m.model_version = ${modelVersion} and m.labelled < m.rows and m.performance->>'status' = 'ok'
        order by m.drift_report_id desc limit ${limit}`,
  );
  return found.map((r) => {
    const w = json(r.window);
    const bounds =
      typeof w.first_created_at === 'string' && typeof w.last_created_at === 'string' && w.max_seq != null
        ? {
            modelVersion: r.model_version,
            nodeId: r.node_id,
            first: w.first_created_at,
            last: w.last_created_at,
            maxSeq: String(w.max_seq),
            rows: Number(w.rows),
          }
        : null;
    return { ...toMonitor(r), bounds };
  });
}

export async function updateMonitorPerformance(
  db: Executor,
  driftReportId: string,
  labelled: number,
  performance: Json,
): Promise<void> {
  await db.execute(
    sql`update monitor_windows set labelled = ${labelled}, performance = ${JSON.stringify(performance)}::jsonb,
          updated_at = now()
        where drift_report_id = ${driftReportId}::int8`,
  );
}

// --- streaming detectors -------------------------------------------------------------------------------------

export type DetectorStream = 'score' | 'error';

export interface StoredDetectorState {
  readonly method: string;
  readonly state: Json;
  readonly last_seq: string;
  readonly count: number;
}

export async function getDetectorState(
  db: Executor,
  modelVersion: string,
  stream: DetectorStream,
): Promise<StoredDetectorState | null> {
  const [row] = await rows<{
    method: string;
    state: Json | string;
    last_seq: string;
    count: string | number;
  }>(
    db,
    sql`select method, state, last_seq::text as last_seq, count::text as count from detector_states
        where model_version = ${modelVersion} and stream = ${stream}`,
  );
  return row
    ? { method: row.method, state: json(row.state), last_seq: row.last_seq, count: Number(row.count) }
    : null;
}

export async function putDetectorState(
  db: Executor,
  modelVersion: string,
  stream: DetectorStream,
  s: StoredDetectorState,
): Promise<void> {
  await db.execute(
    sql`insert into detector_states (model_version, stream, method, state, last_seq, count)
        values (${modelVersion}, ${stream}, ${s.method}, ${JSON.stringify(s.state)}::jsonb, ${s.last_seq}::int8,
                ${s.count})
        on conflict (model_version, stream) do update set method = excluded.method, state = excluded.state,
          last_seq = excluded.last_seq, count = excluded.count, updated_at = now()`,
  );
}

/** One element of a detector stream: the value, its prediction and the seq it is ordered by. */
export interface StreamElement {
  readonly seq: string;
  readonly prediction_id: string;
  readonly created_at: string;
  readonly value: number;
}

/**
 * The next elements of a version's stream after `afterSeq`, in seq order: logged probabilities ('score'), or
 * |outcome − probability| of predictions whose feedback arrived ('error', ordered by the feedback's seq).
 */
export async function streamAfter(
  db: Executor,
  modelVersion: string,
  stream: DetectorStream,
  afterSeq: string,
  limit: number,
): Promise<StreamElement[]> {
  const found = await rows<{
    seq: string;
    prediction_id: string;
    created_at: string;
    value: number | string;
  }>(
    db,
    stream === 'score'
      ? sql`select seq::text as seq, prediction_id::text as prediction_id, ${iso('created_at')} as created_at,
                   probability as value
            from predictions p where model_version = ${modelVersion} and seq > ${afterSeq}::int8
            order by p.seq limit ${limit}`
      : sql`select f.seq::text as seq, p.prediction_id::text as prediction_id, ${iso('p.created_at')} as created_at,
                   abs(f.outcome - p.probability) as value
            from feedback f join predictions p on p.prediction_id = f.prediction_id
            where p.model_version = ${modelVersion} and f.seq > ${afterSeq}::int8
            order by f.seq limit ${limit}`,
  );
  return found.map((r) => ({ ...r, value: Number(r.value) }));
}

export interface DetectorAlarm {
  readonly id: string;
  readonly model_version: string;
  readonly stream: DetectorStream;
  readonly method: string;
  readonly position: number;
  readonly prediction_id: string;
  readonly at: string;
  readonly value: number;
  readonly drift_report_id: string | null;
  readonly created_at: string;
}

const alarmColumns = sql`id::text as id, model_version, stream, method, position::text as position,
  prediction_id::text as prediction_id, ${iso('at')} as at, value, drift_report_id::text as drift_report_id,
  ${iso('created_at')} as created_at`;

type AlarmRow = Omit<DetectorAlarm, 'position' | 'value'> & { position: string; value: number | string };
const toAlarm = (r: AlarmRow): DetectorAlarm => ({
  ...r,
  position: Number(r.position),
  value: Number(r.value),
});

export async function insertDetectorAlarm(
  db: Executor,
  a: Omit<DetectorAlarm, 'id' | 'created_at'>,
): Promise<DetectorAlarm> {
  const [row] = await rows<AlarmRow>(
    db,
    sql`insert into detector_alarms (model_version, stream, method, position, prediction_id, at, value, drift_report_id)
        values (${a.model_version}, ${a.stream}, ${a.method}, ${a.position}, ${a.prediction_id}::uuid,
                ${a.at}::timestamptz, ${a.value}, ${a.drift_report_id}::int8)
        returning ${alarmColumns}`,
  );
  return toAlarm(row!);
}

export async function listDetectorAlarms(
  db: Executor,
  options: { modelVersion?: string; limit: number },
): Promise<DetectorAlarm[]> {
  const found = await rows<AlarmRow>(
    db,
    sql`select ${alarmColumns} from detector_alarms
        ${options.modelVersion === undefined ? sql`` : sql`where model_version = ${options.modelVersion}`}
        order by id desc limit ${options.limit}`,
  );
  return found.map(toAlarm);
}
