-- orgca schema, version 17 (SQLite): signed checkpoints of the audit chain (see
-- src/audit_checkpoints.rs). Keep in step with the PostgreSQL file.
CREATE TABLE audit_checkpoints (
    seq   INTEGER PRIMARY KEY,
    at    INTEGER NOT NULL,
    note  TEXT NOT NULL
);
