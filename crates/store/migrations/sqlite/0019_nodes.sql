-- orgca schema, version 19 (sqlite): several nodes on one database. A job that must run
-- on one node at a time runs on the node holding its lease; the CRLs are built by the
-- node holding the CRL lease and stored here, and every node serves the newest stored.
-- Keep in step with the PostgreSQL file.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE TABLE published_crls (
    name        TEXT PRIMARY KEY,
    number      INTEGER NOT NULL,
    this_update INTEGER NOT NULL,
    next_update INTEGER NOT NULL,
    entries     INTEGER NOT NULL,
    revision    INTEGER NOT NULL,
    der         BLOB NOT NULL
);
