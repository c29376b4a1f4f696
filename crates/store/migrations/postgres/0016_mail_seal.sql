-- orgca schema, version 16 (PostgreSQL): the salt of the key that seals queued mail
-- bodies (see src/mail_seal.rs). Random per database (gen_random_uuid is built in since
-- PostgreSQL 13); not a secret. Keep in step with the SQLite file.
CREATE TABLE mail_seal (
    id    BIGINT PRIMARY KEY CHECK (id = 1),
    salt  TEXT NOT NULL
);
INSERT INTO mail_seal (id, salt) VALUES (1, replace(gen_random_uuid()::text, '-', ''));
