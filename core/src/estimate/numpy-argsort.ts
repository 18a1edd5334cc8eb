// numpy's default `argsort` (kind='quicksort') for float64, ported from numpy 1.24 npysort/quicksort.cpp
// (`aquicksort_`: introsort with median-of-three, insertion sort for partitions of at most 16 elements, heapsort past 2·log2(n)
// depth). It is not stable, and NannyML's binning and AUROC sampling error depend on how it orders ties, so
// a stable sort would not reproduce them.

/** numpy's float ordering: NaN sorts after everything. */
function less(a: number, b: number): boolean {
  return a < b || (Number.isNaN(b) && !Number.isNaN(a));
}

const SMALL_QUICKSORT = 15; // npysort_common.h

function aheapsort(v: ArrayLike<number>, tosort: Int32Array, start: number, n: number): void {
  // a[1..n] aliases tosort[start..start+n-1]
  const get = (i: number) => tosort[start + i - 1]!;
  const set = (i: number, x: number) => {
    tosort[start + i - 1] = x;
  };
  for (let l = n >> 1; l > 0; --l) {
    const tmp = get(l);
    let i = l;
    let j = l << 1;
    while (j <= n) {
      if (j < n && less(v[get(j)]!, v[get(j + 1)]!)) j += 1;
      if (less(v[tmp]!, v[get(j)]!)) {
        set(i, get(j));
        i = j;
        j += j;
      } else break;
    }
    set(i, tmp);
  }
  for (; n > 1; ) {
    const tmp = get(n);
    set(n, get(1));
    n -= 1;
    let i = 1;
    let j = 2;
    while (j <= n) {
      if (j < n && less(v[get(j)]!, v[get(j + 1)]!)) j++;
      if (less(v[tmp]!, v[get(j)]!)) {
        set(i, get(j));
        i = j;
        j += j;
      } else break;
    }
    set(i, tmp);
  }
}

/**
 * Indices that sort `v` ascending, in exactly the order `numpy.argsort(v)` returns them.
 * @example numpyArgsort([3, 1, 2]) // Int32Array [1, 2, 0]
 */
export function numpyArgsort(v: ArrayLike<number>): Int32Array {
  const num = v.length;
  const tosort = new Int32Array(num);
  for (let i = 0; i < num; i++) tosort[i] = i;
  if (num < 2) return tosort;
  let pl = 0;
  let pr = num - 1;
  const stack: number[] = [];
  const depthStack: number[] = [];
  let msb = 0;
  for (let u = Math.floor(num / 2); u > 0; u = Math.floor(u / 2)) msb++;
  let cdepth = msb * 2;
  const swap = (a: number, b: number) => {
    const t = tosort[a]!;
    tosort[a] = tosort[b]!;
    tosort[b] = t;
  };
  for (;;) {
    if (cdepth < 0) {
      aheapsort(v, tosort, pl, pr - pl + 1);
    } else {
      while (pr - pl > SMALL_QUICKSORT) {
        const pm = pl + ((pr - pl) >> 1);
        if (less(v[tosort[pm]!]!, v[tosort[pl]!]!)) swap(pm, pl);
        if (less(v[tosort[pr]!]!, v[tosort[pm]!]!)) swap(pr, pm);
        if (less(v[tosort[pm]!]!, v[tosort[pl]!]!)) swap(pm, pl);
        const vp = v[tosort[pm]!]!;
        let pi = pl;
        let pj = pr - 1;
        swap(pm, pj);
        for (;;) {
          do ++pi;
          while (less(v[tosort[pi]!]!, vp));
          do --pj;
          while (less(vp, v[tosort[pj]!]!));
          if (pi >= pj) break;
          swap(pi, pj);
        }
        swap(pi, pr - 1);
        if (pi - pl < pr - pi) {
          stack.push(pi + 1, pr);
          pr = pi - 1;
        } else {
          stack.push(pl, pi - 1);
          pl = pi + 1;
        }
        depthStack.push(--cdepth);
      }
      for (let pi = pl + 1; pi <= pr; ++pi) {
        const vi = tosort[pi]!;
        const vp = v[vi]!;
        let pj = pi;
        let pk = pi - 1;
        while (pj > pl && less(vp, v[tosort[pk]!]!)) tosort[pj--] = tosort[pk--]!;
        tosort[pj] = vi;
      }
    }
    if (stack.length === 0) break;
    pr = stack.pop()!;
    pl = stack.pop()!;
    cdepth = depthStack.pop()!;
  }
  return tosort;
}
