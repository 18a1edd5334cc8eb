// Retraining runs: one row per run (running → succeeded | failed) with its trigger, challenger and details.
import { sql } from 'drizzle-orm';
import { type Executor, rows } from './client';

/** `skipped`: a policy wanted a run the centre cannot do (an imported model), recorded with the reason. */
export type RetrainStatus = 'running' | 'succeeded' | 'failed' | 'skipped';

export interface RetrainRun {
  readonly id: string;
  /** The model name retrained. */
  readonly model_name: string;
  readonly status: RetrainStatus;
  readonly trigger: string;
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly challenger_version: string | null;
  readonly details: Record<string, unknown>;
}

const iso = (column: string) =>
  sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

const columns = sql`id::text as id, model_name, status, trigger, ${iso('started_at')} as started_at,
  ${iso('finished_at')} as finished_at, challenger_version, details`;

type Row = Omit<RetrainRun, 'details'> & { details: Record<string, unknown> | string };

const toRun = (r: Row): RetrainRun => ({
  ...r,
  details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
});

/** Serialises run starts inside the current transaction (one running run at a time, across processes too). */
export async function lockRetrain(db: Executor): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext('pmm-retrain'))`);
}

export async function runningRun(db: Executor): Promise<RetrainRun | null> {
  const [row] = await rows<Row>(
    db,
    sql`select ${columns} from retrain_runs where status = 'running' order by id limit 1`,
  );
  return row ? toRun(row) : null;
}

/** Whether a run for this production version is running, or started at or after `since` (ISO). */
export async function runForVersionSince(
  db: Executor,
  productionVersion: string,
  since: string,
): Promise<boolean> {
  const found = await rows(
    db,
    sql`select 1 from retrain_runs
        where details->>'production_version' = ${productionVersion}
          and (status = 'running' or started_at >= ${since}::timestamptz)
        limit 1`,
  );
  return found.length > 0;
}

export async function insertRun(
  db: Executor,
  trigger: string,
  details: Record<string, unknown>,
  name = 'churn',
  status: 'running' | 'skipped' = 'running',
): Promise<RetrainRun> {
  const [row] = await rows<Row>(
    db,
    sql`insert into retrain_runs (model_name, status, trigger, details, finished_at)
        values (${name}, ${status}, ${trigger}, ${JSON.stringify(details)}::jsonb,
                ${status === 'skipped' ? sql`now()` : sql`null`})
        returning ${columns}`,
  );
  return toRun(row!);
}

/** Ends a run: its status, challenger and details merged into the stored ones. */
export async function finishRun(
  db: Executor,
  id: string,
  status: 'succeeded' | 'failed',
  challengerVersion: string | null,
  details: Record<string, unknown>,
): Promise<void> {
  await db.execute(sql`update retrain_runs
    set status = ${status}, finished_at = now(), challenger_version = ${challengerVersion},
        details = details || ${JSON.stringify(details)}::jsonb
    where id = ${id}::int8`);
}

/** Runs left `running` by a process that stopped: failed, with the reason. Returns how many. */
export async function failAbandonedRuns(db: Executor, reason: string): Promise<number> {
  const found = await rows(
    db,
    sql`update retrain_runs set status = 'failed', finished_at = now(),
          details = details || ${JSON.stringify({ error: reason })}::jsonb
        where status = 'running' returning 1`,
  );
  return found.length;
}

export async function listRuns(db: Executor, limit: number): Promise<RetrainRun[]> {
  const found = await rows<Row>(db, sql`select ${columns} from retrain_runs order by id desc limit ${limit}`);
  return found.map(toRun);
}

export async function getRun(db: Executor, id: string): Promise<RetrainRun | null> {
  const [row] = await rows<Row>(db, sql`select ${columns} from retrain_runs where id = ${id}::int8`);
  return row ? toRun(row) : null;
}

/** Predictions of model `name` with feedback, as training rows (newest feedback first, at most `limit`). */
export async function labelledPredictions(
  db: Executor,
  limit: number,
  name = 'churn',
): Promise<{ features: Record<string, unknown>; outcome: number }[]> {
  const found = await rows<{ features: Record<string, unknown> | string; outcome: number }>(
    db,
    sql`select p.features, f.outcome from feedback f
        join predictions p on p.prediction_id = f.prediction_id
        join models m on m.version = p.model_version and m.name = ${name}
        where jsonb_typeof(p.features) = 'object'
        order by f.created_at desc, f.prediction_id limit ${limit}`,
  );
  return found.map((r) => ({
    features: typeof r.features === 'string' ? JSON.parse(r.features) : r.features,
    outcome: Number(r.outcome),
  }));
}
