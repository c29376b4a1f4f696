-- orgca schema, version 15 (PostgreSQL): a user's e-mail address is unique within their
-- organisation, no longer across organisations. The same person may work for two
-- organisations under one address, and an administrator creating a user must not learn
-- that another organisation has someone with that address. Login finds the account
-- whose password matches (see ra/src/login.rs). Keep in step with the SQLite file.
ALTER TABLE users DROP CONSTRAINT users_email_key;
CREATE UNIQUE INDEX users_org_email ON users (org_id, lower(email));
