// CPython's `random.Random` draws that River and scikit-learn-style code rely on, bit for bit: seeding from an
// int, random(), getrandbits, _randbelow, choices (unweighted) and sample (Lib/random.py, 3.10+).

import { Mt19937, type Mt19937State } from './mt19937';

/** The 32-bit words of |seed|, least significant first (CPython `random_seed` for an int; 0 → [0]). */
function seedWords(seed: number): number[] {
  if (!Number.isSafeInteger(seed))
    throw new Error(`a Python random seed must be a safe integer, got ${seed}`);
  let n = Math.abs(seed);
  const words: number[] = [];
  do {
    words.push(n % 4294967296);
    n = Math.floor(n / 4294967296);
  } while (n > 0);
  return words;
}

/**
 * `random.Random(seed)`. `new PythonRandom(42).random()` → 0.6394267984578837 as in CPython.
 */
export class PythonRandom {
  private readonly mt: Mt19937;

  constructor(seed: number | Mt19937) {
    this.mt = seed instanceof Mt19937 ? seed : new Mt19937().initByArray(seedWords(seed));
  }

  /** A float in [0, 1) with 53 random bits (`random()`). */
  random(): number {
    const a = this.mt.nextUint32() >>> 5;
    const b = this.mt.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** An integer with k random bits, 0 ≤ k ≤ 53 (`getrandbits(k)`; words are filled least significant first). */
  getrandbits(k: number): number {
    if (k < 0 || k > 53 || !Number.isInteger(k)) throw new Error(`getrandbits supports 0..53 bits, got ${k}`);
    if (k === 0) return 0;
    if (k <= 32) return this.mt.nextUint32() >>> (32 - k);
    const low = this.mt.nextUint32();
    const high = this.mt.nextUint32() >>> (64 - k);
    return high * 4294967296 + low;
  }

  /** A uniform integer in [0, n) by rejection on n.bit_length() bits (`_randbelow_with_getrandbits`). */
  randbelow(n: number): number {
    if (n <= 0) return 0;
    const k = n.toString(2).length; // n.bit_length()
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /** k draws with replacement (`choices(population, k=k)` without weights: population[floor(random()·n)]). */
  choices<T>(population: readonly T[], k: number): T[] {
    const n = population.length;
    const out: T[] = [];
    for (let i = 0; i < k; i++) out.push(population[Math.floor(this.random() * n)]!);
    return out;
  }

  /**
   * k distinct draws in selection order (`sample(population, k)`): a pool swap for small populations, a
   * rejection set for large ones, exactly as CPython chooses between them.
   */
  sample<T>(population: readonly T[], k: number): T[] {
    const n = population.length;
    if (k < 0 || k > n) throw new Error('sample larger than population or is negative');
    const result: T[] = new Array(k);
    let setsize = 21;
    if (k > 5) setsize += 4 ** Math.ceil(Math.log(k * 3) / Math.log(4));
    if (n <= setsize) {
      const pool = population.slice();
      for (let i = 0; i < k; i++) {
        const j = this.randbelow(n - i);
        result[i] = pool[j]!;
        pool[j] = pool[n - i - 1]!;
      }
    } else {
      const selected = new Set<number>();
      for (let i = 0; i < k; i++) {
        let j = this.randbelow(n);
        while (selected.has(j)) j = this.randbelow(n);
        selected.add(j);
        result[i] = population[j]!;
      }
    }
    return result;
  }

  save(): Mt19937State {
    return this.mt.save();
  }

  static restore(state: Mt19937State): PythonRandom {
    return new PythonRandom(Mt19937.restore(state));
  }
}
