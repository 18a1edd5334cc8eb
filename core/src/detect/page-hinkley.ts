// Page-Hinkley change detection, ported from River 0.26 (river/drift/page_hinkley.py, with river/stats/mean.py).
// Code and docs disagree: the docstring describes one cumulative sum compared with the threshold; the code keeps
// an increase and a decrease sum, each compared after subtracting its running extreme (min of the increase sum,
// max of the decrease sum), and the tests are strict `>` — followed here. The mean is updated before the deviation.

import { requireFinite } from './clone';
import type { DriftDetector } from './detector';

export type PageHinkleyMode = 'up' | 'down' | 'both';

export interface PageHinkleyParams {
  /** Minimum number of values before a change can be detected. */
  min_instances: number;
  /** Magnitude of changes that are tolerated (δ). */
  delta: number;
  /** Detection threshold (λ). */
  threshold: number;
  /** Fading factor applied to the cumulative sums. */
  alpha: number;
  /** Watch increases, decreases or both. */
  mode: PageHinkleyMode;
}

export const PAGE_HINKLEY_DEFAULTS: PageHinkleyParams = {
  min_instances: 30,
  delta: 0.005,
  threshold: 50,
  alpha: 1 - 0.0001,
  mode: 'both',
};

export interface PageHinkleyState {
  version: 1;
  method: 'page-hinkley';
  params: PageHinkleyParams;
  driftDetected: boolean;
  n: number;
  mean: number;
  sumIncrease: number;
  sumDecrease: number;
  /** +Infinity until the first update (JSON stores it as null). */
  minIncrease: number | null;
  maxDecrease: number;
}

/**
 * Page-Hinkley with River's defaults; on River's doctest stream it fires at index 1006.
 */
export class PageHinkley implements DriftDetector<PageHinkleyState> {
  readonly params: PageHinkleyParams;
  private s: PageHinkleyState;

  constructor(params: Partial<PageHinkleyParams> = {}, state?: PageHinkleyState) {
    this.params = { ...PAGE_HINKLEY_DEFAULTS, ...params };
    const p = this.params;
    if (!['up', 'down', 'both'].includes(p.mode)) throw new RangeError("mode must be 'up', 'down' or 'both'");
    if (!Number.isInteger(p.min_instances) || p.min_instances < 0)
      throw new RangeError('min_instances must be a non-negative integer');
    for (const k of ['delta', 'threshold', 'alpha'] as const)
      if (!Number.isFinite(p[k])) throw new RangeError(`${k} must be a number`);
    this.s = state ? { ...state, params: { ...state.params } } : fresh(this.params);
  }

  get driftDetected(): boolean {
    return this.s.driftDetected;
  }

  update(x: number): boolean {
    requireFinite(x);
    if (this.s.driftDetected) this.s = fresh(this.params);
    const s = this.s;
    const p = this.params;
    s.n += 1;
    s.mean += (1 / s.n) * (x - s.mean);
    const dev = x - s.mean;
    s.sumIncrease = p.alpha * s.sumIncrease + dev - p.delta;
    s.sumDecrease = p.alpha * s.sumDecrease + dev + p.delta;
    if (s.minIncrease === null || s.sumIncrease < s.minIncrease) s.minIncrease = s.sumIncrease;
    if (s.sumDecrease > s.maxDecrease) s.maxDecrease = s.sumDecrease;
    if (s.n >= p.min_instances) {
      const up = s.sumIncrease - s.minIncrease;
      const down = s.maxDecrease - s.sumDecrease;
      s.driftDetected =
        p.mode === 'up'
          ? up > p.threshold
          : p.mode === 'down'
            ? down > p.threshold
            : up > p.threshold || down > p.threshold;
    }
    return s.driftDetected;
  }

  save(): PageHinkleyState {
    return { ...this.s, params: { ...this.s.params } };
  }

  static restore(state: PageHinkleyState): PageHinkley {
    if (state?.version !== 1 || state.method !== 'page-hinkley')
      throw new Error('not a Page-Hinkley state of version 1');
    return new PageHinkley(state.params, state);
  }
}

function fresh(params: PageHinkleyParams): PageHinkleyState {
  return {
    version: 1,
    method: 'page-hinkley',
    params,
    driftDetected: false,
    n: 0,
    mean: 0,
    sumIncrease: 0,
    sumDecrease: 0,
    minIncrease: null,
    maxDecrease: -1,
  };
}
