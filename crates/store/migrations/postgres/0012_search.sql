-- orgca schema, version 12 (PostgreSQL): search, export and the public directory. Keep in
-- step with migrations/sqlite/0012_search.sql.
--
-- Search keys: the text lower-cased by orgca (Unicode-aware, the same on both
-- backends; SQL lower() is not), filled for existing rows by the migration's Rust step.
-- name_key is the name's sort key (Danish order: æ, ø, å after z), compared byte by
-- byte on both backends.
ALTER TABLE certificates ADD COLUMN name_key TEXT COLLATE "C";
ALTER TABLE certificates ADD COLUMN email_key TEXT;
-- The words of a contact person's or user's name and address, " word word ...": a word
-- starting with T is found by LIKE '% T%'.
ALTER TABLE profiles ADD COLUMN contact_key TEXT;
ALTER TABLE users ADD COLUMN name_key TEXT;
-- The user opted in to the public directory (their employee certificates are found by
-- their exact address).
ALTER TABLE users ADD COLUMN publish BIGINT NOT NULL DEFAULT 0;
-- The words of each certificate's name and e-mail address (lower-cased, split at
-- anything but letters and digits): free text finds a certificate by the start of any
-- of its words through this index, in time that grows with the matches, not with the
-- organisation. Byte order (COLLATE "C" on PostgreSQL) makes a prefix a range.
CREATE TABLE certificate_words (
    org_id          TEXT NOT NULL,
    word            TEXT COLLATE "C" NOT NULL,
    certificate_id  TEXT NOT NULL REFERENCES certificates(id),
    PRIMARY KEY (org_id, word, certificate_id)
);
-- One index per sort order of an organisation's list, each ending in the id that breaks
-- ties, so a page is a range of the index (keyset pagination).
DROP INDEX certificates_org;
CREATE INDEX certificates_org_created ON certificates (org_id, created_at, id);
CREATE INDEX certificates_org_expiry ON certificates (org_id, not_after, id);
CREATE INDEX certificates_org_name ON certificates (org_id, name_key, id);
-- Exact e-mail search and the directory.
CREATE INDEX certificates_email ON certificates (email_key) WHERE email_key IS NOT NULL;
-- "Renewed by" in exports: the newest renewal of each row, from the index alone (not a
-- partial index: SQLite would not use one for a correlated look-up).
CREATE INDEX certificates_renews ON certificates (renews, created_at);
