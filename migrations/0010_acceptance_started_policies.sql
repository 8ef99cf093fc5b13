-- Khiếu nại and tố cáo: the resolution clock starts at acceptance (thụ lý).
-- 1. Each case's first acceptance, from its timeline (kept through returns from now on).
UPDATE "cases" c SET "first_accepted_at" = e.at
FROM (SELECT case_id, min(at) AS at FROM case_events WHERE action = 'accept' GROUP BY case_id) e
WHERE c.id = e.case_id AND c.first_accepted_at IS NULL;
--> statement-breakpoint
-- 2. A new version of every khieu_nai and to_cao policy in force (general and category-specific)
-- that still counts from receipt: the same policy with resolutionStartsAt = acceptance. Cases
-- already received keep the policy frozen on them. A fresh installation has no policies yet here:
-- its seed writes the defaults, which already count from acceptance.
WITH cur AS (
  SELECT id, kind, priority, category_id, policy FROM sla_policies
  WHERE superseded_at IS NULL AND kind IN ('khieu_nai', 'to_cao')
    AND coalesce(policy->>'resolutionStartsAt', 'receipt') <> 'acceptance'
), top AS (
  SELECT kind, priority, category_id, max(version) AS v FROM sla_policies GROUP BY kind, priority, category_id
), gone AS (
  UPDATE sla_policies p SET superseded_at = now() FROM cur WHERE p.id = cur.id RETURNING p.id
)
INSERT INTO sla_policies (kind, priority, category_id, version, policy, effective_from, created_at)
SELECT cur.kind, cur.priority, cur.category_id, t.v + 1,
  cur.policy || jsonb_build_object('version', t.v + 1, 'resolutionStartsAt', 'acceptance'),
  now(), now()
FROM cur JOIN top t ON t.kind = cur.kind AND t.priority = cur.priority AND t.category_id IS NOT DISTINCT FROM cur.category_id;
