-- orgca schema, version 6 (SQLite): renewal links. Keep in step with
-- migrations/postgres/0006_renewal.sql.
ALTER TABLE orders ADD COLUMN renews TEXT REFERENCES certificates(id);
ALTER TABLE certificates ADD COLUMN renews TEXT REFERENCES certificates(id);
