// A dictionary from byte strings to small integer codes, looked up without decoding text (open addressing on FNV-1a).

const fatal = new TextDecoder('utf-8', { fatal: true });

/** Thrown when a key's bytes are not UTF-8. */
export class NotUtf8Error extends Error {
  constructor() {
    super('not UTF-8');
    this.name = 'NotUtf8Error';
  }
}

/**
 * A cheap hash of `[start, end)` from its length and five of its bytes (first two, middle, last two): categorical
 * values are short and differ there; probing compares whole keys, so a weak hash costs time, never correctness.
 */
export function quickHash(buf: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (len === 0) return 0;
  let h = Math.imul(len, 0x9e3779b1) ^ buf[start]!;
  h = Math.imul(h ^ (buf[start + 1] ?? 0), 0x01000193);
  h = Math.imul(h ^ buf[start + (len >> 1)]!, 0x01000193);
  h = Math.imul(h ^ buf[end - 1]!, 0x01000193);
  h = Math.imul(h ^ buf[end - 2 >= start ? end - 2 : start]!, 0x01000193);
  return (h ^ (h >>> 15)) >>> 0;
}

/** FNV-1a over `[start, end)`. */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h >>> 0;
}

/**
 * Byte strings → codes 0, 1, 2… in order of first appearance. Keys live in one growing byte arena; `keys()`
 * decodes each distinct key once (as strict UTF-8, throwing `NotUtf8Error`).
 */
export class ByteDictionary {
  private slots = new Int32Array(1024).fill(-1);
  private hashes = new Uint32Array(512);
  private starts = new Int32Array(513);
  private arena = new Uint8Array(4096);
  size = 0;
  /** Bytes held by the keys. */
  bytes = 0;

  /** The code of the key `[start, end)` of `buf`, adding it when new. */
  code(buf: Uint8Array, start: number, end: number): number {
    const h = quickHash(buf, start, end);
    const mask = this.slots.length - 1;
    let s = h & mask;
    const len = end - start;
    for (;;) {
      const c = this.slots[s]!;
      if (c < 0) break;
      if (this.hashes[c] === h) {
        const ks = this.starts[c]!;
        if (this.starts[c + 1]! - ks === len) {
          let i = 0;
          while (i < len && this.arena[ks + i] === buf[start + i]) i++;
          if (i === len) return c;
        }
      }
      s = (s + 1) & mask;
    }
    return this.add(buf, start, end, h, s);
  }

  private add(buf: Uint8Array, start: number, end: number, h: number, slot: number): number {
    const c = this.size;
    const len = end - start;
    if (c + 1 >= this.hashes.length) {
      const hashes = new Uint32Array(this.hashes.length * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
      const starts = new Int32Array(this.starts.length * 2);
      starts.set(this.starts);
      this.starts = starts;
    }
    if (this.bytes + len > this.arena.length) {
      const arena = new Uint8Array(Math.max(this.arena.length * 2, this.bytes + len));
      arena.set(this.arena.subarray(0, this.bytes));
      this.arena = arena;
    }
    this.arena.set(buf.subarray(start, end), this.bytes);
    this.bytes += len;
    this.hashes[c] = h;
    this.starts[c + 1] = this.bytes;
    this.slots[slot] = c;
    this.size++;
    if (this.size * 2 > this.slots.length) this.rehash();
    return c;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let c = 0; c < this.size; c++) {
      let s = this.hashes[c]! & mask;
      while (slots[s]! >= 0) s = (s + 1) & mask;
      slots[s] = c;
    }
    this.slots = slots;
  }

  /** Calls `each` with every key's bytes, in code order. */
  forEachKey(each: (buf: Uint8Array, start: number, end: number) => void): void {
    for (let c = 0; c < this.size; c++) each(this.arena, this.starts[c]!, this.starts[c + 1]!);
  }

  /** The keys as text, in code order. */
  keys(): string[] {
    const out = new Array<string>(this.size);
    try {
      for (let c = 0; c < this.size; c++)
        out[c] = fatal.decode(this.arena.subarray(this.starts[c]!, this.starts[c + 1]!));
    } catch {
      throw new NotUtf8Error();
    }
    return out;
  }
}

/** A set of 64-bit hashes (two FNV variants) that says whether every key added so far was new. */
export class DistinctHashes {
  private table = new Uint32Array(1 << 16);
  size = 0;

  /** Adds the key; false when it was already there (or, with odds about 2^-64, collides with one). */
  add(buf: Uint8Array, start: number, end: number): boolean {
    let a = 0x811c9dc5;
    let b = 0x9747b28c;
    for (let i = start; i < end; i++) {
      const x = buf[i]!;
      a = Math.imul(a ^ x, 0x01000193);
      b = Math.imul(b ^ x, 0x5bd1e995) ^ (b >>> 15);
    }
    a = (a | 1) >>> 0;
    const mask = (this.table.length >>> 1) - 1;
    let s = a & mask;
    for (;;) {
      const x = this.table[2 * s]!;
      if (x === 0) break;
      if (x === a && this.table[2 * s + 1] === b >>> 0) return false;
      s = (s + 1) & mask;
    }
    this.table[2 * s] = a;
    this.table[2 * s + 1] = b >>> 0;
    this.size++;
    if (this.size * 2 > mask) this.grow();
    return true;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    const mask = (this.table.length >>> 1) - 1;
    for (let i = 0; i < old.length; i += 2) {
      const a = old[i]!;
      if (a === 0) continue;
      let s = a & mask;
      while (this.table[2 * s] !== 0) s = (s + 1) & mask;
      this.table[2 * s] = a;
      this.table[2 * s + 1] = old[i + 1]!;
    }
  }
}
