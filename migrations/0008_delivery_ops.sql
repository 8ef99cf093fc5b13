ALTER TABLE "job_runs" ADD COLUMN "instance" text;--> statement-breakpoint
ALTER TABLE "job_runs" ADD COLUMN "outcome" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "locked_by" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "delivered_to" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "refused_to" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
CREATE INDEX "job_runs_job_idx" ON "job_runs" USING btree ("job","id");--> statement-breakpoint
CREATE INDEX "outbox_pending_created_idx" ON "outbox" USING btree ("created_at") WHERE status = 'pending';