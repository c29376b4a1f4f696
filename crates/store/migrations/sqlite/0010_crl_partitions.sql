-- orgca schema, version 10 (SQLite): partitioned CRLs. Keep in step with
-- migrations/postgres/0010_crl_partitions.sql.
-- The partition a certificate is listed in (written into its CDP at issuance); NULL:
-- only the full CRL.
ALTER TABLE certificates ADD COLUMN crl_shard INTEGER;
-- What a partition's CRL lists, read from the index alone.
CREATE INDEX certificates_blocked_shard ON certificates (issuer, crl_shard, serial, revoked_at, revocation_reason)
    WHERE status = 'blocked' AND crl_shard IS NOT NULL;
-- How many partitions an issuing CA's CRL has had at most: each stays published while
-- certificates naming it may be valid, even if the configuration asks for fewer now.
ALTER TABLE ca_status ADD COLUMN crl_partitions INTEGER NOT NULL DEFAULT 0;
