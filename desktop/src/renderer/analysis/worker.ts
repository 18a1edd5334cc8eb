// The analysis worker: loads each side (Dexie, model profile or CSV text), runs core's drift engine with its
// WebAssembly kernels (TypeScript when they cannot load), posts results.

import type { ReferenceProfile } from '@pmm/core/drift';
import kernelsUrl from '@pmm/core/drift-kernels.wasm?url';
import type { ModelCard } from '@pmm/core/model';
import Dexie from 'dexie';
import { type FeatureBlock, readBlocks, selectWindow } from '../store/blocks';
import { PmmDb } from '../store/db';
import { loadFeedback, loadWindow } from '../store/queries';
import type { WindowSpec } from '../store/window-spec';
import {
  computeTimeline,
  type FeatureKind,
  featuresOfCard,
  type LoadedSide,
  readCsvSide,
  runCsvDrift,
  runDrift,
  type TimedPrediction,
} from './compute';
import { computeFleet } from './fleet';
import { loadDriftKernels } from './kernels';
import type {
  AnalysisRequest,
  AnalysisResponse,
  DriftResult,
  FleetRequest,
  FleetResult,
  SideSpec,
} from './protocol';

const kernels = loadDriftKernels(kernelsUrl);

const db = new PmmDb();
/** Column blocks read so far, by id (ids are never reused, so a cached block is never stale). */
const blockCache = new Map<number, FeatureBlock>();

function describeWindow(w: WindowSpec): string {
  const parts = [w.modelVersion ? `model ${w.modelVersion}` : 'all models'];
  if (w.nodeId) parts.push(`node ${w.nodeId}`);
  if (w.lastN) parts.push(`last ${w.lastN.toLocaleString('en-US')}`);
  if (w.from !== undefined || w.to !== undefined) {
    const d = (t?: number) =>
      t === undefined ? '…' : new Date(t).toISOString().slice(0, 16).replace('T', ' ');
    parts.push(`${d(w.from)} – ${d(w.to)}`);
  }
  return `predictions (${parts.join(', ')})`;
}

/** The reference profile stored with a model: in its card (model.json) or as a column. */
export function profileOf(model: Record<string, unknown>): ReferenceProfile | null {
  const card = model['card'] as Record<string, unknown> | null | undefined;
  return (
    ((card?.['reference_profile'] ?? model['reference_profile']) as ReferenceProfile | undefined) ?? null
  );
}

async function load(side: SideSpec): Promise<LoadedSide> {
  if (side.kind === 'csv') return { kind: 'csv', name: side.name, source: side.text };
  if (side.kind === 'profile') {
    const model = await db.models.get(side.version);
    if (!model) throw new Error(`model ${side.version} is not in the local store (sync it first)`);
    const profile = profileOf(model);
    if (!profile) throw new Error(`model ${side.version} has no reference profile`);
    return { kind: 'profile', name: `reference profile of ${side.version}`, profile };
  }
  const blocks = await readBlocks(db, blockCache);
  if (blocks) {
    const window = selectWindow(blocks, side.window);
    if (window.rows === 0) throw new Error(`no local ${describeWindow(side.window)}`);
    return { kind: 'columns', name: describeWindow(side.window), window };
  }
  // The blocks do not match the rows (or hold a row they cannot represent): read the rows.
  const rows = await loadWindow(db, side.window);
  if (rows.length === 0) throw new Error(`no local ${describeWindow(side.window)}`);
  // Rows from an edge that withholds feature values (SHIP_FEATURES = "false") have none: the Fleet view
  // covers them from profiles.
  const records = rows.map((r) => r.features).filter((f) => f !== null && typeof f === 'object');
  if (records.length === 0) throw new Error(`no feature values in the local ${describeWindow(side.window)}`);
  return { kind: 'records', name: describeWindow(side.window), records };
}

/** The model's features: from the model a side names (its card's schema), else as the request gives them. */
async function featuresFor(
  request: { features?: readonly FeatureKind[] },
  sides: readonly SideSpec[],
): Promise<readonly FeatureKind[] | null> {
  for (const side of sides) {
    const version =
      side.kind === 'profile' ? side.version : side.kind === 'window' ? side.window.modelVersion : undefined;
    if (!version) continue;
    const model = await db.models.get(version);
    const features = model ? featuresOfCard((model as Record<string, unknown>)['card']) : null;
    if (features) return features;
  }
  return request.features && request.features.length > 0 ? request.features : null;
}

/** A CSV side read by the model's features (a CSV pair is compared as `pmm drift` does, before this). */
async function readSide(side: LoadedSide, features: readonly FeatureKind[] | null): Promise<LoadedSide> {
  return side.kind === 'csv' ? readCsvSide(side.name, side.source, features) : side;
}

/** Fleet drift of a version's synced profile chunks (read from Dexie here, off the UI thread). */
async function fleet(request: FleetRequest, started: number): Promise<FleetResult> {
  const model = await db.models.get(request.version);
  if (!model?.card) throw new Error(`model ${request.version} is not in the local store (sync it first)`);
  const chunks = await db.profile_chunks
    .where('[model_version+ts]')
    .between([request.version, Dexie.minKey], [request.version, Dexie.maxKey])
    .toArray();
  const { type: _t, id: _i, ...query } = request;
  const outcome = computeFleet(model.card as unknown as ModelCard, chunks, query);
  return {
    ...outcome,
    type: 'fleet',
    id: request.id,
    version: request.version,
    millis: performance.now() - started,
  };
}

async function handle(request: AnalysisRequest): Promise<AnalysisResponse> {
  const started = performance.now();
  if (request.type === 'fleet') return fleet(request, started);
  const used = await kernels;
  if (request.type === 'drift') {
    const [reference, current] = await Promise.all([load(request.reference), load(request.current)]);
    const names = { reference: reference.name, current: current.name };
    const done = (result: { report: DriftResult['report']; ignored: string[] }): DriftResult => ({
      type: 'drift',
      id: request.id,
      report: result.report,
      ignored: result.ignored,
      names,
      millis: performance.now() - started,
      kernels: used,
    });
    if (reference.kind === 'csv' && current.kind === 'csv')
      return done(await runCsvDrift(reference, current, request.options, request.ignore));
    const features = await featuresFor(request, [request.reference, request.current]);
    const [ref, cur] = await Promise.all([readSide(reference, features), readSide(current, features)]);
    return done(runDrift(ref, cur, request.options, request.ignore, features));
  }
  const features = await featuresFor(request, [request.reference, request.current]);
  const reference = await readSide(await load(request.reference), features);
  const rows = await loadWindow(db, request.current.window);
  const feedback = await loadFeedback(
    db,
    rows.map((r) => r.prediction_id),
  );
  const predictions: TimedPrediction[] = rows
    .filter((r) => r.features !== null && typeof r.features === 'object')
    .map((r) => {
      const outcome = feedback.get(r.prediction_id)?.outcome;
      return outcome === undefined
        ? { ts: r.ts, probability: r.probability, features: r.features }
        : { ts: r.ts, probability: r.probability, features: r.features, outcome: Number(outcome) };
    });
  const timeline = computeTimeline(reference, predictions, request.buckets, request.options, features);
  return {
    type: 'timeline',
    id: request.id,
    timeline,
    millis: performance.now() - started,
    kernels: used,
  };
}

self.onmessage = async (event: MessageEvent<AnalysisRequest>) => {
  const request = event.data;
  let response: AnalysisResponse;
  try {
    response = await handle(request);
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    response = { type: 'error', id: request.id, name: e.name, message: e.message };
  }
  self.postMessage(response);
};
