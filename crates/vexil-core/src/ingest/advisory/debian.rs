//! Debian feeds: the Security Tracker JSON (streamed into one `Advisory` per CVE/TEMP id), the
//! archive's `Packages`/`Sources` indexes (binary → source package) and the tracker's
//! `distributions.json` (codename → major version). Pure: bytes in, records and warnings out.

use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::ingest::archive::{self, Limits};
use crate::ingest::{IngestError, Location, Parsed};
use crate::model::{
    Advisory, Affected, DistroNote, Event, Feed, Package, Range, RangeKind, Reference,
};

/// What the tracker JSON looks like, for error messages.
const TRACKER_SHAPE: &str = "the Debian Security Tracker JSON \
    `{source-package: {CVE-or-TEMP-id: {description, releases: {codename: {status, …}}}}}`";

// ---------------------------------------------------------------------------------------------
// Security Tracker JSON
// ---------------------------------------------------------------------------------------------

/// Parses the Security Tracker's `https://security-tracker.debian.org/tracker/data/json` (plain
/// or gzip), streaming: the document is never held as a `serde_json::Value`.
///
/// One `Advisory` per CVE/TEMP id, in order of first appearance; an id listed under several
/// source packages is merged. Each (source package, release) becomes one `Affected` with
/// ecosystem `Debian:<codename>` and a `DistroNote`; its ranges say:
/// - a `fixed_version` other than `"0"`: `[introduced 0, fixed v]`, whatever the status (the
///   archive may still ship an older version: that is what `open` then means);
/// - `fixed_version` `"0"` (the tracker's `<not-affected>`), or status `not-affected`: no range,
///   `never_affected` set;
/// - status `open` without a fixed version (`<unfixed>`): `[introduced 0]`, every version
///   affected;
/// - status `undetermined`, or anything else without a fixed version: no range; the status in
///   the note makes matching answer unknown.
pub fn parse_tracker(bytes: &[u8], file: &str) -> Result<Parsed<Advisory>, IngestError> {
    let expanded;
    let bytes = if archive::is_gzip(bytes) {
        expanded = archive::gunzip(bytes, file, Limits::default())?;
        expanded.as_slice()
    } else {
        bytes
    };
    let text = utf8(bytes, file)?;
    if text.trim().is_empty() {
        return Err(IngestError::new(
            Location::file(file),
            format!("the file is empty; expected {TRACKER_SHAPE}"),
        ));
    }
    let mut tracker = Tracker::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let result = TrackerSeed(&mut tracker)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    match result {
        Ok(()) => Ok(tracker.finish(file)),
        Err(err) => {
            let mut error = IngestError::json(file, None, &err);
            error.location.field = tracker.path();
            Err(error)
        }
    }
}

/// A problem found in a record while streaming, located when the parse finishes.
struct PendingWarning {
    field: String,
    message: String,
}

/// What the streaming visitors build, and where they are (for errors).
#[derive(Default)]
struct Tracker {
    advisories: Vec<Advisory>,
    by_id: HashMap<String, usize>,
    warnings: Vec<PendingWarning>,
    package: Option<String>,
    id: Option<String>,
}

impl Tracker {
    /// The JSON-pointer path of the entry being read, when inside one.
    fn path(&self) -> Option<String> {
        let package = self.package.as_deref()?;
        Some(match &self.id {
            Some(id) => format!("/{package}/{id}"),
            None => format!("/{package}"),
        })
    }

    fn finish(self, file: &str) -> Parsed<Advisory> {
        let mut parsed = Parsed {
            records: self.advisories,
            warnings: Vec::new(),
        };
        for warning in self.warnings {
            parsed.warn(Location::file(file).field(warning.field), warning.message);
        }
        parsed
    }

    /// Adds one (package, id) entry, merging into an earlier advisory of the same id.
    fn add(&mut self, package: &str, id: String, entry: RawEntry) {
        let path = format!("/{package}/{id}");
        let index = match self.by_id.get(&id) {
            Some(&index) => index,
            None => {
                if !(id.starts_with("CVE-") || id.starts_with("TEMP-")) {
                    self.warn(
                        &path,
                        format!("id `{id}` is neither `CVE-…` nor `TEMP-…`; kept"),
                    );
                }
                let mut advisory = Advisory::new(id.clone(), Feed::Debian);
                advisory.references.push(Reference {
                    kind: "ADVISORY".to_owned(),
                    url: format!("https://security-tracker.debian.org/tracker/{id}"),
                });
                self.advisories.push(advisory);
                let index = self.advisories.len() - 1;
                self.by_id.insert(id, index);
                index
            }
        };
        let mut affected = Vec::new();
        for (release, raw) in entry.releases.0 {
            let (one, warning) = affected_of(package, release, raw);
            if let Some(message) = warning {
                self.warn(&path, message);
            }
            affected.push(one);
        }
        let Some(advisory) = self.advisories.get_mut(index) else {
            return;
        };
        if advisory.details.is_none() {
            advisory.details = entry.description.filter(|d| !d.trim().is_empty());
        }
        if let Some(bug) = entry.debianbug {
            let url = format!("https://bugs.debian.org/{bug}");
            if !advisory.references.iter().any(|r| r.url == url) {
                advisory.references.push(Reference {
                    kind: "REPORT".to_owned(),
                    url,
                });
            }
        }
        advisory.affected.extend(affected);
    }

    fn warn(&mut self, field: &str, message: String) {
        self.warnings.push(PendingWarning {
            field: field.to_owned(),
            message,
        });
    }
}

/// One (source package, release) of the tracker as an `Affected`, with a warning when its
/// status and fixed version do not say whether it is affected.
fn affected_of(package: &str, release: String, raw: RawRelease) -> (Affected, Option<String>) {
    let (urgency, urgency_unconfirmed) = match raw.urgency.as_deref().map(str::trim) {
        None | Some("") => (None, false),
        // The tracker appends `**` to an urgency copied from NVD without a closer look
        // (security-tracker `lib/python/security_db.py`).
        Some(u) => match u.strip_suffix("**") {
            Some(bare) => (Some(bare.to_owned()), true),
            None => (Some(u.to_owned()), false),
        },
    };
    let fixed = raw
        .fixed_version
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let status = raw.status.trim();
    let never_affected = fixed == Some("0") || status == "not-affected";
    let mut warning = None;
    let events = match fixed {
        Some("0") => None,
        Some(version) => Some(vec![
            Event::Introduced("0".to_owned()),
            Event::Fixed(version.to_owned()),
        ]),
        None => match status {
            "open" => Some(vec![Event::Introduced("0".to_owned())]),
            "undetermined" | "not-affected" => None,
            other => {
                warning = Some(format!(
                    "release `{release}` has status `{other}` but no `fixed_version`; kept \
                     without a range (matching answers unknown)"
                ));
                None
            }
        },
    };
    let affected = Affected {
        package: Some(Package {
            ecosystem: format!("Debian:{release}"),
            name: package.to_owned(),
            purl: None,
        }),
        ranges: events
            .map(|events| Range {
                kind: RangeKind::Ecosystem,
                repo: None,
                events,
            })
            .into_iter()
            .collect(),
        distro: Some(DistroNote {
            status: Some(status.to_owned()),
            urgency,
            urgency_unconfirmed,
            nodsa: raw.nodsa,
            nodsa_reason: raw.nodsa_reason.filter(|r| !r.trim().is_empty()),
            never_affected,
            release: Some(release),
        }),
        ..Affected::default()
    };
    (affected, warning)
}

/// Top-level keys of other feeds, to name what a wrong file looks like.
fn foreign_feed(key: &str) -> Option<&'static str> {
    match key {
        "resultsPerPage" | "startIndex" | "totalResults" | "vulnerabilities" | "CVE_Items" => {
            Some("an NVD API page")
        }
        "schema_version" | "affected" | "aliases" => Some("an OSV record"),
        "catalogVersion" | "dateReleased" => Some("the CISA KEV catalogue"),
        "secfixes" | "apkurl" | "archs" | "reponame" | "urlprefix" => Some("an Alpine secdb"),
        _ => None,
    }
}

/// The whole document: `{source-package: {id: entry}}`, visited without buffering.
struct TrackerSeed<'s>(&'s mut Tracker);

impl<'de> DeserializeSeed<'de> for TrackerSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TrackerSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(TRACKER_SHAPE)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let tracker = self.0;
        while let Some(package) = map.next_key::<String>()? {
            if let Some(what) = foreign_feed(&package) {
                return Err(de::Error::custom(format!(
                    "top-level key `{package}` looks like {what}; expected {TRACKER_SHAPE}"
                )));
            }
            tracker.package = Some(package);
            map.next_value_seed(PackageSeed(&mut *tracker))?;
            tracker.package = None;
        }
        Ok(())
    }
}

/// One source package: `{id: entry}`.
struct PackageSeed<'s>(&'s mut Tracker);

impl<'de> DeserializeSeed<'de> for PackageSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PackageSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object mapping CVE/TEMP ids to tracker entries")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let tracker = self.0;
        while let Some(id) = map.next_key::<String>()? {
            tracker.id = Some(id);
            let entry: RawEntry = map.next_value()?;
            if let (Some(id), Some(package)) = (tracker.id.take(), tracker.package.take()) {
                tracker.add(&package, id, entry);
                tracker.package = Some(package);
            }
        }
        Ok(())
    }
}

/// One id under one source package. Unknown keys (`scope`, …) are skipped.
#[derive(Deserialize)]
#[serde(expecting = "a tracker entry object with `description` and `releases`")]
struct RawEntry {
    #[serde(default)]
    description: Option<String>,
    #[serde(default, deserialize_with = "bug_number")]
    debianbug: Option<u64>,
    #[serde(default)]
    releases: Entries<RawRelease>,
}

/// One release of one entry. `repositories` (what the archive ships) is skipped.
#[derive(Deserialize)]
#[serde(expecting = "a release object with `status`, `fixed_version`, `urgency`, …")]
struct RawRelease {
    status: String,
    #[serde(default)]
    fixed_version: Option<String>,
    #[serde(default)]
    urgency: Option<String>,
    /// The tracker writes the key only when the issue will get no DSA; its value varies.
    #[serde(default, deserialize_with = "present")]
    nodsa: bool,
    #[serde(default)]
    nodsa_reason: Option<String>,
}

/// An object's entries in document order. An empty array counts as an empty object: the
/// tracker (a Python/PHP round trip) writes `"releases": []` for an id without releases.
struct Entries<V>(Vec<(String, V)>);

impl<V> Default for Entries<V> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Entries<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(EntriesVisitor(PhantomData))
    }
}

struct EntriesVisitor<V>(PhantomData<V>);

impl<'de, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<V> {
    type Value = Entries<V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object keyed by release codename")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<String, V>()? {
            entries.push(entry);
        }
        Ok(Entries(entries))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        match seq.next_element::<IgnoredAny>()? {
            None => Ok(Entries(Vec::new())),
            Some(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, &self)),
        }
    }
}

/// `true` when the key is present, whatever its value (even `null`).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(deserializer).map(|_| true)
}

/// A Debian bug number, as a JSON number (what the tracker writes) or a string of digits.
fn bug_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    struct BugVisitor;

    impl Visitor<'_> for BugVisitor {
        type Value = Option<u64>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a Debian bug number like `555217`")
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            u64::try_from(v)
                .map(Some)
                .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            match v.trim() {
                "" => Ok(None),
                digits => digits
                    .parse()
                    .map(Some)
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self)),
            }
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }

    deserializer.deserialize_any(BugVisitor)
}

// ---------------------------------------------------------------------------------------------
// distributions.json
// ---------------------------------------------------------------------------------------------

/// A Debian release as the tracker's `static/distributions.json` describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DebianRelease {
    /// `bookworm`, `buster`, … — the release qualifier of `Debian:<codename>` ecosystems.
    pub codename: String,
    /// `12`, `10`, … — what OSV's `Debian:12` uses.
    pub major_version: Option<String>,
    /// `security`, `lts`, …
    pub support: Option<String>,
    pub contact: Option<String>,
}

#[derive(Deserialize)]
#[serde(expecting = "a release object with `major-version`, `support`, `contact`")]
struct RawDistribution {
    #[serde(default, rename = "major-version")]
    major_version: Option<String>,
    #[serde(default)]
    support: Option<String>,
    #[serde(default)]
    contact: Option<String>,
}

/// Parses the tracker's `distributions.json`: `{codename: {major-version, support, contact}}`.
pub fn parse_distributions(bytes: &[u8], file: &str) -> Result<Parsed<DebianRelease>, IngestError> {
    let text = utf8(bytes, file)?;
    let raw: Entries<RawDistribution> =
        serde_json::from_str(text).map_err(|e| IngestError::json(file, None, &e))?;
    let records = raw
        .0
        .into_iter()
        .map(|(codename, d)| DebianRelease {
            codename,
            major_version: d.major_version,
            support: d.support,
            contact: d.contact,
        })
        .collect();
    Ok(Parsed {
        records,
        warnings: Vec::new(),
    })
}

// ---------------------------------------------------------------------------------------------
// Packages and Sources indexes (deb822)
// ---------------------------------------------------------------------------------------------

/// A binary package and the source package it was built from, from an archive index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BinarySource {
    pub binary: String,
    /// The binary's version; for a `Sources` paragraph, the source version.
    pub version: String,
    /// The source package; the binary's own name when a `Packages` paragraph has no `Source:`.
    pub source: String,
    /// The source version when the index states it (`Source: name (version)`, or any `Sources`
    /// paragraph). `None` means it equals `version` (deb-control(5), field `Source`).
    pub source_version: Option<String>,
    /// `Architecture:` of a `Packages` paragraph; for a `Sources` paragraph, the `arch=` of the
    /// binary's `Package-List` line (`any`, `all`, `amd64`, …) when there is one.
    pub architecture: Option<String>,
}

impl BinarySource {
    /// The source version, falling back to the binary version as dpkg does.
    pub fn effective_source_version(&self) -> &str {
        self.source_version.as_deref().unwrap_or(&self.version)
    }
}

/// Parses a Debian `Packages` or `Sources` index (plain or gzip): one `BinarySource` per
/// binary package. A paragraph with a `Binary:` field is a `Sources` paragraph (its `Package`
/// is the source); any other is a `Packages` paragraph.
pub fn parse_packages(bytes: &[u8], file: &str) -> Result<Parsed<BinarySource>, IngestError> {
    let expanded;
    let bytes = if archive::is_gzip(bytes) {
        expanded = archive::gunzip(bytes, file, Limits::default())?;
        expanded.as_slice()
    } else {
        bytes
    };
    let text = utf8(bytes, file)?;
    let mut parsed = Parsed::default();
    for_each_paragraph(text, file, |paragraph| {
        binaries_of(paragraph, file, &mut parsed.records)
    })?;
    Ok(parsed)
}

/// One `Name: value` field; `value` runs through its continuation lines.
struct Field<'a> {
    name: &'a str,
    value: &'a str,
    line: usize,
}

/// One deb822 paragraph (stanza) and the line it starts on.
struct Paragraph<'a> {
    line: usize,
    fields: Vec<Field<'a>>,
}

impl<'a> Paragraph<'a> {
    /// Field names are case-insensitive (deb822(5)).
    fn get(&self, name: &str) -> Option<&Field<'a>> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// A single-word field that must be there and not be empty.
    fn word(&self, name: &str, file: &str) -> Result<&'a str, IngestError> {
        let Some(field) = self.get(name) else {
            return Err(IngestError::new(
                at_line(file, self.line),
                format!(
                    "paragraph{} has no `{name}` field; expected a Packages or Sources \
                     stanza with `Package` and `Version`",
                    self.get("Package")
                        .map(|p| format!(" `Package: {}`", p.value.trim()))
                        .unwrap_or_default()
                ),
            ));
        };
        let value = field.value.trim();
        if value.is_empty() || value.contains(char::is_whitespace) {
            return Err(IngestError::new(
                at_line(file, field.line),
                format!("field `{name}` must be one word, found `{value}`"),
            ));
        }
        Ok(value)
    }
}

fn at_line(file: &str, line: usize) -> Location {
    Location {
        line: Some(line),
        ..Location::file(file)
    }
}

/// Calls `visit` with each paragraph of a deb822 text (deb822(5): paragraphs are separated by
/// blank lines, continuation lines start with a space or tab, `#` lines are comments).
fn for_each_paragraph<'a>(
    text: &'a str,
    file: &str,
    mut visit: impl FnMut(&Paragraph<'a>) -> Result<(), IngestError>,
) -> Result<(), IngestError> {
    let mut paragraph = Paragraph {
        line: 0,
        fields: Vec::new(),
    };
    // Where the current field's value starts, as a byte offset into `text`.
    let mut value_start = 0;
    let mut offset = 0;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let line_number = index + 1;
        let line_start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.trim_matches([' ', '\t']).is_empty() {
            if !paragraph.fields.is_empty() {
                visit(&paragraph)?;
                paragraph.fields.clear();
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            let Some(field) = paragraph.fields.last_mut() else {
                return Err(IngestError::new(
                    at_line(file, line_number),
                    "a continuation line (starting with a space) with no field before it; \
                     expected `Field: value`",
                ));
            };
            field.value = text
                .get(value_start..line_start + line.len())
                .unwrap_or(field.value);
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(IngestError::new(
                at_line(file, line_number),
                format!(
                    "expected a `Field: value` line of a Debian Packages or Sources index, \
                     found `{}`",
                    line.chars().take(60).collect::<String>()
                ),
            ));
        };
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(IngestError::new(
                at_line(file, line_number),
                format!("invalid field name `{name}`; expected `Field: value`"),
            ));
        }
        if paragraph.get(name).is_some() {
            return Err(IngestError::new(
                at_line(file, line_number),
                format!("field `{name}` appears twice in one paragraph"),
            ));
        }
        if paragraph.fields.is_empty() {
            paragraph.line = line_number;
        }
        value_start = line_start + name.len() + 1;
        paragraph.fields.push(Field {
            name,
            value,
            line: line_number,
        });
    }
    if !paragraph.fields.is_empty() {
        visit(&paragraph)?;
    }
    Ok(())
}

/// The binaries one paragraph describes.
fn binaries_of(
    paragraph: &Paragraph<'_>,
    file: &str,
    out: &mut Vec<BinarySource>,
) -> Result<(), IngestError> {
    let package = paragraph.word("Package", file)?;
    let version = paragraph.word("Version", file)?;
    if let Some(binary) = paragraph.get("Binary") {
        // A Sources paragraph (Debian Policy §5.5): `Binary` lists the binaries, comma-separated,
        // possibly folded over several lines.
        let architectures = paragraph
            .get("Package-List")
            .map(|f| package_list_architectures(f.value))
            .unwrap_or_default();
        let before = out.len();
        for name in binary
            .value
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            out.push(BinarySource {
                binary: name.to_owned(),
                version: version.to_owned(),
                source: package.to_owned(),
                source_version: Some(version.to_owned()),
                architecture: architectures.get(name).map(|a| (*a).to_owned()),
            });
        }
        if out.len() == before {
            return Err(IngestError::new(
                at_line(file, binary.line),
                format!("field `Binary` of source `{package}` lists no binary package"),
            ));
        }
        return Ok(());
    }
    let (source, source_version) = match paragraph.get("Source") {
        Some(field) => source_field(field, file)?,
        None => (package, None),
    };
    out.push(BinarySource {
        binary: package.to_owned(),
        version: version.to_owned(),
        source: source.to_owned(),
        source_version: source_version.map(str::to_owned),
        architecture: paragraph
            .get("Architecture")
            .map(|f| f.value.trim().to_owned())
            .filter(|a| !a.is_empty()),
    });
    Ok(())
}

/// `Source: name` or `Source: name (version)` (deb-control(5)).
fn source_field<'a>(
    field: &Field<'a>,
    file: &str,
) -> Result<(&'a str, Option<&'a str>), IngestError> {
    let value = field.value.trim();
    let bad = || {
        IngestError::new(
            at_line(file, field.line),
            format!("field `Source` must be `name` or `name (version)`, found `{value}`"),
        )
    };
    let (name, version) = match value.split_once('(') {
        None => (value, None),
        Some((name, rest)) => {
            let version = rest.strip_suffix(')').ok_or_else(bad)?.trim();
            if version.is_empty() || version.contains(char::is_whitespace) {
                return Err(bad());
            }
            (name.trim(), Some(version))
        }
    };
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(bad());
    }
    Ok((name, version))
}

/// `Package-List` lines `name type section priority arch=…` → name → arch (dpkg-source(1)).
fn package_list_architectures(value: &str) -> HashMap<&str, &str> {
    value
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let name = words.next()?;
            let arch = words.find_map(|w| w.strip_prefix("arch="))?;
            Some((name, arch))
        })
        .collect()
}

/// The bytes as UTF-8 (without a byte-order mark), or an error at the first bad byte.
fn utf8<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, IngestError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.strip_prefix('\u{feff}').unwrap_or(text)),
        Err(err) => {
            let valid = bytes.get(..err.valid_up_to()).unwrap_or_default();
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = std::str::from_utf8(valid.get(line_start..).unwrap_or_default())
                .map_or(1, |s| s.chars().count() + 1);
            let byte = bytes.get(err.valid_up_to()).copied().unwrap_or_default();
            Err(IngestError::new(
                Location::file(file).at(line, column),
                format!("invalid UTF-8 (byte `0x{byte:02x}`); expected UTF-8 text"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urgency_suffix_and_never_affected() {
        let raw = RawRelease {
            status: "resolved".into(),
            fixed_version: Some("0".into()),
            urgency: Some("high**".into()),
            nodsa: false,
            nodsa_reason: Some(String::new()),
        };
        let (affected, warning) = affected_of("pkg", "bookworm".into(), raw);
        let note = affected.distro.unwrap();
        assert_eq!(note.urgency.as_deref(), Some("high"));
        assert!(note.urgency_unconfirmed && note.never_affected);
        assert_eq!(note.nodsa_reason, None);
        assert!(affected.ranges.is_empty() && warning.is_none());
    }

    #[test]
    fn source_field_forms() {
        let field = |value| Field {
            name: "Source",
            value,
            line: 3,
        };
        assert_eq!(
            source_field(&field(" gcc-12 (12.2.0-14)"), "f").unwrap(),
            ("gcc-12", Some("12.2.0-14"))
        );
        assert_eq!(
            source_field(&field(" appstream"), "f").unwrap(),
            ("appstream", None)
        );
        let err = source_field(&field(" gcc (12"), "f").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`f`:3: field `Source` must be `name` or `name (version)`, found `gcc (12`"
        );
    }

    #[test]
    fn utf8_error_position() {
        let err = utf8(b"ab\ncd\xffe", "f").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`f`:2:3: invalid UTF-8 (byte `0xff`); expected UTF-8 text"
        );
    }
}
