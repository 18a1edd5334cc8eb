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
