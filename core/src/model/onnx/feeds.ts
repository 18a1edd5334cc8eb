// FeatureRecord[] → one column per graph input (string[] or Float32Array; categorical codes as floats), shared by
// the ORT and lite engines.
import type { FeatureRecord } from '../../schema/validator';
import type { Serving } from '../artifact-types';
import { OnnxModelError } from './errors';

export type FeedKind = 'string' | 'float32';

export interface FeedInput {
  readonly name: string;
  readonly kind: FeedKind;
  /** A categorical input fed as codes (`codeCategoricalInputs`): category → code, −1 for any other value. */
  readonly codes?: ReadonlyMap<string, number>;
}

export interface FeedColumn extends FeedInput {
  /** Length N × width; fed as a `[N, width]` tensor. */
  readonly data: string[] | Float32Array;
  /** Values per row: 1 for a per-feature input, F for a single `[N, F]` tensor input. */
  readonly width?: number;
}

type Cell = string | number | null | undefined;

/**
 * Rows held as columns (e.g. the app's column blocks): `column(name)` reads a feature's value in row i,
 * undefined when the row has none. Feeding from columns skips building one object per row.
 */
export interface FeatureColumns {
  readonly rows: number;
  column(name: string): (i: number) => Cell;
}

/** Records or columns: how many rows, and a reader per feature. */
function columnsOf(source: readonly FeatureRecord[] | FeatureColumns): FeatureColumns {
  if (!Array.isArray(source)) return source as FeatureColumns;
  const records = source as readonly FeatureRecord[];
  return { rows: records.length, column: (name) => (i) => records[i]![name] };
}

/** The number of rows of records or columns. */
export function rowsOf(source: readonly FeatureRecord[] | FeatureColumns): number {
  return Array.isArray(source) ? source.length : (source as FeatureColumns).rows;
}

function toNumber(v: Cell): number {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
}

/** A categorical input's string: the value, a number stringified, null or absent → ''. */
function categoryOf(v: Cell): string {
  return typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v);
}

/** Maps an ONNX/ORT element type to the feed kind pmm builds, or null when pmm cannot feed it. */
export function feedKind(elemType: string): FeedKind | null {
  return elemType === 'string' ? 'string' : elemType === 'float32' ? 'float32' : null;
}

/**
 * Builds one column per input from the records. A categorical (string) input takes the record's string
 * (a number is stringified; null or absent → '' which the one-hot encoder maps to all zeros), or that string's
 * code when the input is coded. A numerical
 * (float32) input takes the record's number (a numeric string is parsed; null, absent, '' or
 * unparsable → NaN, which the graph imputes). Example: `buildFeeds([{ tenure: null }], [{ name: 'tenure',
 * kind: 'float32' }])[0].data` → Float32Array [NaN].
 */
export function buildFeeds(
  source: readonly FeatureRecord[] | FeatureColumns,
  inputs: readonly FeedInput[],
  serving?: Serving,
): FeedColumn[] {
  const columns = columnsOf(source);
  const n = columns.rows;
  if (serving?.input.layout === 'tensor') {
    // One float [N, F] tensor, columns in the order the model was exported with; missing → NaN.
    const { name, features } = serving.input;
    const width = features.length;
    const data = new Float32Array(n * width);
    features.forEach((feature, j) => {
      const cell = columns.column(feature);
      for (let i = 0; i < n; i++) data[i * width + j] = toNumber(cell(i));
    });
    return [{ name, kind: 'float32', data, width }];
  }
  return inputs.map(({ name, kind, codes }) => {
    const cell = columns.column(name);
    if (codes) {
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = codes.get(categoryOf(cell(i))) ?? -1;
      return { name, kind: 'float32', data };
    }
    if (kind === 'string') {
      const data = new Array<string>(n);
      for (let i = 0; i < n; i++) data[i] = categoryOf(cell(i));
      return { name, kind, data };
    }
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = toNumber(cell(i));
    return { name, kind, data };
  });
}

/**
 * The N probabilities in a model output: `[N]` or `[N, 1]` as they are (`column` null), or column
 * `column` of an `[N, K]` output (the positive class of a probabilities tensor).
 * Example: `probabilitiesFrom(Float32Array.of(0.9, 0.1, 0.2, 0.8), [2, 2], 2, 1, 'p')` → [0.1, 0.8].
 */
export function probabilitiesFrom(
  data: ArrayLike<number>,
  dims: readonly number[],
  n: number,
  column: number | null,
  output: string,
): Float32Array {
  if (column === null) {
    if (data.length !== n)
      throw new OnnxModelError(`output "${output}" has dims [${dims}], expected ${n} values`);
    return Float32Array.from(data);
  }
  const k = dims.length === 2 ? dims[1]! : 0;
  if (dims[0] !== n || column >= k)
    throw new OnnxModelError(`output "${output}" has dims [${dims}], expected [${n}, > ${column}]`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = data[i * k + column]!;
  return out;
}
