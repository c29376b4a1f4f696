-- orgca schema, version 17 (PostgreSQL): signed checkpoints of the audit chain (see
-- src/audit_checkpoints.rs). Keep in step with the SQLite file.
CREATE TABLE audit_checkpoints (
    seq   BIGINT PRIMARY KEY,
    at    BIGINT NOT NULL,
    note  TEXT NOT NULL
);
