//! Archives written, read back, and refused when truncated, altered or foreign.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::*;

fn manifest() -> Manifest {
    Manifest {
        format: FORMAT.into(),
        orgca_version: "test".into(),
        taken_at: 1_800_000_000,
        source: Source::Sqlite,
        store: orgca_store::StoreDigest {
            schema_version: 20,
            tables: Vec::new(),
        },
        files: Vec::new(),
        not_included: vec!["the key passphrase".into()],
    }
}

/// A data folder's files: config, two key files, a database of incompressible bytes.
fn staged(dir: &Path) -> Vec<Staged> {
    std::fs::create_dir_all(dir.join("keys")).expect("mkdir");
    let mut files = Vec::new();
    let mut put = |name: &str, bytes: &[u8]| {
        let from = dir.join(name);
        std::fs::write(&from, bytes).expect("write");
        files.push(Staged {
            path: name.into(),
            from,
        });
    };
    put(CONFIG, b"public_base_url = \"http://ca.example\"\n");
    put(
        "keys/issuing.p8",
        b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n",
    );
    put("keys/audit.p8", b"another key");
    let noise: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    put(DATABASE, &noise);
    files
}

fn written(dir: &Path) -> (PathBuf, Written) {
    let files = staged(&dir.join("data"));
    let out = dir.join("backup.tar.gz");
    let w = write(&out, manifest(), &files, None).expect("write");
    (out, w)
}

#[test]
fn an_archive_reads_back_file_for_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, w) = written(dir.path());
    assert_eq!(w.manifest.files.len(), 4);
    assert_eq!(w.bytes, std::fs::metadata(&out).expect("meta").len());
    let into = dir.path().join("restored");
    std::fs::create_dir(&into).expect("mkdir");
    let m = read(&out, Some(&into)).expect("read").manifest;
    assert_eq!(m, w.manifest);
    for f in &m.files {
        assert_eq!(
            std::fs::read(into.join(&f.path)).expect("restored file"),
            std::fs::read(dir.path().join("data").join(&f.path)).expect("original"),
            "{}",
            f.path
        );
    }
    // Nothing partial is left beside it, and it is never written over.
    assert!(!out.with_extension("partial").exists());
    assert!(matches!(
        write(&out, manifest(), &staged(&dir.path().join("data2")), None),
        Err(ArchiveError::Exists(_))
    ));
}

#[test]
fn a_truncated_archive_is_refused_wherever_it_is_cut() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, w) = written(dir.path());
    let bytes = std::fs::read(&out).expect("read");
    let cut = dir.path().join("cut.tar.gz");
    for keep in [10, 200, bytes.len() / 2, bytes.len() - 9, bytes.len() - 1] {
        std::fs::write(&cut, &bytes[..keep]).expect("write");
        let e = read(&cut, None).expect_err("a truncated archive");
        assert!(
            matches!(
                e,
                ArchiveError::Damaged(_) | ArchiveError::Missing(_) | ArchiveError::NotABackup(_)
            ),
            "cut at {keep} of {}: {e}",
            w.bytes
        );
    }
}

#[test]
fn a_flipped_byte_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, _) = written(dir.path());
    let bytes = std::fs::read(&out).expect("read");
    let flipped = dir.path().join("flipped.tar.gz");
    for at in [bytes.len() / 3, bytes.len() / 2, bytes.len() - 20] {
        let mut b = bytes.clone();
        b[at] ^= 0x40;
        std::fs::write(&flipped, &b).expect("write");
        assert!(read(&flipped, None).is_err(), "a byte flipped at {at}");
    }
}

/// Writes a tar.gz of `entries` (name, bytes) as they are, with no checks.
fn raw_archive(out: &Path, entries: &[(&str, Vec<u8>)]) {
    let f = std::fs::File::create(out).expect("create");
    let gz = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    for (name, bytes) in entries {
        let mut h = tar::Header::new_gnu();
        // `set_path` refuses `..`: write the name's bytes as an attacker would.
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_size(bytes.len() as u64);
        h.set_mode(0o600);
        h.set_cksum();
        tar.append(&h, &bytes[..]).expect("append");
    }
    tar.into_inner()
        .expect("tar")
        .finish()
        .expect("gz")
        .flush()
        .expect("flush");
}

/// The archive's entries as written.
fn entries_of(dir: &Path) -> (Manifest, Vec<(String, Vec<u8>)>) {
    std::fs::create_dir_all(dir).expect("mkdir");
    let (out, w) = written(dir);
    let into = dir.join("x");
    std::fs::create_dir(&into).expect("mkdir");
    read(&out, Some(&into)).expect("read");
    let files = w
        .manifest
        .files
        .iter()
        .map(|f| {
            (
                f.path.clone(),
                std::fs::read(into.join(&f.path)).expect("file"),
            )
        })
        .collect();
    (w.manifest, files)
}

fn with_manifest(m: &Manifest, files: &[(String, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    let mut all = vec![(MANIFEST.to_owned(), serde_json::to_vec(m).expect("json"))];
    all.extend(files.iter().cloned());
    all
}

fn refused(dir: &Path, entries: Vec<(String, Vec<u8>)>) -> ArchiveError {
    let out = dir.join("crafted.tar.gz");
    let _ = std::fs::remove_file(&out);
    let borrowed: Vec<(&str, Vec<u8>)> = entries
        .iter()
        .map(|(n, b)| (n.as_str(), b.clone()))
        .collect();
    raw_archive(&out, &borrowed);
    let into = dir.join("into");
    let _ = std::fs::remove_dir_all(&into);
    std::fs::create_dir(&into).expect("mkdir");
    let e = read(&out, Some(&into)).expect_err("refused");
    assert!(
        !dir.join("escaped").exists(),
        "nothing is written outside the folder"
    );
    e
}

#[test]
fn altered_or_foreign_archives_are_refused_with_what_is_wrong() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (m, files) = entries_of(dir.path());
    let d = dir.path();

    // A file changed (and compressed again) no longer matches its hash.
    let mut changed = files.clone();
    changed[0].1[0] ^= 1;
    let e = refused(d, with_manifest(&m, &changed));
    assert!(
        matches!(&e, ArchiveError::Altered { path, .. } if path == CONFIG),
        "{e}"
    );

    // A file left out.
    let e = refused(d, with_manifest(&m, &files[..files.len() - 1]));
    assert!(
        matches!(&e, ArchiveError::Missing(p) if p == DATABASE),
        "{e}"
    );

    // A file added that the manifest does not list.
    let mut extra = files.clone();
    extra.push(("keys/extra.p8".into(), b"x".to_vec()));
    let e = refused(d, with_manifest(&m, &extra));
    assert!(
        matches!(&e, ArchiveError::Altered { path, .. } if path == "keys/extra.p8"),
        "{e}"
    );

    // A name that climbs out of the folder, even when the manifest lists it.
    let mut climbing = m.clone();
    climbing.files.push(FileEntry {
        path: "../escaped".into(),
        bytes: 1,
        sha256: String::new(),
    });
    let mut esc = files.clone();
    esc.push(("../escaped".into(), b"x".to_vec()));
    let e = refused(d, with_manifest(&climbing, &esc));
    assert!(matches!(e, ArchiveError::NotABackup(_)), "{e}");
    let e = refused(d, with_manifest(&m, &esc));
    assert!(matches!(e, ArchiveError::Altered { .. }), "{e}");

    // Not a backup at all, or one from a newer orgca.
    let e = refused(d, files.clone());
    assert!(matches!(e, ArchiveError::NotABackup(_)), "{e}");
    let newer = Manifest {
        format: "orgca-backup 2".into(),
        ..m.clone()
    };
    let e = refused(d, with_manifest(&newer, &files));
    assert!(matches!(e, ArchiveError::UnknownFormat(_)), "{e}");
    let plain = d.join("plain.txt");
    std::fs::write(&plain, b"hello").expect("write");
    assert!(read(&plain, None).is_err());
}

#[test]
fn only_the_names_orgca_writes_are_allowed() {
    for ok in [MANIFEST, CONFIG, DATABASE, "keys/issuing-prod.p8"] {
        assert!(allowed_name(ok), "{ok}");
    }
    for bad in [
        "../x",
        "keys/../x",
        "keys/",
        "keys/.hidden",
        "/etc/passwd",
        "keys/a/b",
        "secrets/key-passphrase",
        "orgca.db-wal",
    ] {
        assert!(!allowed_name(bad), "{bad}");
    }
}

#[test]
fn a_seal_is_second_and_vouches_for_the_manifest_bytes_as_archived() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = staged(&dir.path().join("data"));
    let out = dir.path().join("sealed.tar.gz");
    let signed = std::cell::RefCell::new(Vec::new());
    let sealer = |bytes: &[u8]| {
        signed.borrow_mut().extend_from_slice(bytes);
        Ok::<_, String>(format!("seal over {} bytes\n", bytes.len()))
    };
    let w = write(&out, manifest(), &files, Some(&sealer)).expect("write");
    assert!(w.sealed);
    let opened = read(&out, None).expect("read");
    assert_eq!(opened.manifest_bytes, *signed.borrow());
    assert_eq!(
        opened.seal.as_deref(),
        Some(format!("seal over {} bytes\n", signed.borrow().len()).as_str())
    );
    // A sealer that fails writes nothing.
    let failing = |_: &[u8]| Err::<String, _>("no key".to_owned());
    let out2 = dir.path().join("unsealed.tar.gz");
    assert!(write(&out2, manifest(), &files, Some(&failing)).is_err());
    assert!(!out2.exists() && !out2.with_extension("partial").exists());
    // A seal anywhere but second is refused.
    let (m, files) = entries_of(&dir.path().join("again"));
    let mut late = files.clone();
    late.push((SEAL.into(), b"seal".to_vec()));
    let e = refused(dir.path(), with_manifest(&m, &late));
    assert!(
        matches!(&e, ArchiveError::Altered { path, .. } if path == SEAL),
        "{e}"
    );
}
