// Which drift kernels run: the TypeScript ones, or the WebAssembly ones once a runtime has loaded them.
import type { WasmDriftKernels } from './wasm-kernels';

let active: WasmDriftKernels | null = null;

/** Routes the hot kernels that measured faster in WebAssembly through `kernels` (null: TypeScript only). */
export function useWasmDriftKernels(kernels: WasmDriftKernels | null): void {
  active = kernels;
}

/** The WebAssembly kernels in use, or null. */
export function wasmDriftKernels(): WasmDriftKernels | null {
  return active;
}
