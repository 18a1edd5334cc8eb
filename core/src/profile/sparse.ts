// The stored form of a profile chunk: only the non-zero bins and categories (a 5-minute chunk fills a few
// hundred of a model's thousands of bins), as parallel `keys`/`counts` arrays that SQL unnests
// (the sync server's `pmm_profile_parts`, migration 0007). Also what the app receives in the `profile_chunks`
// shape, turned back into a profile with `fromSparse`.
import {
  type CategoricalProfile,
  type NumericalProfile,
  PROFILE_FORMAT,
  type Profile,
  ProfileError,
} from './profile';
import type { ProfileSpec } from './spec';

export const SPARSE_FORMAT = 'pmm-profile-sparse/1';

export interface SparseNumerical {
  readonly type: 'numerical';
  /** Bin indexes (of the layout's edges.length + 1 bins) with a non-zero count, ascending. */
  readonly keys: number[];
  readonly counts: number[];
  readonly missing: number;
  readonly invalid: number;
  readonly n: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number;
  readonly m2: number;
}

export interface SparseCategorical {
  readonly type: 'categorical';
  readonly keys: string[];
  readonly counts: number[];
  readonly missing: number;
  readonly unseen: number;
}

export interface SparseScore {
  readonly bins: number;
  /** Score bins with at least one row, ascending. */
  readonly keys: number[];
  readonly counts: number[];
  readonly score_sum: number[];
  readonly labelled: number[];
  readonly positives: number[];
}

export interface SparseProfile {
  readonly format: typeof SPARSE_FORMAT;
  readonly layout_hash: string;
  readonly model_version: string;
  readonly rows: number;
  readonly start: string | null;
  readonly end: string | null;
  readonly columns: Record<string, SparseNumerical | SparseCategorical>;
  readonly score: SparseScore | null;
}

/** The sparse form of a profile of `spec`'s layout (columns in the layout's order, categories sorted). */
export function toSparse(profile: Profile, spec: ProfileSpec): SparseProfile {
  const columns: Record<string, SparseNumerical | SparseCategorical> = {};
  for (const f of spec.features) {
    const c = profile.columns[f.name]!;
    if (c.type === 'numerical') {
      const keys: number[] = [];
      const counts: number[] = [];
      c.counts.forEach((n, i) => {
        if (n > 0) {
          keys.push(i);
          counts.push(n);
        }
      });
      const { missing, invalid, n, min, max, mean, m2 } = c;
      columns[f.name] = { type: 'numerical', keys, counts, missing, invalid, n, min, max, mean, m2 };
    } else {
      const entries = Object.entries(c.counts)
        .filter(([, n]) => n > 0)
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
      columns[f.name] = {
        type: 'categorical',
        keys: entries.map(([k]) => k),
        counts: entries.map(([, n]) => n),
        missing: c.missing,
        unseen: c.unseen,
      };
    }
  }
  let score: SparseScore | null = null;
  if (profile.score) {
    const s = profile.score;
    const keys: number[] = [];
    s.counts.forEach((n, i) => {
      if (n > 0 || s.labelled[i]! > 0) keys.push(i);
    });
    score = {
      bins: s.bins,
      keys,
      counts: keys.map((i) => s.counts[i]!),
      score_sum: keys.map((i) => s.score_sum[i]!),
      labelled: keys.map((i) => s.labelled[i]!),
      positives: keys.map((i) => s.positives[i]!),
    };
  }
  return {
    format: SPARSE_FORMAT,
    layout_hash: profile.layout_hash,
    model_version: profile.model_version,
    rows: profile.rows,
    start: profile.start,
    end: profile.end,
    columns,
    score,
  };
}

/** One column's summed parts as SQL returns them (keys as text, any order). */
export interface SummedColumn {
  readonly kind: 'n' | 'c' | 's';
  readonly col: string;
  readonly keys: string[];
  readonly counts: number[];
  readonly sums: number[] | null;
  readonly labelled: number[] | null;
  readonly positives: number[] | null;
  readonly missing: number;
  readonly invalid: number;
  readonly unseen: number;
  readonly n: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number;
  readonly m2: number;
}

/** The dense profile of `spec`'s layout from summed sparse columns (empty columns where nothing was summed). */
export function densify(
  spec: ProfileSpec,
  summed: readonly SummedColumn[],
  meta: { rows: number; start: string | null; end: string | null; model_version?: string },
): Profile {
  const byKey = new Map(summed.map((s) => [`${s.kind}:${s.col}`, s]));
  const columns: Profile['columns'] = {};
  for (const f of spec.features) {
    if (f.kind === 'numerical') {
      const s = byKey.get(`n:${f.name}`);
      const counts = new Array<number>(f.edges.length + 1).fill(0);
      s?.keys.forEach((k, i) => {
        counts[Number(k)] = s.counts[i]!;
      });
      const column: NumericalProfile = {
        type: 'numerical',
        counts,
        missing: s?.missing ?? 0,
        invalid: s?.invalid ?? 0,
        n: s?.n ?? 0,
        min: s?.min ?? null,
        max: s?.max ?? null,
        mean: s?.mean ?? 0,
        m2: s?.m2 ?? 0,
      };
      columns[f.name] = column;
    } else {
      const s = byKey.get(`c:${f.name}`);
      const entries = (s?.keys ?? [])
        .map((k, i) => [k, s!.counts[i]!] as const)
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
      const column: CategoricalProfile = {
        type: 'categorical',
        counts: Object.fromEntries(entries),
        missing: s?.missing ?? 0,
        unseen: s?.unseen ?? 0,
      };
      columns[f.name] = column;
    }
  }
  const s = byKey.get('s:');
  let score: Profile['score'] = null;
  if (s) {
    const bins = spec.score_bins;
    const zeros = () => new Array<number>(bins).fill(0);
    score = { bins, counts: zeros(), score_sum: zeros(), labelled: zeros(), positives: zeros() };
    s.keys.forEach((k, i) => {
      const b = Number(k);
      score!.counts[b] = s.counts[i]!;
      score!.score_sum[b] = s.sums?.[i] ?? 0;
      score!.labelled[b] = s.labelled?.[i] ?? 0;
      score!.positives[b] = s.positives?.[i] ?? 0;
    });
  }
  return {
    format: PROFILE_FORMAT,
    layout_hash: spec.hash,
    model_version: meta.model_version ?? spec.model_version,
    rows: meta.rows,
    start: meta.start,
    end: meta.end,
    columns,
    score,
  };
}

/**
 * The dense profile of one stored chunk (`pmm-profile-sparse/1`) of `spec`'s layout; refuses a chunk of
 * another layout or format, or one whose keys fall outside the layout.
 */
export function fromSparse(spec: ProfileSpec, sparse: SparseProfile): Profile {
  if (sparse?.format !== SPARSE_FORMAT)
    throw new ProfileError(`a profile chunk must be ${SPARSE_FORMAT}, not ${String(sparse?.format)}`);
  if (sparse.layout_hash !== spec.hash)
    throw new ProfileError(
      `the chunk's layout ${sparse.layout_hash} is not the layout of ${spec.model_version} (${spec.hash})`,
    );
  const summed: SummedColumn[] = [];
  for (const f of spec.features) {
    const c = sparse.columns[f.name];
    if (!c) continue;
    if (c.type !== f.kind) throw new ProfileError(`chunk column "${f.name}" must be ${f.kind}`);
    const base = { col: f.name, sums: null, labelled: null, positives: null };
    if (c.type === 'numerical') {
      const bins = (f as { edges: readonly number[] }).edges.length + 1;
      if (c.keys.some((k) => !Number.isInteger(k) || k < 0 || k >= bins))
        throw new ProfileError(`chunk column "${f.name}": a bin index outside the layout's ${bins} bins`);
      summed.push({
        ...base,
        kind: 'n',
        keys: c.keys.map(String),
        counts: c.counts,
        missing: c.missing,
        invalid: c.invalid,
        unseen: 0,
        n: c.n,
        min: c.min,
        max: c.max,
        mean: c.mean,
        m2: c.m2,
      });
    } else {
      summed.push({
        ...base,
        kind: 'c',
        keys: c.keys,
        counts: c.counts,
        missing: c.missing,
        invalid: 0,
        unseen: c.unseen,
        n: 0,
        min: null,
        max: null,
        mean: 0,
        m2: 0,
      });
    }
  }
  const s = sparse.score;
  if (s) {
    if (s.bins !== spec.score_bins) throw new ProfileError(`chunk score bins must be ${spec.score_bins}`);
    if (s.keys.some((k) => !Number.isInteger(k) || k < 0 || k >= s.bins))
      throw new ProfileError(`chunk score: a bin index outside the layout's ${s.bins} bins`);
    summed.push({
      kind: 's',
      col: '',
      keys: s.keys.map(String),
      counts: s.counts,
      sums: s.score_sum,
      labelled: s.labelled,
      positives: s.positives,
      missing: 0,
      invalid: 0,
      unseen: 0,
      n: 0,
      min: null,
      max: null,
      mean: 0,
      m2: 0,
    });
  }
  return densify(spec, summed, {
    rows: sparse.rows,
    start: sparse.start,
    end: sparse.end,
    model_version: sparse.model_version,
  });
}
