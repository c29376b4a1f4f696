-- orgca schema, version 18 (sqlite): several issuing CAs per hierarchy. An issuing CA is
-- current from activated_at until a newer one is activated (the newest issues); an older
-- one keeps signing its CRLs and OCSP answers until it is retired. Keep in step with the
-- PostgreSQL file.
ALTER TABLE ca_certificates ADD COLUMN activated_at INTEGER;
ALTER TABLE ca_certificates ADD COLUMN retired_at INTEGER;
UPDATE ca_certificates SET activated_at = created_at WHERE role = 'issuing';

-- CRLs orgca serves but no longer signs: a retired issuing CA's final CRL, and an offline
-- root's CRL signed in a ceremony and imported. One per CA, replaced only by a newer one.
CREATE TABLE kept_crls (
    ca_name     TEXT PRIMARY KEY REFERENCES ca_certificates(name),
    number      INTEGER NOT NULL,
    this_update INTEGER NOT NULL,
    next_update INTEGER NOT NULL,
    der         BLOB NOT NULL,
    origin      TEXT NOT NULL CHECK (origin IN ('final', 'ceremony')),
    kept_at     INTEGER NOT NULL
);
