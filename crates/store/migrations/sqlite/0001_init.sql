-- orgca schema, version 1 (SQLite). Times are Unix seconds (UTC); ids are UUID text;
-- serials and hashes are lower-case hex. Keep in step with migrations/postgres/0001_init.sql.
CREATE TABLE ca_certificates (
    name            TEXT PRIMARY KEY,
    environment     TEXT NOT NULL CHECK (environment IN ('production', 'test')),
    role            TEXT NOT NULL CHECK (role IN ('root', 'issuing')),
    parent          TEXT REFERENCES ca_certificates(name),
    serial          TEXT NOT NULL,
    subject_key_id  TEXT NOT NULL,
    not_before      INTEGER NOT NULL,
    not_after       INTEGER NOT NULL,
    der             BLOB NOT NULL,
    key_ref         TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    cvr         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    environment TEXT NOT NULL CHECK (environment IN ('production', 'test')),
    created_at  INTEGER NOT NULL
);

-- Every serial the CA is about to sign, recorded before it signs (the intent). A serial
-- without a row in certificates was reserved but not (or not yet) issued.
CREATE TABLE serials (
    serial        TEXT PRIMARY KEY,
    issuer        TEXT NOT NULL REFERENCES ca_certificates(name),
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    kind          TEXT NOT NULL,
    subject_uuid  TEXT NOT NULL,
    tbs_sha256    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (serial, issuer, tbs_sha256)
);

CREATE TABLE certificates (
    id                 TEXT PRIMARY KEY,
    serial             TEXT NOT NULL UNIQUE,
    issuer             TEXT NOT NULL REFERENCES ca_certificates(name),
    org_id             TEXT NOT NULL REFERENCES organisations(id),
    kind               TEXT NOT NULL CHECK (kind IN ('organisation', 'system', 'employee')),
    name               TEXT NOT NULL,
    subject_uuid       TEXT NOT NULL,
    email              TEXT,
    fingerprint        TEXT NOT NULL,
    tbs_sha256         TEXT NOT NULL,
    not_before         INTEGER NOT NULL,
    not_after          INTEGER NOT NULL,
    status             TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
    revoked_at         INTEGER,
    revocation_reason  INTEGER,
    der                BLOB NOT NULL,
    created_at         INTEGER NOT NULL,
    -- Only a serial reserved by this issuer, for exactly this TBS, can be certified, and
    -- only once.
    FOREIGN KEY (serial, issuer, tbs_sha256) REFERENCES serials (serial, issuer, tbs_sha256)
);
CREATE INDEX certificates_org ON certificates (org_id, created_at);
CREATE INDEX certificates_subject ON certificates (subject_uuid);

CREATE TABLE audit_events (
    seq        INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    org_id     TEXT,
    action     TEXT NOT NULL,
    object     TEXT NOT NULL,
    details    TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);

-- The chain's head: one row, updated in every transaction that appends an event, which
-- also serialises appenders.
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
