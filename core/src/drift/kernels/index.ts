// @pmm/core/drift-kernels: load the WebAssembly drift kernels in any runtime and route the report's hot loops through them.
export * from './active-kernels';
export * from './wasm-kernels';
