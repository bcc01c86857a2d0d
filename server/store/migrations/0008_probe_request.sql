-- natscope schema version 8: probe requests (AdminService.RequestProbe).
--
--  * agents.probe_requested_at: when an admin asked the agent to probe;
--    NULL when no request is pending. Ingest reads it with the agent's
--    registration (no extra round trip) and tells the agent; it is
--    cleared by the first probe report that started after it.

ALTER TABLE agents ADD COLUMN probe_requested_at timestamptz;
