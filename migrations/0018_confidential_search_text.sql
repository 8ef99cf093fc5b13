-- A confidential case's search text holds no trace of its reporter's identity (agency roles
-- search it). Rows written before this rule are blanked here; the start-up refills them with
-- the masked text (src/db/data-fixes.ts), since the masking is the service's own code.
UPDATE "cases" SET "search_text" = '' WHERE "confidential";
