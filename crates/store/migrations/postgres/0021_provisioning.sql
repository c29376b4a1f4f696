-- orgca schema, version 21 (PostgreSQL): users provisioned from the organisation's
-- directory (SCIM 2.0): the directory's id for a user and its name for them when that is
-- not their address (SCIM `userName`), the time they were last changed,
-- the status `removed` (deleted by the directory, kept because their certificates and the
-- audit trail name them), and provisioning tokens. Keep in step with the SQLite file.
ALTER TABLE users DROP CONSTRAINT users_status_check;
ALTER TABLE users ADD CONSTRAINT users_status_check
    CHECK (status IN ('invited', 'active', 'deactivated', 'removed'));
ALTER TABLE users ADD COLUMN external_id TEXT;
ALTER TABLE users ADD COLUMN directory_name TEXT;
ALTER TABLE users ADD COLUMN modified_at BIGINT;
-- A removed user's address is free for a new user (someone rehired, say).
DROP INDEX users_org_email;
CREATE UNIQUE INDEX users_org_email ON users (org_id, lower(email)) WHERE status <> 'removed';
CREATE UNIQUE INDEX users_org_external ON users (org_id, external_id)
    WHERE external_id IS NOT NULL AND status <> 'removed';
CREATE UNIQUE INDEX users_org_directory_name ON users (org_id, lower(coalesce(directory_name, email)))
    WHERE status <> 'removed';

CREATE TABLE provisioning_tokens (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    name          TEXT NOT NULL,
    token_sha256  TEXT NOT NULL UNIQUE,
    created_at    BIGINT NOT NULL,
    revoked_at    BIGINT
);
CREATE INDEX provisioning_tokens_org ON provisioning_tokens (org_id);
