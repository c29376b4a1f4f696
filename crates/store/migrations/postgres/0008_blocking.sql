-- orgca schema, version 8 (PostgreSQL): blocking and revocation status.
-- Keep in step with migrations/sqlite/0008_blocking.sql.
ALTER TABLE certificates ADD COLUMN block_reason TEXT;
ALTER TABLE certificates ADD COLUMN blocked_by TEXT;
-- What a CRL lists, read per issuer from the index alone (it covers the columns read).
CREATE INDEX certificates_blocked ON certificates (issuer, serial, revoked_at, revocation_reason)
    WHERE status = 'blocked';
-- Per issuing CA: a revision bumped by every block (nodes poll it to rebuild their CRL
-- and OCSP answers), and the last CRL number handed out (strictly increasing across
-- restarts and nodes).
CREATE TABLE ca_status (
    issuer      TEXT PRIMARY KEY REFERENCES ca_certificates(name),
    revision    BIGINT NOT NULL,
    crl_number  BIGINT NOT NULL
);
-- Delegated OCSP responder certificates: the serial and TBS are recorded before the
-- issuing CA signs (der is filled in after); the key lives only in the memory of the
-- node that asked for it.
CREATE TABLE responder_certificates (
    serial      TEXT PRIMARY KEY,
    issuer      TEXT NOT NULL REFERENCES ca_certificates(name),
    tbs_sha256  TEXT NOT NULL,
    not_before  BIGINT NOT NULL,
    not_after   BIGINT NOT NULL,
    der         BYTEA,
    created_at  BIGINT NOT NULL
);
