-- orgca schema, version 11 (SQLite): portal logins. Keep in step with
-- migrations/postgres/0011_portal.sql.
-- argon2id PHC string; NULL until the user sets a password through an invitation.
ALTER TABLE users ADD COLUMN password_hash TEXT;
-- Portal sessions, kept by the SHA-256 of the cookie's value (the value itself is never
-- stored); the CSRF token is per session.
CREATE TABLE sessions (
    id_sha256   TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    csrf        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
-- Failed logins per key (an account, or a client address), in a window: past the
-- limit, the key is locked until locked_until, whichever node it tries.
CREATE TABLE login_failures (
    throttle_key  TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    window_start  INTEGER NOT NULL,
    locked_until  INTEGER NOT NULL
);
-- One-time links that let a user set a password (invitations): SHA-256 only.
CREATE TABLE password_links (
    token_sha256  TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id),
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    used_at       INTEGER
);
-- A certificate's (or user's, order's) history, as its page shows it.
CREATE INDEX audit_events_object ON audit_events (object, seq);
-- Logins find an account by its address in any case.
CREATE INDEX users_email_lower ON users (lower(email));
