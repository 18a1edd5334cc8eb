// ONNX Runtime Web inside workerd: the wasm binary is a module import, and ORT's instantiate call is routed to it.

import type { Predictor } from '@pmm/core/model';
import { createOrtPredictor } from '@pmm/core/onnx';
import * as ort from 'onnxruntime-web/wasm';
// wrangler's CompiledWasm rule turns this import into a WebAssembly.Module (Workers cannot compile wasm from bytes).
// A relative path: wrangler's module collector does not resolve package specifiers for .wasm imports.
import ortWasm from '../../node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm';

let configured = false;

/** Emscripten calls `WebAssembly.instantiate(bytes, imports)`; answer it with the precompiled module instead. */
function configureOrt(): void {
  if (configured) return;
  configured = true;
  const instantiate = WebAssembly.instantiate.bind(WebAssembly) as (
    source: WebAssembly.Module,
    imports?: WebAssembly.Imports,
  ) => Promise<WebAssembly.Instance>;
  const routed = async (source: unknown, imports?: WebAssembly.Imports) => {
    if (source instanceof WebAssembly.Module) return instantiate(source, imports);
    const instance = await instantiate(ortWasm, imports);
    return { module: ortWasm, instance };
  };
  (WebAssembly as { instantiate: unknown }).instantiate = routed;
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  // Any non-empty buffer: it makes ORT skip fetching the binary; the routed instantiate ignores its content.
  ort.env.wasm.wasmBinary = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
}

export function createWorkerOrtPredictor(onnx: Uint8Array): Promise<Predictor> {
  configureOrt();
  return createOrtPredictor(ort, onnx, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
}
