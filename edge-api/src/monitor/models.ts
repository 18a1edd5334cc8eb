// Which model the monitor looks at: a served name resolved to its active version and card, and what each version
// needs for monitoring (its frozen profile layout, its CBPE fit), computed once per isolate.
import { type CbpeFit, fitCbpe, holdoutCbpeData } from '@pmm/core/estimate';
import { type ModelCard, modelSchemaOf } from '@pmm/core/model';
import { type ProfileSpec, profileSpecFromReference } from '@pmm/core/profile';
import { type ActivePointer, cardKey, pointerKey } from '../model-store';

export interface ResolvedModel {
  readonly name: string;
  readonly version: string;
  readonly card: ModelCard;
}

/** The name's active version and its card; null when the name has no pointer (or its card is not visible yet). */
export async function resolveModel(kv: KVNamespace, name: string): Promise<ResolvedModel | null> {
  const pointer = await kv.get<ActivePointer>(pointerKey(name), 'json');
  if (!pointer) return null;
  const card = await cardOf(kv, name, pointer.version);
  return card ? { name, version: pointer.version, card } : null;
}

const cards = new Map<string, ModelCard>();

/** A version's card (cached per isolate: a version's card never changes). */
export async function cardOf(kv: KVNamespace, name: string, version: string): Promise<ModelCard | null> {
  const key = cardKey(name, version);
  const hit = cards.get(key);
  if (hit) return hit;
  const card = await kv.get<ModelCard>(key, 'json');
  if (card) remember(cards, key, card);
  return card;
}

/** Why a version cannot be profiled (its card has no usable reference profile), or its layout. */
export type SpecResult = { ok: true; spec: ProfileSpec } | { ok: false; reason: string };

const specs = new Map<string, SpecResult>();

/** The version's frozen profile layout, derived from its model.json exactly as every other edge derives it. */
export function specOf(card: ModelCard): SpecResult {
  const key = `${card.version}:${card.onnx_sha256}`;
  const hit = specs.get(key);
  if (hit) return hit;
  let result: SpecResult;
  try {
    const spec = profileSpecFromReference(card.version, card.reference_profile, modelSchemaOf(card).features);
    result = { ok: true, spec };
  } catch (err) {
    result = {
      ok: false,
      reason: `model ${card.version} cannot be profiled: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  remember(specs, key, result);
  return result;
}

export type FitResult = { ok: true; fit: CbpeFit } | { ok: false; reason: string };
const fits = new Map<string, FitResult>();

/** CBPE fitted on the version's holdout (model.json `reference_predictions`), threshold 0.5 as the edge labels. */
export function cbpeFitOf(card: ModelCard): FitResult {
  const key = `${card.version}:${card.onnx_sha256}`;
  const hit = fits.get(key);
  if (hit) return hit;
  let result: FitResult;
  const ref = card.reference_predictions;
  if (!ref)
    result = { ok: false, reason: `model ${card.version} has no reference_predictions in model.json` };
  else {
    try {
      result = { ok: true, fit: fitCbpe(holdoutCbpeData(ref, 0.5)) };
    } catch (err) {
      result = {
        ok: false,
        reason: `model ${card.version}: CBPE cannot be fitted: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
  }
  remember(fits, key, result);
  return result;
}

/** Keeps at most 16 entries per cache (a handful of versions are live on a node at a time). */
function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= 16) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
}
