//! The lower-cased keys that search matches against, computed here (Unicode-aware:
//! "ÆRØ" finds "Ærø") and never by SQL `lower()`, which on SQLite knows only ASCII.

use sqlx::Row;

use crate::StoreError;

/// The key of a free-text value, and of a query matched against it.
pub(crate) fn key(s: &str) -> String {
    s.to_lowercase()
}

/// A person's key: their name and e-mail address, one per line (a query cannot hold a
/// line break, so it never matches across the two).
pub(crate) fn person_key(name: &str, email: &str) -> String {
    format!("{}\n{}", key(name), key(email))
}

/// Fills the keys of rows written before migration 12, inside its transaction.
pub(crate) async fn backfill(conn: &mut sqlx::AnyConnection) -> Result<(), StoreError> {
    let rows = sqlx::query("SELECT id, name, email FROM certificates")
        .fetch_all(&mut *conn)
        .await?;
    for r in &rows {
        let email: Option<String> = r.try_get("email")?;
        sqlx::query("UPDATE certificates SET name_key = $1, email_key = $2 WHERE id = $3")
            .bind(key(&r.try_get::<String, _>("name")?))
            .bind(email.as_deref().map(key))
            .bind(r.try_get::<String, _>("id")?)
            .execute(&mut *conn)
            .await?;
    }
    let rows = sqlx::query("SELECT id, contact_name, contact_email FROM profiles")
        .fetch_all(&mut *conn)
        .await?;
    for r in &rows {
        sqlx::query("UPDATE profiles SET contact_key = $1 WHERE id = $2")
            .bind(person_key(
                &r.try_get::<String, _>("contact_name")?,
                &r.try_get::<String, _>("contact_email")?,
            ))
            .bind(r.try_get::<String, _>("id")?)
            .execute(&mut *conn)
            .await?;
    }
    let rows = sqlx::query("SELECT id, given_name, surname, email FROM users")
        .fetch_all(&mut *conn)
        .await?;
    for r in &rows {
        let name = format!(
            "{} {}",
            r.try_get::<String, _>("given_name")?,
            r.try_get::<String, _>("surname")?
        );
        sqlx::query("UPDATE users SET name_key = $1 WHERE id = $2")
            .bind(person_key(&name, &r.try_get::<String, _>("email")?))
            .bind(r.try_get::<String, _>("id")?)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_letters_fold() {
        assert_eq!(key("ÆBLEGÅRD Østergaard"), "æblegård østergaard");
        assert_eq!(person_key("Søren Ø", "S@Firma.DK"), "søren ø\ns@firma.dk");
    }
}
