// FeatureRecord[] → one column per graph input (string[] or Float32Array), shared by the ORT and lite engines.
import type { FeatureRecord } from '../../schema/validator';

export type FeedKind = 'string' | 'float32';

export interface FeedInput {
  readonly name: string;
  readonly kind: FeedKind;
}

export interface FeedColumn extends FeedInput {
  /** Length N; fed as a `[N, 1]` tensor. */
  readonly data: string[] | Float32Array;
}

/** Maps an ONNX/ORT element type to the feed kind pmm builds, or null when pmm cannot feed it. */
export function feedKind(elemType: string): FeedKind | null {
  return elemType === 'string' ? 'string' : elemType === 'float32' ? 'float32' : null;
}

/**
 * Builds one column per input from the records. A categorical (string) input takes the record's string
 * (a number is stringified; null or absent → '' which the one-hot encoder maps to all zeros). A numerical
 * (float32) input takes the record's number (a numeric string is parsed; null, absent, '' or
 * unparsable → NaN, which the graph imputes). Example: `buildFeeds([{ tenure: null }], [{ name: 'tenure',
 * kind: 'float32' }])[0].data` → Float32Array [NaN].
 */
export function buildFeeds(records: readonly FeatureRecord[], inputs: readonly FeedInput[]): FeedColumn[] {
  const n = records.length;
  return inputs.map(({ name, kind }) => {
    if (kind === 'string') {
      const data = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const v = records[i]![name];
        data[i] = typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v);
      }
      return { name, kind, data };
    }
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = records[i]![name];
      data[i] = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
    }
    return { name, kind, data };
  });
}
