// POST /v1/ingest/profiles: edge profile chunks, checked against their version's frozen layout and stored
// idempotently by chunk id (a resent chunk with other content is a conflict: the first is kept).
import { createHash } from 'node:crypto';
import { type Profile, ProfileError, type ProfileSpec, parseProfile, toSparse } from '@pmm/core/profile';
import { toFieldIssues } from '@pmm/core/schema';
import { z } from 'zod';
import type { Db } from '../db/client';
import { storeChunk } from '../db/profiles';
import { versionLayout } from './model';

/** Chunks per request (a 19-feature profile is ≤ 256 KB dense; the body limit is the row ingest's 20 MB). */
export const MAX_PROFILE_CHUNKS = 1_000;

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f]/;
const EARLIEST = Date.UTC(1900, 0, 1);

const idText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((id) => !CONTROL.test(id), 'must not contain control characters');

export const profileIngestRequestSchema = z.strictObject({
  node_id: idText(128),
  chunks: z.array(z.unknown()).min(1).max(MAX_PROFILE_CHUNKS),
});

const chunkSchema = z.strictObject({
  chunk_id: idText(200),
  model_version: idText(128),
  start: z.iso.datetime({ offset: true }),
  end: z.iso.datetime({ offset: true }),
  profile: z.unknown(),
});

export const profileIngestResultSchema = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  refused: z.array(z.object({ index: z.number().int(), reason: z.string() })),
});
export type ProfileIngestResult = z.infer<typeof profileIngestResultSchema>;

/** Why a chunk was refused, for /metrics. */
export type RefusalKind = 'invalid' | 'unknown_version' | 'layout_mismatch' | 'conflict';

export interface ProfileIngestOutcome extends ProfileIngestResult {
  readonly refusedBy: Record<RefusalKind, number>;
}

/** The first way `profile` does not fit `spec` beyond its hash (array lengths, columns, kinds), or null. */
export function layoutProblem(profile: Profile, spec: ProfileSpec): string | null {
  const names = new Set(spec.features.map((f) => f.name));
  for (const name of Object.keys(profile.columns))
    if (!names.has(name)) return `profile.columns.${name}: not a feature of the layout`;
  for (const f of spec.features) {
    const c = profile.columns[f.name];
    if (!c) return `profile.columns.${f.name}: missing`;
    if (c.type !== f.kind) return `profile.columns.${f.name}: must be ${f.kind}`;
    if (c.type === 'numerical' && c.counts.length !== (f as { edges: readonly number[] }).edges.length + 1)
      return `profile.columns.${f.name}.counts: must have ${(f as { edges: readonly number[] }).edges.length + 1} bins`;
  }
  const s = profile.score;
  if (s) {
    if (s.bins !== spec.score_bins) return `profile.score.bins: must be ${spec.score_bins}`;
    for (const key of ['counts', 'score_sum', 'labelled', 'positives'] as const)
      if (s[key].length !== s.bins) return `profile.score.${key}: must have ${s.bins} entries`;
  }
  return null;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Validates and stores one request's chunks, each on its own: good ones stored, bad ones refused by index. */
export async function ingestProfiles(
  db: Db,
  nodeId: string,
  chunks: readonly unknown[],
): Promise<ProfileIngestOutcome> {
  const refused: { index: number; reason: string }[] = [];
  const refusedBy: Record<RefusalKind, number> = {
    invalid: 0,
    unknown_version: 0,
    layout_mismatch: 0,
    conflict: 0,
  };
  const refuse = (index: number, kind: RefusalKind, reason: string) => {
    refused.push({ index, reason });
    refusedBy[kind]++;
  };
  let accepted = 0;
  let duplicates = 0;
  for (const [index, raw] of chunks.entries()) {
    const parsed = chunkSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = toFieldIssues(parsed.error)[0] ?? { path: '(root)', message: 'invalid chunk' };
      refuse(index, 'invalid', `${issue.path}: ${issue.message}`);
      continue;
    }
    const chunk = parsed.data;
    const start = new Date(chunk.start);
    const end = new Date(chunk.end);
    if (start.getTime() < EARLIEST) {
      refuse(index, 'invalid', 'start: must be 1900-01-01 or later');
      continue;
    }
    if (end.getTime() < start.getTime()) {
      refuse(index, 'invalid', 'end: must not be before start');
      continue;
    }
    let profile: Profile;
    try {
      profile = parseProfile(chunk.profile, 'profile');
    } catch (error) {
      if (!(error instanceof ProfileError)) throw error;
      refuse(index, 'invalid', error.message);
      continue;
    }
    if (profile.model_version !== chunk.model_version) {
      refuse(index, 'invalid', `profile.model_version: must equal the chunk's model_version`);
      continue;
    }
    const layout = await versionLayout(db, chunk.model_version);
    if (!layout) {
      refuse(index, 'unknown_version', `model_version: ${chunk.model_version} is not registered`);
      continue;
    }
    if (!layout.spec) {
      refuse(
        index,
        'layout_mismatch',
        `model_version: ${chunk.model_version} has no profile layout (${layout.problem})`,
      );
      continue;
    }
    if (profile.layout_hash !== layout.spec.hash) {
      refuse(
        index,
        'layout_mismatch',
        `profile.layout_hash: ${profile.layout_hash} is not the layout of ${chunk.model_version} (${layout.spec.hash})`,
      );
      continue;
    }
    const problem = layoutProblem(profile, layout.spec);
    if (problem) {
      refuse(index, 'layout_mismatch', problem);
      continue;
    }
    const sparse = toSparse(profile, layout.spec);
    const content = JSON.stringify({
      node_id: nodeId,
      model_version: chunk.model_version,
      start: start.getTime(),
      end: end.getTime(),
      profile: sparse,
    });
    const outcome = await db.transaction((tx) =>
      storeChunk(tx, {
        chunkId: chunk.chunk_id,
        nodeId,
        modelVersion: chunk.model_version,
        layoutHash: profile.layout_hash,
        start,
        end,
        rows: profile.rows,
        contentSha256: sha256(content),
        profile: sparse,
      }),
    );
    if (outcome === 'accepted') accepted++;
    else if (outcome === 'duplicate') duplicates++;
    else refuse(index, 'conflict', 'chunk_id: already stored with different content (the first is kept)');
  }
  if (refusedBy.conflict > 0)
    console.warn(
      JSON.stringify({
        event: 'ingest_conflict',
        kind: 'profiles',
        node_id: nodeId,
        conflicts: refusedBy.conflict,
      }),
    );
  return { accepted, duplicates, refused, refusedBy };
}
