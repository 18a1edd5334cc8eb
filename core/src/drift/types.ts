// The contract between drift methods and the report: column types, a column's two samples, a method unit.

export type ColumnType = 'numerical' | 'categorical';

/**
 * One column on both sides with missing values already removed.
 * Numerical: the values. Categorical: codes into `categories` (the sorted union of both sides' values).
 */
export type ColumnPair =
  | { readonly type: 'numerical'; readonly reference: Float64Array; readonly current: Float64Array }
  | {
      readonly type: 'categorical';
      readonly reference: Int32Array;
      readonly current: Int32Array;
      readonly categories: readonly string[];
    };

/**
 * A drift method as Evidently describes one: what it applies to, its default threshold, how it
 * scores a column pair and how a score and threshold give the verdict.
 * `kind: 'test'` scores are p-values (drift when small); `kind: 'distance'` scores are distances.
 */
export interface DriftMethod {
  readonly name: string;
  readonly kind: 'test' | 'distance';
  readonly kinds: readonly ColumnType[];
  readonly defaultThreshold: number;
  score(pair: ColumnPair): number;
  drifted(score: number, threshold: number): boolean;
}
