ALTER TABLE "audit_samples" ADD COLUMN "population" integer;--> statement-breakpoint
ALTER TABLE "audit_samples" ADD COLUMN "snapshot" jsonb;