-- orgca schema, version 7 (SQLite): operator API tokens, which act across
-- organisations. Keep in step with migrations/postgres/0007_operator_tokens.sql.
CREATE TABLE operator_tokens (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    token_sha256  TEXT NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER
);
