// The inference worker: model artifacts from IndexedDB (downloaded once), onnxruntime-web sessions on WebGPU or
// WebAssembly, shadow scoring of a window of the synced log and what-if predictions, off the UI thread.
import { type CbpeFit, fitCbpe, holdoutCbpeData } from '@pmm/core/estimate';
import { type ModelCard, modelSchemaOf } from '@pmm/core/model';
import type { FeatureColumns } from '@pmm/core/onnx';
import { type RequestValidator, requestValidatorFor } from '@pmm/core/schema';
import { compareShadow } from '@pmm/core/shadow';
import { type ArtifactSource, loadArtifact, prefetchArtifacts } from '../models/artifact-cache';
import {
  type BlockColumn,
  type FeatureBlock,
  readBlocks,
  selectWindow,
  TAG_ABSENT,
  TAG_NULL,
  TAG_NUMBER,
  TAG_STRING,
} from '../store/blocks';
import { type FeatureValues, PmmDb } from '../store/db';
import { loadWindow } from '../store/queries';
import type { WindowSpec } from '../store/window-spec';
import { GpuRefusedError, PROBE_ROWS, resolveBackend, scorerFor, setGpuRefused, warmWasm } from './backend';
import type {
  BackendInfo,
  InferenceRequest,
  InferenceResponse,
  PredictRequest,
  PredictResult,
  ShadowRequest,
  ShadowResult,
} from './protocol';
import { checkFields } from './validate-columns';

const db = new PmmDb();
const blockCache = new Map<number, FeatureBlock>();
/** Block reads one after another: a read that finds another under way waits, then takes the cached blocks. */
let blockRead: Promise<unknown> = Promise.resolve();
function currentBlocks(): Promise<FeatureBlock[] | null> {
  const read = () => readBlocks(db, blockCache);
  const next = blockRead.then(read, read);
  blockRead = next.catch(() => undefined);
  return next;
}
/** Rows per ORT run: large enough to amortise a run, small enough to keep input tensors modest. */
const SCORE_BATCH = 8192;

export function describeWindow(w: WindowSpec, production: string): string {
  const parts: string[] = [];
  if (w.lastN) parts.push(`last ${w.lastN.toLocaleString('en-US')}`);
  parts.push(`predictions of ${production}`);
  if (w.nodeId) parts.push(`on ${w.nodeId}`);
  if (w.from !== undefined || w.to !== undefined) {
    const d = (t?: number) =>
      t === undefined ? '…' : new Date(t).toISOString().slice(0, 16).replace('T', ' ');
    parts.push(`${d(w.from)} – ${d(w.to)}`);
  }
  return parts.join(' ');
}

/** CBPE fitted on the card's holdout scores and labels, or null when the card has none (or one class). */
function fitOf(card: ModelCard, threshold: number): CbpeFit | null {
  const ref = card.reference_predictions;
  if (!ref || ref.scores.length === 0) return null;
  try {
    return fitCbpe(holdoutCbpeData(ref, threshold));
  } catch {
    return null;
  }
}

const fits = new Map<string, CbpeFit | null>();
function cachedFit(card: ModelCard, threshold: number): CbpeFit | null {
  const key = `${card.version}\u0000${threshold}`;
  if (!fits.has(key)) fits.set(key, fitOf(card, threshold));
  return fits.get(key)!;
}

/** The window's kept rows: ids, logged probabilities, features; refused rows counted by reason. */
interface CheckedWindow {
  readonly ids: string[];
  readonly probability: Float64Array;
  /** The kept rows' features, read as columns (no object per row). */
  readonly features: FeatureColumns;
  /** The first kept rows as records (the WebGPU check's probe). */
  readonly probe: FeatureValues[];
  readonly refused: Record<string, number>;
  readonly rows: number;
}

/** Rows [from, to) of `columns`. */
function sliceColumns(columns: FeatureColumns, from: number, to: number): FeatureColumns {
  return {
    rows: Math.max(0, Math.min(to, columns.rows) - from),
    column: (name) => {
      const cell = columns.column(name);
      return (i) => cell(from + i);
    },
  };
}

/** The first `n` rows of `columns` as records, with the schema's features. */
function recordsOf(columns: FeatureColumns, names: readonly string[], n: number): FeatureValues[] {
  const cells = names.map((name) => [name, columns.column(name)] as const);
  return Array.from({ length: Math.min(n, columns.rows) }, (_, i) => {
    const record: FeatureValues = {};
    for (const [name, cell] of cells) {
      const v = cell(i);
      if (v !== undefined) record[name] = v;
    }
    return record;
  });
}

function cellOf(column: BlockColumn | undefined, i: number): string | number | null | undefined {
  if (!column) return undefined;
  const tag = column.tag ? column.tag[i]! : TAG_NUMBER;
  if (tag === TAG_NUMBER) return column.num![i]!;
  if (tag === TAG_ABSENT) return undefined;
  if (tag === TAG_NULL) return null;
  return column.strings[tag - TAG_STRING]!;
}

async function checkedWindow(spec: WindowSpec, validator: RequestValidator): Promise<CheckedWindow> {
  const blocks = await currentBlocks();
  if (blocks) {
    const w = selectWindow(blocks, spec);
    const check = checkFields(
      validator,
      w.rows,
      (name, i) => cellOf(w.columns.get(name), i),
      (name, i) => {
        const column = w.columns.get(name);
        if (!column) return 'absent';
        const tag = column.tag ? column.tag[i]! : TAG_NUMBER;
        return tag === TAG_NUMBER ? column.num![i]! : `t${tag}`;
      },
    );
    const kept: number[] = [];
    for (let i = 0; i < w.rows; i++) if (check.ok[i]) kept.push(i);
    const keep = Int32Array.from(kept);
    // Only the fields the model reads, for the kept rows.
    const features: FeatureColumns = {
      rows: keep.length,
      column: (name) => {
        const column = w.columns.get(name);
        return (i) => cellOf(column, keep[i]!);
      },
    };
    return {
      ids: kept.map((i) => w.ids[i]!),
      probability: Float64Array.from(keep, (i) => w.probability[i]!),
      features,
      probe: recordsOf(
        features,
        validator.schema.features.map((f) => f.name),
        PROBE_ROWS,
      ),
      refused: check.refused,
      rows: w.rows,
    };
  }
  const rows = await loadWindow(db, spec);
  const check = checkFields(
    validator,
    rows.length,
    (name, i) => rows[i]!.features[name],
    (name, i) => {
      const v = rows[i]!.features[name];
      return typeof v === 'number' ? v : v === undefined ? 'absent' : v === null ? 'null' : `s${v}`;
    },
  );
  const kept = rows.filter((_, i) => check.ok[i]);
  const records = kept.map((r) => r.features);
  return {
    ids: kept.map((r) => r.prediction_id),
    probability: Float64Array.from(kept, (r) => r.probability),
    features: { rows: records.length, column: (name) => (i) => records[i]![name] },
    probe: records.slice(0, PROBE_ROWS),
    refused: check.refused,
    rows: rows.length,
  };
}

/** Outcomes by prediction id: the whole feedback table, re-read only when it changed (count or newest row). */
let feedbackCache: { stamp: string; outcomes: Map<string, number> } | null = null;
async function outcomes(): Promise<Map<string, number>> {
  const [count, last] = await Promise.all([db.feedback.count(), db.feedback.orderBy('ts').last()]);
  const stamp = `${count}\u0000${last?.prediction_id}\u0000${last?.ts}\u0000${last?.outcome}`;
  if (feedbackCache?.stamp !== stamp) {
    const map = new Map<string, number>();
    await db.feedback.each((f) => {
      map.set(f.prediction_id, f.outcome);
    });
    feedbackCache = { stamp, outcomes: map };
  }
  return feedbackCache.outcomes;
}

async function shadow(request: ShadowRequest): Promise<ShadowResult> {
  const started = performance.now();
  const threshold = request.threshold ?? 0.5;
  const [prod, chal] = await Promise.all([
    loadArtifact(db, request.production, request.source),
    loadArtifact(db, request.challenger, request.source),
  ]);
  const modelsAt = performance.now();
  const spec: WindowSpec = { ...request.window, modelVersion: request.production };
  const window = describeWindow(spec, request.production);
  // Rows the challenger's schema refuses are left out and counted, never scored silently.
  const validator = requestValidatorFor(chal.card.version, modelSchemaOf(chal.card));
  const [checked, feedback] = await Promise.all([checkedWindow(spec, validator), outcomes()]);
  if (checked.rows === 0) throw new Error(`no local ${window} (sync first, or widen the window)`);
  if (checked.ids.length === 0) throw new Error(`the challenger's schema refuses every row of the window`);
  const { features, refused } = checked;
  const productionScores = checked.probability;
  const targets = checked.ids.map((id) => {
    const outcome = feedback.get(id);
    return outcome === 0 || outcome === 1 ? outcome : Number.NaN;
  });
  const loaded = performance.now();

  const scorer = await scorerFor(chal.card, chal.onnx, request.backend, checked.probe);
  const backend = scorer.info;
  const challengerScores = new Float32Array(features.rows);
  for (let lo = 0; lo < features.rows; lo += SCORE_BATCH) {
    const out = await scorer.predict(sliceColumns(features, lo, lo + SCORE_BATCH));
    challengerScores.set(out, lo);
  }
  const scored = performance.now();

  const comparison = compareShadow({
    production: productionScores,
    challenger: challengerScores,
    targets,
    threshold,
    productionFit: cachedFit(prod.card, threshold),
    challengerFit: cachedFit(chal.card, threshold),
  });
  const done = performance.now();
  return {
    id: request.id,
    type: 'shadow',
    comparison,
    backend,
    production: request.production,
    challenger: request.challenger,
    window,
    refused,
    challengerScores,
    productionScores,
    ms: {
      load: Math.round(loaded - started),
      models: Math.round(modelsAt - started),
      score: Math.round(scored - loaded),
      compare: Math.round(done - scored),
      total: Math.round(done - started),
    },
  };
}

async function predict(request: PredictRequest): Promise<PredictResult> {
  const started = performance.now();
  let backend: BackendInfo | null = null;
  const answers = request.records.map(() => [] as PredictResult['answers'][number][number][]);
  for (const version of request.versions) {
    const { card, onnx } = await loadArtifact(db, version, request.source);
    const validator = requestValidatorFor(card.version, modelSchemaOf(card));
    const valid: { index: number; record: Record<string, string | number | null> }[] = [];
    request.records.forEach((record, index) => {
      const result = validator.validateFeatures(record);
      if (result.ok) valid.push({ index, record: result.value });
      else
        answers[index]!.push({
          version,
          error: result.issues.map((i) => `${i.path}: ${i.message}`).join('; '),
        });
    });
    if (valid.length > 0) {
      const records = valid.map((v) => v.record);
      const scorer = await scorerFor(card, onnx, request.backend, records);
      // The first version's backend speaks for the answer (each version is checked on its own).
      backend ??= scorer.info;
      const out = await scorer.predict(records);
      valid.forEach((v, k) => {
        answers[v.index]!.push({ version, probability: out[k]! });
      });
    }
  }
  // Keep each record's answers in request order of versions.
  const order = new Map(request.versions.map((v, i) => [v, i]));
  for (const list of answers) list.sort((a, b) => order.get(a.version)! - order.get(b.version)!);
  backend ??= await resolveBackend(request.backend);
  return { id: request.id, type: 'predict', answers, backend, ms: Math.round(performance.now() - started) };
}

async function handle(request: InferenceRequest): Promise<InferenceResponse> {
  switch (request.type) {
    case 'shadow':
      return shadow(request);
    case 'predict':
      return predict(request);
    case 'model-info': {
      const { card } = await loadArtifact(db, request.version, request.source as ArtifactSource | null);
      return { id: request.id, type: 'model-info', version: card.version, schema: modelSchemaOf(card) };
    }
    case 'warm': {
      // the column blocks too: the first shadow run then reads only what changed since
      const [outcome] = await Promise.all([
        Promise.allSettled(
          request.versions.map(async (version) => {
            const { card, onnx } = await loadArtifact(db, version, request.source);
            await warmWasm(card, onnx);
          }),
        ),
        currentBlocks().catch(() => null),
      ]);
      const failed: Record<string, string> = {};
      const ready: string[] = [];
      outcome.forEach((o, k) => {
        if (o.status === 'fulfilled') ready.push(request.versions[k]!);
        else failed[request.versions[k]!] = (o.reason as Error).message;
      });
      return { id: request.id, type: 'warm', ready, failed };
    }
    case 'prefetch': {
      const r = await prefetchArtifacts(db, request.versions, request.source);
      return { id: request.id, type: 'prefetch', ...r };
    }
  }
}

/**
 * onnxruntime-web's WebAssembly threads (when the page is cross-origin isolated) start the script that bundles it,
 * this one, as workers named "em-pthread…"; there ORT's own handler answers and this worker's must stay out.
 */
const ortThread = (self as { name?: string }).name?.startsWith('em-pthread') ?? false;

async function onRequest(event: MessageEvent<InferenceRequest>): Promise<void> {
  const request = event.data;
  let response: InferenceResponse;
  try {
    setGpuRefused((request as { gpuRefused?: Record<string, string> }).gpuRefused);
    response = await handle(request);
  } catch (e) {
    const error = e as Error;
    response =
      error instanceof GpuRefusedError
        ? { id: request.id, type: 'error', name: error.name, message: error.message, version: error.version }
        : { id: request.id, type: 'error', name: error.name ?? 'Error', message: error.message };
  }
  const transfer =
    response.type === 'shadow' ? [response.challengerScores.buffer, response.productionScores.buffer] : [];
  (self as unknown as Worker).postMessage(response, transfer);
}
if (!ortThread) self.onmessage = onRequest;
