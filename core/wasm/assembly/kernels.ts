// The drift kernels in WebAssembly (AssemblyScript): float64 sort, KS statistic, histogram counts, code counts.
// Memory layout is the caller's: every pointer is a byte offset into this module's memory, from heapBase() on.

/** The sign bit of a float64. */
const SIGN: u64 = 0x8000000000000000;

/** Where the caller may start placing arrays (after this module's static data). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

/**
 * LSD radix sort of `n` float64 at `src` into ascending order: bits mapped to order-preserving u64 keys
 * (negatives: all bits flipped; positives: sign bit set), four stable counting passes over 16-bit digits (a
 * digit equal for every key is skipped), keys mapped back. −0 sorts before +0; ±Infinity sort to the ends; NaN
 * must not be present. `out` and `tmp` hold `n` float64 each, `counts` 4·65536 u32 (zeroed here). Returns the
 * pointer (`out` or `tmp`) holding the result.
 */
export function sortF64(src: usize, n: i32, out: usize, tmp: usize, counts: usize): usize {
  memory.fill(counts, 0, 4 * 65536 * 4);
  for (let i = 0; i < n; i++) {
    const bits = load<u64>(src + ((<usize>i) << 3));
    const key = bits & SIGN ? ~bits : bits | SIGN;
    store<u64>(out + ((<usize>i) << 3), key);
    const c0 = counts + ((<usize>(key & 0xffff)) << 2);
    store<u32>(c0, load<u32>(c0) + 1);
    const c1 = counts + ((65536 + <usize>((key >> 16) & 0xffff)) << 2);
    store<u32>(c1, load<u32>(c1) + 1);
    const c2 = counts + ((131072 + <usize>((key >> 32) & 0xffff)) << 2);
    store<u32>(c2, load<u32>(c2) + 1);
    const c3 = counts + ((196608 + <usize>(key >> 48)) << 2);
    store<u32>(c3, load<u32>(c3) + 1);
  }
  let a = out;
  let b = tmp;
  for (let pass = 0; pass < 4; pass++) {
    const base = counts + ((<usize>pass * 65536) << 2);
    const shift = <u64>(pass * 16);
    const first = <usize>((load<u64>(a) >> shift) & 0xffff);
    if (n === 0 || load<u32>(base + (first << 2)) === <u32>n) continue;
    let sum: u32 = 0;
    for (let d = 0; d < 65536; d++) {
      const p = base + ((<usize>d) << 2);
      const c = load<u32>(p);
      store<u32>(p, sum);
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const key = load<u64>(a + ((<usize>i) << 3));
      const p = base + ((<usize>((key >> shift) & 0xffff)) << 2);
      const at = load<u32>(p);
      store<u32>(p, at + 1);
      store<u64>(b + ((<usize>at) << 3), key);
    }
    const t = a;
    a = b;
    b = t;
  }
  for (let i = 0; i < n; i++) {
    const p = a + ((<usize>i) << 3);
    const key = load<u64>(p);
    store<u64>(p, key & SIGN ? key & ~SIGN : ~key);
  }
  return a;
}

/**
 * D = sup |F₁ − F₂| of two ascending-sorted samples (a at `pa`, b at `pb`), one merge walk with ties as scipy's
 * searchsorted(side="right"): the same operations, in the same order, as the TypeScript ksStatisticSorted.
 */
export function ksStatisticSorted(pa: usize, n1: i32, pb: usize, n2: i32): f64 {
  let i = 0;
  let j = 0;
  let maxS = -Infinity;
  let minS = Infinity;
  const f1 = <f64>n1;
  const f2 = <f64>n2;
  while (i < n1 || j < n2) {
    const x =
      i === n1
        ? load<f64>(pb + ((<usize>j) << 3))
        : j === n2
          ? load<f64>(pa + ((<usize>i) << 3))
          : min<f64>(load<f64>(pa + ((<usize>i) << 3)), load<f64>(pb + ((<usize>j) << 3)));
    while (i < n1 && load<f64>(pa + ((<usize>i) << 3)) <= x) i++;
    while (j < n2 && load<f64>(pb + ((<usize>j) << 3)) <= x) j++;
    const diff = <f64>i / f1 - <f64>j / f2;
    if (diff > maxS) maxS = diff;
    if (diff < minS) minS = diff;
  }
  const negMin = min<f64>(max<f64>(-minS, 0), 1);
  return max<f64>(negMin, maxS);
}

/**
 * Counts of `n` float64 at `pv` in the bins given by `bins + 1` ascending edges at `pe` (bins [e_k, e_k+1), the
 * last closed; values outside or NaN skipped) into `bins` float64 at `pc` (zeroed here): the TypeScript
 * histogramCounts, operation for operation.
 */
export function histogramCounts(pv: usize, n: i32, pe: usize, bins: i32, pc: usize): void {
  memory.fill(pc, 0, (<usize>bins) << 3);
  if (bins < 1) return;
  const first = load<f64>(pe);
  const last = load<f64>(pe + ((<usize>bins) << 3));
  const norm = <f64>bins / (last - first);
  for (let i = 0; i < n; i++) {
    const x = load<f64>(pv + ((<usize>i) << 3));
    if (!(x >= first && x <= last)) continue;
    const f = Math.floor((x - first) * norm);
    // A NaN index (zero-width edges) counts nowhere, as the TypeScript counts[NaN]++ does.
    if (isNaN(f)) continue;
    let k: i32 = f >= <f64>bins ? bins - 1 : f < 0 ? 0 : <i32>f;
    while (k > 0 && x < load<f64>(pe + ((<usize>k) << 3))) k--;
    while (k < bins - 1 && x >= load<f64>(pe + ((<usize>(k + 1)) << 3))) k++;
    const p = pc + ((<usize>k) << 3);
    store<f64>(p, load<f64>(p) + 1);
  }
}

/**
 * Per-code counts of `n` i32 codes at `pc` (-1 = missing) into `size + 1` u32 at `out` (zeroed here; slot 0
 * counts missing). Returns how many codes fell outside [-1, size).
 */
export function countCodes(pc: usize, n: i32, size: i32, out: usize): i32 {
  memory.fill(out, 0, (<usize>(size + 1)) << 2);
  let outside = 0;
  for (let i = 0; i < n; i++) {
    const c = load<i32>(pc + ((<usize>i) << 2)) + 1;
    if (<u32>c >= <u32>(size + 1)) {
      outside++;
      continue;
    }
    const p = out + ((<usize>c) << 2);
    store<u32>(p, load<u32>(p) + 1);
  }
  return outside;
}
