//! orgca's backup archive: a gzip-compressed tar stream whose first entry is a manifest
//! (`manifest.json`: what was backed up, when, every table's rows and digest, and every
//! file's size and SHA-256), then the manifest's seal when it has one (`manifest.sig`, a
//! signed note over the manifest's hash: the caller signs and checks it), then the files
//! the manifest lists (`config.toml`, the encrypted key files under `keys/`, and
//! `orgca.db`, a SQLite copy of the store).
//!
//! Reading an archive checks every file against the manifest while it streams, so that a
//! truncated, damaged or altered archive is refused with what is wrong, and a restore
//! only ever uses a file that matched.
//!
//! This crate must never write outside the folder it is given, never accept a name that
//! climbs out of it (only the names above are allowed), and never put a secret that is
//! stored in the clear (the key passphrase, a PIN, a TLS key) into an archive: it copies
//! what it is handed, and its callers hand it only encrypted keys.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// The format this orgca writes and reads.
pub const FORMAT: &str = "orgca-backup 1";

/// The manifest's name in the archive (always its first entry).
pub const MANIFEST: &str = "manifest.json";

/// The manifest's seal in the archive (second, when there is one).
pub const SEAL: &str = "manifest.sig";

/// A seal larger than this is refused unread (a signed note is at most 16 KiB).
const MAX_SEAL: u64 = 16 << 10;

/// The store's copy in the archive.
pub const DATABASE: &str = "orgca.db";

/// The configuration in the archive.
pub const CONFIG: &str = "config.toml";

/// The folder of key files in the archive.
pub const KEYS: &str = "keys";

/// gzip level 3: most of level 6's size at about half its time (the store's pages
/// compress well at any level).
const COMPRESSION: flate2::Compression = flate2::Compression::new(3);

/// A manifest larger than this is refused unread.
const MAX_MANIFEST: u64 = 4 << 20;

/// Which database the backup was taken from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// SQLite (the embedded default).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// One file of the archive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Its name in the archive.
    pub path: String,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256, hex.
    pub sha256: String,
}

/// What an archive holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// The orgca that wrote it.
    pub orgca_version: String,
    /// When the store's snapshot was taken (Unix seconds).
    pub taken_at: i64,
    /// The database it was taken from.
    pub source: Source,
    /// The store's tables: rows and digests, as copied into `orgca.db`.
    pub store: orgca_store::StoreDigest,
    /// Every file after the manifest, in order.
    pub files: Vec<FileEntry>,
    /// What a restore needs that is not in the archive (the passphrase, token keys...).
    pub not_included: Vec<String>,
}

/// A file to put into an archive.
#[derive(Clone, Debug)]
pub struct Staged {
    /// Its name in the archive.
    pub path: String,
    /// Where it is now.
    pub from: PathBuf,
}

/// An archive read and checked.
#[derive(Clone, Debug)]
pub struct Opened {
    /// Its manifest.
    pub manifest: Manifest,
    /// The manifest's bytes as archived (what a seal vouches for).
    pub manifest_bytes: Vec<u8>,
    /// The manifest's seal, if the archive has one (not checked here).
    pub seal: Option<String>,
}

/// Signs a manifest's bytes: answers the seal, or why it could not be made.
pub type Sealer<'a> = &'a dyn Fn(&[u8]) -> Result<String, String>;

/// A written archive.
#[derive(Clone, Debug)]
pub struct Written {
    /// The archive's size.
    pub bytes: u64,
    /// The archive's SHA-256, hex (to record beside it).
    pub sha256: String,
    /// Its manifest.
    pub manifest: Manifest,
    /// Whether it is sealed.
    pub sealed: bool,
}

/// Why an archive was not written or not accepted.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The output exists: a backup never overwrites.
    #[error("{0} exists: give a new file name (a backup never overwrites one)")]
    Exists(PathBuf),
    /// The archive ended before its end.
    #[error("the archive is truncated or damaged ({0}): copy it again from where it was stored")]
    Damaged(String),
    /// Not an orgca backup.
    #[error("this is not an orgca backup: {0}")]
    NotABackup(String),
    /// Written by a newer orgca, in a format this one does not read.
    #[error("the archive's format is {0:?}; this orgca reads {FORMAT:?}: use a newer orgca")]
    UnknownFormat(String),
    /// A file does not match the manifest.
    #[error(
        "{path} does not match the manifest ({why}): the archive was altered or damaged; \
         nothing from it was used"
    )]
    Altered {
        /// The file.
        path: String,
        /// What differs.
        why: String,
    },
    /// A file the manifest lists is not in the archive.
    #[error("{0} is listed in the manifest but missing from the archive: it was altered")]
    Missing(String),
    /// Reading or writing a file failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        #[source]
        source: io::Error,
    },
}

fn io_err(what: impl Into<String>) -> impl FnOnce(io::Error) -> ArchiveError {
    let what = what.into();
    move |source| ArchiveError::Io { what, source }
}

/// Whether `path` is a name an archive may hold: the manifest, the config, the database,
/// or a plain file name under `keys/`.
pub fn allowed_name(path: &str) -> bool {
    if [MANIFEST, SEAL, CONFIG, DATABASE].contains(&path) {
        return true;
    }
    path.strip_prefix("keys/").is_some_and(|name| {
        !name.is_empty()
            && !name.starts_with('.')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    })
}

/// SHA-256 and size of a file.
pub fn hash_file(path: &Path) -> Result<(u64, String), ArchiveError> {
    let mut f = File::open(path).map_err(io_err(format!("reading {}", path.display())))?;
    let mut hasher = HashingWriter::new(io::sink());
    let bytes =
        io::copy(&mut f, &mut hasher).map_err(io_err(format!("reading {}", path.display())))?;
    Ok((bytes, hasher.finish()))
}

/// Writes an archive of `files` at `out` (never over an existing file: it is written
/// beside it and renamed into place once whole and on disk), sealed by `seal` when one is
/// given. `manifest.files` is filled in here.
pub fn write(
    out: &Path,
    mut manifest: Manifest,
    files: &[Staged],
    seal: Option<Sealer<'_>>,
) -> Result<Written, ArchiveError> {
    if out.exists() {
        return Err(ArchiveError::Exists(out.to_owned()));
    }
    manifest.files.clear();
    for f in files {
        if !allowed_name(&f.path) || f.path == MANIFEST || f.path == SEAL {
            return Err(ArchiveError::NotABackup(format!(
                "{} is not a name a backup may hold",
                f.path
            )));
        }
        let (bytes, sha256) = hash_file(&f.from)?;
        manifest.files.push(FileEntry {
            path: f.path.clone(),
            bytes,
            sha256,
        });
    }
    let partial = out.with_extension("partial");
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| ArchiveError::Io {
        what: "writing the manifest".into(),
        source: io::Error::other(e),
    })?;
    let sealed = match seal {
        None => None,
        Some(sign) => Some(sign(&text).map_err(|e| ArchiveError::Io {
            what: "sealing the manifest".into(),
            source: io::Error::other(e),
        })?),
    };
    let result = write_to(&partial, &manifest, &text, sealed.as_deref(), files);
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result?;
    // The hashes were taken before the files were copied in: check the copy.
    let checked = read(&partial, None);
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, out).map_err(io_err(format!("renaming into {}", out.display())))?;
    let (bytes, sha256) = hash_file(out)?;
    Ok(Written {
        bytes,
        sha256,
        manifest,
        sealed: sealed.is_some(),
    })
}

fn write_to(
    partial: &Path,
    manifest: &Manifest,
    text: &[u8],
    seal: Option<&str>,
    files: &[Staged],
) -> Result<(), ArchiveError> {
    let what = format!("writing {}", partial.display());
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(partial)
        .map_err(io_err(&what))?;
    let gz = flate2::write::GzEncoder::new(BufWriter::new(file), COMPRESSION);
    let mut tar = tar::Builder::new(gz);
    append(
        &mut tar,
        MANIFEST,
        text.len() as u64,
        manifest.taken_at,
        text,
    )
    .map_err(io_err(&what))?;
    if let Some(seal) = seal {
        append(
            &mut tar,
            SEAL,
            seal.len() as u64,
            manifest.taken_at,
            seal.as_bytes(),
        )
        .map_err(io_err(&what))?;
    }
    for (f, entry) in files.iter().zip(&manifest.files) {
        let src = File::open(&f.from).map_err(io_err(format!("reading {}", f.from.display())))?;
        // Exactly the bytes that were hashed: a file that grew meanwhile is cut to its
        // hashed size, and one that shrank fails the check below.
        append(
            &mut tar,
            &f.path,
            entry.bytes,
            manifest.taken_at,
            src.take(entry.bytes),
        )
        .map_err(io_err(&what))?;
    }
    let gz = tar.into_inner().map_err(io_err(&what))?;
    let buffered = gz.finish().map_err(io_err(&what))?;
    let file = buffered.into_inner().map_err(|e| ArchiveError::Io {
        what: what.clone(),
        source: e.into_error(),
    })?;
    file.sync_all().map_err(io_err(&what))?;
    Ok(())
}

fn append<W: Write>(
    tar: &mut tar::Builder<W>,
    path: &str,
    size: u64,
    mtime: i64,
    data: impl Read,
) -> io::Result<()> {
    let mut header = tar::Header::new_ustar();
    header.set_path(path)?;
    header.set_size(size);
    header.set_mode(0o600);
    header.set_mtime(u64::try_from(mtime).unwrap_or(0));
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    tar.append(&header, data)
}

/// Reads and checks an archive: the manifest first, then every file against it, to the
/// end of the compressed stream. With `into`, each file is written there (the folder must
/// exist; `keys/` is made) as it is checked; a caller that gets an error must remove what
/// was written.
pub fn read(archive: &Path, into: Option<&Path>) -> Result<Opened, ArchiveError> {
    let file = File::open(archive).map_err(io_err(format!("opening {}", archive.display())))?;
    let gz = flate2::read::GzDecoder::new(BufReader::new(file));
    let mut tar = tar::Archive::new(gz);
    let damaged = |e: io::Error| ArchiveError::Damaged(e.to_string());
    let mut entries = tar.entries().map_err(damaged)?;
    let (manifest, manifest_bytes) = match entries.next() {
        None => return Err(ArchiveError::NotABackup("it is empty".into())),
        Some(first) => read_manifest(first.map_err(damaged)?)?,
    };
    let mut seal = None;
    let mut seen = Vec::new();
    for (at, entry) in entries.enumerate() {
        let entry = entry.map_err(damaged)?;
        let name = entry_name(&entry)?;
        if name == SEAL && at == 0 {
            seal = Some(read_seal(entry)?);
            continue;
        }
        let Some(expected) = manifest.files.iter().find(|f| f.path == name) else {
            return Err(ArchiveError::Altered {
                path: name,
                why: "the manifest does not list it".into(),
            });
        };
        if seen.contains(&name) {
            return Err(ArchiveError::Altered {
                path: name,
                why: "it is in the archive twice".into(),
            });
        }
        check_entry(entry, expected, into)?;
        seen.push(name);
    }
    if let Some(missing) = manifest.files.iter().find(|f| !seen.contains(&f.path)) {
        return Err(ArchiveError::Missing(missing.path.clone()));
    }
    // The rest of the stream (the tar's end blocks and the gzip trailer, whose CRC and
    // length check the whole stream).
    let mut rest = tar.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(damaged)?;
    Ok(Opened {
        manifest,
        manifest_bytes,
        seal,
    })
}

fn read_seal<R: Read>(entry: tar::Entry<'_, R>) -> Result<String, ArchiveError> {
    if entry.size() > MAX_SEAL {
        return Err(ArchiveError::Altered {
            path: SEAL.into(),
            why: "it is larger than any seal orgca writes".into(),
        });
    }
    let mut text = String::new();
    entry
        .take(MAX_SEAL)
        .read_to_string(&mut text)
        .map_err(|e| ArchiveError::Altered {
            path: SEAL.into(),
            why: format!("it is not text ({e})"),
        })?;
    Ok(text)
}

fn entry_name<R: Read>(entry: &tar::Entry<'_, R>) -> Result<String, ArchiveError> {
    let path = entry
        .path()
        .map_err(|e| ArchiveError::Damaged(e.to_string()))?;
    let name = path.to_string_lossy().into_owned();
    if entry.header().entry_type() != tar::EntryType::Regular || !allowed_name(&name) {
        return Err(ArchiveError::Altered {
            path: name,
            why: "orgca never writes such an entry".into(),
        });
    }
    Ok(name)
}

fn read_manifest<R: Read>(entry: tar::Entry<'_, R>) -> Result<(Manifest, Vec<u8>), ArchiveError> {
    let name = entry
        .path()
        .map_err(|e| ArchiveError::Damaged(e.to_string()))?
        .to_string_lossy()
        .into_owned();
    if name != MANIFEST {
        return Err(ArchiveError::NotABackup(format!(
            "its first entry is {name:?}, not {MANIFEST}"
        )));
    }
    if entry.size() > MAX_MANIFEST {
        return Err(ArchiveError::NotABackup("its manifest is too large".into()));
    }
    let mut text = Vec::new();
    entry
        .take(MAX_MANIFEST)
        .read_to_end(&mut text)
        .map_err(|e| ArchiveError::Damaged(e.to_string()))?;
    let format: serde_json::Value = serde_json::from_slice(&text)
        .map_err(|e| ArchiveError::NotABackup(format!("its manifest is not JSON ({e})")))?;
    match format.get("format").and_then(|f| f.as_str()) {
        Some(FORMAT) => {}
        Some(other) => return Err(ArchiveError::UnknownFormat(other.to_owned())),
        None => {
            return Err(ArchiveError::NotABackup(
                "its manifest names no format".into(),
            ));
        }
    }
    let manifest: Manifest = serde_json::from_value(format)
        .map_err(|e| ArchiveError::NotABackup(format!("its manifest does not read ({e})")))?;
    if let Some(bad) = manifest
        .files
        .iter()
        .find(|f| !allowed_name(&f.path) || f.path == MANIFEST || f.path == SEAL)
    {
        return Err(ArchiveError::NotABackup(format!(
            "its manifest lists {:?}, a name orgca never writes",
            bad.path
        )));
    }
    Ok((manifest, text))
}

fn check_entry<R: Read>(
    mut entry: tar::Entry<'_, R>,
    expected: &FileEntry,
    into: Option<&Path>,
) -> Result<(), ArchiveError> {
    if entry.size() != expected.bytes {
        return Err(ArchiveError::Altered {
            path: expected.path.clone(),
            why: format!(
                "{} bytes where the manifest says {}",
                entry.size(),
                expected.bytes
            ),
        });
    }
    let sink: Box<dyn Write> = match into {
        None => Box::new(io::sink()),
        Some(dir) => {
            let target = dir.join(&expected.path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(io_err(format!("creating {}", parent.display())))?;
            }
            let f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&target)
                .map_err(io_err(format!("writing {}", target.display())))?;
            Box::new(BufWriter::new(f))
        }
    };
    let mut hasher = HashingWriter::new(sink);
    io::copy(&mut entry, &mut hasher).map_err(|e| ArchiveError::Damaged(e.to_string()))?;
    hasher
        .inner
        .flush()
        .map_err(io_err(format!("writing {}", expected.path)))?;
    let sha256 = hasher.finish();
    if sha256 != expected.sha256 {
        return Err(ArchiveError::Altered {
            path: expected.path.clone(),
            why: "its SHA-256 differs".into(),
        });
    }
    Ok(())
}

/// Hashes what passes through it.
struct HashingWriter<W> {
    inner: W,
    hash: Sha256,
}

impl<W> HashingWriter<W> {
    fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hash: Sha256::new(),
        }
    }

    fn finish(self) -> String {
        hex::encode(self.hash.finalize())
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests;
