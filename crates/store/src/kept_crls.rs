//! CRLs orgca keeps and serves but no longer signs: a retired issuing CA's final CRL,
//! and an offline root's CRL, signed in a ceremony and imported. One per CA; a CRL is
//! kept only if its number is above every number that CA has published, and the CA's
//! counter moves past it, so that relying parties never see a number go back. This
//! module stores and reads them; it never signs or verifies a signature.

use orgca_model::UnixTime;
use sqlx::Row;

use crate::audit::{self, NewEvent};
use crate::{CaStore, StoreError};

/// Where a kept CRL came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CrlOrigin {
    /// Signed by orgca when it retired the CA: the last it signs.
    Final,
    /// Signed in a ceremony where the CA's key is (an offline root) and imported.
    Ceremony,
}

impl CrlOrigin {
    fn as_str(self) -> &'static str {
        match self {
            CrlOrigin::Final => "final",
            CrlOrigin::Ceremony => "ceremony",
        }
    }
}

/// A CRL to keep, or kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptCrl {
    /// The CA that signed it.
    pub ca_name: String,
    /// Its CRL number.
    pub number: i64,
    /// thisUpdate.
    pub this_update: UnixTime,
    /// nextUpdate.
    pub next_update: UnixTime,
    /// The DER.
    pub der: Vec<u8>,
    /// Where it came from.
    pub origin: CrlOrigin,
}

/// What keeping a CRL did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keeping {
    /// Kept: served from now on (by servers that start from now on).
    Kept,
    /// Not kept: its number is not above `published`, the highest this CA has used.
    NotNewer {
        /// The highest number used so far.
        published: i64,
    },
}

impl CaStore {
    /// Keeps `crl` for its CA, with its audit event, if its number is above every
    /// number the CA has used.
    pub async fn keep_crl(
        &self,
        crl: &KeptCrl,
        actor: &str,
        now: UnixTime,
    ) -> Result<Keeping, StoreError> {
        let mut tx = self.store.begin_write().await?;
        let keeping = keep_in(&mut tx, crl, actor, now).await?;
        tx.commit().await?;
        Ok(keeping)
    }

    /// Every kept CRL.
    pub async fn kept_crls(&self) -> Result<Vec<KeptCrl>, StoreError> {
        let rows = sqlx::query(
            "SELECT ca_name, number, this_update, next_update, der, origin FROM kept_crls ORDER BY ca_name",
        )
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let origin: String = r.try_get("origin")?;
                Ok(KeptCrl {
                    ca_name: r.try_get("ca_name")?,
                    number: r.try_get("number")?,
                    this_update: crate::sql::time_at(r, "this_update")?,
                    next_update: crate::sql::time_at(r, "next_update")?,
                    der: r.try_get("der")?,
                    origin: match origin.as_str() {
                        "final" => CrlOrigin::Final,
                        "ceremony" => CrlOrigin::Ceremony,
                        _ => return Err(StoreError::Corrupt(format!("CRL origin {origin:?}"))),
                    },
                })
            })
            .collect()
    }
}

/// [`CaStore::keep_crl`] inside `tx`.
pub(crate) async fn keep_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    crl: &KeptCrl,
    actor: &str,
    now: UnixTime,
) -> Result<Keeping, StoreError> {
    let counted: Option<i64> = sqlx::query("SELECT crl_number FROM ca_status WHERE issuer = $1")
        .bind(&crl.ca_name)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| r.try_get("crl_number"))
        .transpose()?;
    let kept: Option<i64> = sqlx::query("SELECT number FROM kept_crls WHERE ca_name = $1")
        .bind(&crl.ca_name)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| r.try_get("number"))
        .transpose()?;
    let (counted, kept) = (counted.unwrap_or(0), kept.unwrap_or(0));
    // A final CRL took the counter's last number itself; an imported one must be above
    // every number the counter gave out (any of them may have been published).
    let newer = crl.number > kept
        && (crl.number > counted || (crl.origin == CrlOrigin::Final && crl.number == counted));
    if !newer {
        return Ok(Keeping::NotNewer {
            published: counted.max(kept),
        });
    }
    sqlx::query(
        "INSERT INTO kept_crls (ca_name, number, this_update, next_update, der, origin, kept_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (ca_name) DO UPDATE SET number = $2, \
         this_update = $3, next_update = $4, der = $5, origin = $6, kept_at = $7",
    )
    .bind(&crl.ca_name)
    .bind(crl.number)
    .bind(crl.this_update.secs())
    .bind(crl.next_update.secs())
    .bind(&crl.der)
    .bind(crl.origin.as_str())
    .bind(now.secs())
    .execute(&mut **tx)
    .await?;
    // Any CRL this CA's counter gives out later is numbered above it.
    sqlx::query(
        "INSERT INTO ca_status (issuer, revision, crl_number) VALUES ($1, 0, $2) \
         ON CONFLICT (issuer) DO UPDATE SET crl_number = $2",
    )
    .bind(&crl.ca_name)
    .bind(crl.number)
    .execute(&mut **tx)
    .await?;
    let event = NewEvent {
        at: now,
        actor: actor.to_owned(),
        org_id: None,
        action: "crl.kept",
        object: crl.ca_name.clone(),
        details: serde_json::json!({
            "number": crl.number, "origin": crl.origin, "this_update": crl.this_update,
            "next_update": crl.next_update,
        }),
    };
    audit::append(tx, &event).await?;
    Ok(Keeping::Kept)
}
