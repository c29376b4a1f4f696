-- orgca schema, version 19 (postgres): several nodes on one database. A job that must run
-- on one node at a time runs on the node holding its lease; the CRLs are built by the
-- node holding the CRL lease and stored here, and every node serves the newest stored.
-- Keep in step with the SQLite file.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);

CREATE TABLE published_crls (
    name        TEXT PRIMARY KEY,
    number      BIGINT NOT NULL,
    this_update BIGINT NOT NULL,
    next_update BIGINT NOT NULL,
    entries     BIGINT NOT NULL,
    revision    BIGINT NOT NULL,
    der         BYTEA NOT NULL
);
