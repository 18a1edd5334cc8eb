// Messages between the UI and the analysis worker: drift reports and timelines over local data or imported CSV.
import type { DriftOptions, DriftReport } from '@pmm/core/drift';
import type { WindowSpec } from '../store/window-spec';
import type { FleetOutcome, FleetQuery } from './fleet';

/** A model feature as the analysis needs it (from the model card's schema). */
export interface FeatureKind {
  readonly name: string;
  readonly kind: 'numerical' | 'categorical';
  /** The source column when it differs from `name` (the Telco CSV's `Contract` for `contract`). */
  readonly column?: string;
}

/** The model's features a model card states: its `schema`, or the older `feature_schema`. */
export function featuresOfCard(card: unknown): FeatureKind[] | null {
  if (card === null || typeof card !== 'object') return null;
  const c = card as { schema?: { features?: unknown }; feature_schema?: unknown };
  const list = (Array.isArray(c.schema?.features) ? c.schema.features : c.feature_schema) as unknown;
  if (!Array.isArray(list)) return null;
  const features: FeatureKind[] = [];
  for (const f of list as Record<string, unknown>[]) {
    if (typeof f?.['name'] !== 'string' || (f['kind'] !== 'numerical' && f['kind'] !== 'categorical'))
      continue;
    features.push({
      name: f['name'],
      kind: f['kind'],
      ...(typeof f['column'] === 'string' ? { column: f['column'] } : {}),
    });
  }
  return features.length > 0 ? features : null;
}

/** Which drift kernels ran: core's WebAssembly build, or the TypeScript fallback. */
export type KernelsUsed = 'webassembly' | 'typescript';

/** How a view names the kernels that ran. */
export const kernelsLabel = (kernels: KernelsUsed): string =>
  kernels === 'webassembly'
    ? 'WebAssembly drift kernels'
    : 'TypeScript drift kernels (WebAssembly unavailable)';

/** One side of a comparison. `profile`: a model version's reference profile (reference side only). */
export type SideSpec =
  | { readonly kind: 'profile'; readonly version: string }
  | { readonly kind: 'window'; readonly window: WindowSpec }
  | { readonly kind: 'csv'; readonly name: string; readonly text: string };

export interface DriftRequest {
  readonly type: 'drift';
  readonly id: number;
  readonly reference: SideSpec;
  readonly current: SideSpec;
  readonly options?: DriftOptions;
  /** Columns to leave out (CSV against CSV: as `pmm drift --ignore`). */
  readonly ignore?: readonly string[];
  /** The model's features (its card's schema); else taken from a model the sides name, or every column. */
  readonly features?: readonly FeatureKind[];
}

export interface TimelineRequest {
  readonly type: 'timeline';
  readonly id: number;
  readonly reference: SideSpec;
  readonly current: { readonly kind: 'window'; readonly window: WindowSpec };
  /** Number of equal time buckets over the window. */
  readonly buckets: number;
  readonly options?: DriftOptions;
  readonly features?: readonly FeatureKind[];
}

/** Fleet drift and CBPE of a version's synced profile chunks (analysis/fleet.ts). */
export interface FleetRequest extends FleetQuery {
  readonly type: 'fleet';
  readonly id: number;
}

export type AnalysisRequest = DriftRequest | TimelineRequest | FleetRequest;

export interface DriftResult {
  readonly type: 'drift';
  readonly id: number;
  readonly report: DriftReport;
  readonly names: { readonly reference: string; readonly current: string };
  /** Columns left out automatically (e.g. an id column with a distinct value per row). */
  readonly ignored: readonly string[];
  readonly millis: number;
  readonly kernels: KernelsUsed;
}

/** Per time bucket (bucket start in unix seconds): drift scores, prediction distribution, performance. */
export interface Timeline {
  readonly x: number[];
  readonly counts: number[];
  readonly drift: Record<
    string,
    { readonly method: string; readonly scores: (number | null)[]; readonly threshold: number }
  >;
  readonly driftShare: (number | null)[];
  readonly prediction: {
    readonly mean: (number | null)[];
    readonly p10: (number | null)[];
    readonly p50: (number | null)[];
    readonly p90: (number | null)[];
    readonly positiveRate: (number | null)[];
  };
  readonly performance: {
    readonly labelled: number[];
    readonly rocAuc: (number | null)[];
    readonly accuracy: (number | null)[];
    readonly brier: (number | null)[];
    /** Mean predicted probability and observed positive rate among labelled rows (calibration). */
    readonly meanPredicted: (number | null)[];
    readonly observedRate: (number | null)[];
  };
}

export interface TimelineResult {
  readonly type: 'timeline';
  readonly id: number;
  readonly timeline: Timeline;
  readonly millis: number;
  readonly kernels: KernelsUsed;
}

export interface FleetResult extends FleetOutcome {
  readonly type: 'fleet';
  readonly id: number;
  readonly version: string;
  readonly millis: number;
}

export interface ErrorResult {
  readonly type: 'error';
  readonly id: number;
  readonly name: string;
  readonly message: string;
}

export type AnalysisResponse = DriftResult | TimelineResult | FleetResult | ErrorResult;

/**
 * Timeline buckets with fewer labelled predictions than this get no performance figures: ten rows can give a
 * ROC AUC of 1.0 by chance. The count still shows (`performance.labelled`).
 */
export const MIN_LABELLED_ROWS = 30;
