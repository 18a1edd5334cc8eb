// Realistic prediction traffic from the Telco rows, with optional drift injected — for `pmm simulate` and tests.

import type { Features } from '../data/telco-request';
import type { FeatureRecord } from '../data/telco-schema';
import { mulberry32 } from '../model/rng';

export type DriftMode = 'none' | 'gradual' | 'sudden';

export const DRIFT_MODES: readonly DriftMode[] = ['none', 'gradual', 'sudden'];

/**
 * The drift pmm injects, documented for users of `pmm simulate`:
 * - `none`: customers drawn uniformly (with replacement) from the source rows.
 * - `sudden`: from the first request, every customer comes from a new segment — month-to-month contracts
 *   with tenure <= 12 months (a campaign that signs up short-term customers) — and pays 15% more
 *   (`monthly_charges` and `total_charges` × 1.15, a price rise). Because the segment differs in contract,
 *   tenure, charges, payment method, add-on services and household, most features drift at once.
 * - `gradual`: the same segment and price rise, applied to a growing share of requests: request i of n is
 *   drifted with probability i / n, so the run starts like `none` and ends like `sudden`.
 * Each generated row keeps its source customer's true outcome, which `pmm simulate` sends as feedback.
 */
export const DRIFT_DESCRIPTION =
  'sudden: all customers from the month-to-month, tenure <= 12 segment with a 15% price rise; ' +
  'gradual: that drift applied to request i of n with probability i/n; none: uniform sample';

export const PRICE_RISE = 1.15;

export interface TrafficRow {
  readonly features: Features;
  /** The source customer's true outcome (1 = churned). */
  readonly outcome: 0 | 1;
  readonly drifted: boolean;
}

export interface TrafficSource {
  readonly records: readonly FeatureRecord[];
  readonly labels: ArrayLike<number>;
}

/** Whether a customer belongs to the drifted segment. */
export function inDriftSegment(record: FeatureRecord): boolean {
  return record.contract === 'Month-to-month' && typeof record.tenure === 'number' && record.tenure <= 12;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

function applyPriceRise(record: FeatureRecord): FeatureRecord {
  const monthly = record.monthly_charges;
  const total = record.total_charges;
  return {
    ...record,
    monthly_charges: typeof monthly === 'number' ? round2(monthly * PRICE_RISE) : (monthly ?? null),
    total_charges: typeof total === 'number' ? round2(total * PRICE_RISE) : (total ?? null),
  };
}

/**
 * Returns a generator of `total` requests: call it with i = 0..total-1 (in order or not; each i is
 * deterministic for the seed). Rows must be valid feature records (as `toFeatureRows` returns them).
 */
export function createTraffic(
  source: TrafficSource,
  options: { drift: DriftMode; total: number; seed: number },
): (i: number) => TrafficRow {
  const all = source.records.map((_, i) => i);
  const segment = all.filter((i) => inDriftSegment(source.records[i]!));
  if (all.length === 0) throw new Error('no source rows to simulate from');
  if (segment.length === 0 && options.drift !== 'none')
    throw new Error('no source rows in the drift segment');
  return (i) => {
    const random = mulberry32((options.seed * 1_000_003 + i) >>> 0);
    const drifted =
      options.drift === 'sudden' ||
      (options.drift === 'gradual' && random() < i / Math.max(options.total - 1, 1));
    const pool = drifted ? segment : all;
    const index = pool[Math.floor(random() * pool.length)]!;
    const record = source.records[index]!;
    const features = (drifted ? applyPriceRise(record) : { ...record }) as Features;
    return { features, outcome: source.labels[index] === 1 ? 1 : 0, drifted };
  };
}
