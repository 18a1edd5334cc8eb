// Preparing a categorical column pair: codes counted, dictionaries merged, codes remapped only when a method needs them.
import { categoricalDistribution } from './distribution';
import type { PreparedColumn } from './prepared-column';
import { type CategoricalColumn, type CategoryCodes, compareText, DriftDataError } from './table';
import type { ColumnPair } from './types';

function isSorted(categories: readonly string[]): boolean {
  for (let i = 1; i < categories.length; i++) if (!(categories[i - 1]! < categories[i]!)) return false;
  return true;
}

/** Dictionaries this small (with the missing slot) count codes two at a time: (size + 1)² pair cells. */
const PAIR_COUNT_MAX_CELLS = 1024;

/** Per-code counts; index 0 counts missing (-1). Codes outside the dictionary are an error. */
function countCodes(codes: CategoryCodes, size: number, where: string): Int32Array {
  const s = size + 1;
  const n = codes.length;
  if (s * s > PAIR_COUNT_MAX_CELLS) {
    const counts = new Int32Array(s);
    for (let i = 0; i < n; i++) counts[codes[i]! + 1]!++;
    let total = 0;
    for (let i = 0; i < s; i++) total += counts[i]!;
    if (total !== n) throw new DriftDataError(`${where}: categorical codes outside the dictionary`);
    return counts;
  }
  // One increment per pair of codes: with a handful of categories, consecutive codes keep hitting the same
  // counter, and half as many dependent increments count the column about 1.4× faster.
  const pairs = new Int32Array(s * s);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const a = codes[i]! + 1;
    const b = codes[i + 1]! + 1;
    if (a >>> 0 >= s || b >>> 0 >= s) break;
    pairs[a * s + b]!++;
  }
  const counts = new Int32Array(s);
  for (; i < n; i++) {
    const a = codes[i]! + 1;
    if (a >>> 0 >= s) throw new DriftDataError(`${where}: categorical codes outside the dictionary`);
    counts[a]!++;
  }
  for (let a = 0; a < s; a++) {
    for (let b = 0; b < s; b++) {
      const k = pairs[a * s + b]!;
      counts[a]! += k;
      counts[b]! += k;
    }
  }
  return counts;
}

function remapCodes(codes: CategoryCodes, missing: number, map: Int32Array, identity: boolean): Int32Array {
  if (identity && missing === 0) return codes instanceof Int32Array ? codes : Int32Array.from(codes);
  const out = new Int32Array(codes.length - missing);
  let k = 0;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c >= 0) out[k++] = map[c]!;
  }
  return out;
}

export function prepareCategorical(
  ref: CategoricalColumn,
  cur: CategoricalColumn,
  column: string,
  names: { reference: string; current: string },
): PreparedColumn {
  const refCounts = countCodes(ref.codes, ref.categories.length, `${names.reference}: column "${column}"`);
  const curCounts = countCodes(cur.codes, cur.categories.length, `${names.current}: column "${column}"`);
  // The union dictionary, sorted, keeping only categories that occur on either side.
  const shared = ref.categories === cur.categories && isSorted(ref.categories);
  const union = shared
    ? ref.categories
    : [...new Set([...ref.categories, ...cur.categories])].sort(compareText);
  const unionIndex = shared ? null : new Map(union.map((c, i) => [c, i]));
  const present = new Int32Array(union.length);
  const unionRef = new Float64Array(union.length);
  const unionCur = new Float64Array(union.length);
  const refToUnion = new Int32Array(ref.categories.length);
  const curToUnion = new Int32Array(cur.categories.length);
  ref.categories.forEach((c, i) => {
    const u = unionIndex ? unionIndex.get(c)! : i;
    refToUnion[i] = u;
    unionRef[u] = unionRef[u]! + refCounts[i + 1]!;
  });
  cur.categories.forEach((c, i) => {
    const u = unionIndex ? unionIndex.get(c)! : i;
    curToUnion[i] = u;
    unionCur[u] = unionCur[u]! + curCounts[i + 1]!;
  });
  const categories: string[] = [];
  for (let u = 0; u < union.length; u++) {
    if (unionRef[u]! > 0 || unionCur[u]! > 0) {
      present[u] = categories.length;
      categories.push(union[u]!);
    } else present[u] = -1;
  }
  const refMap = refToUnion.map((u) => present[u]!);
  const curMap = curToUnion.map((u) => present[u]!);
  const identity = (map: Int32Array): boolean => map.every((v, i) => v === i);
  const refMissing = refCounts[0]!;
  const curMissing = curCounts[0]!;
  const refCount = ref.codes.length - refMissing;
  const curCount = cur.codes.length - curMissing;
  const refByCode: number[] = [];
  const curByCode: number[] = [];
  for (let u = 0; u < union.length; u++) {
    if (present[u]! >= 0) {
      refByCode.push(unionRef[u]!);
      curByCode.push(unionCur[u]!);
    }
  }
  // Remapping the codes (a copy of each side when a map is not the identity or cells are missing) is only
  // needed when a method reads them; the counts above already give the chart and the shared bins.
  let pair: ColumnPair | undefined;
  const makePair = (): ColumnPair => {
    pair ??= {
      type: 'categorical',
      reference: remapCodes(ref.codes, refMissing, refMap, identity(refMap)),
      current: remapCodes(cur.codes, curMissing, curMap, identity(curMap)),
      categories,
    };
    return pair;
  };
  return {
    pair: makePair,
    // binColumnPair's category bins: each side's count per present category, in category order.
    bins: refCount > 0 && curCount > 0 ? { reference: refByCode, current: curByCode } : null,
    nValues: categories.length,
    refMissing,
    curMissing,
    refLength: ref.codes.length,
    curLength: cur.codes.length,
    distribution: categoricalDistribution(categories, refByCode, curByCode, refCount, curCount),
  };
}
