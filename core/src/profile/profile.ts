// A mergeable profile of one model version's traffic over a window: exact category counts, counts on the
// frozen numerical bins with n/min/max/mean/M2, and score bins with label counts. Merging adds counts.
import { z } from 'zod';
import { binOf, type FeatureBins, type ProfileSpec } from './spec';

export const PROFILE_FORMAT = 'pmm-profile/1';

const count = z.number().int().nonnegative();

const numericalProfileSchema = z.object({
  type: z.literal('numerical'),
  /** One count per bin of the layout's edges (edges.length + 1 bins). */
  counts: z.array(count),
  missing: count,
  /** Values that were not numbers (text in a numerical field), kept apart from missing. */
  invalid: count,
  n: count,
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number(),
  /** Sum of squared deviations from the mean (merged with Chan et al.'s parallel formula). */
  m2: z.number().nonnegative(),
});

const categoricalProfileSchema = z.object({
  type: z.literal('categorical'),
  /** Exact count of every value seen, reference categories or not. */
  counts: z.record(z.string(), count),
  missing: count,
  /** How many of the counted values are not among the reference categories. */
  unseen: count,
});

const scoreProfileSchema = z.object({
  bins: z.number().int().positive(),
  counts: z.array(count),
  /** Sum of the scores in each bin (their mean within a bin, for estimation). */
  score_sum: z.array(z.number()),
  /** Rows in each bin whose true outcome is known, and how many of those are positive. */
  labelled: z.array(count),
  positives: z.array(count),
});

export const profileSchema = z.object({
  format: z.literal(PROFILE_FORMAT),
  layout_hash: z.string().regex(/^[0-9a-f]{16}$/),
  model_version: z.string().min(1),
  rows: count,
  /** ISO times of the first and last row when the rows had times. */
  start: z.string().nullable(),
  end: z.string().nullable(),
  columns: z.record(
    z.string(),
    z.discriminatedUnion('type', [numericalProfileSchema, categoricalProfileSchema]),
  ),
  score: scoreProfileSchema.nullable(),
});

export type Profile = z.infer<typeof profileSchema>;
export type NumericalProfile = z.infer<typeof numericalProfileSchema>;
export type CategoricalProfile = z.infer<typeof categoricalProfileSchema>;
export type ScoreProfile = z.infer<typeof scoreProfileSchema>;

/** A profile that cannot be read or merged: says why. */
export class ProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileError';
  }
}

/** Parses and checks a profile (JSON text or a value); the error names the first bad field. */
export function parseProfile(input: unknown, source = 'profile'): Profile {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw new ProfileError(`${source}: not JSON`);
    }
  }
  const result = profileSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ProfileError(`${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}

type Cell = string | number | null | undefined;

function emptyColumn(f: FeatureBins): NumericalProfile | CategoricalProfile {
  return f.kind === 'numerical'
    ? {
        type: 'numerical',
        counts: new Array(f.edges.length + 1).fill(0),
        missing: 0,
        invalid: 0,
        n: 0,
        min: null,
        max: null,
        mean: 0,
        m2: 0,
      }
    : { type: 'categorical', counts: {}, missing: 0, unseen: 0 };
}

/** Accumulates rows into a profile of `spec`'s layout. */
export class ProfileBuilder {
  readonly #spec: ProfileSpec;
  readonly #known: Map<string, Set<string>>;
  readonly #columns: Record<string, NumericalProfile | CategoricalProfile> = {};
  #score: ScoreProfile | null = null;
  #rows = 0;
  #start: string | null = null;
  #end: string | null = null;

  constructor(spec: ProfileSpec) {
    this.#spec = spec;
    this.#known = new Map(
      spec.features.flatMap((f) =>
        f.kind === 'categorical' ? [[f.name, new Set(f.categories)] as const] : [],
      ),
    );
    for (const f of spec.features) this.#columns[f.name] = emptyColumn(f);
  }

  /** Adds one row: its feature values, and optionally its score, outcome (0/1) and ISO time. */
  add(
    features: Readonly<Record<string, Cell>>,
    score?: number | null,
    outcome?: 0 | 1 | null,
    at?: string | null,
  ): void {
    this.#rows++;
    if (at) {
      if (this.#start === null || at < this.#start) this.#start = at;
      if (this.#end === null || at > this.#end) this.#end = at;
    }
    for (const f of this.#spec.features) {
      const v = features[f.name];
      const column = this.#columns[f.name]!;
      if (column.type === 'numerical') {
        const edges = (f as FeatureBins & { kind: 'numerical' }).edges;
        if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) column.missing++;
        else {
          const x = typeof v === 'number' ? v : Number(v);
          if (!Number.isFinite(x)) column.invalid++;
          else {
            column.counts[binOf(edges, x)]!++;
            column.n++;
            const delta = x - column.mean;
            column.mean += delta / column.n;
            column.m2 += delta * (x - column.mean);
            column.min = column.min === null || x < column.min ? x : column.min;
            column.max = column.max === null || x > column.max ? x : column.max;
          }
        }
      } else if (v === null || v === undefined || String(v).trim() === '') column.missing++;
      else {
        const key = String(v).trim();
        column.counts[key] = (column.counts[key] ?? 0) + 1;
        if (!this.#known.get(f.name)!.has(key)) column.unseen++;
      }
    }
    if (score !== undefined && score !== null) {
      const bins = this.#spec.score_bins;
      this.#score ??= {
        bins,
        counts: new Array(bins).fill(0),
        score_sum: new Array(bins).fill(0),
        labelled: new Array(bins).fill(0),
        positives: new Array(bins).fill(0),
      };
      const b = Math.min(bins - 1, Math.max(0, Math.floor(score * bins)));
      this.#score.counts[b]!++;
      this.#score.score_sum[b]! += score;
      if (outcome === 0 || outcome === 1) {
        this.#score.labelled[b]!++;
        this.#score.positives[b]! += outcome;
      }
    }
  }

  /** The profile so far (a copy: the builder can go on). */
  build(): Profile {
    for (const column of Object.values(this.#columns)) {
      if (column.type === 'categorical') column.counts = sortedCounts(column.counts);
    }
    return structuredClone({
      format: PROFILE_FORMAT,
      layout_hash: this.#spec.hash,
      model_version: this.#spec.model_version,
      rows: this.#rows,
      start: this.#start,
      end: this.#end,
      columns: this.#columns,
      score: this.#score,
    }) as Profile;
  }
}

function sortedCounts(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}

function addArrays(a: readonly number[], b: readonly number[]): number[] {
  return a.map((x, i) => x + b[i]!);
}

function mergeNumerical(a: NumericalProfile, b: NumericalProfile): NumericalProfile {
  const n = a.n + b.n;
  const delta = b.mean - a.mean;
  return {
    type: 'numerical',
    counts: addArrays(a.counts, b.counts),
    missing: a.missing + b.missing,
    invalid: a.invalid + b.invalid,
    n,
    min: a.min === null ? b.min : b.min === null ? a.min : Math.min(a.min, b.min),
    max: a.max === null ? b.max : b.max === null ? a.max : Math.max(a.max, b.max),
    mean: n === 0 ? 0 : a.mean + (delta * b.n) / n,
    m2: n === 0 ? 0 : a.m2 + b.m2 + (delta * delta * a.n * b.n) / n,
  };
}

function mergeCategorical(a: CategoricalProfile, b: CategoricalProfile): CategoricalProfile {
  const counts: Record<string, number> = { ...a.counts };
  for (const [k, v] of Object.entries(b.counts)) counts[k] = (counts[k] ?? 0) + v;
  return {
    type: 'categorical',
    counts: sortedCounts(counts),
    missing: a.missing + b.missing,
    unseen: a.unseen + b.unseen,
  };
}

function mergeScore(a: ScoreProfile | null, b: ScoreProfile | null): ScoreProfile | null {
  if (!a) return b && structuredClone(b);
  if (!b) return structuredClone(a);
  return {
    bins: a.bins,
    counts: addArrays(a.counts, b.counts),
    score_sum: addArrays(a.score_sum, b.score_sum),
    labelled: addArrays(a.labelled, b.labelled),
    positives: addArrays(a.positives, b.positives),
  };
}

/**
 * Merges profiles of the same layout (same `layout_hash`; versions may differ only if the layout does
 * not): counts add, so the result does not depend on order or grouping. Refuses different layouts.
 */
export function mergeProfiles(profiles: readonly Profile[]): Profile {
  if (profiles.length === 0) throw new ProfileError('nothing to merge');
  const [first, ...rest] = profiles;
  let out: Profile = structuredClone(first!);
  for (const p of rest) {
    if (p.layout_hash !== out.layout_hash)
      throw new ProfileError(
        `profiles of different layouts cannot be merged (${out.model_version} layout ${out.layout_hash}, ${p.model_version} layout ${p.layout_hash})`,
      );
    const columns: Profile['columns'] = {};
    for (const [name, a] of Object.entries(out.columns)) {
      const b = p.columns[name];
      if (!b || b.type !== a.type) throw new ProfileError(`column "${name}" differs between the profiles`);
      columns[name] =
        a.type === 'numerical'
          ? mergeNumerical(a, b as NumericalProfile)
          : mergeCategorical(a, b as CategoricalProfile);
    }
    out = {
      ...out,
      rows: out.rows + p.rows,
      start: [out.start, p.start].filter((x): x is string => x !== null).sort()[0] ?? null,
      end:
        [out.end, p.end]
          .filter((x): x is string => x !== null)
          .sort()
          .at(-1) ?? null,
      columns,
      score: mergeScore(out.score, p.score),
    };
  }
  return out;
}
