-- orgca schema, version 21 (SQLite): users provisioned from the organisation's directory
-- (SCIM 2.0). A user gets the directory's own id for them (`external_id`) and its name for
-- them when that is not their address (`directory_name`, SCIM `userName`: Entra ID sends
-- the user principal name), both unique in the organisation; the time they were last
-- changed; and a fourth status, `removed`: deleted
-- by the directory, kept because their certificates and the audit trail name them.
-- Provisioning tokens act for one organisation; only their SHA-256 is kept.
-- The status CHECK changes, so the table is rebuilt as in version 15 (foreign keys off
-- around it, checked before commit). Keep in step with the PostgreSQL file.
CREATE TABLE users_rebuilt (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    email         TEXT NOT NULL,
    given_name    TEXT NOT NULL,
    surname       TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('org_admin', 'user_admin', 'user')),
    seal          INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL CHECK (status IN ('invited', 'active', 'deactivated', 'removed')),
    created_at    INTEGER NOT NULL,
    password_hash TEXT,
    name_key      TEXT,
    publish       INTEGER NOT NULL DEFAULT 0,
    external_id   TEXT,
    directory_name TEXT,
    modified_at   INTEGER
);
INSERT INTO users_rebuilt (id, org_id, email, given_name, surname, role, seal, status,
                           created_at, password_hash, name_key, publish)
SELECT id, org_id, email, given_name, surname, role, seal, status,
       created_at, password_hash, name_key, publish
FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
-- A removed user's address is free for a new user (someone rehired, say).
CREATE UNIQUE INDEX users_org_email ON users (org_id, lower(email)) WHERE status <> 'removed';
CREATE INDEX users_org ON users (org_id, email);
CREATE INDEX users_email_lower ON users (lower(email));
CREATE UNIQUE INDEX users_org_external ON users (org_id, external_id)
    WHERE external_id IS NOT NULL AND status <> 'removed';
CREATE UNIQUE INDEX users_org_directory_name ON users (org_id, lower(coalesce(directory_name, email)))
    WHERE status <> 'removed';

CREATE TABLE provisioning_tokens (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    name          TEXT NOT NULL,
    token_sha256  TEXT NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER
);
CREATE INDEX provisioning_tokens_org ON provisioning_tokens (org_id);
