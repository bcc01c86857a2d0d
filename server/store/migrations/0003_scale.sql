-- natscope schema version 3: scale and reports.
--
--  * Every table that grows with the fleet carries `site`, and its primary
--    key starts with it: the distribution column when the schema is taken
--    by Citus (docs/scaling.md). `agents` stays keyed by agent_id (a Citus
--    reference table); nothing else references across sites.
--  * log_events and probe_reports are partitioned by day of arrival
--    (received_at, UTC), so that retention drops whole partitions instead
--    of deleting rows. The server creates partitions ahead of time and on
--    demand (see PostgresStore::EnsurePartitions); names are
--    <table>_pYYYYMMDD.
--  * site_health keeps each site's analysed summary, recomputed when its
--    agents send something (site_dirty) and on a periodic sweep, so that
--    listing 10,000 sites reads 10,000 rows instead of analysing 200,000
--    agents. site_trend keeps one point per site and hour.
--  * report_schedules and report_runs hold scheduled reports; the UNIQUE
--    (schedule_id, scheduled_for) key is what makes a run happen exactly
--    once when several servers share the database.

-- The ledger: site added, part of the key. Old rows take their agent's
-- current site.
ALTER TABLE ingest_ledger ADD COLUMN site text COLLATE "C";
UPDATE ingest_ledger l SET site = a.site FROM agents a
  WHERE a.agent_id = l.agent_id;
DELETE FROM ingest_ledger WHERE site IS NULL;
ALTER TABLE ingest_ledger ALTER COLUMN site SET NOT NULL;
ALTER TABLE log_events DROP CONSTRAINT log_events_agent_id_epoch_sequence_fkey;
ALTER TABLE probe_reports
  DROP CONSTRAINT probe_reports_agent_id_epoch_sequence_fkey;
ALTER TABLE ingest_ledger DROP CONSTRAINT ingest_ledger_pkey;
ALTER TABLE ingest_ledger ADD PRIMARY KEY (site, agent_id, epoch, sequence);
CREATE INDEX ingest_ledger_received ON ingest_ledger (received_at);

-- Log events, partitioned. The old table's rows move over.
CREATE SEQUENCE log_events_arrival_seq AS bigint;
CREATE TABLE log_events_v3 (
  site        text COLLATE "C" NOT NULL,
  id          bigint NOT NULL DEFAULT nextval('log_events_arrival_seq'),  -- arrival
  agent_id    text COLLATE "C" NOT NULL,
  epoch       numeric(20, 0) NOT NULL,
  sequence    numeric(20, 0) NOT NULL,
  event_time  timestamptz NOT NULL,
  source_file text NOT NULL,
  severity    smallint NOT NULL,  -- natscope.v1.LogSeverity
  component   text NOT NULL,
  kind        text NOT NULL,      -- the parser rule, e.g. 'stun_nat_type'
  fields      jsonb NOT NULL,     -- {"nat_type": "endpoint-independent"}
  raw_line    text NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (site, received_at, id)
) PARTITION BY RANGE (received_at);

CREATE SEQUENCE probe_reports_arrival_seq AS bigint;
CREATE TABLE probe_reports_v3 (
  site           text COLLATE "C" NOT NULL,
  id             bigint NOT NULL DEFAULT nextval('probe_reports_arrival_seq'),
  agent_id       text COLLATE "C" NOT NULL,
  epoch          numeric(20, 0) NOT NULL,
  sequence       numeric(20, 0) NOT NULL,
  probe_time     timestamptz NOT NULL,
  mapping        smallint NOT NULL,  -- natscope.v1.MappingBehavior
  filtering      smallint NOT NULL,  -- natscope.v1.FilteringBehavior
  udp_reachable  boolean NOT NULL,
  public_address text NOT NULL,
  report         bytea NOT NULL,     -- serialized natscope.v1.ProbeReport
  received_at    timestamptz NOT NULL,
  PRIMARY KEY (site, received_at, id)
) PARTITION BY RANGE (received_at);

-- One partition per day that already holds rows, then the move.
DO $$
DECLARE
  day date;
  t text;
BEGIN
  FOR t IN SELECT unnest(ARRAY['log_events', 'probe_reports']) LOOP
    FOR day IN EXECUTE format(
        'SELECT DISTINCT (received_at AT TIME ZONE ''UTC'')::date FROM %I', t)
    LOOP
      EXECUTE format(
        'CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
        t || '_p' || to_char(day, 'YYYYMMDD'), t || '_v3',
        (day::timestamp AT TIME ZONE 'UTC'),
        ((day + 1)::timestamp AT TIME ZONE 'UTC'));
    END LOOP;
  END LOOP;
END $$;

INSERT INTO log_events_v3 (site, id, agent_id, epoch, sequence, event_time,
    source_file, severity, component, kind, fields, raw_line, received_at)
  SELECT a.site, e.id, e.agent_id, e.epoch, e.sequence, e.event_time,
         e.source_file, e.severity, e.component, e.kind, e.fields,
         e.raw_line, e.received_at
  FROM log_events e JOIN agents a USING (agent_id);
INSERT INTO probe_reports_v3 (site, id, agent_id, epoch, sequence,
    probe_time, mapping, filtering, udp_reachable, public_address, report,
    received_at)
  SELECT a.site, p.id, p.agent_id, p.epoch, p.sequence, p.probe_time,
         p.mapping, p.filtering, p.udp_reachable, p.public_address, p.report,
         p.received_at
  FROM probe_reports p JOIN agents a USING (agent_id);
SELECT setval('log_events_arrival_seq',
              COALESCE((SELECT max(id) FROM log_events), 0) + 1, false);
SELECT setval('probe_reports_arrival_seq',
              COALESCE((SELECT max(id) FROM probe_reports), 0) + 1, false);
DROP TABLE log_events;
DROP TABLE probe_reports;
ALTER TABLE log_events_v3 RENAME TO log_events;
ALTER TABLE probe_reports_v3 RENAME TO probe_reports;
ALTER SEQUENCE log_events_arrival_seq OWNED BY log_events.id;
ALTER SEQUENCE probe_reports_arrival_seq OWNED BY probe_reports.id;
CREATE INDEX log_events_agent_kind_time
  ON log_events (site, agent_id, kind, event_time);
CREATE INDEX probe_reports_agent_time
  ON probe_reports (site, agent_id, probe_time);

-- The latest state: keyed by (site, agent_id). An agent that moves to
-- another site starts a new row (UpsertAgent deletes the old one).
ALTER TABLE agent_state ADD COLUMN site text COLLATE "C";
UPDATE agent_state s SET site = a.site FROM agents a
  WHERE a.agent_id = s.agent_id;
ALTER TABLE agent_state ALTER COLUMN site SET NOT NULL;
ALTER TABLE agent_state DROP CONSTRAINT agent_state_pkey;
ALTER TABLE agent_state ADD PRIMARY KEY (site, agent_id);

-- Sites whose agents sent something since site_health was last computed.
-- Ingest inserts with ON CONFLICT DO NOTHING (no row lock on the hot
-- path); the refresher claims rows with FOR UPDATE SKIP LOCKED.
CREATE TABLE site_dirty (
  site  text COLLATE "C" PRIMARY KEY,
  since timestamptz NOT NULL
);

-- Each site's analysed summary (a serialized natscope.v1.SiteSummary); the
-- columns beside it are what lists sort on.
CREATE TABLE site_health (
  site           text COLLATE "C" PRIMARY KEY,
  severity_score bigint NOT NULL,
  summary        bytea NOT NULL,
  computed_at    timestamptz NOT NULL
);
CREATE INDEX site_health_worst ON site_health (severity_score DESC, site);

-- One point per site and hour (UTC): the latest analysis within the hour.
CREATE TABLE site_trend (
  site        text COLLATE "C" NOT NULL,
  bucket      timestamptz NOT NULL,   -- start of the hour
  clients     integer NOT NULL,
  p2p_clients integer NOT NULL,
  connectors  integer NOT NULL,
  computed_at timestamptz NOT NULL,
  PRIMARY KEY (site, bucket)
);
CREATE INDEX site_trend_bucket ON site_trend (bucket);

-- Report schedules (a serialized natscope.v1.ReportSchedule beside the
-- columns the scheduler reads).
CREATE TABLE report_schedules (
  schedule_id text COLLATE "C" PRIMARY KEY,
  schedule    bytea NOT NULL,
  enabled     boolean NOT NULL,
  created_at  timestamptz NOT NULL
);

-- Every report produced. trigger: 'schedule' or 'on_demand'. A scheduled
-- run is claimed by inserting its (schedule_id, scheduled_for) row; the
-- server whose insert wins produces it.
CREATE TABLE report_runs (
  run_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  schedule_id   text COLLATE "C" NOT NULL,   -- '' for on-demand runs
  scheduled_for timestamptz NOT NULL,
  trigger       text NOT NULL CHECK (trigger IN ('schedule', 'on_demand')),
  started_at    timestamptz NOT NULL,
  finished_at   timestamptz,
  status        smallint NOT NULL,           -- natscope.v1.ReportRunStatus
  format        smallint NOT NULL,           -- natscope.v1.ReportFormat
  content_path  text NOT NULL DEFAULT '',
  error         text NOT NULL DEFAULT '',
  content       bytea,                       -- the rendered report
  claimed_by    text NOT NULL                -- host:pid of the server
);
CREATE UNIQUE INDEX report_runs_once ON report_runs (schedule_id, scheduled_for)
  WHERE trigger = 'schedule';
CREATE INDEX report_runs_by_schedule
  ON report_runs (schedule_id, scheduled_for DESC);

-- Every site known so far gets its health computed on first refresh.
INSERT INTO site_dirty (site, since)
  SELECT DISTINCT site, now() FROM agents ON CONFLICT DO NOTHING;
