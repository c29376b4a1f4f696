-- orgca schema, version 3 (PostgreSQL): certificate profiles. Keep in step with
-- migrations/sqlite/0003_profiles.sql. Booleans are 0/1.
CREATE TABLE profiles (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organisations(id),
    kind           TEXT NOT NULL CHECK (kind IN ('organisation', 'system')),
    name           TEXT NOT NULL,
    -- The name lower-cased: names are unique in an organisation without regard to case.
    name_key       TEXT NOT NULL,
    email          TEXT,
    contact_name   TEXT NOT NULL,
    contact_email  TEXT NOT NULL,
    allow_signing  BIGINT NOT NULL DEFAULT 0,
    publish        BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (org_id, name_key)
);
