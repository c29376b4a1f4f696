-- orgca schema, version 5 (SQLite): e-mail validation and the mail queue. Keep in step
-- with migrations/postgres/0005_mail.sql.
CREATE TABLE email_validations (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    email         TEXT NOT NULL,
    -- SHA-256 of the token sent to the address (never the token).
    token_sha256  TEXT NOT NULL UNIQUE,
    expires_at    INTEGER NOT NULL,
    validated_at  INTEGER,
    created_at    INTEGER NOT NULL
);
CREATE INDEX email_validations_address ON email_validations (org_id, email);

-- Mail waiting to be delivered: written in the transaction of the change that causes
-- it, delivered by the mail job, kept after delivery for the record.
CREATE TABLE mail_queue (
    id          TEXT PRIMARY KEY,
    org_id      TEXT REFERENCES organisations(id),
    recipient   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_try_at INTEGER NOT NULL,
    sent_at     INTEGER,
    last_error  TEXT
);
CREATE INDEX mail_queue_due ON mail_queue (sent_at, next_try_at);
