//! Issuance through the real `orgca` binary, checked by OpenSSL and pkilint.

use crate::ORGCA;
use orgca_testkit::{self as testkit, Env, cmd, openssl_csr, pkilint_available, pkilint_errors};

const PROD_CVR: &str = "12345674"; // passes mod-11
const TEST_CVR: &str = "99999999"; // fictitious, fails mod-11

fn setup() -> Env {
    let env = Env::new(ORGCA);
    env.ok(&["org", "create", "--cvr", PROD_CVR, "--name", "Firma ApS"]);
    env.ok(&[
        "org",
        "create",
        "--cvr",
        TEST_CVR,
        "--name",
        "Testorganisation nr. 99999999",
        "--test",
    ]);
    env
}

fn issue_args<'a>(kind: &'a str, org: &'a str, csr: &'a str) -> Vec<&'a str> {
    let mut a = vec!["cert", "issue", "--org", org, "--kind", kind, "--csr", csr];
    match kind {
        "employee" => a.extend([
            "--given-name",
            "Søren",
            "--surname",
            "Østergård",
            "--email",
            "soren@firma.dk",
        ]),
        "organisation" => a.extend(["--name", "Firma ApS signering", "--email", "it@firma.dk"]),
        _ => a.extend(["--name", "Løn-system"]),
    }
    a
}

fn subject_of(pem: &std::path::Path) -> String {
    let out = cmd(
        "openssl",
        &[
            "x509",
            "-noout",
            "-subject",
            "-nameopt",
            "RFC2253,-esc_msb",
            "-in",
            pem.to_str().expect("path"),
        ],
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn every_kind_and_key_type_verifies_and_lints_clean() {
    let env = setup();
    let pkix = pkilint_available("lint_pkix_cert");
    let etsi = pkilint_available("lint_etsi_cert");
    for (key_name, newkey) in [
        ("rsa3072", &["-newkey", "rsa:3072"][..]),
        (
            "p256",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"][..],
        ),
    ] {
        for (kind, org, hierarchy) in [
            ("organisation", PROD_CVR, "production"),
            ("system", TEST_CVR, "test"),
            ("employee", PROD_CVR, "production"),
            ("employee", TEST_CVR, "test"),
        ] {
            let label = format!("{kind}-{key_name}-{hierarchy}");
            let csr = openssl_csr(&env, &label, newkey);
            let v = env.json(&issue_args(kind, org, csr.to_str().expect("path")));
            for field in [
                "id",
                "serial",
                "subject_uuid",
                "not_before",
                "not_after",
                "certificate_pem",
                "chain_pem",
            ] {
                assert!(
                    v.get(field).is_some_and(|f| !f.is_null()),
                    "{label}: missing {field} in {v}"
                );
            }
            assert_eq!(
                v["serial"].as_str().map(str::len),
                Some(40),
                "{label}: 20-byte serial"
            );
            let leaf = env.write(
                &format!("{label}.pem"),
                v["certificate_pem"].as_str().expect("pem"),
            );
            let root = env.ca_file(&format!("{hierarchy}-root"));
            let issuing = env.ca_file(&format!("{hierarchy}-issuing-1"));
            testkit::assert_chain_verifies(&root, &issuing, &leaf, &label);
            // The chain in the JSON is the issuing CA then the root.
            let chain = v["chain_pem"].as_str().expect("chain");
            assert_eq!(
                chain,
                format!(
                    "{}{}",
                    std::fs::read_to_string(&issuing).expect("r"),
                    std::fs::read_to_string(&root).expect("r")
                )
            );
            // Subject from orgca's data, never from the CSR.
            let subject = subject_of(&leaf);
            assert!(
                !subject.contains("Evil") && !subject.contains("ignored"),
                "{label}: {subject}"
            );
            let uuid = v["subject_uuid"].as_str().expect("uuid");
            let letter = if kind == "employee" { "E" } else { "O" };
            assert!(
                subject.contains(&format!("serialNumber=UI:DK-{letter}:G:{uuid}")),
                "{label}: {subject}"
            );
            assert!(
                subject.contains(&format!("2.5.4.97=NTRDK-{org}"))
                    || subject.contains(&format!("organizationIdentifier=NTRDK-{org}")),
                "{label}: {subject}"
            );
            if pkix {
                let bad = pkilint_errors("lint_pkix_cert", &[], &leaf);
                assert!(bad.is_empty(), "{label}: lint_pkix_cert: {bad:?}");
            }
            if etsi {
                let t = if kind == "employee" {
                    "NCP-NATURAL-PERSON-CERTIFICATE"
                } else {
                    "NCP-LEGAL-PERSON-CERTIFICATE"
                };
                let bad = pkilint_errors("lint_etsi_cert", &["-t", t], &leaf);
                assert!(bad.is_empty(), "{label}: lint_etsi_cert: {bad:?}");
            }
        }
    }
}

#[test]
fn profile_details_match_the_domain() {
    let env = setup();
    let csr = openssl_csr(&env, "org", &["-newkey", "rsa:3072"]);
    let v = env.json(&issue_args(
        "organisation",
        PROD_CVR,
        csr.to_str().expect("p"),
    ));
    let leaf = env.write("leaf.pem", v["certificate_pem"].as_str().expect("pem"));
    let text = String::from_utf8(
        cmd(
            "openssl",
            &["x509", "-noout", "-text", "-in", leaf.to_str().expect("p")],
        )
        .stdout,
    )
    .expect("utf8");
    for needle in [
        "rsassaPss",
        "Salt Length: 0x20",
        "CA:FALSE",
        "Digital Signature, Non Repudiation, Key Encipherment",
        "CA Issuers - URI:http://pki.orgca-test.dk/ca/production-issuing-1.cer",
        "OCSP - URI:http://pki.orgca-test.dk/ocsp",
        "URI:http://pki.orgca-test.dk/crl/production-issuing-1.crl",
        "Policy: 0.4.0.2042.1.1",
        "Policy: 1.2.208.169.1.1.1.3.7.1",
        "email:it@firma.dk",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert!(
        !text.contains("Extended Key Usage"),
        "no EKU in the profile"
    );
    // Validity: exactly 3 years minus one second.
    let nb = time::OffsetDateTime::parse(
        v["not_before"].as_str().expect("nb"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("parse");
    let na = time::OffsetDateTime::parse(
        v["not_after"].as_str().expect("na"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("parse");
    assert_eq!(
        na,
        nb.replace_year(nb.year() + 3).expect("date") - time::Duration::seconds(1)
    );
    // Subject RDN order in DER: CN, serialNumber, O, organizationIdentifier, C.
    let asn1 =
        String::from_utf8(cmd("openssl", &["asn1parse", "-in", leaf.to_str().expect("p")]).stdout)
            .expect("utf8");
    let order: Vec<&str> = asn1
        .lines()
        .filter(|l| l.contains("prim: OBJECT"))
        .filter_map(|l| l.rsplit(':').next())
        .filter(|n| {
            [
                "commonName",
                "serialNumber",
                "organizationName",
                "organizationIdentifier",
                "countryName",
            ]
            .contains(n)
        })
        .collect();
    // The issuer (C, O, CN) comes first in the TBS, then the subject.
    assert_eq!(
        &order[3..],
        [
            "commonName",
            "serialNumber",
            "organizationName",
            "organizationIdentifier",
            "countryName"
        ],
        "{order:?}"
    );
    // String types: serialNumber and C PrintableString, the rest UTF8String.
    assert!(asn1.contains("PRINTABLESTRING   :UI:DK-O:G:"), "{asn1}");
    assert!(
        asn1.contains("UTF8STRING        :Firma ApS signering"),
        "{asn1}"
    );
}

#[test]
fn bad_csrs_are_refused_and_nothing_is_stored() {
    let env = setup();
    let before = env.audit_events();
    let good = openssl_csr(&env, "good", &["-newkey", "rsa:3072"]);
    // A CSR whose signature no longer matches: flip one byte near the end (in the signature).
    let der = cmd(
        "openssl",
        &["req", "-in", good.to_str().expect("p"), "-outform", "DER"],
    )
    .stdout;
    let mut bad_sig = der.clone();
    let n = bad_sig.len();
    bad_sig[n - 10] ^= 0x01;
    let bad_sig = env.write("badsig.der", bad_sig);
    let small = openssl_csr(&env, "rsa2048", &["-newkey", "rsa:2048"]);
    let dsa_params = env.path("dsa.params");
    assert!(
        cmd(
            "openssl",
            &["dsaparam", "-out", dsa_params.to_str().expect("p"), "2048"]
        )
        .status
        .success()
    );
    let dsa = openssl_csr(
        &env,
        "dsa",
        &["-newkey", &format!("dsa:{}", dsa_params.display())],
    );
    // Keys orgca does not take are named as people know them, not by OID.
    let p521 = openssl_csr(
        &env,
        "p521",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"],
    );
    let ed25519 = openssl_csr(&env, "ed25519", &["-newkey", "ed25519"]);
    let garbage = env.write(
        "garbage.csr",
        b"this is not a certificate request at all\x00\xff",
    );
    let empty = env.write("empty.csr", b"");
    let cases: [(&std::path::Path, &str); 7] = [
        (&bad_sig, "signature does not verify"),
        (&small, "2048 bits"),
        (&dsa, "of type DSA (1.2.840.10040.4.1); orgca accepts RSA"),
        (&p521, "on curve P-521 (1.3.132.0.35)"),
        (&ed25519, "of type Ed25519 (1.3.101.112)"),
        (&garbage, "not a PKCS#10 request"),
        (&empty, "empty"),
    ];
    let issue = |csr: &str| {
        env.run(&[
            "cert", "issue", "--org", PROD_CVR, "--kind", "system", "--name", "X", "--csr", csr,
        ])
    };
    for (path, expected) in cases {
        let out = issue(path.to_str().expect("p"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: {stderr}", path.display());
        assert!(
            stderr.contains(expected),
            "{}: expected {expected:?} in {stderr:?}",
            path.display()
        );
        assert!(out.stdout.is_empty(), "nothing printed on stdout");
    }
    let missing = issue("/nonexistent.csr");
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(env.audit_events(), before, "no event written, chain intact");
    assert_eq!(
        env.json(&["cert", "list", "--org", PROD_CVR])
            .as_array()
            .map(Vec::len),
        Some(0)
    );
}

#[test]
fn bad_subject_input_is_refused_clearly() {
    let env = setup();
    let csr = openssl_csr(
        &env,
        "k",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
    );
    let c = csr.to_str().expect("p");
    let long = "x".repeat(65);
    let cases: [(Vec<&str>, &str); 5] = [
        (
            vec![
                "--kind",
                "employee",
                "--given-name",
                "Søren",
                "--surname",
                "Ø",
                "--email",
                "søren@firma.dk",
            ],
            "non-ASCII",
        ),
        (
            vec![
                "--kind",
                "employee",
                "--given-name",
                "Søren",
                "--email",
                "s@firma.dk",
            ],
            "given name and a surname",
        ),
        (vec!["--kind", "system"], "needs a name"),
        (
            vec!["--kind", "robot", "--name", "x"],
            "unknown certificate kind",
        ),
        (vec!["--kind", "system", "--name", &long], "at most 64"),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["cert", "issue", "--org", PROD_CVR, "--csr", c];
        args.extend(extra.iter().copied());
        let out = env.run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}: expected {expected:?} in {stderr:?}"
        );
    }
    let unknown = env.run(&[
        "cert", "issue", "--org", "11111111", "--kind", "system", "--name", "x", "--csr", c,
    ]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no organisation with CVR 11111111"));
}

#[test]
fn subject_uuid_is_kept_when_given() {
    let env = setup();
    let csr = openssl_csr(
        &env,
        "k",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
    );
    let uuid = "2f1b9e0c-8d1a-4c1e-9b3a-0a4f6e2d7c11";
    let c = csr.to_str().expect("p");
    let issue = || {
        env.json(&[
            "cert",
            "issue",
            "--org",
            TEST_CVR,
            "--kind",
            "system",
            "--name",
            "API",
            "--subject-uuid",
            uuid,
            "--csr",
            c,
        ])
    };
    let v = issue();
    assert_eq!(v["subject_uuid"], uuid);
    let v2 = issue();
    assert_eq!(v2["subject_uuid"], uuid);
    assert_ne!(v["serial"], v2["serial"], "a new serial every time");
}
