CREATE TABLE "shape_epochs" (
	"table_name" text PRIMARY KEY NOT NULL,
	"epoch" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "drift_reports" ADD COLUMN "first_seq" bigint;--> statement-breakpoint
ALTER TABLE "feedback" ADD COLUMN "first_seq" bigint;--> statement-breakpoint
ALTER TABLE "models" ADD COLUMN "first_seq" bigint;--> statement-breakpoint
ALTER TABLE "predictions" ADD COLUMN "first_seq" bigint;