// Wakes live shape requests when a synced table changed: ingest calls `notifyShapeChange(table)` after its commit.
import type { ShapeTable } from './tables';

export class ShapeNotifier {
  readonly #waiters = new Map<string, Set<() => void>>();

  /** Call after committing a write to `table`: live requests waiting on it look again now. */
  notify(table: ShapeTable | string): void {
    const waiters = this.#waiters.get(table);
    if (!waiters) return;
    this.#waiters.delete(table);
    for (const wake of waiters) wake();
  }

  /** Resolves on the next `notify(table)`, after `ms`, or when `signal` aborts — whichever comes first. */
  wait(table: ShapeTable, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted || ms <= 0) return resolve();
      let waiters = this.#waiters.get(table);
      if (!waiters) {
        waiters = new Set();
        this.#waiters.set(table, waiters);
      }
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.#waiters.get(table)?.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      waiters.add(done);
    });
  }

  /** Resolves on the next `notify` of any of `tables`, after `ms`, or when `signal` aborts. */
  async waitAny(tables: readonly ShapeTable[], ms: number, signal?: AbortSignal): Promise<void> {
    const done = new AbortController();
    const stop = () => done.abort();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      await Promise.race(tables.map((t) => this.wait(t, ms, done.signal)));
    } finally {
      done.abort();
      signal?.removeEventListener('abort', stop);
    }
  }
}

/** The process-wide notifier the shape routes listen on by default. */
export const shapeNotifier = new ShapeNotifier();

/** After a commit that wrote rows of `table` (predictions, feedback, models, alias_history, drift_reports). */
export function notifyShapeChange(table: ShapeTable | string): void {
  shapeNotifier.notify(table);
}
