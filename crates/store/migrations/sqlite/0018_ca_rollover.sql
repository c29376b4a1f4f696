-- orgca schema, version 18 (sqlite): several issuing CAs per hierarchy. An issuing CA is
-- current from activated_at until a newer one is activated (the newest issues); an older
-- one keeps signing its CRLs and OCSP answers until it is retired. Keep in step with the
-- PostgreSQL file.
ALTER TABLE ca_certificates ADD COLUMN activated_at INTEGER;
ALTER TABLE ca_certificates ADD COLUMN retired_at INTEGER;
UPDATE ca_certificates SET activated_at = created_at WHERE role = 'issuing';
