-- orgca schema, version 2 (PostgreSQL): organisation settings, users, API tokens.
-- Keep in step with migrations/sqlite/0002_users.sql. Booleans are 0/1.
ALTER TABLE organisations ADD COLUMN user_certificates BIGINT NOT NULL DEFAULT 1;
ALTER TABLE organisations ADD COLUMN organisation_certificates BIGINT NOT NULL DEFAULT 1;
ALTER TABLE organisations ADD COLUMN seals BIGINT NOT NULL DEFAULT 1;

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    email       TEXT NOT NULL UNIQUE,
    given_name  TEXT NOT NULL,
    surname     TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('org_admin', 'user_admin', 'user')),
    seal        BIGINT NOT NULL DEFAULT 0,
    status      TEXT NOT NULL CHECK (status IN ('invited', 'active', 'deactivated')),
    created_at  BIGINT NOT NULL
);
CREATE INDEX users_org ON users (org_id, email);

-- API tokens: only the SHA-256 of the token is kept; the token is shown once.
CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    token_sha256  TEXT NOT NULL UNIQUE,
    user_id       TEXT NOT NULL REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    revoked_at    BIGINT
);
