-- Hand-written (issue 14, fleet drift): the whole fleet's 5-minute rollups.
--
-- Why: a fleet window's partial hours at its two edges were summed from every node's chunks (up to 22 chunks per
-- node, 1,100 for 50 nodes: two thirds of the keys a 30-day fleet report unnests). A chunk is now also added,
-- at ingest, into the fleet's rollup of the 5-minute period its start_at falls in (node_id '' only: a single
-- node's edges are a few chunks anyway), so a fleet window is whole days, whole hours, whole 5-minute periods,
-- and only the chunks that start in the partial 5 minutes at each edge.
ALTER TABLE "profile_rollups" DROP CONSTRAINT "profile_rollups_grain_check";--> statement-breakpoint
ALTER TABLE "profile_rollups" ADD CONSTRAINT "profile_rollups_grain_check" CHECK ("grain" in ('5min', 'hour', 'day'));--> statement-breakpoint
-- Chunks stored before this migration: their fleet 5-minute rollups, summed as ingest sums (bins add by key,
-- counts add, min/max widen, mean and M2 pooled), so a window reads the same whichever side of it they came.
INSERT INTO "profile_rollups" ("grain", "node_id", "model_version", "period_start", "rows", "chunks", "first_at", "last_at")
SELECT '5min', '', c.model_version, to_timestamp(floor(extract(epoch FROM c.start_at) / 300) * 300),
	sum(c.rows), count(*), min(c.start_at), max(c.end_at)
FROM "profile_chunks" c
GROUP BY c.model_version, to_timestamp(floor(extract(epoch FROM c.start_at) / 300) * 300);--> statement-breakpoint
INSERT INTO "profile_rollup_columns"
WITH parts AS (
	SELECT r.id AS rollup_id, p.kind, p.col, p.keys, p.counts, p.sums, p.labelled, p.positives, p.missing, p.invalid,
		p.unseen, p.n, p.min, p.max, p.mean, p.m2
	FROM "profile_chunks" c
	JOIN "profile_chunk_columns" p ON p.chunk_id = c.chunk_id
	JOIN "profile_rollups" r ON r.grain = '5min' AND r.node_id = '' AND r.model_version = c.model_version
		AND r.period_start = to_timestamp(floor(extract(epoch FROM c.start_at) / 300) * 300)
), scalars AS (
	SELECT rollup_id, kind, col, sum(missing)::bigint AS missing, sum(invalid)::bigint AS invalid,
		sum(unseen)::bigint AS unseen, sum(n)::bigint AS n, min(min) AS min, max(max) AS max,
		CASE WHEN sum(n) = 0 THEN 0 ELSE sum(n * mean) / sum(n)::float8 END AS mean,
		bool_or(sums IS NOT NULL) AS scored
	FROM parts GROUP BY rollup_id, kind, col
), m2 AS (
	SELECT p.rollup_id, p.kind, p.col,
		coalesce(sum(p.m2 + p.n * (p.mean - s.mean) ^ 2) FILTER (WHERE p.n > 0), 0) AS m2
	FROM parts p JOIN scalars s USING (rollup_id, kind, col) GROUP BY p.rollup_id, p.kind, p.col
), bins AS (
	SELECT rollup_id, kind, col, k, sum(c)::bigint AS c, sum(s) AS s, sum(l)::bigint AS l, sum(q)::bigint AS q
	FROM parts CROSS JOIN LATERAL unnest(keys, counts, sums, labelled, positives) AS u(k, c, s, l, q)
	GROUP BY rollup_id, kind, col, k
), arrays AS (
	SELECT rollup_id, kind, col, array_agg(k) AS keys, array_agg(c) AS counts, array_agg(s) AS sums,
		array_agg(l) AS labelled, array_agg(q) AS positives
	FROM bins GROUP BY rollup_id, kind, col
)
SELECT s.rollup_id, s.kind, s.col, coalesce(a.keys, '{}'), coalesce(a.counts, '{}'),
	CASE WHEN s.scored THEN a.sums END, CASE WHEN s.scored THEN a.labelled END,
	CASE WHEN s.scored THEN a.positives END,
	s.missing, s.invalid, s.unseen, s.n, s.min, s.max, s.mean, m.m2
FROM scalars s JOIN m2 m USING (rollup_id, kind, col) LEFT JOIN arrays a USING (rollup_id, kind, col);
