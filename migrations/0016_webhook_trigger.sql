-- Webhook deliveries are written by the transaction that writes the timeline event (every change
-- to a case appends one: workflow actions, intake with automatic assignment, escalation firings,
-- deadline recomputations), whichever code path wrote it. One statement per insert into case_events.
--   assign (from another agency) -> case.left_agency to the agency it left, case.assigned to the new one
--   return                       -> case.left_agency to the agency that returned it
--   escalate                     -> case.escalated to the case's agency
--   receive                      -> nothing (no agency yet; an automatic assignment follows as assign)
--   anything else                -> case.updated to the case's agency, if it has one
CREATE FUNCTION webhook_deliveries_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM webhooks WHERE active) THEN
    RETURN NULL;
  END IF;
  INSERT INTO webhook_deliveries (webhook_id, event_type, case_id, event_id, case_version, event_at, status, next_attempt_at, created_at)
  SELECT w.id, x.event_type, x.case_id, x.event_id, c.version, x.at, 'pending', x.at, x.at
  FROM (
    SELECT e.id AS event_id, e.case_id, e.at, 'case.left_agency' AS event_type, (e.data->>'fromAgencyId')::int AS agency_id, 0 AS ord
      FROM new_events e WHERE e.action IN ('assign', 'return') AND e.data->>'fromAgencyId' IS NOT NULL
    UNION ALL
    SELECT e.id, e.case_id, e.at, 'case.assigned', (e.data->>'agencyId')::int, 1
      FROM new_events e WHERE e.action = 'assign' AND e.data->>'agencyId' IS NOT NULL
    UNION ALL
    SELECT e.id, e.case_id, e.at, CASE WHEN e.action = 'escalate' THEN 'case.escalated' ELSE 'case.updated' END, k.agency_id, 2
      FROM new_events e JOIN cases k ON k.id = e.case_id
      WHERE e.action NOT IN ('assign', 'return', 'receive') AND k.agency_id IS NOT NULL
  ) x
  JOIN cases c ON c.id = x.case_id
  JOIN webhooks w ON w.agency_id = x.agency_id AND w.active AND x.event_type = ANY (w.events)
  ORDER BY x.event_id, x.ord, w.id;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER case_events_webhooks AFTER INSERT ON case_events
  REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_enqueue();
