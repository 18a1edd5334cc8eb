// wrangler bundles `.wasm` imports as compiled WebAssembly modules (the CompiledWasm rule in wrangler.toml).
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
