-- A lost key reissued to the reporter's own address (access_key_reissue) is not told to the
-- agency: seen there, it would confirm a guess of who a confidential reporter is (ask for a key
-- with a suspect's address, watch the case). The function of 0016 with that action left out.
CREATE OR REPLACE FUNCTION webhook_deliveries_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
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
      WHERE e.action NOT IN ('assign', 'return', 'receive', 'access_key_reissue') AND k.agency_id IS NOT NULL
  ) x
  JOIN cases c ON c.id = x.case_id
  JOIN webhooks w ON w.agency_id = x.agency_id AND w.active AND x.event_type = ANY (w.events)
  ORDER BY x.event_id, x.ord, w.id;
  RETURN NULL;
END;
$$;
