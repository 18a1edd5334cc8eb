CREATE TABLE "notes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"text" text NOT NULL,
	"author" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"seq" bigint DEFAULT nextval('sync_seq') NOT NULL,
	CONSTRAINT "notes_subject_type_check" CHECK ("notes"."subject_type" in ('model', 'drift_report')),
	CONSTRAINT "notes_text_length_check" CHECK (char_length("notes"."text") between 1 and 4000)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "notes_seq_idx" ON "notes" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "notes_subject_created_idx" ON "notes" USING btree ("subject_type","subject_id","created_at");--> statement-breakpoint
-- Added by hand: notes are append-only, like alias_history (so the shape only ever sends inserts).
CREATE TRIGGER notes_append_only BEFORE UPDATE OR DELETE ON notes FOR EACH ROW EXECUTE FUNCTION pmm_append_only();
