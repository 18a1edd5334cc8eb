// @pmm/core/drift-kernels/workers: the WebAssembly drift kernels in Cloudflare Workers (wrangler bundles the .wasm as a module).
import kernelsModule from '../../../wasm/build/drift-kernels.wasm';
import { useWasmDriftKernels } from './active-kernels';
import { instantiateDriftKernels } from './wasm-kernels';

/** Resolves once the kernels are in use; await it before the first drift report. */
export const driftKernelsReady: Promise<void> =
  instantiateDriftKernels(kernelsModule).then(useWasmDriftKernels);
