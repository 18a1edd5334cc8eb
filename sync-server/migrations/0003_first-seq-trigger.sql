-- Custom migration: an updated synced row remembers the seq it had before its first update, so the shape
-- endpoint can tell an update (first_seq <= the client's offset) from an insert.
CREATE OR REPLACE FUNCTION pmm_bump_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.first_seq := coalesce(OLD.first_seq, OLD.seq);
  NEW.seq := nextval('sync_seq');
  RETURN NEW;
END;
$$;
