// Picks onnxruntime-web's execution provider for this machine and keeps one session per (version, backend):
// WebGPU when `navigator.gpu` yields an adapter, else WebAssembly (SIMD; threads only when cross-origin isolated).
import type { ModelCard, Predictor } from '@pmm/core/model';
import { createOrtPredictor, type FeatureColumns } from '@pmm/core/onnx';
import * as ort from 'onnxruntime-web';
import type { Backend, BackendChoice, BackendInfo } from './protocol';

interface GpuLike {
  requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string } } | null>;
}

/** The WebAssembly threads this page may use: 1 unless cross-origin isolated (SharedArrayBuffer). */
export function wasmThreads(): number {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  return isolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
}

let gpuProbe: Promise<{ adapter: unknown; label: string } | string> | null = null;

/** The WebGPU adapter, or why there is none (probed once). */
function probeGpu(): Promise<{ adapter: unknown; label: string } | string> {
  gpuProbe ??= (async () => {
    const gpu = (navigator as { gpu?: GpuLike }).gpu;
    if (!gpu) return 'navigator.gpu is missing';
    try {
      const adapter = await gpu.requestAdapter();
      if (!adapter) return 'navigator.gpu yielded no adapter';
      const label = [adapter.info?.vendor, adapter.info?.architecture].filter(Boolean).join(' ') || 'adapter';
      return { adapter, label };
    } catch (e) {
      return `navigator.gpu.requestAdapter failed: ${(e as Error).message}`;
    }
  })();
  return gpuProbe;
}

let configured = false;
function configureWasm(): void {
  if (configured) return;
  ort.env.wasm.numThreads = wasmThreads();
  // The worker is the thread that must not block; ORT's own proxy worker is not needed.
  ort.env.wasm.proxy = false;
  configured = true;
}

/** Resolves a choice to the backend that will run (a forced WebGPU without an adapter is an error). */
export async function resolveBackend(choice: BackendChoice): Promise<BackendInfo> {
  configureWasm();
  const wasm = (reason: string): BackendInfo => ({
    backend: 'wasm',
    threads: wasmThreads(),
    simd: true,
    adapter: null,
    reason,
  });
  if (choice === 'wasm') return wasm('WebAssembly chosen');
  const probe = await probeGpu();
  if (typeof probe === 'string') {
    if (choice === 'webgpu') throw new Error(`WebGPU is not available here: ${probe}`);
    return wasm(probe);
  }
  try {
    // Hand ORT the adapter we probed (read-only once ORT has created its device).
    (ort.env.webgpu as { adapter?: unknown }).adapter ??= probe.adapter;
  } catch {}
  return {
    backend: 'webgpu',
    threads: wasmThreads(),
    simd: true,
    adapter: probe.label,
    reason: choice === 'webgpu' ? 'WebGPU chosen' : 'navigator.gpu yielded an adapter',
  };
}

/** Largest |Δ| allowed between WebGPU and WebAssembly on the probe rows before WebGPU is set aside. */
export const BACKEND_TOLERANCE = 1e-5;
export const PROBE_ROWS = 32;

const sessions = new Map<string, Promise<Predictor>>();
/** Every ORT run in this worker, one at a time (sessions share one WebAssembly instance). */
let queue: Promise<unknown> = Promise.resolve();
function serial<T>(run: () => Promise<T>): Promise<T> {
  const next = queue.then(run, run);
  queue = next.catch(() => undefined);
  return next;
}

function session(card: ModelCard, onnx: Uint8Array, backend: Backend): Promise<Predictor> {
  const key = `${backend}\u0000${card.version}\u0000${card.onnx_sha256}`;
  let p = sessions.get(key);
  if (!p) {
    p = serial(() =>
      createOrtPredictor(
        ort,
        onnx,
        { executionProviders: [backend === 'webgpu' ? 'webgpu' : 'wasm'], graphOptimizationLevel: 'all' },
        card.serving,
      ),
    );
    p.catch(() => sessions.delete(key));
    sessions.set(key, p);
  }
  return p;
}

/**
 * Creates `card`'s WebAssembly session and runs it once on an empty row, so the first real run pays neither the
 * session nor onnxruntime's first-run compilation.
 */
export async function warmWasm(card: ModelCard, onnx: Uint8Array): Promise<void> {
  configureWasm();
  const predictor = await session(card, onnx, 'wasm');
  await serial(() => predictor.predict([{}]));
}

/** WebGPU validation errors Dawn raised since the last call (they do not reject a run; the output is garbage). */
const gpuErrors: string[] = [];
let listening = false;
async function listenForGpuErrors(): Promise<void> {
  if (listening) return;
  try {
    const device = (await (ort.env.webgpu as { device?: Promise<EventTarget> | EventTarget }).device) as
      | (EventTarget & object)
      | undefined;
    device?.addEventListener('uncapturederror', (e) => {
      const message = (e as unknown as { error?: { message?: string } }).error?.message ?? 'WebGPU error';
      gpuErrors.push(message.split('\n')[0]!);
    });
    listening = true;
  } catch {}
}

/** Per version: null when WebGPU agrees with WebAssembly, else why it was set aside. */
const gpuVerdicts = new Map<string, Promise<string | null>>();

/**
 * WebGPU set aside for a version: thrown instead of scoring, because a graph WebGPU failed on can leave
 * onnxruntime-web's shared WebAssembly instance answering differently afterwards (seen here: SwiftShader and a
 * 17-input Concat). The client starts a fresh worker and sends the request again with the refusal known
 * (`gpuRefused`), so WebGPU is not tried again for it and WebAssembly runs in a clean instance.
 */
export class GpuRefusedError extends Error {
  constructor(
    readonly version: string,
    message: string,
  ) {
    super(message);
    this.name = 'GpuRefusedError';
  }
}

/** Refusals the client carried over from an earlier worker: version → why. */
let refusedBefore: Readonly<Record<string, string>> = {};
export function setGpuRefused(refused: Readonly<Record<string, string>> | undefined): void {
  refusedBefore = refused ?? {};
}

/**
 * Runs the probe rows on WebGPU and on WebAssembly; WebGPU is kept for this version only when it runs without a
 * validation error and agrees within BACKEND_TOLERANCE (an adapter may lack what the graph needs, e.g.
 * SwiftShader's 10 storage buffers per shader stage against a 17-input Concat, and then answers garbage).
 */
function verifyGpu(
  card: ModelCard,
  onnx: Uint8Array,
  probe: readonly Record<string, string | number | null>[],
) {
  const key = `${card.version}\u0000${card.onnx_sha256}`;
  let verdict = gpuVerdicts.get(key);
  if (!verdict) {
    verdict = (async () => {
      const rows = probe.slice(0, PROBE_ROWS);
      if (rows.length === 0) return null;
      try {
        const gpu = await session(card, onnx, 'webgpu');
        await listenForGpuErrors();
        gpuErrors.length = 0;
        const a = await serial(() => gpu.predict(rows));
        const wasm = await session(card, onnx, 'wasm');
        const b = await serial(() => wasm.predict(rows));
        if (gpuErrors.length > 0) return `WebGPU raised "${gpuErrors[0]}"`;
        let max = 0;
        for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!) || 0);
        if (a.some((x) => !Number.isFinite(x))) max = Number.POSITIVE_INFINITY;
        return max > BACKEND_TOLERANCE
          ? `WebGPU disagreed with WebAssembly on ${card.version} (max |Δ| ${max.toPrecision(3)})`
          : null;
      } catch (e) {
        return `WebGPU cannot run ${card.version}: ${(e as Error).message}`;
      }
    })();
    gpuVerdicts.set(key, verdict);
  }
  return verdict;
}

export interface Scorer {
  readonly info: BackendInfo;
  predict(records: readonly Record<string, string | number | null>[] | FeatureColumns): Promise<Float32Array>;
}

/**
 * The session that scores `card` on the chosen backend. WebGPU is checked against WebAssembly on the first
 * rows (`probe`) once per version: `auto` falls back to WebAssembly saying why, a forced `webgpu` fails.
 */
export async function scorerFor(
  card: ModelCard,
  onnx: Uint8Array,
  choice: BackendChoice,
  probe: readonly Record<string, string | number | null>[],
): Promise<Scorer> {
  let info = await resolveBackend(choice);
  if (info.backend === 'webgpu') {
    const known = Object.hasOwn(refusedBefore, card.version) ? refusedBefore[card.version]! : null;
    if (known === null) {
      const problem = await verifyGpu(card, onnx, probe);
      if (problem) {
        if (choice === 'webgpu') throw new Error(problem);
        throw new GpuRefusedError(card.version, problem);
      }
    } else {
      if (choice === 'webgpu') throw new Error(known);
      info = { backend: 'wasm', threads: wasmThreads(), simd: true, adapter: null, reason: known };
    }
  }
  const predictor = await session(card, onnx, info.backend);
  return { info, predict: (records) => serial(() => predictor.predict(records)) };
}
