-- natscope schema version 4: each agent's tunnel and relay lines counted
-- per hour at ingest, and its latest sdwan_state kept with its state, so
-- that analysing a site reads about 24 small rows an agent instead of a
-- day of log events (see Store::RecentActivity).

CREATE TABLE agent_activity (
  site              text COLLATE "C" NOT NULL,
  agent_id          text COLLATE "C" NOT NULL,
  hour              timestamptz NOT NULL,  -- start of the hour (UTC) of the lines
  direct            integer NOT NULL,      -- analytics, tunnel_path "direct"
  relayed           integer NOT NULL,      -- analytics, tunnel_path "relayed"
  relay_unavailable integer NOT NULL,      -- relay_unavailable lines
  last_tunnel       timestamptz,           -- newest counted analytics line
  PRIMARY KEY (site, agent_id, hour)
);
CREATE INDEX agent_activity_hour ON agent_activity (hour);

ALTER TABLE agent_state ADD COLUMN sdwan_state text;
ALTER TABLE agent_state ADD COLUMN sdwan_state_time timestamptz;

-- What schema 3 already holds: two days of counts, and every agent's
-- newest sdwan_state line.
INSERT INTO agent_activity (site, agent_id, hour, direct, relayed,
                            relay_unavailable, last_tunnel)
  SELECT site, agent_id, date_trunc('hour', event_time, 'UTC'),
         count(*) FILTER (WHERE kind = 'analytics' AND
                                fields->>'tunnel_path' = 'direct'),
         count(*) FILTER (WHERE kind = 'analytics' AND
                                fields->>'tunnel_path' = 'relayed'),
         count(*) FILTER (WHERE kind = 'relay_unavailable'),
         max(event_time) FILTER (WHERE kind = 'analytics' AND
                                 fields->>'tunnel_path' IN ('direct', 'relayed'))
  FROM log_events
  WHERE kind IN ('analytics', 'relay_unavailable')
    AND event_time >= now() - interval '2 days'
  GROUP BY 1, 2, 3;
UPDATE agent_state s SET sdwan_state = x.state, sdwan_state_time = x.t
  FROM (SELECT DISTINCT ON (site, agent_id) site, agent_id,
               fields->>'state' AS state, event_time AS t
        FROM log_events WHERE kind = 'sdwan_state'
        ORDER BY site, agent_id, event_time DESC, id DESC) x
  WHERE s.site = x.site AND s.agent_id = x.agent_id;
