//! The feeds `vexil feeds import` reads, by name, and one entry point that parses any of them
//! into a `Document`: its records, warnings and the content digest that makes re-imports no-ops.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use crate::ingest::advisory::apkindex::{self, ApkIndexEntry};
use crate::ingest::advisory::debian::{self, BinarySource};
use crate::ingest::advisory::{alpine, debian_list, epss, kev, nvd, osv};
use crate::ingest::{IngestError, Parsed, Warning};
use crate::model::{Advisory, EpssScore, KevEntry};

/// A feed Vexil imports. The name is the CLI argument and the store's `feed` column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FeedKind {
    Osv,
    Nvd,
    Debian,
    DebianPackages,
    Alpine,
    ApkIndex,
    Kev,
    Epss,
}

impl FeedKind {
    pub const ALL: &'static [FeedKind] = &[
        FeedKind::Osv,
        FeedKind::Nvd,
        FeedKind::Debian,
        FeedKind::DebianPackages,
        FeedKind::Alpine,
        FeedKind::ApkIndex,
        FeedKind::Kev,
        FeedKind::Epss,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FeedKind::Osv => "osv",
            FeedKind::Nvd => "nvd",
            FeedKind::Debian => "debian",
            FeedKind::DebianPackages => "debian-packages",
            FeedKind::Alpine => "alpine",
            FeedKind::ApkIndex => "apkindex",
            FeedKind::Kev => "kev",
            FeedKind::Epss => "epss",
        }
    }

    /// What a file of this feed looks like, for help texts and errors.
    pub fn description(self) -> &'static str {
        match self {
            FeedKind::Osv => "OSV records: JSON, YAML, a directory of them, or osv.dev's all.zip",
            FeedKind::Nvd => "NVD CVE API 2.0 pages or yearly files (JSON, optionally .gz)",
            FeedKind::Debian => {
                "the Debian Security Tracker JSON, or its data/CVE, DSA and DLA lists"
            }
            FeedKind::DebianPackages => "Debian Packages or Sources indexes (plain or .gz)",
            FeedKind::Alpine => "Alpine secdb JSON or YAML",
            FeedKind::ApkIndex => "APKINDEX.tar.gz or an APKINDEX text",
            FeedKind::Kev => "the CISA KEV catalogue (JSON or CSV)",
            FeedKind::Epss => "FIRST EPSS scores CSV (plain or .gz)",
        }
    }
}

impl fmt::Display for FeedKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FeedKind {
    type Err = String;

    fn from_str(s: &str) -> Result<FeedKind, String> {
        FeedKind::ALL
            .iter()
            .copied()
            .find(|k| k.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let names: Vec<_> = FeedKind::ALL.iter().map(|k| k.name()).collect();
                format!("unknown feed `{s}`; expected one of {}", names.join(", "))
            })
    }
}

/// The typed records of one feed document.
#[derive(Clone, Debug, PartialEq)]
pub enum Records {
    Advisories(Vec<Advisory>),
    Binaries(Vec<BinarySource>),
    ApkIndex(Vec<ApkIndexEntry>),
    Kev(Vec<KevEntry>),
    Epss(Vec<EpssScore>),
}

impl Records {
    pub fn len(&self) -> usize {
        match self {
            Records::Advisories(v) => v.len(),
            Records::Binaries(v) => v.len(),
            Records::ApkIndex(v) => v.len(),
            Records::Kev(v) => v.len(),
            Records::Epss(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends records of the same kind (documents of one feed merge; kinds never mix).
    fn append(&mut self, other: Records) {
        match (self, other) {
            (Records::Advisories(a), Records::Advisories(b)) => a.extend(b),
            (Records::Binaries(a), Records::Binaries(b)) => a.extend(b),
            (Records::ApkIndex(a), Records::ApkIndex(b)) => a.extend(b),
            (Records::Kev(a), Records::Kev(b)) => a.extend(b),
            (Records::Epss(a), Records::Epss(b)) => a.extend(b),
            _ => {}
        }
    }
}

/// One imported source (a file, an archive, a directory, a URL): its records and digest.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub feed: FeedKind,
    /// The path or URL as the user gave it.
    pub source: String,
    /// `sha256:<hex>` of the content (for a directory, of its sorted file list and digests).
    pub digest: String,
    pub records: Records,
    pub warnings: Vec<Warning>,
}

impl Document {
    /// An empty document to which files of a directory are added one by one.
    pub fn empty(feed: FeedKind, source: &str) -> Document {
        let records = match feed {
            FeedKind::Osv | FeedKind::Nvd | FeedKind::Debian | FeedKind::Alpine => {
                Records::Advisories(Vec::new())
            }
            FeedKind::DebianPackages => Records::Binaries(Vec::new()),
            FeedKind::ApkIndex => Records::ApkIndex(Vec::new()),
            FeedKind::Kev => Records::Kev(Vec::new()),
            FeedKind::Epss => Records::Epss(Vec::new()),
        };
        Document {
            feed,
            source: source.to_owned(),
            digest: String::new(),
            records,
            warnings: Vec::new(),
        }
    }

    /// Adds a parsed part (one file of a directory).
    pub fn append(&mut self, part: Document) {
        self.records.append(part.records);
        self.warnings.extend(part.warnings);
    }
}

/// `sha256:<hex>` of some bytes.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// The digest of a directory: of its `(relative path, file digest)` pairs, sorted by path.
pub fn digest_of_parts(parts: &mut [(String, String)]) -> String {
    parts.sort();
    let mut hasher = Sha256::new();
    for (path, digest) in parts.iter() {
        hasher.update(path.as_bytes());
        hasher.update([0]);
        hasher.update(digest.as_bytes());
        hasher.update([b'\n']);
    }
    format!("sha256:{}", hex::encode(hasher.finalize()))
}

fn wrap<T>(parsed: Parsed<T>, into: fn(Vec<T>) -> Records) -> (Records, Vec<Warning>) {
    (into(parsed.records), parsed.warnings)
}

/// Parses one source of `feed`. `name` is the display name used in errors and warnings.
pub fn parse(feed: FeedKind, bytes: &[u8], name: &str) -> Result<Document, IngestError> {
    let (records, warnings) = match feed {
        FeedKind::Osv => wrap(osv::parse(bytes, name)?, Records::Advisories),
        FeedKind::Nvd => wrap(nvd::parse(bytes, name)?, Records::Advisories),
        FeedKind::Debian if debian_list::detect(bytes).is_some() => {
            wrap(debian_list::parse(bytes, name)?, Records::Advisories)
        }
        FeedKind::Debian => wrap(debian::parse_tracker(bytes, name)?, Records::Advisories),
        FeedKind::DebianPackages => wrap(debian::parse_packages(bytes, name)?, Records::Binaries),
        FeedKind::Alpine => wrap(alpine::parse_secdb(bytes, name)?, Records::Advisories),
        FeedKind::ApkIndex => wrap(apkindex::parse_apkindex(bytes, name)?, Records::ApkIndex),
        FeedKind::Kev => wrap(kev::parse(bytes, name)?, Records::Kev),
        FeedKind::Epss => wrap(epss::parse(bytes, name)?, Records::Epss),
    };
    Ok(Document {
        feed,
        source: name.to_owned(),
        digest: digest(bytes),
        records,
        warnings,
    })
}

/// [`parse`], handing the records over in batches of about `batch` where the format allows it
/// (OSV zip archives); other feeds arrive as one document. Every batch carries the digest of the
/// whole input. Stops at the first error, from the input or from `visit`.
pub fn parse_batches(
    feed: FeedKind,
    bytes: &[u8],
    name: &str,
    batch: usize,
    mut visit: impl FnMut(Document) -> Result<(), IngestError>,
) -> Result<(), IngestError> {
    if feed == FeedKind::Osv && crate::ingest::archive::is_zip(bytes) {
        let whole = digest(bytes);
        return osv::parse_zip_batches(bytes, name, Default::default(), batch, |parsed| {
            visit(Document {
                feed,
                source: name.to_owned(),
                digest: whole.clone(),
                records: Records::Advisories(parsed.records),
                warnings: parsed.warnings,
            })
        });
    }
    visit(parse(feed, bytes, name)?)
}
