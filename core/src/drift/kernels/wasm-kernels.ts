// The drift kernels compiled to WebAssembly (core/wasm/assembly/kernels.ts), wrapped to take and return typed arrays.

/** The exports of drift-kernels.wasm. */
interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  sortF64(src: number, n: number, out: number, tmp: number, counts: number): number;
  ksStatisticSorted(pa: number, n1: number, pb: number, n2: number): number;
  histogramCounts(pv: number, n: number, pe: number, bins: number, pc: number): void;
  countCodes(pc: number, n: number, size: number, out: number): number;
}

const PAGE = 65536;
const align = (bytes: number): number => (bytes + 15) & ~15;

/** One instance of the kernels module: each call lays its arrays out from the heap base, growing memory as needed. */
export class WasmDriftKernels {
  private readonly x: KernelExports;
  private readonly base: number;

  constructor(instance: WebAssembly.Instance) {
    this.x = instance.exports as unknown as KernelExports;
    this.base = this.x.heapBase();
  }

  private reserve(bytes: number): void {
    const need = this.base + bytes - this.x.memory.buffer.byteLength;
    if (need > 0) this.x.memory.grow(Math.ceil(need / PAGE));
  }

  private f64(at: number, n: number): Float64Array {
    return new Float64Array(this.x.memory.buffer, at, n);
  }

  /** `sortFloat64` in WebAssembly: a new ascending Float64Array; NaN must not be present. */
  sortFloat64(values: ArrayLike<number>): Float64Array {
    const n = values.length;
    const src = this.base;
    const out = src + align(8 * n);
    const tmp = out + align(8 * n);
    const counts = tmp + align(8 * n);
    this.reserve(counts - this.base + 4 * 4 * 65536);
    this.f64(src, n).set(values);
    const at = this.x.sortF64(src, n, out, tmp, counts);
    return this.f64(at, n).slice();
  }

  /** The KS statistic D of two ascending-sorted samples. */
  ksStatisticSorted(a: Float64Array, b: Float64Array): number {
    const pa = this.base;
    const pb = pa + align(8 * a.length);
    this.reserve(pb - this.base + 8 * b.length);
    this.f64(pa, a.length).set(a);
    this.f64(pb, b.length).set(b);
    return this.x.ksStatisticSorted(pa, a.length, pb, b.length);
  }

  /** `histogramCounts` in WebAssembly. */
  histogramCounts(values: ArrayLike<number>, edges: Float64Array): Float64Array {
    const bins = Math.max(edges.length - 1, 0);
    const pv = this.base;
    const pe = pv + align(8 * values.length);
    const pc = pe + align(8 * edges.length);
    this.reserve(pc - this.base + 8 * bins);
    this.f64(pv, values.length).set(values);
    this.f64(pe, edges.length).set(edges);
    this.x.histogramCounts(pv, values.length, pe, bins, pc);
    return this.f64(pc, bins).slice();
  }

  /** Per-code counts (slot 0: missing, -1); `outside` counts codes not in [-1, size). */
  countCodes(codes: Int32Array, size: number): { counts: Int32Array; outside: number } {
    const pc = this.base;
    const out = pc + align(4 * codes.length);
    this.reserve(out - this.base + 4 * (size + 1));
    new Int32Array(this.x.memory.buffer, pc, codes.length).set(codes);
    const outside = this.x.countCodes(pc, codes.length, size, out);
    return { counts: new Int32Array(this.x.memory.buffer, out, size + 1).slice(), outside };
  }
}

/** Instantiates the kernels from the module's bytes or a compiled module (every runtime: Node, browser, Workers). */
export async function instantiateDriftKernels(
  source: WebAssembly.Module | ArrayBufferView | ArrayBuffer,
): Promise<WasmDriftKernels> {
  if (source instanceof WebAssembly.Module)
    return new WasmDriftKernels(await WebAssembly.instantiate(source, {}));
  const { instance } = await WebAssembly.instantiate(source, {});
  return new WasmDriftKernels(instance);
}
