// @pmm/core/detect: streaming drift detectors (River 0.26's ADWIN, Page-Hinkley, KSWIN) as JSON-state machines.

import { ADWIN_DEFAULTS, Adwin, type AdwinParams, type AdwinState } from './adwin';
import { KSWIN_DEFAULTS, Kswin, type KswinParams, type KswinState } from './kswin';
import {
  PAGE_HINKLEY_DEFAULTS,
  PageHinkley,
  type PageHinkleyParams,
  type PageHinkleyState,
} from './page-hinkley';

export type { DriftDetector } from './detector';
export {
  ADWIN_DEFAULTS,
  Adwin,
  type AdwinParams,
  type AdwinState,
  KSWIN_DEFAULTS,
  Kswin,
  type KswinParams,
  type KswinState,
  PAGE_HINKLEY_DEFAULTS,
  PageHinkley,
  type PageHinkleyParams,
  type PageHinkleyState,
};

export type DetectorMethod = 'adwin' | 'page-hinkley' | 'kswin';
export type DetectorState = AdwinState | PageHinkleyState | KswinState;
export type AnyDetector = Adwin | PageHinkley | Kswin;

/** Each method's parameters (River's names) and defaults. */
export const DETECTOR_DEFAULTS = {
  adwin: ADWIN_DEFAULTS,
  'page-hinkley': PAGE_HINKLEY_DEFAULTS,
  kswin: KSWIN_DEFAULTS,
} as const;

/** A new detector of `method` with River's parameter names (unknown names are rejected by the caller). */
export function createDetector(method: DetectorMethod, params: Record<string, unknown> = {}): AnyDetector {
  if (method === 'adwin') return new Adwin(params as Partial<AdwinParams>);
  if (method === 'page-hinkley') return new PageHinkley(params as Partial<PageHinkleyParams>);
  return new Kswin(params as Partial<KswinParams>);
}

/** The detector a saved state describes, continuing exactly. */
export function restoreDetector(state: DetectorState): AnyDetector {
  if (state.method === 'adwin') return Adwin.restore(state);
  if (state.method === 'page-hinkley') return PageHinkley.restore(state);
  if (state.method === 'kswin') return Kswin.restore(state);
  throw new Error('unknown detector state');
}

/** 0-based indices at which `detector` reports a change over `values`. */
export function detectAll(detector: AnyDetector, values: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (detector.update(values[i]!)) out.push(i);
  return out;
}
