// KSWIN, Kolmogorov–Smirnov windowing (Raab et al. 2020), ported from River 0.26 (river/drift/kswin.py).
// It draws the reference sample with CPython's `random.Random(seed).sample`, ported in core/src/random, and tests
// with scipy's `ks_2samp` (method 'auto', exact for these sizes), ported in core/src/drift/stats. Code and docs
// disagree: the docstring's rule is dist > sqrt(−ln α / r); the code detects when p ≤ α and the statistic > 0.1 —
// followed here. After a detection the next update resets the detector, including a fresh `Random(seed)`; the window
// kept at detection (the last stat_size values) is discarded by that reset, as in River.
// Where River's seed is None (fresh OS entropy on every reset) a seed is drawn once and kept in the state, so a
// saved detector replays exactly.

import { ksTwoSample } from '../drift/stats/ks-two-sample';
import type { Mt19937State } from '../random/mt19937';
import { PythonRandom } from '../random/python-random';
import { cloneState, requireFinite } from './clone';
import type { DriftDetector } from './detector';

export interface KswinParams {
  /** Significance level of the KS test. */
  alpha: number;
  /** Size of the sliding window. */
  window_size: number;
  /** Size of the most recent sub-window compared with a sample of the rest. */
  stat_size: number;
  /** Seed of the sampler (`random.Random(seed)`); drawn once when not given. */
  seed: number | null;
}

export const KSWIN_DEFAULTS: KswinParams = { alpha: 0.005, window_size: 100, stat_size: 30, seed: null };

export interface KswinState {
  version: 1;
  method: 'kswin';
  params: KswinParams;
  /** The seed actually used (params.seed, or the one drawn when it was null). */
  seed: number;
  driftDetected: boolean;
  n: number;
  pValue: number;
  window: number[];
  rng: Mt19937State;
}

/**
 * KSWIN with River's defaults; `new Kswin({ alpha: 0.0001, seed: 42 })` on River's doctest stream fires at 1016.
 */
export class Kswin implements DriftDetector<KswinState> {
  readonly params: KswinParams;
  private s: KswinState;
  private rng: PythonRandom;

  constructor(params: Partial<KswinParams> = {}, state?: KswinState) {
    this.params = { ...KSWIN_DEFAULTS, ...params };
    const p = this.params;
    if (!(p.alpha >= 0 && p.alpha <= 1)) throw new RangeError('alpha must be between 0 and 1');
    if (!Number.isInteger(p.window_size) || p.window_size < 0)
      throw new RangeError('window_size must be greater than 0');
    if (!Number.isInteger(p.stat_size) || p.stat_size < 1)
      throw new RangeError('stat_size must be a positive integer');
    if (p.window_size < p.stat_size) throw new RangeError('stat_size must be smaller than window_size');
    if (p.window_size - p.stat_size < p.stat_size)
      throw new RangeError(
        'window_size must be at least twice stat_size (River samples stat_size from the rest)',
      );
    if (p.seed !== null && !Number.isSafeInteger(p.seed)) throw new RangeError('seed must be an integer');
    if (state) {
      this.s = cloneState(state);
      this.rng = PythonRandom.restore(state.rng);
    } else {
      const seed = p.seed ?? Math.floor(Math.random() * 4294967296);
      this.rng = new PythonRandom(seed);
      this.s = fresh(this.params, seed, this.rng);
    }
  }

  get driftDetected(): boolean {
    return this.s.driftDetected;
  }
  get pValue(): number {
    return this.s.pValue;
  }

  update(x: number): boolean {
    requireFinite(x);
    if (this.s.driftDetected) {
      this.rng = new PythonRandom(this.s.seed);
      this.s = fresh(this.params, this.s.seed, this.rng);
    }
    const s = this.s;
    const { window_size: w, stat_size: r, alpha } = this.params;
    s.n += 1;
    s.window.push(x);
    if (s.window.length > w) s.window.shift();
    if (s.window.length >= w) {
      const picks = this.rng.sample(range(w - r), r);
      const rnd = picks.map((i) => s.window[i]!);
      const recent = s.window.slice(w - r, w);
      const { statistic, pValue } = ksTwoSample(rnd, recent);
      s.pValue = pValue;
      if (pValue <= alpha && statistic > 0.1) {
        s.driftDetected = true;
        s.window = recent;
      } else s.driftDetected = false;
    } else s.driftDetected = false;
    return s.driftDetected;
  }

  save(): KswinState {
    return { ...cloneState(this.s), rng: this.rng.save() };
  }

  static restore(state: KswinState): Kswin {
    if (state?.version !== 1 || state.method !== 'kswin') throw new Error('not a KSWIN state of version 1');
    return new Kswin(state.params, state);
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function fresh(params: KswinParams, seed: number, rng: PythonRandom): KswinState {
  return {
    version: 1,
    method: 'kswin',
    params,
    seed,
    driftDetected: false,
    n: 0,
    pValue: 0,
    window: [],
    rng: rng.save(),
  };
}
