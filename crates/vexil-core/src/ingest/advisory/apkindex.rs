//! APKINDEX package indexes (plain text or `APKINDEX.tar.gz`) and apk's installed database
//! (`lib/apk/db/installed`, the same records) into entries: name, version, origin, maintainer.
//! Pure: bytes and a display name in, records and warnings out.

use serde::Serialize;

use vexil_version::apk::ApkVersion;

use super::alpine::{shown, utf8};
use crate::ingest::archive::{self, Limits};
use crate::ingest::{IngestError, Location, Parsed};

/// One package of an APKINDEX (or of an installed database, `lib/apk/db/installed`, which uses
/// the same records).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApkIndexEntry {
    /// `P:`.
    pub name: String,
    /// `V:`, as written; a version apk-tools would refuse is kept with a warning.
    pub version: String,
    /// `o:`, the source package (aport) that built it; `P:` when absent, as apk-tools does.
    pub origin: String,
    /// `A:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// `L:`, the licence as the APKBUILD states it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// `m:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maintainer: Option<String>,
    /// `t:`, seconds since the Unix epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_time: Option<i64>,
    /// `c:`, the aports commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// `C:`, the package's checksum as written: `Q1` then the base64 SHA-1 of its control
    /// segment. Read for inventories (`os/apk.rs`); the APKINDEX feed does not keep it, so it
    /// is not serialized with the feed's records.
    #[serde(skip)]
    pub checksum: Option<String>,
    /// `D:`, space separated (`so:libc.musl-x86.so.1`, `gtkmm=2.24.4-r0`, `!conflict`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends: Vec<String>,
    /// `p:`, space separated (`so:libfoo.so.1=1.0.0`, `cmd:foo`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub provides: Vec<String>,
    /// The line the record starts on (1-based).
    pub line: usize,
}

/// Parses an APKINDEX: `APKINDEX.tar.gz` (its `APKINDEX` entry) or the plain text, blank-line
/// separated records of `K:value` lines (apk-tools `apk_db_index_read`). The last record may end
/// without a blank line; keys other than those of [`ApkIndexEntry`] are ignored (`S:`,
/// `F:`…). A record without `P:` or `V:`, or with either twice (a missing blank line), is an
/// error; a version apk-tools would refuse or an unreadable `t:` is a warning.
pub fn parse_apkindex(bytes: &[u8], file: &str) -> Result<Parsed<ApkIndexEntry>, IngestError> {
    if !archive::is_gzip(bytes) {
        return read_index(bytes, file, None, false);
    }
    let mut index = None;
    let mut others = Vec::new();
    archive::tar_gz_entries(bytes, file, Limits::default(), |entry| {
        let name = entry.name.strip_prefix("./").unwrap_or(&entry.name);
        if name == "APKINDEX" && index.is_none() {
            index = Some(entry.bytes);
        } else {
            others.push(format!("`{}`", shown(&entry.name)));
        }
        Ok(())
    })?;
    match index {
        Some(bytes) => read_index(&bytes, file, Some("APKINDEX"), false),
        None => Err(IngestError::new(
            Location::file(file),
            format!(
                "no `APKINDEX` entry in the archive (found {}); expected an APKINDEX.tar.gz",
                if others.is_empty() {
                    "no files".to_owned()
                } else {
                    others.join(", ")
                }
            ),
        )),
    }
}

/// Parses apk's installed database (`lib/apk/db/installed`): the same records as an APKINDEX
/// text, but a record without `P:` or `V:` (Trivy's fixture has one) is left out with a
/// warning, since the other packages are still installed.
pub fn parse_installed(bytes: &[u8], file: &str) -> Result<Parsed<ApkIndexEntry>, IngestError> {
    read_index(bytes, file, None, true)
}

/// `lenient`: a record without `P:` or `V:` is a warning, not an error.
fn read_index(
    bytes: &[u8],
    file: &str,
    entry: Option<&str>,
    lenient: bool,
) -> Result<Parsed<ApkIndexEntry>, IngestError> {
    let at = |line: usize| {
        let mut location = Location::file(file);
        location.entry = entry.map(str::to_owned);
        location.line = Some(line);
        location
    };
    let text = utf8(bytes, file, entry)?;
    let mut parsed = Parsed::default();
    let mut record: Option<RecordDraft> = None;
    for (n, line) in text.split('\n').enumerate() {
        let number = n + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            if let Some(draft) = record.take() {
                close(draft, lenient, &at, &mut parsed)?;
            }
            continue;
        }
        let Some((key, value)) = split_field(line) else {
            let start: String = line.chars().take(60).collect();
            let hint = if parsed.records.is_empty() && record.is_none() {
                "; this does not look like an APKINDEX"
            } else {
                ""
            };
            let mut location = at(number);
            location.column = Some(1);
            return Err(IngestError::new(
                location,
                format!(
                    "expected a `K:value` line (a one-letter key, `:`, the value), found `{}`{hint}",
                    shown(&start)
                ),
            ));
        };
        record
            .get_or_insert_with(|| RecordDraft::new(number))
            .field(key, value, number, &at, &mut parsed)?;
    }
    if let Some(draft) = record.take() {
        close(draft, lenient, &at, &mut parsed)?;
    }
    Ok(parsed)
}

/// Ends a record: its entry, or (lenient) a warning for a record that lacks `P:` or `V:`.
fn close(
    draft: RecordDraft,
    lenient: bool,
    at: &dyn Fn(usize) -> Location,
    parsed: &mut Parsed<ApkIndexEntry>,
) -> Result<(), IngestError> {
    match draft.finish(at, parsed) {
        Ok(entry) => parsed.records.push(entry),
        Err(e) if lenient => parsed.warn(*e.location, format!("{}; left out", e.message)),
        Err(e) => return Err(e),
    }
    Ok(())
}

fn split_field(line: &str) -> Option<(char, &str)> {
    let mut chars = line.chars();
    let key = chars.next().filter(|c| c.is_ascii_graphic() && *c != ':')?;
    chars.as_str().strip_prefix(':').map(|value| (key, value))
}

/// A record being read: each field with the line it came from.
#[derive(Default)]
struct RecordDraft {
    start: usize,
    name: Option<(String, usize)>,
    version: Option<(String, usize)>,
    origin: Option<(String, usize)>,
    arch: Option<(String, usize)>,
    license: Option<(String, usize)>,
    maintainer: Option<(String, usize)>,
    build_time: Option<(String, usize)>,
    commit: Option<(String, usize)>,
    checksum: Option<(String, usize)>,
    depends: Vec<String>,
    provides: Vec<String>,
}

impl RecordDraft {
    fn new(start: usize) -> RecordDraft {
        RecordDraft {
            start,
            ..RecordDraft::default()
        }
    }

    fn field(
        &mut self,
        key: char,
        value: &str,
        line: usize,
        at: &dyn Fn(usize) -> Location,
        parsed: &mut Parsed<ApkIndexEntry>,
    ) -> Result<(), IngestError> {
        let start = self.start;
        let slot = match key {
            // Two `P:` or `V:` in a record: two packages ran together (a lost blank line).
            'P' | 'V' => {
                let slot = if key == 'P' {
                    &mut self.name
                } else {
                    &mut self.version
                };
                if let Some((_, first)) = slot {
                    return Err(IngestError::new(
                        at(line),
                        format!(
                            "a second `{key}:` in the record that starts at line {start} (the \
                             first is at line {first}); expected a blank line between records"
                        ),
                    ));
                }
                slot
            }
            'o' => &mut self.origin,
            'A' => &mut self.arch,
            'L' => &mut self.license,
            'm' => &mut self.maintainer,
            't' => &mut self.build_time,
            'c' => &mut self.commit,
            'C' => &mut self.checksum,
            // apk-tools appends repeated `D:`/`p:` lines (test/solver/provides.repo).
            'D' => {
                self.depends
                    .extend(value.split_whitespace().map(str::to_owned));
                return Ok(());
            }
            'p' => {
                self.provides
                    .extend(value.split_whitespace().map(str::to_owned));
                return Ok(());
            }
            _ => return Ok(()),
        };
        if let Some((_, first)) = slot {
            parsed.warn(
                at(line),
                format!("a second `{key}:` in the record that starts at line {start} (the first is at line {first}); keeping the last, as apk-tools does"),
            );
        }
        *slot = Some((value.to_owned(), line));
        Ok(())
    }

    fn finish(
        self,
        at: &dyn Fn(usize) -> Location,
        parsed: &mut Parsed<ApkIndexEntry>,
    ) -> Result<ApkIndexEntry, IngestError> {
        let start = self.start;
        let name = match self.name {
            Some((name, _)) if !name.is_empty() => name,
            _ => {
                return Err(IngestError::new(
                    at(start),
                    format!(
                        "the record that starts at line {start} has no `P:` (package name); every record needs `P:` and `V:`"
                    ),
                ));
            }
        };
        let display = shown(&name);
        let version = match self.version {
            Some((version, line)) if !version.is_empty() => {
                if let Err(e) = ApkVersion::parse(&version) {
                    parsed.warn(
                        at(line),
                        format!("package `{display}`: {e}; kept as written"),
                    );
                }
                version
            }
            _ => {
                return Err(IngestError::new(
                    at(start),
                    format!(
                        "the record of `{display}` that starts at line {start} has no `V:` (version); every record needs `P:` and `V:`"
                    ),
                ));
            }
        };
        let build_time = self.build_time.and_then(|(t, line)| match t.parse::<i64>() {
            Ok(t) => Some(t),
            Err(_) => {
                parsed.warn(
                    at(line),
                    format!("package `{display}`: `t:` expected seconds since the epoch, found `{}`; ignored", shown(&t)),
                );
                None
            }
        });
        let origin = match self.origin {
            Some((origin, _)) if !origin.is_empty() => origin,
            _ => name.clone(),
        };
        Ok(ApkIndexEntry {
            name,
            version,
            origin,
            arch: self.arch.map(|(v, _)| v),
            license: self.license.map(|(v, _)| v),
            maintainer: self.maintainer.map(|(v, _)| v),
            build_time,
            commit: self.commit.map(|(v, _)| v),
            checksum: self.checksum.map(|(v, _)| v),
            depends: self.depends,
            provides: self.provides,
            line: start,
        })
    }
}
