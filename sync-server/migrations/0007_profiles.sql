-- Hand-written (issue 14, fleet drift): edge profile chunks and their hourly and daily rollups.
--
-- Why this layout: a fleet report over 30 days of 50 edges in 5-minute chunks covers 432,000 chunks, and must
-- be summed inside PostgreSQL. Each chunk is kept once, as sent but sparse (`profile_chunks.profile`, only the
-- non-zero bins and categories: also the app's shape), and is added at ingest, in the same transaction, into
-- four rollups: its node's hour and day and the whole fleet's hour and day (node_id '' = every node), summed
-- with INSERT … ON CONFLICT DO UPDATE. A rollup keeps one row per column with parallel arrays (keys, counts,
-- and for the score the score sums and label counts), so a window [from, to) is the sum of its whole days'
-- rollups (~30 rows per column), the whole hours at its two edges (≤ 46) and the chunks of the partial hours
-- at the edges (≤ 22 per node; their columns kept as typed arrays in `profile_chunk_columns`), all unnested
-- and grouped in one query. A chunk belongs to the hour and day
-- its `start_at` falls in (UTC), so the three levels never overlap.
CREATE TABLE "profile_chunks" (
	"chunk_id" text PRIMARY KEY NOT NULL,
	"node_id" text NOT NULL,
	"model_version" text NOT NULL,
	"layout_hash" text NOT NULL,
	"start_at" timestamp with time zone NOT NULL,
	"end_at" timestamp with time zone NOT NULL,
	"rows" bigint NOT NULL,
	"content_sha256" text NOT NULL,
	"profile" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"seq" bigint DEFAULT nextval('sync_seq') NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "profile_chunks_seq_idx" ON "profile_chunks" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "profile_chunks_version_start_idx" ON "profile_chunks" USING btree ("model_version","start_at");--> statement-breakpoint
CREATE INDEX "profile_chunks_node_start_idx" ON "profile_chunks" USING btree ("model_version","node_id","start_at");--> statement-breakpoint
-- Chunks are never changed (a resent chunk is a duplicate or a conflict): the shape only ever sends inserts.
CREATE TRIGGER profile_chunks_append_only BEFORE UPDATE OR DELETE ON profile_chunks FOR EACH ROW EXECUTE FUNCTION pmm_append_only();--> statement-breakpoint
CREATE TABLE "profile_rollups" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"grain" text NOT NULL,
	"node_id" text NOT NULL,
	"model_version" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"rows" bigint NOT NULL,
	"chunks" bigint NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "profile_rollups_grain_check" CHECK ("grain" in ('hour', 'day'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "profile_rollups_key_idx" ON "profile_rollups" USING btree ("model_version","node_id","grain","period_start");--> statement-breakpoint
-- kind: 'n' numerical (keys: bin indexes), 'c' categorical (keys: categories), 's' the score (col '', keys: bins).
CREATE TABLE "profile_rollup_columns" (
	"rollup_id" bigint NOT NULL REFERENCES "profile_rollups"("id") ON DELETE CASCADE,
	"kind" text NOT NULL,
	"col" text NOT NULL,
	"keys" text[] NOT NULL,
	"counts" bigint[] NOT NULL,
	"sums" double precision[],
	"labelled" bigint[],
	"positives" bigint[],
	"missing" bigint NOT NULL,
	"invalid" bigint NOT NULL,
	"unseen" bigint NOT NULL,
	"n" bigint NOT NULL,
	"min" double precision,
	"max" double precision,
	"mean" double precision NOT NULL,
	"m2" double precision NOT NULL,
	PRIMARY KEY ("rollup_id", "kind", "col")
);
--> statement-breakpoint
-- Each chunk's columns as typed arrays (parsed once at ingest from `profile`), so the chunks at a window's
-- edges are summed as cheaply as rollups (parsing jsonb per query costs ~4 ms a chunk).
CREATE TABLE "profile_chunk_columns" (
	"chunk_id" text NOT NULL REFERENCES "profile_chunks"("chunk_id"),
	"kind" text NOT NULL,
	"col" text NOT NULL,
	"keys" text[] NOT NULL,
	"counts" bigint[] NOT NULL,
	"sums" double precision[],
	"labelled" bigint[],
	"positives" bigint[],
	"missing" bigint NOT NULL,
	"invalid" bigint NOT NULL,
	"unseen" bigint NOT NULL,
	"n" bigint NOT NULL,
	"min" double precision,
	"max" double precision,
	"mean" double precision NOT NULL,
	"m2" double precision NOT NULL,
	PRIMARY KEY ("chunk_id", "kind", "col")
);
--> statement-breakpoint
-- A sparse chunk profile (sync-server/src/profiles/sparse.ts) as rows of the rollup columns' shape.
CREATE FUNCTION pmm_profile_parts(p jsonb) RETURNS TABLE (
	kind text, col text, keys text[], counts bigint[], sums double precision[], labelled bigint[],
	positives bigint[], missing bigint, invalid bigint, unseen bigint, n bigint, min double precision,
	max double precision, mean double precision, m2 double precision
) LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE c.value->>'type' WHEN 'numerical' THEN 'n' ELSE 'c' END, c.key,
		ARRAY(SELECT jsonb_array_elements_text(c.value->'keys')),
		translate((c.value->'counts')::text, '[]', '{}')::bigint[],
		NULL::double precision[], NULL::bigint[], NULL::bigint[],
		coalesce((c.value->>'missing')::bigint, 0), coalesce((c.value->>'invalid')::bigint, 0),
		coalesce((c.value->>'unseen')::bigint, 0), coalesce((c.value->>'n')::bigint, 0),
		(c.value->>'min')::double precision, (c.value->>'max')::double precision,
		coalesce((c.value->>'mean')::double precision, 0), coalesce((c.value->>'m2')::double precision, 0)
	FROM jsonb_each(p->'columns') c
	UNION ALL
	SELECT 's', '', ARRAY(SELECT jsonb_array_elements_text(s->'keys')),
		translate((s->'counts')::text, '[]', '{}')::bigint[],
		translate((s->'score_sum')::text, '[]', '{}')::double precision[],
		translate((s->'labelled')::text, '[]', '{}')::bigint[],
		translate((s->'positives')::text, '[]', '{}')::bigint[],
		0, 0, 0, 0, NULL, NULL, 0, 0
	FROM (SELECT p->'score' AS s) x WHERE jsonb_typeof(s) = 'object'
$$;
