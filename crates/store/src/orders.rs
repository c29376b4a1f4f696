//! Orders: an administrator's request for a certificate, picked up later by its
//! recipient. Placed and read through the organisation's scope; the pick-up, which has
//! no login, finds an order only by its reference and proves itself with the one-time
//! code.

use orgca_model::UnixTime;
use orgca_model::{Identification, Issuance, Order, OrderStatus, OrderSubject};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::audit::{self, NewEvent};
use crate::mail::{NewMail, NewValidation};
use crate::{OrgScope, Store, StoreError};

/// An order to place.
#[derive(Clone, Debug)]
pub struct NewOrder {
    /// Its id (drawn by the caller, so that its mail can name it).
    pub id: Uuid,
    /// Reference (unique).
    pub reference: String,
    /// What it is for.
    pub subject: OrderSubject,
    /// Identification.
    pub identification: Identification,
    /// Issuance.
    pub issuance: Issuance,
    /// Initial status.
    pub status: OrderStatus,
    /// SHA-256 of the one-time code, if any.
    pub code_sha256: Option<[u8; 32]>,
    /// Expiry.
    pub expires_at: UnixTime,
    /// The certificate it renews, if any.
    pub renews: Option<Uuid>,
}

macro_rules! order_columns {
    () => {
        "id, org_id, reference, profile_id, user_id, identification, issuance, status, code_sha256, \
         code_failures, expires_at, certificate_id, renews, created_at"
    };
}

fn uuid_opt(v: Option<String>) -> Result<Option<Uuid>, StoreError> {
    v.map(|s| Uuid::parse_str(&s).map_err(|_| StoreError::Corrupt(format!("order uuid {s:?}"))))
        .transpose()
}

fn order_from_row(r: &AnyRow) -> Result<Order, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("order {what}"));
    let text = |c: &str| r.try_get::<String, _>(c);
    let code: Option<String> = r.try_get("code_sha256")?;
    let code_sha256 = code
        .map(|h| {
            hex::decode(&h)
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .ok_or_else(|| corrupt("code hash"))
        })
        .transpose()?;
    Ok(Order {
        id: Uuid::parse_str(&text("id")?).map_err(|_| corrupt("id"))?,
        org_id: Uuid::parse_str(&text("org_id")?).map_err(|_| corrupt("org_id"))?,
        reference: text("reference")?,
        subject: OrderSubject::from_pair(
            uuid_opt(r.try_get("profile_id")?)?,
            uuid_opt(r.try_get("user_id")?)?,
        )
        .ok_or_else(|| corrupt("subject: exactly one of profile and user"))?,
        identification: Identification::parse(&text("identification")?)
            .ok_or_else(|| corrupt("identification"))?,
        issuance: Issuance::parse(&text("issuance")?).ok_or_else(|| corrupt("issuance"))?,
        status: OrderStatus::parse(&text("status")?).ok_or_else(|| corrupt("status"))?,
        code_sha256,
        code_failures: r.try_get("code_failures")?,
        expires_at: crate::sql::time_at(r, "expires_at")?,
        certificate_id: uuid_opt(r.try_get("certificate_id")?)?,
        renews: uuid_opt(r.try_get("renews")?)?,
        created_at: crate::sql::time_at(r, "created_at")?,
    })
}

impl OrgScope {
    /// Places an order with its audit event, the e-mail validation it waits for (if
    /// any) and its mails, all in one transaction. A reference in use is a
    /// [`StoreError::Conflict`] (the caller draws another).
    pub async fn create_order(
        &self,
        new: &NewOrder,
        validation: Option<&NewValidation>,
        mails: &[NewMail],
        actor: &str,
        now: UnixTime,
    ) -> Result<Order, StoreError> {
        let id = new.id;
        let mut tx = self.store.begin_write().await?;
        sqlx::query(
            "INSERT INTO orders (id, org_id, reference, profile_id, user_id, identification, issuance, status, \
             code_sha256, code_failures, expires_at, created_at, renews) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $12)",
        )
        .bind(id.to_string())
        .bind(self.org_id.to_string())
        .bind(new.reference.clone())
        .bind(new.subject.profile().map(|u| u.to_string()))
        .bind(new.subject.user().map(|u| u.to_string()))
        .bind(new.identification.as_str())
        .bind(new.issuance.as_str())
        .bind(new.status.as_str())
        .bind(new.code_sha256.map(hex::encode))
        .bind(new.expires_at.secs())
        .bind(now.secs())
        .bind(new.renews.map(|u| u.to_string()))
        .execute(&mut *tx)
        .await
        .map_err(StoreError::conflict_as(format!("an order with reference {}", new.reference)))?;
        let event = NewEvent {
            at: now,
            actor: actor.to_owned(),
            org_id: Some(self.org_id.to_string()),
            action: "order.placed",
            object: id.to_string(),
            details: serde_json::json!({
                "reference": new.reference, "profile": new.subject.profile(), "user": new.subject.user(),
                "identification": new.identification, "issuance": new.issuance, "status": new.status,
                "expires_at": new.expires_at, "renews": new.renews,
            }),
        };
        audit::append(&mut tx, &event).await?;
        if let Some(v) = validation {
            crate::mail::start_validation_in(&mut tx, self.org_id, v, now).await?;
        }
        crate::mail::queue_in(&mut tx, &self.store, Some(self.org_id), mails, now).await?;
        tx.commit().await?;
        let row = sqlx::query(concat!(
            "SELECT ",
            order_columns!(),
            " FROM orders WHERE id = $1"
        ))
        .bind(id.to_string())
        .fetch_one(&self.store.pool)
        .await?;
        order_from_row(&row)
    }

    /// One order, if it is this organisation's.
    pub async fn order(&self, id: Uuid) -> Result<Option<Order>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            order_columns!(),
            " FROM orders WHERE org_id = $1 AND id = $2"
        ))
        .bind(self.org_id.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.store.pool)
        .await?;
        row.as_ref().map(order_from_row).transpose()
    }

    /// The orders waiting for `user` to pick them up (ready, or waiting for an address),
    /// unexpired at `now`, oldest first.
    pub async fn orders_waiting_for(
        &self,
        user: Uuid,
        now: UnixTime,
    ) -> Result<Vec<Order>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            order_columns!(),
            " FROM orders WHERE org_id = $1 AND user_id = $2 AND expires_at > $3 \
             AND status IN ('ready', 'awaiting_email_validation') ORDER BY created_at, id LIMIT 100"
        ))
        .bind(self.org_id.to_string())
        .bind(user.to_string())
        .bind(now.secs())
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter().map(order_from_row).collect()
    }

    /// The order that produced a certificate of this organisation, if it came from one
    /// (the CLI issues without orders).
    pub async fn order_of_certificate(
        &self,
        certificate_id: Uuid,
    ) -> Result<Option<Order>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            order_columns!(),
            " FROM orders WHERE org_id = $1 AND certificate_id = $2"
        ))
        .bind(self.org_id.to_string())
        .bind(certificate_id.to_string())
        .fetch_optional(&self.store.pool)
        .await?;
        row.as_ref().map(order_from_row).transpose()
    }
}

/// The pick-up's view: orders found by reference, before anyone is logged in.
#[derive(Clone, Debug)]
pub struct PickupStore {
    store: Store,
}

impl Store {
    /// The pick-up's view.
    pub fn pickup(&self) -> PickupStore {
        PickupStore {
            store: self.clone(),
        }
    }
}

impl PickupStore {
    /// The order with this reference.
    pub async fn by_reference(&self, reference: &str) -> Result<Option<Order>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            order_columns!(),
            " FROM orders WHERE reference = $1"
        ))
        .bind(reference)
        .fetch_optional(&self.store.pool)
        .await?;
        row.as_ref().map(order_from_row).transpose()
    }

    /// Takes one try at the order's code, atomically: `Some(tries)` with this one
    /// counted, or `None` when `max` tries are used up (the order is locked). Parallel
    /// requests cannot get more than `max` tries between them.
    pub async fn take_try(&self, order: &Order, max: i64) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query(
            "UPDATE orders SET code_failures = code_failures + 1 \
             WHERE id = $1 AND code_failures < $2 RETURNING code_failures",
        )
        .bind(order.id.to_string())
        .bind(max)
        .fetch_optional(&self.store.pool)
        .await?;
        row.map(|r| r.try_get("code_failures"))
            .transpose()
            .map_err(Into::into)
    }

    /// Gives back the try of a right code (only wrong codes count towards the lock).
    pub async fn give_back_try(&self, order: &Order) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE orders SET code_failures = code_failures - 1 WHERE id = $1 AND code_failures > 0",
        )
        .bind(order.id.to_string())
        .execute(&self.store.pool)
        .await?;
        Ok(())
    }

    /// How many codes given for the order were wrong (tries in flight not counted).
    pub async fn wrong_codes(&self, order: &Order) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT code_wrong FROM orders WHERE id = $1")
            .bind(order.id.to_string())
            .fetch_one(&self.store.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Counts a wrong code (its try was taken by [`PickupStore::take_try`] and stays
    /// taken) with its audit event.
    pub async fn record_wrong_code(
        &self,
        order: &Order,
        failures: i64,
        now: UnixTime,
    ) -> Result<(), StoreError> {
        let mut tx = self.store.begin_write().await?;
        sqlx::query("UPDATE orders SET code_wrong = code_wrong + 1 WHERE id = $1")
            .bind(order.id.to_string())
            .execute(&mut *tx)
            .await?;
        let event = NewEvent {
            at: now,
            actor: "pickup".into(),
            org_id: Some(order.org_id.to_string()),
            action: "order.wrong_code",
            object: order.id.to_string(),
            details: serde_json::json!({"failures": failures}),
        };
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes a ready, unexpired order for one pick-up (`ready` -> `issuing`); `false`
    /// when another pick-up took it first, or it is not ready or has expired.
    pub async fn claim(&self, order: &Order, now: UnixTime) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE orders SET status = 'issuing', claimed_at = $2 \
             WHERE id = $1 AND status = 'ready' AND expires_at >= $2",
        )
        .bind(order.id.to_string())
        .bind(now.secs())
        .execute(&self.store.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives back every order taken for a pick-up before `before` and never issued (its
    /// process died halfway); answers how many. A pick-up takes milliseconds: callers
    /// pass a time minutes ago.
    pub async fn release_stale(&self, before: UnixTime) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE orders SET status = 'ready' \
             WHERE status = 'issuing' AND certificate_id IS NULL AND claimed_at < $1",
        )
        .bind(before.secs())
        .execute(&self.store.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Gives back a claimed order after a pick-up that failed before issuing.
    pub async fn release(&self, order: &Order) -> Result<(), StoreError> {
        sqlx::query("UPDATE orders SET status = 'ready' WHERE id = $1 AND status = 'issuing'")
            .bind(order.id.to_string())
            .execute(&self.store.pool)
            .await?;
        Ok(())
    }
}

impl OrgScope {
    /// Cancels an order that has not been picked up, with its audit event; answers the
    /// order as it is afterwards, or `None` when it is not this organisation's.
    pub async fn cancel_order(
        &self,
        id: Uuid,
        actor: &str,
        now: UnixTime,
    ) -> Result<Option<Order>, StoreError> {
        let mut tx = self.store.begin_write().await?;
        self.cancel_in(&mut tx, id, actor, now).await?;
        tx.commit().await?;
        self.order(id).await
    }

    /// Cancels an order inside the caller's transaction, with its audit event; `false`
    /// when it was picked up, cancelled already, or is not this organisation's.
    pub(crate) async fn cancel_in(
        &self,
        tx: &mut sqlx::AnyConnection,
        id: Uuid,
        actor: &str,
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE orders SET status = 'cancelled' WHERE org_id = $1 AND id = $2 \
             AND status IN ('awaiting_email_validation', 'ready')",
        )
        .bind(self.org_id.to_string())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        let cancelled = done.rows_affected() == 1;
        if cancelled {
            let event = NewEvent {
                at: now,
                actor: actor.to_owned(),
                org_id: Some(self.org_id.to_string()),
                action: "order.cancelled",
                object: id.to_string(),
                details: serde_json::json!({}),
            };
            audit::append(&mut *tx, &event).await?;
        }
        Ok(cancelled)
    }
}
