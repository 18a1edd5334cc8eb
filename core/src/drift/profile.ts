// The reference profile stored in model.json: the training data's per-feature distributions, exact enough
// to rerun every drift method against it (numerical values are kept sorted; categories as counts).

export type ColumnProfile =
  | {
      readonly type: 'numerical';
      /** Non-missing training values, sorted ascending. */
      readonly values: readonly number[];
      readonly missing: number;
    }
  | {
      readonly type: 'categorical';
      /** Count of each category (sorted by category). */
      readonly counts: Readonly<Record<string, number>>;
      readonly missing: number;
    };

export interface ReferenceProfile {
  readonly rows: number;
  readonly columns: Readonly<Record<string, ColumnProfile>>;
}

/** Builds the reference profile of feature records (numerical: sorted non-missing values; categorical: counts). */
export function buildReferenceProfile(
  records: readonly Readonly<Record<string, string | number | null>>[],
  features: readonly { readonly name: string; readonly kind: 'categorical' | 'numerical' }[],
): ReferenceProfile {
  const columns: Record<string, ColumnProfile> = {};
  for (const feature of features) {
    let missing = 0;
    if (feature.kind === 'numerical') {
      const values: number[] = [];
      for (const r of records) {
        const v = r[feature.name];
        if (typeof v === 'number' && Number.isFinite(v)) values.push(v);
        else missing++;
      }
      columns[feature.name] = {
        type: 'numerical',
        values: Array.from(Float64Array.from(values).sort()),
        missing,
      };
    } else {
      const counts = new Map<string, number>();
      for (const r of records) {
        const v = r[feature.name];
        if (v === null || v === undefined || String(v).trim() === '') missing++;
        else counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
      }
      const sorted = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      columns[feature.name] = { type: 'categorical', counts: Object.fromEntries(sorted), missing };
    }
  }
  return { rows: records.length, columns };
}
