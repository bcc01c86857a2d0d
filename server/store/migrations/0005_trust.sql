-- natscope schema version 5: trust (docs/security.md).
--
--  * An enrolled agent id is taken: a new enrolment needs its current
--    credential or an admin's release, which leaves credential_hash NULL
--    (no credential works) until the next enrolment.
--  * The ledger keeps a digest of each batch's records, so that the same
--    (epoch, sequence) with other records (a cloned or restored agent) is
--    refused instead of acknowledged as a duplicate; agents count those.
--    Rows from before this version have no digest and match anything.
--  * agent_state keeps the agent's clock skew from its newest batch.
--  * Enrollment tokens may be limited in uses.
--  * auth_generation moves whenever a credential or token stops working,
--    so that every server's cache of lookups can notice within a second.

ALTER TABLE agents ALTER COLUMN credential_hash DROP NOT NULL;
ALTER TABLE agents ADD COLUMN batch_conflicts bigint NOT NULL DEFAULT 0;
ALTER TABLE ingest_ledger ADD COLUMN digest bytea;
ALTER TABLE agent_state ADD COLUMN clock_skew_ms bigint;
ALTER TABLE enrollment_tokens ADD COLUMN max_uses integer NOT NULL DEFAULT 0
  CHECK (max_uses >= 0);
ALTER TABLE enrollment_tokens ADD COLUMN uses integer NOT NULL DEFAULT 0;

CREATE TABLE auth_generation (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  generation bigint NOT NULL
);
INSERT INTO auth_generation VALUES (true, 0);
