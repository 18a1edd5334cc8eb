// Loads core's WebAssembly drift kernels in the analysis worker from the URL Vite gives the .wasm (`?url`: a file, or
// a data: URL for a small one); any failure leaves the TypeScript kernels in place, and says which ones run.
// (renamed: not a React hook, whatever its name says to the linter)
import { instantiateDriftKernels, useWasmDriftKernels as routeDriftKernels } from '@pmm/core/drift-kernels';
import type { KernelsUsed } from './protocol';

/** The bytes behind a URL: a base64 data: URL decoded here (no fetch, so no CSP connect-src needed), else fetched. */
async function bytesOf(url: string, fetcher: typeof fetch): Promise<Uint8Array> {
  const data = /^data:[^,]*;base64,(.*)$/s.exec(url);
  if (data) return Uint8Array.from(atob(data[1]!), (c) => c.charCodeAt(0));
  const response = await fetcher(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Routes drift's hot kernels through WebAssembly when the module at `url` loads; resolves which kernels run. */
export async function loadDriftKernels(url: string, fetcher: typeof fetch = fetch): Promise<KernelsUsed> {
  try {
    routeDriftKernels(await instantiateDriftKernels(await bytesOf(url, fetcher)));
    return 'webassembly';
  } catch (error) {
    console.warn(
      `pmm: WebAssembly drift kernels unavailable, using TypeScript (${(error as Error).message})`,
    );
    routeDriftKernels(null);
    return 'typescript';
  }
}
