-- natscope schema version 2: access control.
--
-- Secrets are never stored, only their lower-case hex SHA-256. token_id is
-- the first 16 hex digits of that hash: what admins list and revoke by.

-- Admin and viewer tokens of QueryService/AdminService callers.
CREATE TABLE api_tokens (
  token_id   text COLLATE "C" PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  name       text NOT NULL,
  role       smallint NOT NULL,  -- natscope.v1.ApiTokenRole
  created_at timestamptz NOT NULL,
  revoked_at timestamptz          -- NULL while valid
);

-- Per-site enrollment tokens: each enrolls agents of its site only.
CREATE TABLE enrollment_tokens (
  token_id   text COLLATE "C" PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  site       text COLLATE "C" NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz,         -- NULL: never
  revoked_at timestamptz          -- NULL while valid
);
CREATE INDEX enrollment_tokens_site ON enrollment_tokens (site, created_at);
