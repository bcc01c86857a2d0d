-- natscope schema version 9: the connectors' relay-listener errors
-- ('Failed to preconnect a relay listener "ice://any": 110 (Connection
-- timed out)', log kind relay_listener_failed), counted per agent and
-- hour at ingest beside relay_unavailable: the analysis reads them to
-- judge a connector's STUN discovery from its own log.

ALTER TABLE agent_activity
  ADD COLUMN relay_listener_errors integer NOT NULL DEFAULT 0;

-- What schema 8 already holds (lines an operator's own rule named so):
-- two days of counts, as schema 4 did for the other kinds.
INSERT INTO agent_activity (site, agent_id, hour, direct, relayed,
                            relay_unavailable, relay_listener_errors)
  SELECT site, agent_id, date_trunc('hour', event_time, 'UTC'), 0, 0, 0,
         count(*)
  FROM log_events
  WHERE kind = 'relay_listener_failed'
    AND event_time >= now() - interval '2 days'
  GROUP BY 1, 2, 3
ON CONFLICT (site, agent_id, hour) DO UPDATE
  SET relay_listener_errors = EXCLUDED.relay_listener_errors;
