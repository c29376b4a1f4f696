//! Organisations: created by the operator, each with its CVR and environment.

use orgca_model::{Cvr, Environment, OrgId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::audit::{self, NewEvent};
use crate::{Store, StoreError};

/// An organisation as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Organisation {
    /// orgca's id.
    pub id: OrgId,
    /// The CVR number.
    pub cvr: Cvr,
    /// Registered name (goes into `O`).
    pub name: String,
    /// Production or test.
    pub environment: Environment,
    /// When created (Unix seconds).
    pub created_at: i64,
}

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
        created_at: r.try_get("created_at")?,
    })
}

impl OrgStore {
    /// Creates an organisation with its audit event. A CVR that exists is a
    /// [`StoreError::Conflict`].
    pub async fn create(
        &self,
        new: &NewOrganisation,
        actor: &str,
        now: i64,
    ) -> Result<Organisation, StoreError> {
        let org = Organisation {
            id: Uuid::new_v4(),
            cvr: new.cvr.clone(),
            name: new.name.clone(),
            environment: new.environment,
            created_at: now,
        };
        let mut tx = self.store.begin_write().await?;
        sqlx::query("INSERT INTO organisations (id, cvr, name, environment, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(org.id.to_string())
            .bind(org.cvr.as_str())
            .bind(&org.name)
            .bind(org.environment.as_str())
            .bind(now)
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
        let row = sqlx::query(
            "SELECT id, cvr, name, environment, created_at FROM organisations WHERE cvr = $1",
        )
        .bind(cvr)
        .fetch_optional(&self.store.pool)
        .await?;
        row.as_ref().map(org_from_row).transpose()
    }

    /// All organisations, oldest first.
    pub async fn list(&self) -> Result<Vec<Organisation>, StoreError> {
        let rows = sqlx::query("SELECT id, cvr, name, environment, created_at FROM organisations ORDER BY created_at, cvr")
            .fetch_all(&self.store.pool)
            .await?;
        rows.iter().map(org_from_row).collect()
    }
}
