-- natscope schema version 6: the agents' own health (docs/server.md).
--
--  * agent_state keeps what the agent's newest batch said of the agent
--    itself: the natscope-agent version it named and its counters (a
--    serialized natscope.v1.AgentCounters). "Newest" goes by the batch's
--    send time, never later than its arrival (its arrival when it has no
--    send time), kept in self_report_time; a batch ranked older, or a
--    duplicate, leaves them as they are.

ALTER TABLE agent_state ADD COLUMN agent_version text;
ALTER TABLE agent_state ADD COLUMN counters bytea;
ALTER TABLE agent_state ADD COLUMN self_report_time timestamptz;
