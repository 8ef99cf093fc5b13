CREATE INDEX "cases_agency_due_idx" ON "cases" USING btree ("agency_id","resolve_due_at","id");--> statement-breakpoint
CREATE INDEX "cases_due_id_idx" ON "cases" USING btree ("resolve_due_at","id");