// Loads the WebAssembly drift kernels in Node from @pmm/core's built .wasm; without a build the TypeScript kernels run.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { instantiateDriftKernels, useWasmDriftKernels } from '@pmm/core/drift-kernels';

let loaded: Promise<boolean> | null = null;

/** Routes drift's hot kernels through WebAssembly; resolves false (TypeScript kernels stay) when the .wasm is not built. */
export function loadDriftKernels(): Promise<boolean> {
  loaded ??= (async () => {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(createRequire(import.meta.url).resolve('@pmm/core/drift-kernels.wasm'));
    } catch {
      return false;
    }
    useWasmDriftKernels(await instantiateDriftKernels(bytes));
    return true;
  })();
  return loaded;
}
