// The inference engine behind the Predictor interface: one compiled model per version per isolate, plus the canary.
import type { Predictor, PredictorFactory } from '@pmm/core/model';
import type { FeatureRecord } from '@pmm/core/schema';

/**
 * Compiled models kept per isolate, across every served name; the least recently used is dropped (a rollback or
 * a model not asked for a while recompiles, ~0.5 s with ORT).
 */
const MAX_CACHED = 8;

export class PredictorCache {
  private readonly entries = new Map<string, Promise<Predictor>>();

  constructor(private readonly factory: PredictorFactory) {}

  /** The predictor for `version`, compiling `load()`'s bytes on first use; a failed compile is not cached. */
  get(version: string, sha256: string, load: () => Promise<Uint8Array>): Promise<Predictor> {
    const key = `${version}@${sha256}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const created = load().then((bytes) => this.factory(bytes));
    created.catch(() => this.entries.delete(key));
    this.entries.set(key, created);
    while (this.entries.size > MAX_CACHED) this.entries.delete(this.entries.keys().next().value!);
    return created;
  }

  /** Seeds the cache with a predictor already compiled (the one the install just checked). */
  put(version: string, sha256: string, predictor: Predictor): void {
    this.entries.set(`${version}@${sha256}`, Promise.resolve(predictor));
    while (this.entries.size > MAX_CACHED) this.entries.delete(this.entries.keys().next().value!);
  }

  create(bytes: Uint8Array): Promise<Predictor> {
    return this.factory(bytes);
  }
}

/**
 * Runs the canary row (`canaryRow`: built from the model's schema); returns a reason when the output is not one
 * probability in [0, 1].
 */
export async function canaryProblem(predictor: Predictor, row: FeatureRecord): Promise<string | null> {
  let out: Float32Array;
  try {
    out = await predictor.predict([row]);
  } catch (err) {
    return `canary prediction threw: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (out.length !== 1) return `canary returned ${out.length} outputs for 1 row`;
  const p = out[0]!;
  if (!Number.isFinite(p) || p < 0 || p > 1)
    return `canary probability ${p} is not a finite number in [0, 1]`;
  return null;
}
