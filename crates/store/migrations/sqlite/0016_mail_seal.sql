-- orgca schema, version 16 (SQLite): the salt of the key that seals queued mail bodies
-- (see src/mail_seal.rs). Random per database; not a secret. Keep in step with the
-- PostgreSQL file.
CREATE TABLE mail_seal (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    salt  TEXT NOT NULL
);
INSERT INTO mail_seal (id, salt) VALUES (1, lower(hex(randomblob(16))));
