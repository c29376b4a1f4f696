//! Certificate profiles: the data an organisation's organisation and system certificates
//! share (docs/DOMAIN.md, "Certificate profiles and orders"). Read and written only through
//! the organisation's scope.

use orgca_model::UnixTime;
use orgca_model::{CertKind, CertName, Email, Profile};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::audit::{self, NewEvent};
use crate::{OrgScope, StoreError};

/// A profile to create, parsed.
#[derive(Clone, Debug)]
pub struct NewProfile {
    /// `organisation` or `system` (never `employee`).
    pub kind: CertKind,
    /// Name.
    pub name: CertName,
    /// E-mail shown in the certificates.
    pub email: Option<Email>,
    /// Contact person's name.
    pub contact_name: String,
    /// Contact person's e-mail.
    pub contact_email: Email,
    /// Seal use.
    pub allow_signing: bool,
    /// Publication.
    pub publish: bool,
}

macro_rules! profile_columns {
    () => {
        "id, kind, name, email, contact_name, contact_email, allow_signing, publish"
    };
}

fn profile_from_row(r: &AnyRow) -> Result<Profile, StoreError> {
    let id: String = r.try_get("id")?;
    let kind: String = r.try_get("kind")?;
    Ok(Profile {
        id: Uuid::parse_str(&id).map_err(|_| StoreError::Corrupt(format!("profile id {id:?}")))?,
        kind: CertKind::parse(&kind).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        contact_name: r.try_get("contact_name")?,
        contact_email: r.try_get("contact_email")?,
        allow_signing: r.try_get::<i64, _>("allow_signing")? != 0,
        publish: r.try_get::<i64, _>("publish")? != 0,
    })
}

impl OrgScope {
    /// Creates a profile with its audit event. A name in use (in any case) is a
    /// [`StoreError::Conflict`].
    pub async fn create_profile(
        &self,
        new: &NewProfile,
        actor: &str,
        now: UnixTime,
    ) -> Result<Profile, StoreError> {
        let p = Profile {
            id: Uuid::new_v4(),
            kind: new.kind,
            name: new.name.as_str().to_owned(),
            email: new.email.as_ref().map(|e| e.as_str().to_owned()),
            contact_name: new.contact_name.clone(),
            contact_email: new.contact_email.as_str().to_owned(),
            allow_signing: new.allow_signing,
            publish: new.publish,
        };
        let mut tx = self.store.begin_write().await?;
        write_profile(&mut tx, self, &p, now, true).await?;
        let event = profile_event(self, &p, "profile.created", actor, now);
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Replaces a profile's data (its id and kind stay) with its audit event; `None`
    /// when the profile is not this organisation's.
    pub async fn update_profile(
        &self,
        p: &Profile,
        actor: &str,
        now: UnixTime,
    ) -> Result<Option<Profile>, StoreError> {
        let mut tx = self.store.begin_write().await?;
        if !write_profile(&mut tx, self, p, now, false).await? {
            return Ok(None);
        }
        let event = profile_event(self, p, "profile.changed", actor, now);
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(Some(p.clone()))
    }

    /// This organisation's profiles, by name.
    pub async fn profiles(&self) -> Result<Vec<Profile>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            profile_columns!(),
            " FROM profiles WHERE org_id = $1 ORDER BY name_key"
        ))
        .bind(self.org_id.to_string())
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter().map(profile_from_row).collect()
    }

    /// One profile, if it is this organisation's.
    pub async fn profile(&self, id: Uuid) -> Result<Option<Profile>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            profile_columns!(),
            " FROM profiles WHERE org_id = $1 AND id = $2"
        ))
        .bind(self.org_id.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.store.pool)
        .await?;
        row.as_ref().map(profile_from_row).transpose()
    }
}

/// Inserts (`insert`) or updates the profile; answers whether a row was written.
async fn write_profile(
    conn: &mut sqlx::AnyConnection,
    scope: &OrgScope,
    p: &Profile,
    now: UnixTime,
    insert: bool,
) -> Result<bool, StoreError> {
    let sql = if insert {
        "INSERT INTO profiles (name, name_key, email, contact_name, contact_email, allow_signing, publish, \
         updated_at, id, org_id, kind, contact_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $8)"
    } else {
        "UPDATE profiles SET name = $1, name_key = $2, email = $3, contact_name = $4, contact_email = $5, \
         allow_signing = $6, publish = $7, updated_at = $8, contact_key = $12 \
         WHERE id = $9 AND org_id = $10 AND kind = $11"
    };
    let done = sqlx::query(sql)
        .bind(p.name.clone())
        .bind(p.name.to_lowercase())
        .bind(p.email.clone())
        .bind(p.contact_name.clone())
        .bind(p.contact_email.clone())
        .bind(i64::from(p.allow_signing))
        .bind(i64::from(p.publish))
        .bind(now.secs())
        .bind(p.id.to_string())
        .bind(scope.org_id.to_string())
        .bind(p.kind.as_str())
        .bind(crate::search_keys::person_key(
            &p.contact_name,
            &p.contact_email,
        ))
        .execute(&mut *conn)
        .await
        .map_err(StoreError::conflict_as(format!(
            "a profile named {:?}",
            p.name
        )))?;
    Ok(done.rows_affected() == 1)
}

fn profile_event(
    scope: &OrgScope,
    p: &Profile,
    action: &'static str,
    actor: &str,
    now: UnixTime,
) -> NewEvent {
    NewEvent {
        at: now,
        actor: actor.to_owned(),
        org_id: Some(scope.org_id.to_string()),
        action,
        object: p.id.to_string(),
        details: serde_json::json!({
            "kind": p.kind, "name": p.name, "email": p.email, "contact_email": p.contact_email,
            "allow_signing": p.allow_signing, "publish": p.publish,
        }),
    }
}
