-- orgca schema, version 4 (PostgreSQL): orders. Keep in step with
-- migrations/sqlite/0004_orders.sql.
CREATE TABLE orders (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organisations(id),
    -- Short and human-typeable; names the order on the pick-up page and in e-mails.
    reference       TEXT NOT NULL UNIQUE,
    profile_id      TEXT REFERENCES profiles(id),
    user_id         TEXT REFERENCES users(id),
    identification  TEXT NOT NULL CHECK (identification IN ('one_time_code', 'user_login')),
    issuance        TEXT NOT NULL CHECK (issuance IN ('csr', 'pkcs12')),
    status          TEXT NOT NULL CHECK (status IN
                        ('awaiting_email_validation', 'ready', 'issuing', 'issued', 'cancelled')),
    -- SHA-256 of the one-time code (never the code), and the wrong tries so far.
    code_sha256     TEXT,
    code_failures   BIGINT NOT NULL DEFAULT 0,
    expires_at      BIGINT NOT NULL,
    certificate_id  TEXT REFERENCES certificates(id),
    created_at      BIGINT NOT NULL,
    CHECK ((profile_id IS NULL) <> (user_id IS NULL))
);
CREATE INDEX orders_org ON orders (org_id, created_at);
