-- orgca schema, version 9 (SQLite): expiry notices sent, one row per
-- certificate and point (days before notAfter): the key makes a second notice for the
-- same point impossible, whichever node or restart tries. Keep in step with
-- migrations/postgres/0009_expiry_notices.sql.
CREATE TABLE expiry_notices (
    certificate_id  TEXT NOT NULL REFERENCES certificates(id),
    days_before     INTEGER NOT NULL,
    queued_at       INTEGER NOT NULL,
    PRIMARY KEY (certificate_id, days_before)
);
CREATE INDEX certificates_expiry ON certificates (not_after) WHERE status = 'active';
-- The OCSP responder signs answers ahead for certificates in the order they were issued.
CREATE INDEX certificates_issued ON certificates (issuer, created_at, serial);
-- When a pick-up took its order: an order left 'issuing' by a process that died is given
-- back after a while.
ALTER TABLE orders ADD COLUMN claimed_at INTEGER;
