-- Drift at the edge: profile chunks of the prediction log (one per model version and 5-minute chunk), the
-- streaming detectors' state per model version, and an index for reading one version's log by time.

-- A chunk's profile holds exactly the chunk's predictions with rowid <= built_upto (rebuilt whole, so the cron
-- may run any number of times). synced_at: the centre answered for it; dead_at/dead_reason: it refused it
-- (a dead letter, never sent again, counted in /healthz).
CREATE TABLE profile_chunks (
  chunk_id TEXT PRIMARY KEY,
  model_name TEXT NOT NULL,
  model_version TEXT NOT NULL,
  start TEXT NOT NULL,
  "end" TEXT NOT NULL,
  rows INTEGER NOT NULL,
  labelled INTEGER NOT NULL,
  profile TEXT NOT NULL,
  built_upto INTEGER NOT NULL,
  built_at TEXT NOT NULL,
  synced_at TEXT,
  dead_at TEXT,
  dead_reason TEXT
);
CREATE INDEX profile_chunks_window ON profile_chunks (model_version, start);
CREATE INDEX profile_chunks_unsynced ON profile_chunks ("end", chunk_id) WHERE synced_at IS NULL AND dead_at IS NULL;

-- One detector per model version and method over the score stream, fed in log order up to fed_upto (a rowid).
CREATE TABLE detector_state (
  model_version TEXT NOT NULL,
  method TEXT NOT NULL,
  state TEXT NOT NULL,
  fed_upto INTEGER NOT NULL,
  rows_seen INTEGER NOT NULL,
  detections INTEGER NOT NULL,
  detected_at TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (model_version, method)
);

CREATE INDEX predictions_version_time ON predictions (model_version, created_at);
-- The chunker finds outcomes recorded since its feedback watermark.
CREATE INDEX feedback_time ON feedback (created_at);
