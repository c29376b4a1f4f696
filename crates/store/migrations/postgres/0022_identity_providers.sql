-- orgca schema, version 22 (PostgreSQL): an organisation's OpenID Connect identity provider, and
-- the logins through it that are under way. Keep in step with the SQLite file.
-- The client secret is never here: only where to read it (file:<path> or env:<name>).
CREATE TABLE identity_providers (
    org_id          TEXT PRIMARY KEY REFERENCES organisations(id),
    issuer          TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    secret_from     TEXT NOT NULL,
    match_by        TEXT NOT NULL,
    -- 1: the organisation's users may also log in with a password; 0: only here.
    password_login  BIGINT NOT NULL DEFAULT 1,
    updated_at      BIGINT NOT NULL
);

-- A login sent to the provider and not yet back: kept by the SHA-256 of its state, used
-- once (taken and deleted when the browser comes back), and good for 10 minutes. The
-- provider it was sent to (issuer, client id) must still be the organisation's when it
-- comes back.
CREATE TABLE sso_attempts (
    state_sha256  TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    issuer        TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    nonce         TEXT NOT NULL,
    verifier      TEXT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX sso_attempts_expiry ON sso_attempts (expires_at);
