-- natscope schema version 10: intake, log lines that fleets' own log
-- shippers send (syslog, OTLP/HTTP) for hosts without natscope-agent.
--  * enrollment_tokens gain a purpose: 0 enrolls agents (as before), 1 is
--    an intake token, which a shipper presents with every message; an
--    intake token gives its hosts a default role (natscope.v1.Role).
--  * agents.intake marks a log-only agent that intake registered for a
--    sending host: it has no credential and never probes.
--  * intake_seen remembers the digest of every intake record stored (the
--    host, the line and its time), so that a shipper's retry of a message
--    already stored is recognised; rows older than the dedup window go.

ALTER TABLE enrollment_tokens ADD COLUMN purpose smallint NOT NULL DEFAULT 0;
ALTER TABLE enrollment_tokens ADD COLUMN default_role smallint NOT NULL
  DEFAULT 0;
ALTER TABLE agents ADD COLUMN intake boolean NOT NULL DEFAULT false;

-- The digest covers the agent id (intake_digest.h), and an agent id is
-- registered at one site: the digest alone is the key, which keeps the
-- index small. Retention deletes by seen_at, which follows insertion
-- order: a BRIN index costs next to nothing to keep.
CREATE TABLE intake_seen (
  digest   bytea PRIMARY KEY,
  site     text COLLATE "C" NOT NULL,
  agent_id text COLLATE "C" NOT NULL,
  seen_at  timestamptz NOT NULL
);
CREATE INDEX intake_seen_time ON intake_seen USING brin (seen_at);
