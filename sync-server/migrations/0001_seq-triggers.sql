-- Custom migration: what drizzle-kit cannot express. PostgreSQL 15 and PGlite (18) both run it.
-- 1. Every update of a synced row takes a new `seq`, so a shape endpoint paging by seq sees the change.
CREATE FUNCTION pmm_bump_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.seq := nextval('sync_seq');
  RETURN NEW;
END;
$$;--> statement-breakpoint
CREATE TRIGGER predictions_bump_seq BEFORE UPDATE ON predictions FOR EACH ROW EXECUTE FUNCTION pmm_bump_seq();--> statement-breakpoint
CREATE TRIGGER feedback_bump_seq BEFORE UPDATE ON feedback FOR EACH ROW EXECUTE FUNCTION pmm_bump_seq();--> statement-breakpoint
CREATE TRIGGER models_bump_seq BEFORE UPDATE ON models FOR EACH ROW EXECUTE FUNCTION pmm_bump_seq();--> statement-breakpoint
CREATE TRIGGER drift_reports_bump_seq BEFORE UPDATE ON drift_reports FOR EACH ROW EXECUTE FUNCTION pmm_bump_seq();--> statement-breakpoint
-- 2. alias_history is append-only.
CREATE FUNCTION pmm_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;--> statement-breakpoint
CREATE TRIGGER alias_history_append_only BEFORE UPDATE OR DELETE ON alias_history FOR EACH ROW EXECUTE FUNCTION pmm_append_only();
