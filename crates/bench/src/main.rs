//! `orgca-bench`: measures orgca's signing backend, its CA core and its whole issuance
//! path, printing one JSON object per measurement. `bench/issuance.sh` runs it beside
//! `openssl speed` so that every figure is a ratio measured in one run.
//!
//! This binary is for benchmarks only: it is never part of the `orgca` binary, and it
//! must never point at a production database (it creates its own CAs and organisation).

mod search;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use der::asn1::ObjectIdentifier;
use orgca_ca::ceremony::{HierarchyNames, HierarchySpec};
use orgca_ca::{Ca, LeafRequest, Settings};
use orgca_keys::{KeySpec, Signer, SoftKey};
use orgca_model::{CertName, Cvr, Environment, UnixTime};
use orgca_pki::profile::{Holder, LeafSubject, Policies};
use orgca_ra::{IssueRequest, Ra};
use orgca_store::Store;
use time::OffsetDateTime;

#[derive(Parser)]
struct Cli {
    /// Worker threads (signing) or requests in flight (issuance).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// How long to measure.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    #[command(subcommand)]
    what: What,
}

#[derive(Clone, Copy, ValueEnum)]
enum Alg {
    Rsa3072Pss,
    P256,
}

#[derive(Subcommand)]
enum What {
    /// Raw signatures/s over a 1 KiB message (the size of a TBS): a software key, or
    /// with `--pkcs11-module` and `--token` a CA key made on that token (its PIN in
    /// ORGCA_BENCH_TOKEN_PIN; the key is removed again afterwards).
    Sign {
        #[arg(long, value_enum)]
        alg: Alg,
        /// A PKCS#11 module whose token holds the key.
        #[arg(long, requires = "token")]
        pkcs11_module: Option<std::path::PathBuf>,
        /// The token's label.
        #[arg(long)]
        token: Option<String>,
    },
    /// Certificates/s through the CA core: build TBS, lint, sign, self-check, encode PEM.
    Core,
    /// Certificates/s through `orgca cert issue`'s code path (CSR check, build, lint,
    /// record the serial, sign, commit with the audit event) on a database.
    /// Certificates/s through the store alone: reserve a serial, then commit a
    /// certificate with its audit event, without signing (the store's ceiling).
    Store {
        /// sqlite (a temporary file) or a postgres:// URL of a scratch database.
        #[arg(long, default_value = "sqlite")]
        db: String,
    },
    /// CRL build time: `--fill N` writes N blocked certificates (bench-only rows) into a
    /// store in DIR; without it, the CRL of that store's issuing CA is built and signed
    /// `--threads` times (the runs), each reported with its time, the CRL's size and the
    /// process's peak memory.
    Crl {
        /// Folder for the SQLite database and the CA keys (kept between calls).
        #[arg(long)]
        dir: std::path::PathBuf,
        /// A postgres:// URL instead of SQLite in DIR.
        #[arg(long)]
        db: Option<String>,
        /// Write this many blocked certificates first (and build nothing).
        #[arg(long)]
        fill: Option<u64>,
    },
    /// Fills a store made by `orgca init` with synthetic organisations, users, profiles
    /// and certificate records for `bench/search.sh`, and writes what to look up.
    SearchFill {
        /// The store's URL (sqlite://DATA/orgca.db or postgres://...).
        #[arg(long)]
        db: String,
        /// Organisations.
        #[arg(long, default_value_t = 1000)]
        orgs: u32,
        /// Certificates in all.
        #[arg(long, default_value_t = 1_000_000)]
        certs: u64,
        /// Certificates of the first organisation.
        #[arg(long, default_value_t = 100_000)]
        big: u64,
        /// Where to write the sample (JSON).
        #[arg(long)]
        sample: std::path::PathBuf,
    },
    Issue {
        /// sqlite (a temporary file) or a postgres:// URL of a scratch database.
        #[arg(long, default_value = "sqlite")]
        db: String,
        /// The CSR to certify (PEM).
        #[arg(long)]
        csr: std::path::PathBuf,
        /// A PKCS#11 module whose token holds the CA keys (made for the run, removed
        /// after; the PIN in ORGCA_BENCH_TOKEN_PIN).
        #[arg(long, requires = "token")]
        pkcs11_module: Option<std::path::PathBuf>,
        /// The token's label.
        #[arg(long)]
        token: Option<String>,
    },
}

fn report(what: &str, threads: usize, count: u64, elapsed: Duration, extra: serde_json::Value) {
    let mut v = serde_json::json!({
        "what": what, "threads": threads, "count": count,
        "seconds": elapsed.as_secs_f64(), "per_second": count as f64 / elapsed.as_secs_f64(),
    });
    if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    println!("{v}");
}

/// The benchmark's token, logged in with ORGCA_BENCH_TOKEN_PIN.
fn open_bench_token(
    module: &std::path::Path,
    label: &str,
) -> anyhow::Result<orgca_keys::Pkcs11Keys> {
    let pin = std::env::var("ORGCA_BENCH_TOKEN_PIN")
        .map_err(|_| anyhow::anyhow!("set ORGCA_BENCH_TOKEN_PIN"))?;
    Ok(orgca_keys::Pkcs11Keys::open(module, label, &pin)?)
}

/// Removes a benchmark's key from its token when dropped.
struct TokenKeyGuard(Arc<orgca_keys::Pkcs11Keys>, String);

impl Drop for TokenKeyGuard {
    fn drop(&mut self) {
        let _ = self.0.destroy_ca_key(&self.1);
    }
}

/// Runs `work` on `threads` OS threads until `seconds` pass; returns the number of calls.
fn run_threads(
    threads: usize,
    seconds: f64,
    work: Arc<dyn Fn() -> anyhow::Result<()> + Send + Sync>,
) -> anyhow::Result<(u64, Duration)> {
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (work, done) = (work.clone(), done.clone());
            std::thread::spawn(move || -> anyhow::Result<()> {
                while Instant::now() < deadline {
                    work()?;
                    done.fetch_add(1, Ordering::Relaxed);
                }
                Ok(())
            })
        })
        .collect();
    for h in handles {
        h.join().map_err(|_| anyhow::anyhow!("worker panicked"))??;
    }
    Ok((done.load(Ordering::Relaxed), start.elapsed()))
}

fn settings() -> Settings {
    Settings {
        public_base_url: "http://pki.orgca-bench.dk".into(),
        policies: Policies {
            organisation: ObjectIdentifier::new_unwrap("1.2.208.169.1.1.1.3.7.1"),
            employee: ObjectIdentifier::new_unwrap("1.2.208.169.1.1.1.2.7.1"),
            name_registration_authority: "https://uid.gov.dk".into(),
        },
        crl_partitions: 0,
    }
}

/// A fresh test hierarchy recorded in `store`, with its issuing CA loaded: its keys are
/// files in `keys`, or made on `token` (removed again when the guards drop).
async fn ca_on(
    store: &Store,
    keys: &std::path::Path,
    token: Option<&Arc<orgca_keys::Pkcs11Keys>>,
) -> anyhow::Result<(Ca, Vec<TokenKeyGuard>)> {
    let spec = HierarchySpec {
        environment: Environment::Test,
        names: HierarchyNames::default_for(Environment::Test),
        rsa_pss: true,
    };
    let now = OffsetDateTime::now_utc();
    let signing = orgca_pki::single_use::SigningPolicies::etsi(
        "https://uid.gov.dk",
        "https://pki.example.dk/pds/en",
        false,
    );
    let mut ca_keys = orgca_ca::CaKeys::files(keys, b"bench", true);
    ca_keys.token = token.cloned();
    let home = match token {
        Some(t) => orgca_ca::KeyHome::Token(t, true),
        None => orgca_ca::KeyHome::Files(&ca_keys),
    };
    let certs = orgca_ca::ceremony::create_hierarchy(&spec, &settings(), &signing, home, now)?;
    let guards = match token {
        Some(t) => certs
            .iter()
            .map(|c| TokenKeyGuard(t.clone(), c.name.clone()))
            .collect(),
        None => Vec::new(),
    };
    store
        .ca()
        .add_ca_certificates(&certs, "bench", now.into())
        .await?;
    let issuers = orgca_ca::load_issuing_cas(&store.ca(), &ca_keys, &settings()).await?;
    Ok((Ca::new(issuers, store.ca()), guards))
}

/// A scratch store (a temporary SQLite file, or the given PostgreSQL database) with a
/// fresh test hierarchy and one test organisation.
struct Scratch {
    _dir: tempfile::TempDir,
    /// Removes the CA keys from the token, when they were made there.
    _token_keys: Vec<TokenKeyGuard>,
    store: Store,
    ca: Arc<Ca>,
    org_id: orgca_model::OrgId,
    backend: &'static str,
}

impl Scratch {
    async fn new(db: &str) -> anyhow::Result<Scratch> {
        Scratch::with_token(db, None).await
    }

    /// As [`Scratch::new`], with the hierarchy's keys on `token` when given.
    async fn with_token(
        db: &str,
        token: Option<&Arc<orgca_keys::Pkcs11Keys>>,
    ) -> anyhow::Result<Scratch> {
        let dir = tempfile::tempdir()?;
        let (url, backend) = if db == "sqlite" {
            (
                format!("sqlite://{}", dir.path().join("b.db").display()),
                "sqlite",
            )
        } else {
            (db.to_owned(), "postgres")
        };
        let store = Store::open(&url).await?;
        let (ca, token_keys) = ca_on(&store, dir.path(), token).await?;
        let ca = Arc::new(ca);
        let org = bench_org(&store).await?;
        Ok(Scratch {
            _dir: dir,
            _token_keys: token_keys,
            store,
            ca,
            org_id: org.id,
            backend,
        })
    }

    /// Fails when the audit chain does not verify after a run.
    async fn verify_chain(&self) -> anyhow::Result<()> {
        let report = self.store.audit().verify().await?;
        anyhow::ensure!(
            report.first_break.is_none(),
            "audit chain broken after the benchmark"
        );
        Ok(())
    }
}

/// Keeps `n` calls of `f` in flight until `seconds` pass; returns how many finished.
async fn in_flight<F, Fut>(n: usize, seconds: f64, f: F) -> anyhow::Result<(u64, Duration)>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (f, done) = (f.clone(), done.clone());
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    f().await?;
                    done.fetch_add(1, Ordering::Relaxed);
                }
                Ok::<(), anyhow::Error>(())
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    Ok((done.load(Ordering::Relaxed), start.elapsed()))
}

/// Peak resident memory of this process so far, KiB (Linux).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

async fn crl_bench(
    dir: &std::path::Path,
    db: Option<&str>,
    fill: Option<u64>,
    runs: usize,
) -> anyhow::Result<()> {
    let url = db.map_or_else(
        || format!("sqlite://{}", dir.join("b.db").display()),
        str::to_owned,
    );
    let store = Store::open(&url).await?;
    if let Some(n) = fill {
        let (ca, _) = ca_on(&store, dir, None).await?;
        let issuer = ca
            .issuers()
            .next()
            .map(|i| i.name.clone())
            .unwrap_or_default();
        let org = bench_org(&store).await?;
        let start = Instant::now();
        store
            .bench_fill_revoked(
                &issuer,
                org.id,
                n,
                42,
                OffsetDateTime::now_utc().unix_timestamp(),
            )
            .await?;
        eprintln!("filled {n} blocked certificates in {:?}", start.elapsed());
        store.close().await;
        return Ok(());
    }
    let ca_keys = orgca_ca::CaKeys::files(dir, b"bench", true);
    let issuers = orgca_ca::load_crl_issuers(&store.ca(), &ca_keys, &[]).await?;
    let issuer = issuers
        .into_iter()
        .find(|i| i.name.contains("issuing"))
        .ok_or_else(|| anyhow::anyhow!("no issuing CA in {}", dir.display()))?;
    let target = orgca_status::CrlTarget::full(Arc::new(issuer));
    let before = peak_rss_kib();
    // As `serve` does: each build is sized by the previous one's count.
    let mut expected = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let crl = orgca_status::build_crl(
            &store.status(),
            &target,
            &orgca_status::CrlPolicy::default(),
            OffsetDateTime::now_utc(),
            expected,
        )
        .await?;
        let t = start.elapsed();
        expected = usize::try_from(crl.entries)?;
        println!(
            "{}",
            serde_json::json!({
                "what": "crl", "entries": crl.entries, "seconds": t.as_secs_f64(),
                "der_bytes": crl.der.len(), "peak_rss_kib": peak_rss_kib(),
                "rss_before_kib": before, "backend": if db.is_some() { "postgres" } else { "sqlite" },
            })
        );
    }
    store.close().await;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match &cli.what {
        What::SearchFill {
            db,
            orgs,
            certs,
            big,
            sample,
        } => rt.block_on(search::fill(db, *orgs, *certs, *big, sample))?,
        What::Crl { dir, db, fill } => {
            rt.block_on(crl_bench(dir, db.as_deref(), *fill, cli.threads.max(1)))?;
        }
        What::Sign {
            alg,
            pkcs11_module,
            token,
        } => {
            let (spec, name) = match alg {
                Alg::Rsa3072Pss => (KeySpec::Rsa3072, "sign-rsa3072-pss"),
                Alg::P256 => (KeySpec::P256, "sign-ecdsa-p256"),
            };
            let (key, name, _token): (Arc<dyn Signer>, String, Option<TokenKeyGuard>) =
                match (pkcs11_module, token) {
                    (Some(module), Some(label)) => {
                        let token = Arc::new(open_bench_token(module, label)?);
                        let key_label = format!("bench-{}", uuid::Uuid::new_v4());
                        let key = token.generate_ca_key(&key_label, spec, true)?;
                        (
                            Arc::new(key),
                            format!("{name}-pkcs11"),
                            Some(TokenKeyGuard(token, key_label)),
                        )
                    }
                    _ => (
                        Arc::new(SoftKey::generate(spec, true)?),
                        name.to_owned(),
                        None,
                    ),
                };
            let msg = vec![0x5au8; 1024];
            let (n, t) = run_threads(
                cli.threads,
                cli.seconds,
                Arc::new(move || key.sign(&msg).map(|_| ()).map_err(Into::into)),
            )?;
            report(&name, cli.threads, n, t, serde_json::json!({}));
        }
        What::Core => {
            let scratch = rt.block_on(Scratch::new("sqlite"))?;
            let ca = scratch.ca.clone();
            let spki = SoftKey::generate(KeySpec::Rsa3072, true)?
                .public_key()
                .clone();
            let subject = LeafSubject {
                holder: Holder::System { email: None },
                common_name: CertName::parse("Løn-system")?,
                subject_uuid: uuid::Uuid::new_v4(),
                organization: "Testorganisation nr. 99999999".into(),
                cvr: Cvr::parse("99999999", Environment::Test)?,
            };
            let work = {
                let ca = ca.clone();
                Arc::new(move || -> anyhow::Result<()> {
                    let req = LeafRequest {
                        org_id: uuid::Uuid::new_v4(),
                        environment: Environment::Test,
                        subject: subject.clone(),
                        spki: spki.clone(),
                    };
                    let linted = ca.build(req, OffsetDateTime::now_utc())?;
                    let issuer = ca.issuer(linted.environment())?;
                    let der = issuer.sign_tbs(linted.tbs_der())?;
                    orgca_pki::encode::certificate_pem(&der)?;
                    Ok(())
                })
            };
            let (n, t) = run_threads(cli.threads, cli.seconds, work)?;
            report(
                "ca-core-rsa3072-pss",
                cli.threads,
                n,
                t,
                serde_json::json!({}),
            );
        }
        What::Store { db } => {
            let (n, t, backend) = rt.block_on(async {
                let s = Scratch::new(db).await?;
                let (store, org_id) = (s.store.clone(), s.org_id);
                let (n, t) = in_flight(cli.threads, cli.seconds, move || {
                    let store = store.clone();
                    async move {
                        let serial = random_serial();
                        let subject_uuid = uuid::Uuid::new_v4();
                        let intent = orgca_store::SerialIntent {
                            serial,
                            issuer: "test-issuing-1".into(),
                            org_id,
                            kind: orgca_model::CertKind::System,
                            subject_uuid,
                            tbs_sha256: [7; 32],
                            at: UnixTime::EPOCH,
                        };
                        store.ca().reserve_serial(&intent).await?;
                        let cert = orgca_store::NewCertificate {
                            id: uuid::Uuid::new_v4(),
                            serial,
                            issuer: "test-issuing-1".into(),
                            crl_shard: None,
                            org_id,
                            kind: orgca_model::CertKind::System,
                            name: "Løn-system".into(),
                            subject_uuid,
                            email: None,
                            fingerprint: "ab".repeat(32),
                            tbs_sha256: [7; 32],
                            order_id: None,
                            not_before: UnixTime::EPOCH,
                            not_after: UnixTime::from_secs(1),
                            der: vec![0x30; 1500],
                        };
                        store
                            .issuance()
                            .commit(&cert, "bench", UnixTime::EPOCH)
                            .await?;
                        Ok(())
                    }
                })
                .await?;
                s.verify_chain().await?;
                Ok::<_, anyhow::Error>((n, t, s.backend))
            })?;
            report(
                &format!("store-{backend}"),
                cli.threads,
                n,
                t,
                serde_json::json!({"backend": backend}),
            );
        }
        What::Issue {
            db,
            csr,
            pkcs11_module,
            token,
        } => {
            let csr = std::fs::read(csr).context("reading the CSR")?;
            let token = match (pkcs11_module, token) {
                (Some(module), Some(label)) => Some(Arc::new(open_bench_token(module, label)?)),
                _ => None,
            };
            let (n, t, backend) = rt.block_on(async {
                let s = Scratch::with_token(db, token.as_ref()).await?;
                let ra = bench_ra(&s.store).with_ca(s.ca.clone());
                let req = IssueRequest {
                    org_cvr: "99999999".into(),
                    kind: "system".into(),
                    name: Some("Løn-system".into()),
                    csr,
                    ..Default::default()
                };
                let (n, t) = in_flight(cli.threads, cli.seconds, move || {
                    let (ra, req) = (ra.clone(), req.clone());
                    async move {
                        ra.issue(&req, "bench", OffsetDateTime::now_utc().into())
                            .await?;
                        Ok(())
                    }
                })
                .await?;
                s.verify_chain().await?;
                Ok::<_, anyhow::Error>((n, t, s.backend))
            })?;
            let on = if token.is_some() { "-pkcs11" } else { "" };
            report(
                &format!("issue-{backend}{on}"),
                cli.threads,
                n,
                t,
                serde_json::json!({"backend": backend}),
            );
        }
    }
    Ok(())
}

fn random_serial() -> orgca_model::Serial {
    let u = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let mut b = [0u8; 20];
    b[..16].copy_from_slice(u.0.as_bytes());
    b[16..].copy_from_slice(&u.1.as_bytes()[..4]);
    orgca_model::Serial::from_random(b)
}

/// The test organisation the benchmarks issue for.
async fn bench_org(store: &Store) -> anyhow::Result<orgca_model::Organisation> {
    Ok(bench_ra(store)
        .create_organisation(
            "99999999",
            "Testorganisation nr. 99999999",
            Environment::Test,
            "bench",
            UnixTime::EPOCH,
        )
        .await?)
}

/// The RA the benchmarks drive (its links point nowhere: no mail leaves a bench).
fn bench_ra(store: &Store) -> Ra {
    Ra::new(
        store.clone(),
        orgca_ra::OrderPolicy::new("http://bench.invalid"),
    )
}
