-- orgca schema, version 6 (PostgreSQL): renewal links. Keep in step with
-- migrations/sqlite/0006_renewal.sql.
ALTER TABLE orders ADD COLUMN renews TEXT REFERENCES certificates(id);
ALTER TABLE certificates ADD COLUMN renews TEXT REFERENCES certificates(id);
