-- orgca schema, version 13 (PostgreSQL): a third CA role, `signing`, for the signing
-- service's CA. Keep in step with migrations/sqlite/0013_signing_ca.sql.
ALTER TABLE ca_certificates DROP CONSTRAINT ca_certificates_role_check;
ALTER TABLE ca_certificates ADD CONSTRAINT ca_certificates_role_check
    CHECK (role IN ('root', 'issuing', 'signing'));
