-- Pauses counted in the deadline's own unit (docs/sla.md, "Pauses"): every SLA policy in force
-- that predates the rule gets a new version with "pauseRule": "by_unit"; the old version is
-- superseded. Cases keep the policy frozen on them at receipt, so their deadlines do not move.
WITH cur AS (
  SELECT p.id, p.kind, p.priority, p.category_id, p.policy,
    (SELECT max(v.version) FROM sla_policies v
      WHERE v.kind = p.kind AND v.priority = p.priority AND v.category_id IS NOT DISTINCT FROM p.category_id) + 1 AS next_version
  FROM sla_policies p
  WHERE p.superseded_at IS NULL AND NOT (p.policy ? 'pauseRule')
), sup AS (
  UPDATE sla_policies SET superseded_at = now() WHERE id IN (SELECT id FROM cur) RETURNING id
)
INSERT INTO sla_policies (kind, priority, category_id, version, policy, effective_from, created_at)
SELECT kind, priority, category_id, next_version,
  policy || jsonb_build_object('pauseRule', 'by_unit', 'version', next_version), now(), now()
FROM cur;
