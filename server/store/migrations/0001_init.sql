-- natscope schema version 1.
--
-- Enum columns hold the numbers of the natscope.v1 proto enums (see
-- proto/natscope/v1/verdict.proto). Identifiers use the "C" collation so
-- that they sort bytewise whatever the cluster's locale: pagination
-- compares agent ids, and clients compare them the same way.
-- uint64 values (epoch, sequence) are numeric(20, 0): bigint cannot hold
-- them all.

-- Registered agents. The credential itself is never stored, only its hash.
CREATE TABLE agents (
  agent_id        text COLLATE "C" PRIMARY KEY,
  site            text COLLATE "C" NOT NULL,
  role            smallint NOT NULL,  -- natscope.v1.Role
  hostname        text NOT NULL,
  version         text NOT NULL,
  credential_hash text NOT NULL UNIQUE,
  registered_at   timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agents_site ON agents (site, agent_id);

-- One row per committed batch: the server side of at-least-once delivery.
-- A batch whose (agent_id, epoch, sequence) is here is never stored again.
CREATE TABLE ingest_ledger (
  agent_id    text COLLATE "C" NOT NULL
              REFERENCES agents (agent_id) ON DELETE CASCADE,
  epoch       numeric(20, 0) NOT NULL CHECK (epoch >= 0),
  sequence    numeric(20, 0) NOT NULL CHECK (sequence >= 0),
  records     integer NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (agent_id, epoch, sequence)
);

-- Relevant lines of the product's logs, as parsed by the agents.
CREATE TABLE log_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- arrival
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
  FOREIGN KEY (agent_id, epoch, sequence)
    REFERENCES ingest_ledger ON DELETE CASCADE
);
CREATE INDEX log_events_agent_kind_time
  ON log_events (agent_id, kind, event_time);
CREATE INDEX log_events_batch ON log_events (agent_id, epoch, sequence);

-- Probe reports. The report itself is kept whole; the columns beside it
-- are what queries filter and aggregate on.
CREATE TABLE probe_reports (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- arrival
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
  FOREIGN KEY (agent_id, epoch, sequence)
    REFERENCES ingest_ledger ON DELETE CASCADE
);
CREATE INDEX probe_reports_agent_time ON probe_reports (agent_id, probe_time);
CREATE INDEX probe_reports_batch ON probe_reports (agent_id, epoch, sequence);

-- The latest known state of each agent that has sent anything, kept up to
-- date by every ingest so that dashboards need not scan the history.
-- "Latest" is by the fact's own time; NULL columns mean "never reported".
CREATE TABLE agent_state (
  agent_id           text COLLATE "C" PRIMARY KEY
                     REFERENCES agents (agent_id) ON DELETE CASCADE,
  last_seen          timestamptz NOT NULL,  -- arrival of the newest batch
  stun_nat_type      text,                  -- the product log's own value
  stun_nat_type_time timestamptz,
  probe_time         timestamptz,
  mapping            smallint,
  filtering          smallint,
  udp_reachable      boolean,
  public_address     text,
  probe_report       bytea                  -- serialized ProbeReport
);
