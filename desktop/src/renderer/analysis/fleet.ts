// Fleet drift from synced profile chunks: a version's chunks in a window (all nodes or one) turned back into
// profiles, merged, and compared with the version's reference (profileDriftReport: categorical scores exact,
// numerical ones bounded) plus CBPE from the merged score bins. Pure: the analysis worker runs it on Dexie rows.
import {
  type CbpeFit,
  fitCbpe,
  holdoutCbpeData,
  type MetricName,
  type MetricResult,
} from '@pmm/core/estimate';
import { type ModelCard, modelSchemaOf } from '@pmm/core/model';
import {
  estimateFromScoreBins,
  fromSparse,
  mergeProfiles,
  type Profile,
  type ProfileDriftReport,
  type ProfileVerdict,
  profileDriftReport,
  profileSpecFromReference,
  type SparseProfile,
} from '@pmm/core/profile';

/** The chunk columns the computation reads (a `profile_chunks` row). */
export interface FleetChunk {
  readonly chunk_id: string;
  readonly node_id: string;
  /** Chunk start, epoch ms. */
  readonly ts: number;
  readonly profile: unknown;
}

export interface FleetQuery {
  readonly version: string;
  /** Chunks starting at or after this instant (epoch ms); none: from the first. */
  readonly from?: number;
  /** Chunks starting before this instant (epoch ms); none: to the last. */
  readonly to?: number;
  /** One edge node; none: the whole fleet. */
  readonly node?: string;
}

export interface FleetOutcome {
  /** Chunks merged (in the window, of the node if one is chosen). */
  readonly chunks: number;
  /** Distinct nodes among them. */
  readonly nodes: number;
  readonly rows: number;
  /** Every node with chunks of this version (for the node filter). */
  readonly allNodes: string[];
  /** First and last chunk start among the merged chunks (epoch ms). */
  readonly first: number | null;
  readonly last: number | null;
  /** Chunks in the window left out (another layout than the version's, or unreadable): counted, with the first reason. */
  readonly leftOut: number;
  readonly leftOutReason: string | null;
  /** null when the window holds no rows. */
  readonly drift: ProfileDriftReport | null;
  /** CBPE of the merged score bins; null without the card's reference_predictions, scores or rows. */
  readonly estimated: Partial<Record<MetricName, MetricResult>> | null;
  /** Why there is no estimate, when there is none. */
  readonly estimateNote: string | null;
  /** Score bins of the layout over [0, 1]: rows are estimated at their bin's mean score. */
  readonly scoreBins: number;
}

/** The version's CBPE fit on its holdout (the card's reference_predictions), or why there is none. */
export function fleetFit(card: ModelCard): CbpeFit | string {
  const ref = card.reference_predictions;
  if (!ref || ref.scores.length === 0) return 'the model card has no reference predictions to fit CBPE on';
  try {
    return fitCbpe(holdoutCbpeData(ref, 0.5));
  } catch (error) {
    return `CBPE cannot be fitted on the reference predictions: ${(error as Error).message}`;
  }
}

/** Drift and CBPE of the version's chunks in the query's window (and node). */
export function computeFleet(
  card: ModelCard,
  chunks: readonly FleetChunk[],
  query: FleetQuery,
): FleetOutcome {
  const spec = profileSpecFromReference(card.version, card.reference_profile, modelSchemaOf(card).features);
  const allNodes = [...new Set(chunks.map((c) => c.node_id))].sort();
  const picked = chunks.filter(
    (c) =>
      (query.from === undefined || c.ts >= query.from) &&
      (query.to === undefined || c.ts < query.to) &&
      (query.node === undefined || c.node_id === query.node),
  );
  const ours: FleetChunk[] = [];
  const profiles: Profile[] = [];
  let leftOutReason: string | null = null;
  for (const c of picked) {
    try {
      profiles.push(fromSparse(spec, c.profile as SparseProfile));
      ours.push(c);
    } catch (error) {
      leftOutReason ??= `chunk ${c.chunk_id}: ${(error as Error).message}`;
    }
  }
  const merged = profiles.length > 0 ? mergeProfiles(profiles) : null;
  const rows = merged?.rows ?? 0;
  let drift: ProfileDriftReport | null = null;
  let estimated: FleetOutcome['estimated'] = null;
  let estimateNote: string | null = rows === 0 ? 'no rows in the window' : null;
  if (merged && rows > 0) {
    drift = profileDriftReport(card.reference_profile, spec, merged);
    const fit = fleetFit(card);
    const scored = merged.score?.counts.some((n) => n > 0) ?? false;
    if (typeof fit === 'string') estimateNote = fit;
    else if (!scored) estimateNote = 'the chunks carry no scores';
    else estimated = estimateFromScoreBins(fit, merged.score);
  }
  const starts = ours.map((c) => c.ts);
  return {
    chunks: ours.length,
    nodes: new Set(ours.map((c) => c.node_id)).size,
    rows,
    allNodes,
    first: starts.length ? Math.min(...starts) : null,
    last: starts.length ? Math.max(...starts) : null,
    leftOut: picked.length - ours.length,
    leftOutReason,
    drift,
    estimated,
    estimateNote,
    scoreBins: spec.score_bins,
  };
}

/** What the Fleet view says above everything it shows: it has profiles only, never raw rows. */
export const FLEET_BANNER_TEXT =
  'From edge profiles only: categorical scores exact, numerical scores bounded';

/** How the Fleet view names a verdict ('indeterminate' is also marked, with a warning sign). */
export const VERDICT_LABELS: Record<ProfileVerdict, string> = {
  drift: 'drift',
  no_drift: 'no drift',
  indeterminate: 'indeterminate',
  not_tested: 'not tested',
};

/** How the fleet view writes a score or bound: 4 decimals, or 3 significant digits below 0.001. */
export function formatScore(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  if (x !== 0 && Math.abs(x) < 1e-3) return x.toExponential(2);
  return x.toFixed(4);
}
