-- The edge node's prediction log: every prediction, the true outcome when it is known, and what the centre has.
CREATE TABLE predictions (
  prediction_id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  node_id TEXT NOT NULL,
  model_version TEXT NOT NULL,
  features TEXT NOT NULL,
  probability REAL NOT NULL,
  label INTEGER NOT NULL CHECK (label IN (0, 1)),
  -- NULL until the sync server answered 2xx for a batch holding this row.
  synced_at TEXT
);
CREATE INDEX predictions_unsynced ON predictions (created_at, prediction_id) WHERE synced_at IS NULL;

-- One outcome per prediction; a correction replaces it and clears synced_at so it ships again.
CREATE TABLE feedback (
  prediction_id TEXT PRIMARY KEY REFERENCES predictions (prediction_id),
  outcome INTEGER NOT NULL CHECK (outcome IN (0, 1)),
  created_at TEXT NOT NULL,
  synced_at TEXT
);
CREATE INDEX feedback_unsynced ON feedback (created_at, prediction_id) WHERE synced_at IS NULL;

-- Small key/value state: counters and the last successful sync.
CREATE TABLE node_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
