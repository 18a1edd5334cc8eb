// Picks onnxruntime-web's execution provider for this machine and keeps one session per (version, backend):
// WebGPU when `navigator.gpu` yields an adapter, else WebAssembly (SIMD; threads only when cross-origin isolated).
import type { ModelCard, Predictor } from '@pmm/core/model';
import { createOrtPredictor } from '@pmm/core/onnx';
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
  (ort.env.webgpu as { adapter?: unknown }).adapter = probe.adapter;
  return {
    backend: 'webgpu',
    threads: wasmThreads(),
    simd: true,
    adapter: probe.label,
    reason: choice === 'webgpu' ? 'WebGPU chosen' : 'navigator.gpu yielded an adapter',
  };
}

const sessions = new Map<string, Promise<Predictor>>();

/** One ORT session per version and backend, created on first use. */
export function predictorFor(card: ModelCard, onnx: Uint8Array, backend: Backend): Promise<Predictor> {
  const key = `${backend}\u0000${card.version}\u0000${card.onnx_sha256}`;
  let p = sessions.get(key);
  if (!p) {
    p = createOrtPredictor(
      ort,
      onnx,
      { executionProviders: [backend === 'webgpu' ? 'webgpu' : 'wasm'], graphOptimizationLevel: 'all' },
      card.serving,
    );
    p.catch(() => sessions.delete(key));
    sessions.set(key, p);
  }
  return p;
}
