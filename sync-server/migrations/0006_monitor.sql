-- Hand-written: label-free performance (CBPE) and multivariate drift per drift window, streaming detectors' state
-- and their alarms (pmm issues 13 and 16, "where they show up").
CREATE TABLE "monitor_windows" (
	"drift_report_id" bigint PRIMARY KEY NOT NULL REFERENCES "drift_reports"("id") ON DELETE CASCADE,
	"model_version" text NOT NULL,
	"node_id" text,
	"window_start" timestamp with time zone,
	"window_end" timestamp with time zone,
	"rows" integer NOT NULL,
	"labelled" integer NOT NULL,
	"performance" jsonb NOT NULL,
	"multivariate" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"seq" bigint DEFAULT nextval('sync_seq') NOT NULL,
	"first_seq" bigint
);
--> statement-breakpoint
CREATE UNIQUE INDEX "monitor_windows_seq_idx" ON "monitor_windows" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "monitor_windows_model_end_idx" ON "monitor_windows" USING btree ("model_version","window_end");--> statement-breakpoint
-- Realized values are refilled when feedback arrives: an update takes a new seq (the shape sends it as an update).
CREATE TRIGGER monitor_windows_bump_seq BEFORE UPDATE ON monitor_windows FOR EACH ROW EXECUTE FUNCTION pmm_bump_seq();--> statement-breakpoint
CREATE TABLE "detector_states" (
	"model_version" text NOT NULL,
	"stream" text NOT NULL,
	"method" text NOT NULL,
	"state" jsonb NOT NULL,
	"last_seq" bigint NOT NULL,
	"count" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "detector_states_model_version_stream_pk" PRIMARY KEY("model_version","stream"),
	CONSTRAINT "detector_states_stream_check" CHECK ("detector_states"."stream" in ('score', 'error'))
);
--> statement-breakpoint
CREATE TABLE "detector_alarms" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"model_version" text NOT NULL,
	"stream" text NOT NULL,
	"method" text NOT NULL,
	"position" bigint NOT NULL,
	"prediction_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"value" double precision NOT NULL,
	"drift_report_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"seq" bigint DEFAULT nextval('sync_seq') NOT NULL,
	CONSTRAINT "detector_alarms_stream_check" CHECK ("detector_alarms"."stream" in ('score', 'error'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "detector_alarms_seq_idx" ON "detector_alarms" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "detector_alarms_model_at_idx" ON "detector_alarms" USING btree ("model_version","at");--> statement-breakpoint
-- Alarms are append-only, like alias_history and notes (the shape only ever sends inserts).
CREATE TRIGGER detector_alarms_append_only BEFORE UPDATE OR DELETE ON detector_alarms FOR EACH ROW EXECUTE FUNCTION pmm_append_only();
