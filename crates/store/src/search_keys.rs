//! The lower-cased keys and words that search matches against, computed here
//! (Unicode-aware: "ÆRØ" finds "Ærø") and never by SQL `lower()`, which on SQLite knows
//! only ASCII.

use std::collections::BTreeSet;

use sqlx::Row;

use crate::StoreError;

/// Longest word kept (longer ones are cut: a search term that long is rare).
const MAX_WORD: usize = 40;

/// The key of a free-text value.
pub(crate) fn key(s: &str) -> String {
    s.to_lowercase()
}

/// The sort key of a certificate's name, compared byte by byte: lower-cased, in Danish
/// alphabetical order (æ and ä, ø and ö, then å, after z; é as e, ü as y).
pub(crate) fn sort_key(name: &str) -> String {
    key(name)
        .chars()
        .map(|c| match c {
            'æ' | 'ä' => '{',
            'ø' | 'ö' => '|',
            'å' => '}',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'á' | 'à' | 'â' => 'a',
            'ü' => 'y',
            c => c,
        })
        .collect()
}

/// The words of `s`: split at anything but a letter or digit, lower-cased, and kept to
/// their letters and digits, so that a word's words are itself: "İnci" lower-cases to
/// "i" and a combining dot, which is dropped, and then "inci" finds it.
pub(crate) fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric())
        .map(|w| {
            key(w)
                .chars()
                .filter(|c| c.is_alphanumeric())
                .take(MAX_WORD)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
}

/// The words of a certificate's name and e-mail address, each once.
pub(crate) fn certificate_words(name: &str, email: Option<&str>) -> BTreeSet<String> {
    words(name)
        .chain(email.into_iter().flat_map(words))
        .collect()
}

/// A person's key: the words of their name and e-mail address, each after a space, so
/// that `LIKE '% t%'` finds a word starting with `t`.
pub(crate) fn person_key(name: &str, email: &str) -> String {
    let all: BTreeSet<String> = words(name).chain(words(email)).collect();
    all.into_iter().fold(String::new(), |mut k, w| {
        k.push(' ');
        k.push_str(&w);
        k
    })
}

/// The first string after every string starting with `prefix` (in byte order, which is
/// UTF-8's code point order): `prefix <= w < upper` is "w starts with prefix".
pub(crate) fn prefix_upper(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = u32::from(last) + 1;
        if (0xd800..0xe000).contains(&next) {
            next = 0xe000;
        }
        if let Some(c) = char::from_u32(next) {
            chars.push(c);
            return chars.into_iter().collect();
        }
    }
    // Only a run of U+10FFFF: nothing is after it but longer strings; none are words.
    char::MAX.to_string().repeat(prefix.chars().count() + 1)
}

/// Writes the words of certificates `(org, id, name, email)` in `conn`'s transaction.
pub(crate) async fn insert_words(
    conn: &mut sqlx::AnyConnection,
    certs: &[(String, String, &str, Option<&str>)],
) -> Result<(), StoreError> {
    let rows: Vec<(&str, String, &str)> = certs
        .iter()
        .flat_map(|(org, id, name, email)| {
            certificate_words(name, *email)
                .into_iter()
                .map(move |w| (org.as_str(), w, id.as_str()))
        })
        .collect();
    for batch in rows.chunks(300) {
        let sql = crate::sql::multi_row(
            "INSERT INTO certificate_words (org_id, word, certificate_id)",
            batch.len(),
            3,
        );
        let mut q = sqlx::query(sql);
        for (org, w, id) in batch {
            q = q.bind(*org).bind(w.clone()).bind(*id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Fills the keys and words of rows written before migration 12, inside its
/// transaction; migration 20 runs it again on the words as they are read now.
pub(crate) async fn backfill(conn: &mut sqlx::AnyConnection) -> Result<(), StoreError> {
    let rows = sqlx::query("SELECT id, org_id, name, email FROM certificates")
        .fetch_all(&mut *conn)
        .await?;
    let mut certs = Vec::with_capacity(rows.len());
    for r in &rows {
        let email: Option<String> = r.try_get("email")?;
        let name: String = r.try_get("name")?;
        let id: String = r.try_get("id")?;
        sqlx::query("UPDATE certificates SET name_key = $1, email_key = $2 WHERE id = $3")
            .bind(sort_key(&name))
            .bind(email.as_deref().map(key))
            .bind(id.clone())
            .execute(&mut *conn)
            .await?;
        certs.push((r.try_get::<String, _>("org_id")?, id, name, email));
    }
    let refs: Vec<_> = certs
        .iter()
        .map(|(o, i, n, e)| (o.clone(), i.clone(), n.as_str(), e.as_deref()))
        .collect();
    insert_words(conn, &refs).await?;
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
    fn danish_letters_fold_and_words_split() {
        assert_eq!(key("ÆBLEGÅRD Østergaard"), "æblegård østergaard");
        assert_eq!(
            certificate_words("Løn-system 2, ÆRØ", Some("Info@Aeroe.dk")),
            ["2", "aeroe", "dk", "info", "løn", "system", "ærø"]
                .map(String::from)
                .into()
        );
        assert_eq!(person_key("Søren Ø", "S@Firma.DK"), " dk firma s søren ø");
    }

    #[test]
    fn a_word_read_again_is_the_same_word() {
        // Found by the search_text fuzz target: "İ" lower-cases to "i" and U+0307.
        let once: Vec<String> = words("İnci ÅSE d4R").collect();
        assert_eq!(once, ["inci", "åse", "d4r"]);
        let again: Vec<String> = words(&once.join(" ")).collect();
        assert_eq!(again, once);
        assert_eq!(words(&"x".repeat(50)).next().map(|w| w.len()), Some(40));
    }

    #[test]
    fn names_sort_in_danish_order() {
        let mut names = ["Åbo", "Zebra", "Ærø", "Østerbro", "Aalborg", "Émile"];
        names.sort_by_key(|n| sort_key(n));
        assert_eq!(
            names,
            ["Aalborg", "Émile", "Zebra", "Ærø", "Østerbro", "Åbo"]
        );
    }

    #[test]
    fn the_upper_bound_is_just_past_every_word_with_the_prefix() {
        assert_eq!(prefix_upper("hans"), "hant");
        assert_eq!(prefix_upper("æ"), "ç");
        for w in ["hans", "hansen", "hans\u{10ffff}x"] {
            assert!(w >= "hans" && w < prefix_upper("hans").as_str());
        }
        assert!("hant" >= prefix_upper("hans").as_str());
        assert_eq!(prefix_upper("a\u{d7ff}"), "a\u{e000}");
        assert_eq!(prefix_upper("a\u{10ffff}"), "b");
    }
}
