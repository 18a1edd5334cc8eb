-- Written by hand (drizzle-kit's draft could not name the old primary key): several named models, as in MLflow's
-- registry. Every existing row belongs to the built-in demo's name, `churn`.
ALTER TABLE "models" ADD COLUMN "name" text DEFAULT 'churn' NOT NULL;--> statement-breakpoint
ALTER TABLE "model_aliases" ADD COLUMN "name" text DEFAULT 'churn' NOT NULL;--> statement-breakpoint
ALTER TABLE "model_aliases" DROP CONSTRAINT "model_aliases_pkey";--> statement-breakpoint
ALTER TABLE "model_aliases" ADD CONSTRAINT "model_aliases_pkey" PRIMARY KEY("name","alias");--> statement-breakpoint
ALTER TABLE "alias_history" ADD COLUMN "name" text DEFAULT 'churn' NOT NULL;--> statement-breakpoint
ALTER TABLE "drift_reports" ADD COLUMN "model_name" text DEFAULT 'churn' NOT NULL;--> statement-breakpoint
ALTER TABLE "node_pushes" ADD COLUMN "name" text DEFAULT 'churn' NOT NULL;--> statement-breakpoint
ALTER TABLE "retrain_runs" ADD COLUMN "model_name" text DEFAULT 'churn' NOT NULL;--> statement-breakpoint
CREATE INDEX "alias_history_name_alias_idx" ON "alias_history" USING btree ("name","alias","id");--> statement-breakpoint
CREATE INDEX "drift_reports_name_created_idx" ON "drift_reports" USING btree ("model_name","created_at");--> statement-breakpoint
CREATE INDEX "models_name_created_idx" ON "models" USING btree ("name","created_at");
