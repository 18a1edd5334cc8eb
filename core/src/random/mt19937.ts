// The Mersenne Twister MT19937 (Matsumoto & Nishimura 1998) with its two reference seedings, as CPython's
// _randommodule.c and numpy's legacy mt19937 use them; the state is plain data so it can be saved and restored.

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** A twister's complete state: the 624-word key and the position of the next word to temper. */
export interface Mt19937State {
  readonly mt: readonly number[];
  readonly mti: number;
}

/**
 * MT19937 32-bit generator (mt19937ar.c). `new Mt19937().initGenrand(5489).nextUint32()` → 3499211612.
 */
export class Mt19937 {
  private readonly mt = new Uint32Array(N);
  private mti = N + 1;

  /** Seeds with one 32-bit integer (`init_genrand`; numpy `RandomState(seed)` uses this). */
  initGenrand(seed: number): this {
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.mti = N;
    return this;
  }

  /** Seeds with an array of 32-bit words (`init_by_array`; CPython `random.seed(int)` uses this). */
  initByArray(key: ArrayLike<number>): this {
    this.initGenrand(19650218);
    const mt = this.mt;
    const len = key.length;
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, len); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + (key[j]! >>> 0) + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= len) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.mti = N;
    return this;
  }

  /** The next tempered 32-bit word (`genrand_int32`), an integer in [0, 2³²). */
  nextUint32(): number {
    const mt = this.mt;
    if (this.mti >= N) {
      if (this.mti === N + 1) this.initGenrand(5489);
      let kk = 0;
      for (; kk < N - M; kk++) {
        const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
        mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      for (; kk < N - 1; kk++) {
        const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
        mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      const y = (mt[N - 1]! & UPPER_MASK) | (mt[0]! & LOWER_MASK);
      mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      this.mti = 0;
    }
    let y = mt[this.mti++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A copy of the state as plain data. */
  save(): Mt19937State {
    return { mt: Array.from(this.mt), mti: this.mti };
  }

  /** A twister continuing exactly where `state` stood. */
  static restore(state: Mt19937State): Mt19937 {
    if (!Array.isArray(state.mt) || state.mt.length !== N)
      throw new Error('an MT19937 state needs 624 words');
    const t = new Mt19937();
    t.mt.set(state.mt);
    t.mti = state.mti;
    return t;
  }
}
