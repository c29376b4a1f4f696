//! `orgca-bench search-fill`: fills an orgca store (made by `orgca init`) with synthetic
//! organisations, profiles, users and certificate records for the search and export
//! benchmark (`bench/search.sh`), and writes a sample of what to look up.
//!
//! Organisations, profiles and users go through the store's API (with their audit
//! events); certificate rows are written directly by the store's bench-only insert
//! (no signatures): never run this on a real store.

use std::time::Instant;

use orgca_model::{CertKind, CertName, Cvr, Email, Environment, PersonName, Role, UserStatus};
use orgca_store::{BenchCertificate, NewOrganisation, NewProfile, NewUser, Store};
use uuid::Uuid;

const GIVEN: [&str; 16] = [
    "Anne", "Søren", "Mette", "Jens", "Lars", "Kirsten", "Hanne", "Niels", "Åse", "Øjvind",
    "Birgitte", "Mads", "Ida", "Frederik", "Sofie", "Mikkel",
];
const SURNAMES: [&str; 16] = [
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Østergaard",
    "Ærenlund",
    "Møller",
    "Kjær",
    "Bøgh",
    "Thygesen",
];
const SYSTEMS: [&str; 12] = [
    "Løn",
    "Webshop",
    "Faktura",
    "Lager",
    "Portal",
    "Backup",
    "Print",
    "VPN",
    "Mail",
    "Ærø-gateway",
    "Booking",
    "Integration",
];

/// splitmix64: deterministic and good enough to spread synthetic values.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }
}

/// What the latency benchmark looks up in one organisation.
#[derive(Default, serde::Serialize)]
struct Sample {
    cvr: String,
    org_id: String,
    admin: String,
    certificates: u64,
    uuids: Vec<String>,
    serials: Vec<String>,
    emails: Vec<String>,
    contact_prefixes: Vec<String>,
    words: Vec<String>,
}

struct Person {
    id: Uuid,
    name: String,
    email: String,
}

/// Fills the store at `url`: `orgs` organisations holding `certs` certificates, of
/// which `big` are in the first; writes the sample of the first and the middle one to
/// `sample` as JSON.
pub async fn fill(
    url: &str,
    orgs: u32,
    certs: u64,
    big: u64,
    sample: &std::path::Path,
) -> anyhow::Result<()> {
    let store = Store::open(url).await?;
    let issuer = store
        .ca()
        .list()
        .await?
        .into_iter()
        .find(|c| c.name.starts_with("test-issuing"))
        .map(|c| c.name)
        .ok_or_else(|| {
            anyhow::anyhow!("no test issuing CA: run `orgca init` on this store first")
        })?;
    let now_secs = time::OffsetDateTime::now_utc().unix_timestamp();
    let now = orgca_model::UnixTime::from_secs(now_secs);
    let day = 86_400;
    let mut rng = Rng(42);
    let small = (certs - big) / u64::from(orgs.saturating_sub(1).max(1));
    let middle = orgs / 2;
    let mut samples = serde_json::Map::new();
    let start = Instant::now();
    for o in 0..orgs {
        let cvr = format!("{:08}", 10_000_000 + o);
        let org = store
            .orgs()
            .create(
                &NewOrganisation {
                    cvr: Cvr::parse(&cvr, Environment::Test)?,
                    name: format!("Bench {} ApS", rng.pick(&SURNAMES)),
                    environment: Environment::Test,
                },
                "bench",
                now,
            )
            .await?;
        let scope = store.org(org.id);
        let n = if o == 0 { big } else { small };
        let domain = format!("o{o}.bench.dk");
        let mut people = Vec::new();
        let users = if o == 0 { 200 } else { 5 };
        for u in 0..users {
            let (g, s) = (rng.pick(&GIVEN), rng.pick(&SURNAMES));
            let email = if u == 0 {
                format!("admin@{domain}")
            } else {
                format!("{}.{}{u}@{domain}", ascii(g), ascii(s))
            };
            let user = scope
                .create_user(
                    &NewUser {
                        email: Email::parse(&email)?,
                        given_name: PersonName::parse("given name", g)?,
                        surname: PersonName::parse("surname", s)?,
                        role: if u == 0 { Role::OrgAdmin } else { Role::User },
                        seal: false,
                        status: UserStatus::Active,
                        external_id: None,
                        directory_name: None,
                    },
                    "bench",
                    now,
                )
                .await?;
            people.push(Person {
                id: user.id,
                name: format!("{g} {s}"),
                email,
            });
        }
        let mut profiles = Vec::new();
        for p in 0..(if o == 0 { 20 } else { 2 }) {
            let system = rng.pick(&SYSTEMS);
            let contact = (rng.pick(&GIVEN), rng.pick(&SURNAMES));
            let kind = if p % 2 == 0 {
                CertKind::System
            } else {
                CertKind::Organisation
            };
            let email = format!("{}{p}@{domain}", ascii(system).to_lowercase());
            let profile = scope
                .create_profile(
                    &NewProfile {
                        kind,
                        name: CertName::parse(&format!("{system} {p}"))?,
                        email: (kind == CertKind::Organisation)
                            .then(|| Email::parse(&email))
                            .transpose()?,
                        contact_name: format!("{} {}", contact.0, contact.1),
                        contact_email: Email::parse(&format!("kontakt{p}@{domain}"))?,
                        allow_signing: false,
                        publish: false,
                    },
                    "bench",
                    now,
                )
                .await?;
            profiles.push((profile, email));
        }
        let mut s = Sample {
            cvr: cvr.clone(),
            org_id: org.id.to_string(),
            admin: format!("admin@{domain}"),
            certificates: n,
            contact_prefixes: profiles
                .iter()
                .map(|(p, _)| {
                    p.contact_name
                        .split(' ')
                        .nth(1)
                        .unwrap_or("")
                        .chars()
                        .take(5)
                        .collect()
                })
                .collect(),
            words: SYSTEMS.iter().map(|w| w.to_lowercase()).collect(),
            ..Sample::default()
        };
        let mut rows = Vec::with_capacity(20_000);
        for i in 0..n {
            let created = now_secs - rng.below(1000) as i64 * day - rng.below(day as u64) as i64;
            let not_before = created;
            let not_after = created + (365 + rng.below(730) as i64) * day;
            let mut serial = [0u8; 20];
            serial[..8].copy_from_slice(&rng.next().to_be_bytes());
            serial[8..16].copy_from_slice(&rng.next().to_be_bytes());
            serial[16..].copy_from_slice(&(u32::try_from(i).unwrap_or(u32::MAX) ^ o).to_be_bytes());
            serial[0] = (serial[0] & 0x7f) | 0x40;
            let (kind, name, subject, email) = if rng.below(2) == 0 {
                let p = &people[rng.below(people.len() as u64) as usize];
                ("employee", p.name.clone(), p.id, Some(p.email.clone()))
            } else {
                let (p, email) = &profiles[rng.below(profiles.len() as u64) as usize];
                let email = (p.kind == CertKind::Organisation).then(|| email.clone());
                (
                    p.kind.as_str(),
                    format!("{} {}", p.name, i % 97),
                    p.id,
                    email,
                )
            };
            let row = BenchCertificate {
                org_id: org.id,
                kind,
                name,
                subject_uuid: subject,
                email,
                serial: hex::encode(serial),
                not_before,
                not_after,
                created_at: created,
                blocked: rng.below(20) == 0,
            };
            if (o == 0 || o == middle) && i % (n / 200).max(1) == 0 {
                s.uuids.push(row.subject_uuid.to_string());
                s.serials.push(row.serial.clone());
                if let Some(e) = &row.email {
                    s.emails.push(e.clone());
                }
            }
            rows.push(row);
            if rows.len() == 20_000 {
                store.bench_insert(&issuer, &rows).await?;
                rows.clear();
            }
        }
        store.bench_insert(&issuer, &rows).await?;
        if o == 0 || o == middle {
            samples.insert(
                if o == 0 { "big" } else { "small" }.into(),
                serde_json::to_value(&s)?,
            );
        }
        if o % 100 == 0 {
            eprintln!("organisation {o}: {:.0} s", start.elapsed().as_secs_f64());
        }
    }
    std::fs::write(sample, serde_json::to_vec_pretty(&samples)?)?;
    store.close().await;
    eprintln!(
        "filled {certs} certificates in {orgs} organisations in {:.0} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The ASCII letters of a name, for addresses.
fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'æ' | 'Æ' => 'a',
            'ø' | 'Ø' => 'o',
            'å' | 'Å' => 'a',
            c => c,
        })
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase()
}
