//! Users of an organisation and their API tokens. Users are created and read through
//! the organisation's scope; only the operator finds a user by e-mail across
//! organisations (the CLI's `token create --user`).

use orgca_model::UnixTime;
use orgca_model::{Email, Organisation, PersonName, Role, User, UserStatus};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::audit::{self, NewEvent};
use crate::orgs::{org_columns, org_from_row};
use crate::{OrgScope, Store, StoreError};

/// A user to create (already parsed).
#[derive(Clone, Debug)]
pub struct NewUser {
    /// E-mail address.
    pub email: Email,
    /// Given name.
    pub given_name: PersonName,
    /// Surname.
    pub surname: PersonName,
    /// Role.
    pub role: Role,
    /// Seal right.
    pub seal: bool,
    /// Initial status.
    pub status: UserStatus,
    /// The organisation's directory's id for them (SCIM `externalId`), if it has one.
    pub external_id: Option<String>,
    /// The directory's name for them (SCIM `userName`) when it is not their address.
    pub directory_name: Option<String>,
}

macro_rules! user_columns {
    () => {
        "id, org_id, email, given_name, surname, role, seal, status, created_at, publish, \
         external_id, directory_name, modified_at"
    };
}

/// The user columns of `users u`, named as `user_from_row` reads them (for joins).
macro_rules! user_cols {
    () => {
        "u.id AS id, u.org_id AS org_id, u.email AS email, u.given_name AS given_name, \
         u.surname AS surname, u.role AS role, u.seal AS seal, u.status AS status, \
         u.created_at AS created_at, u.publish AS publish, u.external_id AS external_id, \
         u.directory_name AS directory_name, u.modified_at AS modified_at"
    };
}
pub(crate) use user_cols;

pub(crate) fn user_from_row(r: &AnyRow) -> Result<User, StoreError> {
    let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("user {what} {v:?}"));
    let id: String = r.try_get("id")?;
    let org: String = r.try_get("org_id")?;
    let role: String = r.try_get("role")?;
    let status: String = r.try_get("status")?;
    let created_at = crate::sql::time_at(r, "created_at")?;
    let modified_at = match r.try_get::<Option<i64>, _>("modified_at")? {
        Some(secs) => UnixTime::from_secs(secs),
        None => created_at,
    };
    Ok(User {
        id: Uuid::parse_str(&id).map_err(|_| corrupt("id", &id))?,
        org_id: Uuid::parse_str(&org).map_err(|_| corrupt("org_id", &org))?,
        email: r.try_get("email")?,
        given_name: r.try_get("given_name")?,
        surname: r.try_get("surname")?,
        role: Role::parse(&role).map_err(|_| corrupt("role", &role))?,
        seal: r.try_get::<i64, _>("seal")? != 0,
        status: UserStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        created_at,
        publish: r.try_get::<i64, _>("publish")? != 0,
        external_id: r.try_get("external_id")?,
        directory_name: r.try_get("directory_name")?,
        modified_at,
    })
}

impl OrgScope {
    /// Creates a user of this organisation with its audit event. An address that a user
    /// of this organisation has already, in any spelling of its case (it names the
    /// account at login), is a [`StoreError::Conflict`]; other organisations' users are
    /// neither consulted nor revealed.
    pub async fn create_user(
        &self,
        new: &NewUser,
        actor: &str,
        now: UnixTime,
    ) -> Result<User, StoreError> {
        let user = User {
            id: Uuid::new_v4(),
            org_id: self.org_id,
            email: new.email.as_str().to_owned(),
            given_name: new.given_name.as_str().to_owned(),
            surname: new.surname.as_str().to_owned(),
            role: new.role,
            seal: new.seal,
            status: new.status,
            created_at: now,
            publish: false,
            external_id: new.external_id.clone(),
            directory_name: new.directory_name.clone(),
            modified_at: now,
        };
        let mut tx = self.store.begin_write().await?;
        let taken =
            sqlx::query("SELECT 1 FROM users WHERE org_id = $1 AND lower(email) = lower($2) AND status <> 'removed'")
                .bind(user.org_id.to_string())
                .bind(user.email.clone())
                .fetch_optional(&mut *tx)
                .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict(format!(
                "a user with e-mail {}",
                user.email
            )));
        }
        if let Some(external) = &user.external_id {
            external_id_free(&mut tx, self.org_id, external, None).await?;
        }
        sqlx::query(
            "INSERT INTO users (id, org_id, email, given_name, surname, role, seal, status, created_at, name_key, \
             external_id, directory_name, modified_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $9)",
        )
        .bind(user.id.to_string())
        .bind(user.org_id.to_string())
        .bind(user.email.clone())
        .bind(user.given_name.clone())
        .bind(user.surname.clone())
        .bind(user.role.as_str())
        .bind(i64::from(user.seal))
        .bind(user.status.as_str())
        .bind(now.secs())
        .bind(crate::search_keys::person_key(
            &format!("{} {}", user.given_name, user.surname),
            &user.email,
        ))
        .bind(user.external_id.clone())
        .bind(user.directory_name.clone())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::conflict_as(match &user.directory_name {
            Some(name) => format!("a user with e-mail {} or named {name:?} by the directory", user.email),
            None => format!("a user with e-mail {} (or a directory's user named so)", user.email),
        }))?;
        let event = NewEvent {
            at: now,
            actor: actor.to_owned(),
            org_id: Some(self.org_id.to_string()),
            action: "user.created",
            object: user.id.to_string(),
            details: serde_json::json!({
                "email": user.email, "role": user.role, "seal": user.seal,
                "status": user.status, "external_id": user.external_id,
            }),
        };
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// This organisation's users, by e-mail.
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE org_id = $1 ORDER BY email"
        ))
        .bind(self.org_id.to_string())
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter().map(user_from_row).collect()
    }

    /// The user with this id, if they belong to this organisation.
    pub async fn user(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE org_id = $1 AND id = $2"
        ))
        .bind(self.org_id.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.store.pool)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }
}

impl OrgScope {
    /// The organisation itself.
    pub async fn organisation(&self) -> Result<Organisation, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            org_columns!(),
            " FROM organisations WHERE id = $1"
        ))
        .bind(self.org_id.to_string())
        .fetch_one(&self.store.pool)
        .await?;
        org_from_row(&row)
    }
}

impl OrgScope {
    /// The user of this organisation with this e-mail address, in any case (a removed
    /// user's address is free for someone else).
    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE org_id = $1 AND lower(email) = lower($2) AND status <> 'removed'"
        ))
        .bind(self.org_id.to_string())
        .bind(email)
        .fetch_optional(&self.store.pool)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }
}

impl Store {
    /// Operator look-up of the users with this e-mail address, in any case, across
    /// organisations (one address may be a user in several), oldest first; removed users
    /// are left out.
    pub async fn users_by_email(&self, email: &str) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE lower(email) = lower($1) AND status <> 'removed' ORDER BY created_at, id"
        ))
        .bind(email)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(user_from_row).collect()
    }

    /// API tokens.
    pub fn tokens(&self) -> TokenStore {
        TokenStore {
            store: self.clone(),
        }
    }
}

/// API tokens, kept as SHA-256 hashes: a token is random (256 bits), so its hash is
/// enough to find it and useless to whoever reads the database.
#[derive(Clone, Debug)]
pub struct TokenStore {
    pub(crate) store: Store,
}

impl TokenStore {
    /// Records a token (by its hash) for `user`, with an audit event naming the token's
    /// id, never the token.
    pub async fn create(
        &self,
        user: &User,
        token_sha256: [u8; 32],
        actor: &str,
        now: UnixTime,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::new_v4();
        let mut tx = self.store.begin_write().await?;
        sqlx::query("INSERT INTO api_tokens (id, token_sha256, user_id, created_at) VALUES ($1, $2, $3, $4)")
            .bind(id.to_string())
            .bind(hex::encode(token_sha256))
            .bind(user.id.to_string())
            .bind(now.secs())
            .execute(&mut *tx)
            .await?;
        let event = NewEvent {
            at: now,
            actor: actor.to_owned(),
            org_id: Some(user.org_id.to_string()),
            action: "token.created",
            object: id.to_string(),
            details: serde_json::json!({"user": user.id}),
        };
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The active user a token belongs to, if the token exists, is not revoked and its
    /// user is active.
    pub async fn authenticate(&self, token_sha256: [u8; 32]) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_cols!(),
            " FROM api_tokens t JOIN users u ON u.id = t.user_id ",
            "WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL AND u.status = 'active'"
        ))
        .bind(hex::encode(token_sha256))
        .fetch_optional(&self.store.pool)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }
}

/// An operator token: acts for any organisation, one named per request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorToken {
    /// Its id (what the audit trail names as the actor).
    pub id: Uuid,
    /// Who or what it is for.
    pub name: String,
}

impl TokenStore {
    /// Records an operator token (by its hash) with an audit event naming its id.
    pub async fn create_operator(
        &self,
        name: &str,
        token_sha256: [u8; 32],
        actor: &str,
        now: UnixTime,
    ) -> Result<OperatorToken, StoreError> {
        let id = Uuid::new_v4();
        let mut tx = self.store.begin_write().await?;
        sqlx::query(
            "INSERT INTO operator_tokens (id, name, token_sha256, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id.to_string())
        .bind(name)
        .bind(hex::encode(token_sha256))
        .bind(now.secs())
        .execute(&mut *tx)
        .await?;
        let event = NewEvent {
            at: now,
            actor: actor.to_owned(),
            org_id: None,
            action: "operator_token.created",
            object: id.to_string(),
            details: serde_json::json!({"name": name}),
        };
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(OperatorToken {
            id,
            name: name.to_owned(),
        })
    }

    /// The operator token with this hash, if it exists and is not revoked.
    pub async fn authenticate_operator(
        &self,
        token_sha256: [u8; 32],
    ) -> Result<Option<OperatorToken>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name FROM operator_tokens WHERE token_sha256 = $1 AND revoked_at IS NULL",
        )
        .bind(hex::encode(token_sha256))
        .fetch_optional(&self.store.pool)
        .await?;
        row.map(|r| {
            Ok(OperatorToken {
                id: crate::db::uuid_col(&r, "id")?,
                name: r.try_get("name")?,
            })
        })
        .transpose()
    }
}

impl OrgScope {
    /// Writes a user's role, seal right, status and directory opt-in (the rest is fixed)
    /// with its audit event, if their status is still `was` (what the caller read: a
    /// change made meanwhile, such as the directory deactivating them, is never written
    /// over); a deactivated user's portal sessions end in the same transaction
    /// (activating them again revives none). `None` when the user is not this
    /// organisation's or their status is no longer `was`.
    pub async fn update_user(
        &self,
        user: &User,
        was: UserStatus,
        actor: &str,
        now: UnixTime,
    ) -> Result<Option<User>, StoreError> {
        let mut tx = self.store.begin_write().await?;
        let done = sqlx::query(
            "UPDATE users SET role = $1, seal = $2, status = $3, publish = $6, modified_at = $7 \
             WHERE id = $4 AND org_id = $5 AND status = $8",
        )
        .bind(user.role.as_str())
        .bind(i64::from(user.seal))
        .bind(user.status.as_str())
        .bind(user.id.to_string())
        .bind(self.org_id.to_string())
        .bind(i64::from(user.publish))
        .bind(now.secs())
        .bind(was.as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(None);
        }
        if user.status.has_ended() {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user.id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        let event = NewEvent {
            at: now,
            actor: actor.to_owned(),
            org_id: Some(self.org_id.to_string()),
            action: "user.changed",
            object: user.id.to_string(),
            details: serde_json::json!({
                "role": user.role, "seal": user.seal, "status": user.status, "publish": user.publish,
            }),
        };
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(Some(User {
            modified_at: now,
            ..user.clone()
        }))
    }
}

/// Refuses an external id that another user of the organisation has (`except` is the
/// user being changed), as a [`StoreError::Conflict`] naming it.
pub(crate) async fn external_id_free(
    tx: &mut sqlx::AnyConnection,
    org_id: orgca_model::OrgId,
    external_id: &str,
    except: Option<Uuid>,
) -> Result<(), StoreError> {
    let taken = sqlx::query(
        "SELECT id FROM users WHERE org_id = $1 AND external_id = $2 AND status <> 'removed'",
    )
    .bind(org_id.to_string())
    .bind(external_id)
    .fetch_optional(tx)
    .await?;
    match taken {
        Some(r) if except.map(|e| e.to_string()) != Some(r.try_get::<String, _>("id")?) => Err(
            StoreError::Conflict(format!("a user with external id {external_id:?}")),
        ),
        _ => Ok(()),
    }
}
