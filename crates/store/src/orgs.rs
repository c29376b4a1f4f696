//! Organisations: created by the operator, each with its CVR and environment.

use orgca_model::UnixTime;
use orgca_model::{Cvr, Environment, OrgSettings, Organisation, SettingsChange};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::audit::{self, NewEvent};
use crate::{Store, StoreError};

/// What the operator gives to create an organisation (already parsed).
#[derive(Clone, Debug)]
pub struct NewOrganisation {
    /// The CVR, parsed for `environment`.
    pub cvr: Cvr,
    /// Registered name.
    pub name: String,
    /// Production or test.
    pub environment: Environment,
}

/// Operator access to organisations (creation and look-up across organisations).
#[derive(Clone, Debug)]
pub struct OrgStore {
    store: Store,
}

impl Store {
    /// Operator access to organisations.
    pub fn orgs(&self) -> OrgStore {
        OrgStore {
            store: self.clone(),
        }
    }
}

/// The columns [`org_from_row`] reads.
macro_rules! org_columns {
    () => {
        "id, cvr, name, environment, user_certificates, organisation_certificates, seals, created_at"
    };
}

pub(crate) use org_columns;

pub(crate) fn org_from_row(r: &AnyRow) -> Result<Organisation, StoreError> {
    let id: String = r.try_get("id")?;
    let env: String = r.try_get("environment")?;
    Ok(Organisation {
        id: Uuid::parse_str(&id)
            .map_err(|_| StoreError::Corrupt(format!("organisation id {id:?}")))?,
        cvr: Cvr::from_trusted(r.try_get("cvr")?),
        name: r.try_get("name")?,
        environment: Environment::parse(&env)
            .ok_or_else(|| StoreError::Corrupt(format!("environment {env:?}")))?,
        settings: OrgSettings {
            user_certificates: r.try_get::<i64, _>("user_certificates")? != 0,
            organisation_certificates: r.try_get::<i64, _>("organisation_certificates")? != 0,
            seals: r.try_get::<i64, _>("seals")? != 0,
        },
        created_at: crate::sql::time_at(r, "created_at")?,
    })
}

impl OrgStore {
    /// Creates an organisation with its audit event. A CVR that exists is a
    /// [`StoreError::Conflict`].
    pub async fn create(
        &self,
        new: &NewOrganisation,
        actor: &str,
        now: UnixTime,
    ) -> Result<Organisation, StoreError> {
        let org = Organisation {
            id: Uuid::new_v4(),
            cvr: new.cvr.clone(),
            name: new.name.clone(),
            environment: new.environment,
            settings: OrgSettings {
                user_certificates: true,
                organisation_certificates: true,
                seals: true,
            },
            created_at: now,
        };
        let mut tx = self.store.begin_write().await?;
        sqlx::query("INSERT INTO organisations (id, cvr, name, environment, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(org.id.to_string())
            .bind(org.cvr.as_str())
            .bind(&org.name)
            .bind(org.environment.as_str())
            .bind(now.secs())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::conflict_as(format!("an organisation with CVR {}", org.cvr)))?;
        let event = NewEvent {
            at: now,
            actor: actor.to_owned(),
            org_id: Some(org.id.to_string()),
            action: "organisation.created",
            object: org.id.to_string(),
            details: serde_json::json!({"cvr": org.cvr, "name": org.name, "environment": org.environment}),
        };
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(org)
    }

    /// The organisation with this CVR, if any.
    pub async fn by_cvr(&self, cvr: &str) -> Result<Option<Organisation>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            org_columns!(),
            " FROM organisations WHERE cvr = $1"
        ))
        .bind(cvr)
        .fetch_optional(&self.store.pool)
        .await?;
        row.as_ref().map(org_from_row).transpose()
    }

    /// All organisations, oldest first.
    pub async fn list(&self) -> Result<Vec<Organisation>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            org_columns!(),
            " FROM organisations ORDER BY created_at, cvr"
        ))
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter().map(org_from_row).collect()
    }
}

impl OrgStore {
    /// Changes an organisation's settings with its audit event; answers the new settings.
    pub async fn change_settings(
        &self,
        org: &Organisation,
        change: SettingsChange,
        actor: &str,
        now: UnixTime,
    ) -> Result<OrgSettings, StoreError> {
        let mut tx = self.store.begin_write().await?;
        let row = sqlx::query(concat!(
            "SELECT ",
            org_columns!(),
            " FROM organisations WHERE id = $1"
        ))
        .bind(org.id.to_string())
        .fetch_one(&mut *tx)
        .await?;
        let before = org_from_row(&row)?.settings;
        let after = before.with(change);
        sqlx::query(
            "UPDATE organisations SET user_certificates = $1, organisation_certificates = $2, seals = $3 WHERE id = $4",
        )
        .bind(i64::from(after.user_certificates))
        .bind(i64::from(after.organisation_certificates))
        .bind(i64::from(after.seals))
        .bind(org.id.to_string())
        .execute(&mut *tx)
        .await?;
        let event = NewEvent {
            at: now,
            actor: actor.to_owned(),
            org_id: Some(org.id.to_string()),
            action: "organisation.settings_changed",
            object: org.id.to_string(),
            details: serde_json::json!({"before": before, "after": after}),
        };
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(after)
    }
}
