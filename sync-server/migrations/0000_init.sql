CREATE SEQUENCE "public"."sync_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "alias_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"alias" text NOT NULL,
	"from_version" text,
	"to_version" text,
	"actor" text NOT NULL,
	"reason" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"seq" bigint DEFAULT nextval('sync_seq') NOT NULL
);
--> statement-breakpoint
CREATE TABLE "drift_reports" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"model_version" text NOT NULL,
	"node_id" text,
	"window" jsonb NOT NULL,
	"report" jsonb NOT NULL,
	"dataset_drift" boolean NOT NULL,
	"drift_share" double precision NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"seq" bigint DEFAULT nextval('sync_seq') NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feedback" (
	"prediction_id" uuid PRIMARY KEY NOT NULL,
	"outcome" smallint NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"seq" bigint DEFAULT nextval('sync_seq') NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"request_sha256" text NOT NULL,
	"status" integer NOT NULL,
	"response" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "model_aliases" (
	"alias" text PRIMARY KEY NOT NULL,
	"version" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "models" (
	"version" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"registered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"registered_by" text,
	"parent_version" text,
	"training_data_sha256" text NOT NULL,
	"onnx_sha256" text NOT NULL,
	"onnx_bytes" integer NOT NULL,
	"metrics" jsonb NOT NULL,
	"card" jsonb NOT NULL,
	"onnx" "bytea" NOT NULL,
	"seq" bigint DEFAULT nextval('sync_seq') NOT NULL
);
--> statement-breakpoint
CREATE TABLE "node_pushes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"node_id" text NOT NULL,
	"version" text NOT NULL,
	"attempt" integer NOT NULL,
	"status" text NOT NULL,
	"http_status" integer,
	"error" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "nodes" (
	"node_id" text PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"admin_token" text NOT NULL,
	"registered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_contact_at" timestamp with time zone,
	"active_model_version" text,
	"active_model_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "predictions" (
	"prediction_id" uuid PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"node_id" text NOT NULL,
	"model_version" text NOT NULL,
	"features" jsonb NOT NULL,
	"probability" double precision NOT NULL,
	"label" smallint NOT NULL,
	"seq" bigint DEFAULT nextval('sync_seq') NOT NULL
);
--> statement-breakpoint
CREATE TABLE "retrain_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"trigger" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"challenger_version" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"role" text NOT NULL,
	"node_id" text,
	"sha256" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_prediction_id_predictions_prediction_id_fk" FOREIGN KEY ("prediction_id") REFERENCES "public"."predictions"("prediction_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_aliases" ADD CONSTRAINT "model_aliases_version_models_version_fk" FOREIGN KEY ("version") REFERENCES "public"."models"("version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "node_pushes" ADD CONSTRAINT "node_pushes_node_id_nodes_node_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("node_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tokens" ADD CONSTRAINT "tokens_node_id_nodes_node_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("node_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alias_history_seq_idx" ON "alias_history" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "alias_history_alias_idx" ON "alias_history" USING btree ("alias","id");--> statement-breakpoint
CREATE UNIQUE INDEX "drift_reports_seq_idx" ON "drift_reports" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "drift_reports_model_created_idx" ON "drift_reports" USING btree ("model_version","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "feedback_seq_idx" ON "feedback" USING btree ("seq");--> statement-breakpoint
CREATE UNIQUE INDEX "models_seq_idx" ON "models" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "models_created_idx" ON "models" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "node_pushes_node_idx" ON "node_pushes" USING btree ("node_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "predictions_seq_idx" ON "predictions" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "predictions_model_created_idx" ON "predictions" USING btree ("model_version","created_at");--> statement-breakpoint
CREATE INDEX "predictions_node_created_idx" ON "predictions" USING btree ("node_id","created_at");--> statement-breakpoint
CREATE INDEX "retrain_runs_status_idx" ON "retrain_runs" USING btree ("status","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "tokens_sha256_idx" ON "tokens" USING btree ("sha256");