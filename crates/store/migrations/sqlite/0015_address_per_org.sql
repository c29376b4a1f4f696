-- orgca schema, version 15 (SQLite): a user's e-mail address is unique within their
-- organisation, no longer across organisations. The same person may work for two
-- organisations under one address, and an administrator creating a user must not learn
-- that another organisation has someone with that address. Login finds the account
-- whose password matches (see ra/src/login.rs).
-- SQLite cannot drop a column's UNIQUE: the table is rebuilt as SQLite documents
-- (lang_altertable.html, "making other kinds of table schema changes"). The runner turns
-- foreign keys off around this migration and checks them before it commits, so that the
-- tables that refer to users keep referring to the rebuilt one.
CREATE TABLE users_rebuilt (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    email         TEXT NOT NULL,
    given_name    TEXT NOT NULL,
    surname       TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('org_admin', 'user_admin', 'user')),
    seal          INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL CHECK (status IN ('invited', 'active', 'deactivated')),
    created_at    INTEGER NOT NULL,
    password_hash TEXT,
    name_key      TEXT,
    publish       INTEGER NOT NULL DEFAULT 0
);
INSERT INTO users_rebuilt (id, org_id, email, given_name, surname, role, seal, status,
                           created_at, password_hash, name_key, publish)
SELECT id, org_id, email, given_name, surname, role, seal, status,
       created_at, password_hash, name_key, publish
FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
CREATE UNIQUE INDEX users_org_email ON users (org_id, lower(email));
CREATE INDEX users_org ON users (org_id, email);
CREATE INDEX users_email_lower ON users (lower(email));
