// Messages between the UI and the inference worker (inference/worker.ts): shadow scoring of a window and
// what-if predictions, on the WebGPU or WebAssembly execution provider of onnxruntime-web.
import type { ModelSchema } from '@pmm/core/schema';
import type { ShadowComparison } from '@pmm/core/shadow';
import type { ArtifactSource } from '../models/artifact-cache';
import type { WindowSpec } from '../store/window-spec';

export type Backend = 'webgpu' | 'wasm';
/** `auto`: WebGPU when `navigator.gpu` yields an adapter, else WebAssembly. */
export type BackendChoice = 'auto' | Backend;

/** Which backend ran, and how it was set up. */
export interface BackendInfo {
  readonly backend: Backend;
  /** WebAssembly threads (more than 1 only when the page is cross-origin isolated). */
  readonly threads: number;
  readonly simd: boolean;
  /** The WebGPU adapter (vendor, architecture), when WebGPU ran. */
  readonly adapter: string | null;
  /** Why this backend (e.g. "navigator.gpu yielded no adapter"). */
  readonly reason: string;
}

export interface ShadowRequest {
  readonly id: number;
  readonly type: 'shadow';
  /** The version whose logged answers are compared: the window is restricted to the rows it scored. */
  readonly production: string;
  /** The version scored on the window's logged inputs. */
  readonly challenger: string;
  readonly window: WindowSpec;
  readonly threshold?: number;
  readonly backend: BackendChoice;
  readonly source: ArtifactSource | null;
}

export interface PredictRequest {
  readonly id: number;
  readonly type: 'predict';
  readonly versions: readonly string[];
  readonly records: readonly Record<string, string | number | null>[];
  readonly backend: BackendChoice;
  readonly source: ArtifactSource | null;
}

export interface ModelInfoRequest {
  readonly id: number;
  readonly type: 'model-info';
  readonly version: string;
  readonly source: ArtifactSource | null;
}

export interface PrefetchRequest {
  readonly id: number;
  readonly type: 'prefetch';
  readonly versions: readonly string[];
  readonly source: ArtifactSource;
}

/** Readies versions for a run before it is asked for: artifacts loaded, WebAssembly sessions created and run once. */
export interface WarmRequest {
  readonly id: number;
  readonly type: 'warm';
  readonly versions: readonly string[];
  readonly source: ArtifactSource | null;
}

export type InferenceRequest =
  | ShadowRequest
  | PredictRequest
  | ModelInfoRequest
  | PrefetchRequest
  | WarmRequest;

export interface ShadowResult {
  readonly id: number;
  readonly type: 'shadow';
  readonly comparison: ShadowComparison;
  readonly backend: BackendInfo;
  readonly production: string;
  readonly challenger: string;
  /** The window as a phrase, e.g. "last 5,000 predictions of v1". */
  readonly window: string;
  /** Rows of the window left out, by reason (e.g. refused by the challenger's schema). */
  readonly refused: Readonly<Record<string, number>>;
  /** The challenger's probabilities, in window order (for charts). */
  readonly challengerScores: Float32Array;
  /** Production's logged probabilities, in window order. */
  readonly productionScores: Float64Array;
  readonly ms: {
    /** Everything before scoring: the two models (`models`), then the window read from the log and checked. */
    readonly load: number;
    readonly models: number;
    readonly score: number;
    readonly compare: number;
    readonly total: number;
  };
}

/** One version's answer to a what-if row: the probability, or the schema's complaint naming the field. */
export type VersionAnswer =
  | { readonly version: string; readonly probability: number }
  | { readonly version: string; readonly error: string };

export interface PredictResult {
  readonly id: number;
  readonly type: 'predict';
  /** Per record, per version (in request order). */
  readonly answers: readonly (readonly VersionAnswer[])[];
  readonly backend: BackendInfo;
  readonly ms: number;
}

export interface ModelInfoResult {
  readonly id: number;
  readonly type: 'model-info';
  readonly version: string;
  readonly schema: ModelSchema;
}

export interface PrefetchResult {
  readonly id: number;
  readonly type: 'prefetch';
  readonly fetched: number;
  readonly held: number;
  readonly failed: Readonly<Record<string, string>>;
}

export interface WarmResult {
  readonly id: number;
  readonly type: 'warm';
  /** Versions whose WebAssembly session is ready. */
  readonly ready: readonly string[];
  /** Versions that could not be readied (e.g. never downloaded and offline), by reason. */
  readonly failed: Readonly<Record<string, string>>;
}

export interface InferenceError {
  readonly id: number;
  readonly type: 'error';
  readonly name: string;
  readonly message: string;
  /** With `GpuRefusedError`: the version WebGPU was set aside for. */
  readonly version?: string;
}

export type InferenceResponse =
  | ShadowResult
  | PredictResult
  | ModelInfoResult
  | PrefetchResult
  | WarmResult
  | InferenceError;
