// ADWIN, adaptive windowing drift detection (Bifet & Gavaldà 2007), ported from River 0.26
// (river/drift/adwin.py + river/drift/adwin_c.pyx, mirrored by rust_src/adwin.rs). Code and docs disagree on
// (1) the cut scan: the docstring describes checking cut points between buckets; the code walks every entry of
// every bucket row, newest row last, and stops only at the final entry of row 0 — followed here;
// (2) after a detection the detector keeps the shrunken window inside the helper, but `ADWIN.update` resets the
// whole helper on the *next* update (`if self._drift_detected: self._reset()`) — followed here.

import { cloneState, requireFinite } from './clone';
import type { DriftDetector } from './detector';

export interface AdwinParams {
  /** Confidence value δ. */
  delta: number;
  /** Check for a cut every `clock` updates. */
  clock: number;
  /** Entries of one size kept before the two oldest merge. */
  max_buckets: number;
  /** Minimum length of each sub-window. */
  min_window_length: number;
  /** No detection before the window holds more than this many points. */
  grace_period: number;
}

export const ADWIN_DEFAULTS: AdwinParams = {
  delta: 0.002,
  clock: 32,
  max_buckets: 5,
  min_window_length: 5,
  grace_period: 10,
};

/** One row of the exponential histogram: entries each summarising 2^row points. */
interface Row {
  totals: number[];
  variances: number[];
}

export interface AdwinState {
  version: 1;
  method: 'adwin';
  params: AdwinParams;
  driftDetected: boolean;
  total: number;
  variance: number;
  width: number;
  tick: number;
  nDetections: number;
  rows: Row[];
}

/**
 * ADWIN with River's defaults. `update(x)` returns whether a change was detected at x.
 * On River's doctest stream (`random.Random(12345)`, 1000 draws of {0,1} then 1000 of 4..7) it fires at index 1023.
 */
export class Adwin implements DriftDetector<AdwinState> {
  readonly params: AdwinParams;
  private s: AdwinState;

  constructor(params: Partial<AdwinParams> = {}, state?: AdwinState) {
    this.params = { ...ADWIN_DEFAULTS, ...params };
    validateAdwin(this.params);
    this.s = state ? cloneState(state) : fresh(this.params);
  }

  get driftDetected(): boolean {
    return this.s.driftDetected;
  }
  get width(): number {
    return this.s.width;
  }
  get total(): number {
    return this.s.total;
  }
  /** Sum of squared deviations from the window mean (River's `variance`). */
  get variance(): number {
    return this.s.variance;
  }
  get nDetections(): number {
    return this.s.nDetections;
  }
  /** Mean of the window (River's `estimation`). */
  get estimation(): number {
    return this.s.width === 0 ? 0 : this.s.total / this.s.width;
  }

  update(x: number): boolean {
    requireFinite(x);
    if (this.s.driftDetected) this.s = fresh(this.params);
    this.insert(x);
    this.s.driftDetected = this.detectChange();
    return this.s.driftDetected;
  }

  save(): AdwinState {
    return cloneState(this.s);
  }

  static restore(state: AdwinState): Adwin {
    if (state?.version !== 1 || state.method !== 'adwin') throw new Error('not an ADWIN state of version 1');
    return new Adwin(state.params, state);
  }

  private insert(value: number): void {
    const s = this.s;
    const row0 = s.rows[0]!;
    row0.totals.push(value);
    row0.variances.push(0);
    s.width += 1;
    let inc = 0;
    if (s.width > 1) {
      const d = value - s.total / (s.width - 1);
      inc = ((s.width - 1) * d * d) / s.width;
    }
    s.variance += inc;
    s.total += value;
    this.compress();
  }

  private compress(): void {
    const s = this.s;
    const maxBuckets = this.params.max_buckets;
    for (let idx = 0; idx < s.rows.length; idx++) {
      const row = s.rows[idx]!;
      if (row.totals.length !== maxBuckets + 1) break;
      if (idx + 1 >= s.rows.length) s.rows.push({ totals: [], variances: [] });
      const next = s.rows[idx + 1]!;
      const n1 = 2 ** idx;
      const mu1 = row.totals[0]! / n1;
      const mu2 = row.totals[1]! / n1;
      const total12 = row.totals[0]! + row.totals[1]!;
      const temp = (n1 * n1 * (mu1 - mu2) * (mu1 - mu2)) / (n1 + n1);
      const v12 = row.variances[0]! + row.variances[1]! + temp;
      next.totals.push(total12);
      next.variances.push(v12);
      row.totals.splice(0, 2);
      row.variances.splice(0, 2);
      if (next.totals.length <= maxBuckets) break;
    }
  }

  /** Drops the oldest entry of the oldest row; returns how many points it held. */
  private deleteOldest(): number {
    const s = this.s;
    const last = s.rows.length - 1;
    const row = s.rows[last]!;
    const n = 2 ** last;
    const u = row.totals[0]!;
    const v = row.variances[0]!;
    const mu = u / n;
    s.width -= n;
    s.total -= u;
    const muWindow = s.total / s.width;
    s.variance -= v + (n * s.width * (mu - muWindow) * (mu - muWindow)) / (n + s.width);
    row.totals.shift();
    row.variances.shift();
    if (row.totals.length === 0) s.rows.pop();
    return n;
  }

  private detectChange(): boolean {
    const s = this.s;
    const p = this.params;
    let changeDetected = false;
    s.tick += 1;
    if (s.tick % p.clock === 0 && s.width > p.grace_period) {
      let reduceWidth = true;
      while (reduceWidth) {
        reduceWidth = false;
        let n0 = 0;
        let n1 = s.width;
        let u0 = 0;
        let u1 = s.total;
        scan: for (let idx = s.rows.length - 1; idx >= 0; idx--) {
          const row = s.rows[idx]!;
          const size = 2 ** idx;
          const count = row.totals.length;
          for (let k = 0; k < count; k++) {
            n0 += size;
            n1 -= size;
            u0 += row.totals[k]!;
            u1 -= row.totals[k]!;
            if (idx === 0 && k === count - 1) break scan;
            const deltaMean = u0 / n0 - u1 / n1;
            if (
              n1 >= p.min_window_length &&
              n0 >= p.min_window_length &&
              this.evaluateCut(n0, n1, deltaMean)
            ) {
              reduceWidth = true;
              changeDetected = true;
              if (s.width > 0) {
                this.deleteOldest();
                break scan;
              }
            }
          }
        }
      }
    }
    if (changeDetected) s.nDetections += 1;
    return changeDetected;
  }

  private evaluateCut(n0: number, n1: number, deltaMean: number): boolean {
    const s = this.s;
    const m = this.params.min_window_length;
    const deltaPrime = Math.log((2 * Math.log(s.width)) / this.params.delta);
    const mRecip = 1 / (n0 - m + 1) + 1 / (n1 - m + 1);
    const epsilon =
      Math.sqrt(2 * mRecip * (s.variance / s.width) * deltaPrime) + (2 / 3) * deltaPrime * mRecip;
    return Math.abs(deltaMean) > epsilon;
  }
}

function fresh(params: AdwinParams): AdwinState {
  return {
    version: 1,
    method: 'adwin',
    params,
    driftDetected: false,
    total: 0,
    variance: 0,
    width: 0,
    tick: 0,
    nDetections: 0,
    rows: [{ totals: [], variances: [] }],
  };
}

function validateAdwin(p: AdwinParams): void {
  if (!(p.delta > 0 && p.delta < 1)) throw new RangeError('delta must be in (0, 1)');
  for (const k of ['clock', 'max_buckets', 'min_window_length', 'grace_period'] as const) {
    if (!Number.isInteger(p[k]) || p[k] < (k === 'grace_period' || k === 'min_window_length' ? 0 : 1))
      throw new RangeError(`${k} must be a positive integer`);
  }
}
