// The drift report on both cores: columns are independent, so the costliest are scored in a worker thread
// while this thread scores the rest, and the report is assembled in table order — the same report, bit for
// bit, as `driftReport` (the same functions score each column; only where they run differs).
import { Worker } from 'node:worker_threads';
import {
  assembleDriftReport,
  type ColumnDriftResult,
  checkDriftInputs,
  DRIFT_METHODS,
  type DriftColumn,
  type DriftOptions,
  type DriftReport,
  type DriftTable,
  driftReport,
  type ScoredColumn,
  scoreDriftColumns,
} from '@pmm/core/drift';

/** Below this many values in all columns together, one thread is faster than handing columns over. */
export const PARALLEL_MIN_VALUES = Number(process.env.PMM_PARALLEL_DRIFT_MIN_VALUES ?? 400_000);

interface WireSide {
  readonly name: string;
  readonly rows: number;
  readonly columns: [string, DriftColumn][];
}

export interface WorkerRequest {
  readonly id: number;
  readonly reference: WireSide;
  readonly current: WireSide;
  readonly options: DriftOptions;
  readonly columns: string[];
}

export type WorkerResponse =
  | { readonly id: number; readonly results: ColumnDriftResult[] }
  | { readonly id: number; readonly error: { name: string; message: string; column?: string } };

/** A rough cost of scoring a column: sorting for numerical columns, one counting pass for categorical ones. */
function cost(column: DriftColumn, other: DriftColumn): number {
  const n =
    (column.type === 'numerical' ? column.values.length : column.codes.length) +
    (other.type === 'numerical' ? other.values.length : other.codes.length);
  return column.type === 'numerical' ? 20 * n : n;
}

/** One worker thread scoring drift columns; start it early (it loads the code and kernels), reuse it, close it. */
export class DriftThread {
  readonly #worker: Worker;
  readonly #ready: Promise<void>;
  readonly #pending = new Map<
    number,
    { resolve: (r: ColumnDriftResult[]) => void; reject: (e: Error) => void }
  >();
  #next = 0;
  #exited = false;

  constructor() {
    this.#worker = new Worker(new URL('./drift-worker.mjs', import.meta.url));
    this.#worker.unref();
    this.#ready = new Promise((resolve, reject) => {
      this.#worker.once('message', () => resolve());
      this.#worker.once('error', reject);
    });
    this.#worker.on('message', (message: WorkerResponse | { ready: true }) => {
      if (!('id' in message)) return;
      const waiting = this.#pending.get(message.id);
      if (!waiting) return;
      this.#pending.delete(message.id);
      if ('results' in message) waiting.resolve(message.results);
      else {
        const error = new Error(message.error.message) as Error & { column?: string };
        error.name = message.error.name;
        if (message.error.column !== undefined) error.column = message.error.column;
        waiting.reject(error);
      }
    });
    this.#worker.on('error', (error: Error) => this.#failAll(error));
    this.#worker.on('exit', (code) => {
      this.#exited = true;
      this.#failAll(new Error(`the drift thread stopped (exit ${code})`));
    });
  }

  #failAll(error: Error): void {
    for (const waiting of this.#pending.values()) waiting.reject(error);
    this.#pending.clear();
  }

  /** Resolves once the thread has loaded (a benchmark waits for it before timing). */
  ready(): Promise<void> {
    return this.#ready;
  }

  async score(
    reference: DriftTable,
    current: DriftTable,
    options: DriftOptions,
    columns: readonly string[],
  ): Promise<ColumnDriftResult[]> {
    await this.#ready;
    if (this.#exited) throw new Error('the drift thread has stopped');
    const pick = (t: DriftTable): WireSide => ({
      name: t.name,
      rows: t.rows,
      columns: columns.map((c) => [c, t.columns.get(c)!]),
    });
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const request: WorkerRequest = {
        id,
        reference: pick(reference),
        current: pick(current),
        options,
        columns: [...columns],
      };
      this.#worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    if (!this.#exited) await this.#worker.terminate();
    this.#exited = true;
  }
}

/**
 * `driftReport` with the columns split between this thread and `thread` by their cost (largest first, each
 * to the less loaded side). Small tables, custom methods or no thread: `driftReport` in this thread.
 */
export async function driftReportParallel(
  reference: DriftTable,
  current: DriftTable,
  options: DriftOptions = {},
  thread?: DriftThread,
): Promise<DriftReport> {
  let values = 0;
  const costs: [string, number][] = [];
  for (const [name, column] of reference.columns) {
    const other = current.columns.get(name);
    if (!other) return driftReport(reference, current, options); // let driftReport name the problem
    const c = cost(column, other);
    costs.push([name, c]);
    values += column.type === 'numerical' ? column.values.length : column.codes.length;
  }
  if (!thread || values < PARALLEL_MIN_VALUES || costs.length < 2)
    return driftReport(reference, current, options);
  checkDriftInputs(reference, current, options);
  const here = new Set<string>();
  const there: string[] = [];
  let loadHere = 0;
  let loadThere = 0;
  for (const [name, c] of [...costs].sort((a, b) => b[1] - a[1])) {
    if (loadThere <= loadHere) {
      there.push(name);
      loadThere += c;
    } else {
      here.add(name);
      loadHere += c;
    }
  }
  const remote = thread.score(reference, current, options, there);
  // Score this thread's share while the worker scores its own.
  const local = scoreDriftColumns(reference, current, options, DRIFT_METHODS, here);
  let remoteResults: ColumnDriftResult[];
  try {
    remoteResults = await remote;
  } catch (error) {
    // Bad input is reported as driftReport would; a thread that failed for any other reason is not the
    // user's problem: score its share here.
    if (error instanceof Error && /^Drift/.test(error.name)) throw error;
    remoteResults = scoreDriftColumns(reference, current, options, DRIFT_METHODS, new Set(there)).map(
      (s) => s.result,
    );
  }
  const fromWorker = new Map(remoteResults.map((r) => [r.column, r]));
  const fromHere = new Map(local.map((s) => [s.result.column, s]));
  const scored: ScoredColumn[] = [...reference.columns.keys()].map((name) => {
    const mine = fromHere.get(name);
    if (mine) return mine;
    const result = fromWorker.get(name)!;
    return { result, method: DRIFT_METHODS[result.method]! };
  });
  return assembleDriftReport(reference, current, options, scored);
}
