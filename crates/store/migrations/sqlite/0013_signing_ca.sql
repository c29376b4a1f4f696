-- orgca schema, version 13 (SQLite): a third CA role, `signing`, for the signing
-- service's CA. SQLite cannot alter a CHECK constraint: the migration's Rust step widens
-- it (migrate.rs). Keep in step with migrations/postgres/0013_signing_ca.sql.
SELECT 1;
