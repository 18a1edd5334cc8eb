// A column pair prepared for the report: the pair a method scores (built lazily), shared bins, counts, the chart.
import type { ColumnDistribution } from './distribution';
import type { ColumnPair } from './types';

export interface PreparedColumn {
  /** The column pair the method scores, built on first use (a categorical pair may need its codes copied). */
  pair: () => ColumnPair;
  /**
   * The shared bins `binColumnPair` gives this pair, when the report already has them (both sides non-empty):
   * the registry's `jensenshannon` scores exactly these, so the report does not bin the column a second time.
   */
  bins: { readonly reference: ArrayLike<number>; readonly current: ArrayLike<number> } | null;
  nValues: number | null;
  refMissing: number;
  curMissing: number;
  refLength: number;
  curLength: number;
  distribution: ColumnDistribution;
}
