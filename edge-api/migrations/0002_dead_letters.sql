-- Dead letters: rows the centre answered it will not store (refused by validation, or a conflicting id), with its
-- reason. They are never shipped again and never deleted; /healthz counts them, GET /admin/dead-letters lists them.
ALTER TABLE predictions ADD COLUMN dead_at TEXT;
ALTER TABLE predictions ADD COLUMN dead_reason TEXT;
ALTER TABLE feedback ADD COLUMN dead_at TEXT;
ALTER TABLE feedback ADD COLUMN dead_reason TEXT;

DROP INDEX predictions_unsynced;
CREATE INDEX predictions_unsynced ON predictions (created_at, prediction_id)
  WHERE synced_at IS NULL AND dead_at IS NULL;
CREATE INDEX predictions_dead ON predictions (dead_at, prediction_id) WHERE dead_at IS NOT NULL;

DROP INDEX feedback_unsynced;
CREATE INDEX feedback_unsynced ON feedback (created_at, prediction_id) WHERE synced_at IS NULL AND dead_at IS NULL;
CREATE INDEX feedback_dead ON feedback (dead_at, prediction_id) WHERE dead_at IS NOT NULL;
