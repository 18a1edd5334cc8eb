// The few web-standard globals core uses: every runtime pmm targets (Workers, browsers, Node >= 22) has them.
// core compiles with `lib: ["ES2022"]` and no `types`, so anything Node- or DOM-only stays a type error.

declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer): string;
}
declare const crypto: {
  readonly subtle: {
    digest(algorithm: 'SHA-256', data: ArrayBufferView | ArrayBuffer): Promise<ArrayBuffer>;
  };
  getRandomValues<T extends ArrayBufferView>(array: T): T;
  randomUUID(): string;
};
declare const console: {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
};
declare function setTimeout(callback: () => void, ms?: number): unknown;
declare function queueMicrotask(callback: () => void): void;
/** The part of the WebAssembly JS API core uses (every target runtime has it). */
declare namespace WebAssembly {
  class Module {
    private readonly module: unknown;
    constructor(bytes: ArrayBufferView | ArrayBuffer);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, unknown>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  function instantiate(
    bytes: ArrayBufferView | ArrayBuffer,
    imports?: Record<string, unknown>,
  ): Promise<{ module: Module; instance: Instance }>;
  function instantiate(module: Module, imports?: Record<string, unknown>): Promise<Instance>;
}
/** A `.wasm` file imported as a module (Cloudflare Workers / wrangler's CompiledWasm rule). */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
