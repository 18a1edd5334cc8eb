// Fleet drift: a version's profile chunks over a window (whole fleet or one node) summed in PostgreSQL into one
// profile, then the drift report against the version's reference and CBPE from the summed score bins.
import type { MetricName, MetricResult } from '@pmm/core/estimate';
import type { ModelCard } from '@pmm/core/model';
import {
  densify,
  estimateFromScoreBins,
  type Profile,
  type ProfileDriftReport,
  type ProfileSpec,
  profileDriftReport,
} from '@pmm/core/profile';
import type { Executor } from '../db/client';
import { sumWindow } from '../db/profiles';
import { performanceFit } from '../monitor/performance';

export interface FleetReport {
  readonly model: string;
  readonly version: string;
  readonly from: string;
  readonly to: string;
  readonly node: string | null;
  readonly nodes: number;
  readonly rows: number;
  /** null when the window holds no rows. */
  readonly drift: ProfileDriftReport | null;
  /** CBPE of the summed score bins; null without the card's reference_predictions, scores or rows. */
  readonly estimated_performance: Partial<Record<MetricName, MetricResult>> | null;
}

/** The merged profile of a window, summed in SQL. */
export async function fleetProfile(
  db: Executor,
  spec: ProfileSpec,
  window: { version: string; node: string | null; from: Date; to: Date },
): Promise<{ profile: Profile; nodes: number }> {
  const sum = await sumWindow(db, window);
  const profile = densify(spec, sum.columns, { rows: sum.rows, start: sum.first, end: sum.last });
  return { profile, nodes: sum.nodes };
}

export async function fleetReport(
  db: Executor,
  card: ModelCard,
  spec: ProfileSpec,
  request: { model: string; node: string | null; from: Date; to: Date },
): Promise<FleetReport> {
  const { profile, nodes } = await fleetProfile(db, spec, { ...request, version: card.version });
  let drift: ProfileDriftReport | null = null;
  let estimated: FleetReport['estimated_performance'] = null;
  if (profile.rows > 0) {
    drift = profileDriftReport(card.reference_profile, spec, profile);
    const fit = performanceFit(card); // the monitor's cached holdout fit (threshold 0.5), or why there is none
    const scored = profile.score?.counts.some((n) => n > 0) ?? false;
    if (typeof fit !== 'string' && scored) estimated = estimateFromScoreBins(fit, profile.score);
  }
  return {
    model: request.model,
    version: card.version,
    from: request.from.toISOString(),
    to: request.to.toISOString(),
    node: request.node,
    nodes,
    rows: profile.rows,
    drift,
    estimated_performance: estimated,
  };
}
