//! Alpine's security database (secdb: JSON per branch and repository, or the legacy YAML) into
//! advisories. APKINDEX package indexes live in `apkindex.rs`.
//! Pure: bytes and a display name in, records and warnings out.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use vexil_version::apk::ApkVersion;

use crate::ingest::{IngestError, Location, Parsed};
use crate::model::{Advisory, Affected, DistroNote, Event, Feed, Package, Range, RangeKind};

const SECDB_SHAPE: &str = "`{distroversion, reponame, packages: [{pkg: {name, secfixes}}]}`";

/// Parses one secdb file (`v3.20/main.json`, or a legacy `v3.10/main.yaml`; told apart by
/// content) into one [`Advisory`] per vulnerability id, feed [`Feed::Alpine`].
///
/// Each advisory holds one [`Affected`] per package of this branch, ecosystem
/// `Alpine:<distroversion>`: a range `introduced 0, fixed <v>` for a fixed version, or no range
/// and [`DistroNote::never_affected`] for Alpine's fixed version `"0"`. An id listed under several
/// fixed versions of one package gets one range with all of them (so by OSV's evaluation the
/// lowest fix decides). Ids on one line (`CVE-2017-8904 XSA-214`) are aliases of each other and
/// each gets its own advisory, except that two CVEs are never aliases, and an id shared by
/// several CVEs (`XSA-201` for four) is only `related` to them: aliasing would merge distinct
/// CVEs into one group. Secdb files of other apk distros (no `distroversion`) are read when
/// `urlprefix` names Wolfi, Chainguard or MinimOS. vuln-list's one-package flattening
/// (`{name, secfixes, distroversion, …}`) is read too.
///
/// Warnings (record kept): malformed ids (repaired when the intent is plain, dropped otherwise),
/// notes after an id (`CVE-2018-10103 (SMB - partially fixed, …)`, kept in the affected
/// package's `database_specific.notes`), fixed versions apk-tools would refuse (kept as written),
/// a version listing no ids.
pub fn parse_secdb(bytes: &[u8], file: &str) -> Result<Parsed<Advisory>, IngestError> {
    let raw = read_secdb(bytes, file)?;
    let packages: Vec<(String, &RawPkg)> = match (&raw.packages, &raw.name) {
        (RawPackages::List(list), _) => list
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("packages/{i}/pkg/"), &p.pkg))
            .collect(),
        (RawPackages::Absent, Some(_)) => Vec::new(),
        (RawPackages::Absent, None) => return Err(wrong_shape(bytes, file)),
    };
    let flat = match (&raw.packages, &raw.name) {
        (RawPackages::Absent, Some(name)) => Some(RawPkg {
            name: name.clone(),
            secfixes: raw.secfixes.clone().unwrap_or_default(),
        }),
        _ => None,
    };
    let packages: Vec<(String, &RawPkg)> = match &flat {
        Some(pkg) => vec![(String::new(), pkg)],
        None => packages,
    };
    let branch = Branch::of(&raw, file)?;
    let mut parsed = Parsed::default();
    let mut lines = Vec::new();
    for (prefix, pkg) in &packages {
        read_package(file, prefix, pkg, &mut lines, &mut parsed);
    }
    parsed.records = build_advisories(file, &branch, &lines, &mut parsed);
    Ok(parsed)
}

// ---------------------------------------------------------------------------------------------
// secdb: raw shape

/// The secdb document as written. Unknown keys (`apkurl`, `archs`) are ignored.
#[derive(Deserialize)]
#[serde(
    expecting = "an Alpine secdb document: a mapping with `distroversion`, `reponame` and `packages`"
)]
struct RawSecdb {
    #[serde(default)]
    distroversion: Option<String>,
    #[serde(default)]
    urlprefix: Option<String>,
    #[serde(default)]
    packages: RawPackages,
    /// vuln-list-update's per-package flattening puts `name` and `secfixes` at the top.
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    secfixes: Option<Secfixes>,
}

#[derive(Default)]
enum RawPackages {
    #[default]
    Absent,
    List(Vec<RawPackage>),
}

#[derive(Deserialize)]
#[serde(expecting = "a package entry `{pkg: {name, secfixes}}`")]
struct RawPackage {
    pkg: RawPkg,
}

#[derive(Clone, Deserialize)]
#[serde(expecting = "a package `{name, secfixes}`")]
struct RawPkg {
    name: String,
    #[serde(default)]
    secfixes: Secfixes,
}

/// `secfixes`: fixed version → ids, in file order.
#[derive(Clone, Default)]
struct Secfixes(Vec<(String, Ids)>);

/// The ids under one fixed version: a list, or something else described for a warning.
#[derive(Clone)]
enum Ids {
    List(Vec<IdItem>),
    Other(&'static str),
}

#[derive(Clone)]
enum IdItem {
    Text(String),
    Other(String),
}

impl<'de> Deserialize<'de> for RawPackages {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PackagesVisitor)
    }
}

struct PackagesVisitor;

impl<'de> Visitor<'de> for PackagesVisitor {
    type Value = RawPackages;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of packages `[{pkg: {name, secfixes}}]`")
    }
    // `packages:` with nothing after it (alpine-secdb v3.3/community.yaml): no packages.
    fn visit_unit<E: de::Error>(self) -> Result<RawPackages, E> {
        Ok(RawPackages::List(Vec::new()))
    }
    fn visit_none<E: de::Error>(self) -> Result<RawPackages, E> {
        Ok(RawPackages::List(Vec::new()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawPackages, A::Error> {
        let mut list = Vec::new();
        while let Some(package) = seq.next_element()? {
            list.push(package);
        }
        Ok(RawPackages::List(list))
    }
    // vuln-list-update writes an empty repository as `"packages": {}`.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawPackages, A::Error> {
        if map.next_key::<IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_type(de::Unexpected::Map, &self));
        }
        Ok(RawPackages::List(Vec::new()))
    }
}

impl<'de> Deserialize<'de> for Secfixes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SecfixesVisitor)
    }
}

struct SecfixesVisitor;

impl<'de> Visitor<'de> for SecfixesVisitor {
    type Value = Secfixes;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping from fixed version to a list of ids")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Secfixes, E> {
        Ok(Secfixes::default())
    }
    fn visit_none<E: de::Error>(self) -> Result<Secfixes, E> {
        Ok(Secfixes::default())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Secfixes, A::Error> {
        let mut entries = Vec::new();
        // Keys as strings: YAML would otherwise read an unquoted `0:` as a number.
        while let Some((version, ids)) = map.next_entry::<String, Ids>()? {
            entries.push((version, ids));
        }
        Ok(Secfixes(entries))
    }
}

impl<'de> Deserialize<'de> for Ids {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IdsVisitor)
    }
}

struct IdsVisitor;

impl<'de> Visitor<'de> for IdsVisitor {
    type Value = Ids;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of ids")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ids, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Ids::List(items))
    }
    // Seen for real: `"2.8.0-r0": {}` (vuln-list-update) and `7.4.0-r0: ''` (alpine-secdb v3.6).
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ids, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Ids::Other("a mapping"))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Ids, E> {
        Ok(Ids::Other("a string"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Ids, E> {
        Ok(Ids::Other("nothing"))
    }
    fn visit_none<E: de::Error>(self) -> Result<Ids, E> {
        Ok(Ids::Other("nothing"))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Ids, E> {
        Ok(Ids::Other("a boolean"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Ids, E> {
        Ok(Ids::Other("a number"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Ids, E> {
        Ok(Ids::Other("a number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Ids, E> {
        Ok(Ids::Other("a number"))
    }
}

impl<'de> Deserialize<'de> for IdItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IdItemVisitor)
    }
}

struct IdItemVisitor;

impl<'de> Visitor<'de> for IdItemVisitor {
    type Value = IdItem;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an id such as `CVE-2024-1234`")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<IdItem, E> {
        Ok(IdItem::Text(s.to_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<IdItem, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(IdItem::Other("a list".to_owned()))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<IdItem, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(IdItem::Other("a mapping".to_owned()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<IdItem, E> {
        Ok(IdItem::Other("nothing".to_owned()))
    }
    fn visit_none<E: de::Error>(self) -> Result<IdItem, E> {
        Ok(IdItem::Other("nothing".to_owned()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<IdItem, E> {
        Ok(IdItem::Other(format!("the boolean `{v}`")))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<IdItem, E> {
        Ok(IdItem::Other(format!("the number `{v}`")))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<IdItem, E> {
        Ok(IdItem::Other(format!("the number `{v}`")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<IdItem, E> {
        Ok(IdItem::Other(format!("the number `{v}`")))
    }
}

// ---------------------------------------------------------------------------------------------
// secdb: reading the document

/// JSON when the first non-blank character opens an object or array, YAML otherwise.
fn read_secdb(bytes: &[u8], file: &str) -> Result<RawSecdb, IngestError> {
    let text = utf8(bytes, file, None)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let body = text.trim_start();
    if body.is_empty() {
        return Err(IngestError::new(
            Location::file(file),
            format!("the file is empty; expected an Alpine secdb document {SECDB_SHAPE}"),
        ));
    }
    // A derived struct would also read an array, field by field: refuse it by its shape.
    if body.starts_with('[') {
        let line = text.len() - body.len();
        let line = text.get(..line).unwrap_or_default().matches('\n').count() + 1;
        return Err(IngestError::new(
            Location::file(file).at(line, 1),
            format!("found a JSON array; expected an Alpine secdb document {SECDB_SHAPE}"),
        ));
    }
    if body.starts_with('{') {
        serde_json::from_str(text).map_err(|e| IngestError::json(file, None, &e))
    } else {
        serde_saphyr::from_str_with_options(text, yaml_options()).map_err(|e| yaml_error(file, &e))
    }
}

fn yaml_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    options
}

fn yaml_error(file: &str, err: &serde_saphyr::Error) -> IngestError {
    let mut location = Location::file(file);
    let mut message = err.to_string();
    if let Some(at) = err.location()
        && at.line() > 0
    {
        let line = usize::try_from(at.line()).unwrap_or(usize::MAX);
        let column = usize::try_from(at.column()).unwrap_or(usize::MAX);
        location = location.at(line, column);
        // The location is already in `location`; do not say it twice.
        let suffix = format!(" at line {line}, column {column}");
        if let Some(stem) = message.strip_suffix(&suffix) {
            message = stem.to_owned();
        }
    }
    IngestError::new(location, format!("invalid secdb YAML: {message}"))
}

/// The error for a document that parsed but has neither `packages` nor `name` + `secfixes`:
/// names the keys it does have, so an NVD page or an OSV record given by mistake is obvious.
fn wrong_shape(bytes: &[u8], file: &str) -> IngestError {
    let text = std::str::from_utf8(bytes).unwrap_or_default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let keys: Option<BTreeMap<String, IgnoredAny>> = if text.trim_start().starts_with('{') {
        serde_json::from_str(text).ok()
    } else {
        serde_saphyr::from_str_with_options(text, yaml_options()).ok()
    };
    let found = match keys {
        Some(keys) if !keys.is_empty() => {
            let names: Vec<String> = keys
                .keys()
                .take(8)
                .map(|k| format!("`{}`", shown(k)))
                .collect();
            format!("a mapping with keys {}", names.join(", "))
        }
        _ => "an empty mapping".to_owned(),
    };
    IngestError::new(
        Location::file(file).field("packages"),
        format!(
            "no `packages` list: found {found}; expected an Alpine secdb document {SECDB_SHAPE}"
        ),
    )
}

/// The ecosystem and release every package of the file belongs to.
struct Branch {
    ecosystem: String,
    release: Option<String>,
}

impl Branch {
    fn of(raw: &RawSecdb, file: &str) -> Result<Branch, IngestError> {
        if let Some(version) = &raw.distroversion {
            let version = version.trim();
            if version.is_empty() {
                return Err(IngestError::new(
                    Location::file(file).field("distroversion"),
                    "empty `distroversion`; expected an Alpine branch such as `v3.20` or `edge`",
                ));
            }
            return Ok(Branch {
                ecosystem: format!("Alpine:{version}"),
                release: Some(version.to_owned()),
            });
        }
        // Other apk distros publish the same document without a branch (vunnel's fixtures):
        // tell them apart by their package host. OSV names them `Wolfi`, `Chainguard`, `MinimOS`.
        let host = raw.urlprefix.as_deref().map(url_host).unwrap_or_default();
        let ecosystem = if host == "packages.wolfi.dev" {
            "Wolfi"
        } else if host == "cgr.dev" || host.ends_with(".cgr.dev") {
            "Chainguard"
        } else if host == "packages.mini.dev" {
            "MinimOS"
        } else {
            return Err(IngestError::new(
                Location::file(file).field("distroversion"),
                format!(
                    "no `distroversion`; expected an Alpine branch such as `v3.20` (a secdb \
                     without one is read only for Wolfi, Chainguard and MinimOS, known by \
                     `urlprefix`, found `{}`)",
                    shown(raw.urlprefix.as_deref().unwrap_or(""))
                ),
            ));
        };
        Ok(Branch {
            ecosystem: ecosystem.to_owned(),
            release: None,
        })
    }
}

/// `https://packages.wolfi.dev/os` → `packages.wolfi.dev`.
fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', ':', '?']).next().unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// secdb: ids and relations

/// One secfixes entry after cleaning: the ids it names, for one package and fixed version.
struct Line {
    package: String,
    /// Field path of the package (`packages/3/pkg/`), for warnings.
    prefix: String,
    version: String,
    ids: Vec<String>,
    note: Option<String>,
}

fn read_package(
    file: &str,
    prefix: &str,
    pkg: &RawPkg,
    lines: &mut Vec<Line>,
    parsed: &mut Parsed<Advisory>,
) {
    let name = shown(&pkg.name);
    for (version, ids) in &pkg.secfixes.0 {
        let field = format!("{prefix}secfixes/{}", pointer_escape(version));
        if version != "0"
            && let Err(e) = ApkVersion::parse(version)
        {
            parsed.warn(
                Location::file(file).field(field.clone()),
                format!("package `{name}`: fixed version {e}; kept as written (matching it will answer unknown)"),
            );
        }
        let items = match ids {
            Ids::List(items) => items,
            Ids::Other(found) => {
                parsed.warn(
                    Location::file(file).field(field),
                    format!("package `{name}`, fixed version `{}`: expected a list of ids, found {found}; nothing recorded", shown(version)),
                );
                continue;
            }
        };
        for (j, item) in items.iter().enumerate() {
            let at = || Location::file(file).field(format!("{field}/{j}"));
            let text = match item {
                IdItem::Text(text) => text,
                IdItem::Other(found) => {
                    parsed.warn(at(), format!("package `{name}`: expected an id such as `CVE-2024-1234`, found {found}; skipped"));
                    continue;
                }
            };
            let entry = clean_entry(text);
            for problem in entry.problems {
                parsed.warn(at(), format!("package `{name}`: {problem}"));
            }
            if !entry.ids.is_empty() {
                lines.push(Line {
                    package: pkg.name.clone(),
                    prefix: prefix.to_owned(),
                    version: version.clone(),
                    ids: entry.ids,
                    note: entry.note,
                });
            }
        }
    }
}

/// RFC 6901 escaping, so a version with `/` or `~` cannot break the field path.
fn pointer_escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

#[derive(Debug, Default, PartialEq)]
struct CleanEntry {
    ids: Vec<String>,
    note: Option<String>,
    problems: Vec<String>,
}

/// Splits one secfixes entry into ids (`CVE-2017-8904 XSA-214`), repairing the slips found in
/// Alpine's secdb (`CVE_2019-2426`, `CVE 2018-16859`, `CVE-2017-8073.patch`, `CVE-2017-17434-1`)
/// and moving a trailing parenthesised note (`(fix incomplete)`, `(BGP)`) out of the ids.
fn clean_entry(raw: &str) -> CleanEntry {
    let mut out = CleanEntry::default();
    let head = match raw.split_once('(') {
        Some((head, tail)) => {
            let note = tail.trim_end().strip_suffix(')').unwrap_or(tail).trim();
            out.problems.push(format!(
                "`({})` after the id is a note, not an id; kept as a note",
                shown(note)
            ));
            out.note = Some(note.to_owned());
            head
        }
        None => raw,
    };
    let mut tokens = head.split_whitespace().peekable();
    while let Some(token) = tokens.next() {
        let joined;
        let token = match tokens.peek() {
            // `CVE 2018-16859`: a space typed for the dash.
            Some(next) if token.eq_ignore_ascii_case("CVE") && is_cve(&format!("CVE-{next}")) => {
                joined = format!("{token} {next}");
                tokens.next();
                joined.as_str()
            }
            _ => token,
        };
        match classify(token) {
            Token::Id(id) => push_unique(&mut out.ids, id),
            Token::Repaired(id) => {
                out.problems.push(format!(
                    "`{}` is not a well-formed id; read as `{id}`",
                    shown(token)
                ));
                push_unique(&mut out.ids, id);
            }
            Token::Invalid(why) => out.problems.push(why),
        }
    }
    if out.ids.is_empty() && out.problems.is_empty() {
        out.problems
            .push("an empty entry; expected an id such as `CVE-2024-1234`".to_owned());
    }
    out
}

fn push_unique(ids: &mut Vec<String>, id: String) {
    if !ids.contains(&id) {
        ids.push(id);
    }
}

enum Token {
    Id(String),
    Repaired(String),
    Invalid(String),
}

fn classify(token: &str) -> Token {
    if is_cve(token) || is_ghsa(token) {
        return Token::Id(token.to_owned());
    }
    let upper = token.to_ascii_uppercase();
    let text = shown(token);
    if upper.starts_with("CVE") {
        if token.contains('?') {
            return Token::Invalid(format!("`{text}` is a placeholder, not an id; skipped"));
        }
        let mut fixed = upper.replace([' ', '_'], "-");
        if let Some(stem) = fixed.strip_suffix(".PATCH") {
            fixed = stem.to_owned();
        }
        // `CVE-2017-17434-1`, `-2`: the parts of one CVE's fix.
        if !is_cve(&fixed)
            && let Some((stem, part)) = fixed.rsplit_once('-')
            && !part.is_empty()
            && part.bytes().all(|b| b.is_ascii_digit())
            && is_cve(stem)
        {
            fixed = stem.to_owned();
        }
        return if is_cve(&fixed) {
            Token::Repaired(fixed)
        } else {
            Token::Invalid(format!(
                "`{text}` is not a well-formed CVE id (expected `CVE-YYYY-NNNN`); skipped"
            ))
        };
    }
    if upper.starts_with("GHSA-") {
        return Token::Invalid(format!(
            "`{text}` is not a well-formed GHSA id (expected `GHSA-xxxx-xxxx-xxxx`); skipped"
        ));
    }
    if is_other_id(token) {
        Token::Id(token.to_owned())
    } else {
        Token::Invalid(format!(
            "`{text}` is not a vulnerability id (expected one such as `CVE-2024-1234`, \
             `GHSA-…` or `XSA-123`); skipped"
        ))
    }
}

/// `CVE-YYYY-NNNN…`, per the CVE id syntax (four-digit year, four or more digits).
fn is_cve(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("CVE-") else {
        return false;
    };
    let Some((year, number)) = rest.split_once('-') else {
        return false;
    };
    year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && number.len() >= 4
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// `GHSA-xxxx-xxxx-xxxx` over GitHub's alphabet (`23456789cfghjmpqrvwx`).
fn is_ghsa(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("GHSA-") else {
        return false;
    };
    let groups: Vec<&str> = rest.split('-').collect();
    groups.len() == 3
        && groups
            .iter()
            .all(|g| g.len() == 4 && g.bytes().all(|b| b"23456789cfghjmpqrvwx".contains(&b)))
}

/// A vendor's id: `XSA-214`, `TALOS-2017-0499`, `ZBX-11023`, `wnpa-sec-2017-18`. A letter, then
/// letters, digits, `-`, `.`, `_`; with a dash and a digit, so a word (`XPTI`) is not one.
fn is_other_id(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.contains('-')
        && !s.ends_with('-')
        && s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

/// Non-CVE ids that the file pairs with two or more distinct CVEs (`XSA-201` for
/// CVE-2016-9815…9818): an umbrella advisory, related to each CVE rather than an alias of it.
fn umbrella_ids(lines: &[Line]) -> HashSet<&str> {
    let mut cves_of: HashMap<&str, HashSet<&str>> = HashMap::new();
    for line in lines {
        for id in line.ids.iter().filter(|id| !is_cve(id)) {
            let cves = cves_of.entry(id).or_default();
            cves.extend(line.ids.iter().filter(|id| is_cve(id)).map(String::as_str));
        }
    }
    cves_of
        .into_iter()
        .filter(|(_, cves)| cves.len() >= 2)
        .map(|(id, _)| id)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// secdb: building advisories

/// What one id says about one package, before it becomes an [`Affected`].
struct PackageFacts {
    package: String,
    prefix: String,
    fixed: Vec<String>,
    never_affected: bool,
    notes: Vec<String>,
}

struct Draft {
    id: String,
    aliases: BTreeSet<String>,
    related: BTreeSet<String>,
    packages: Vec<PackageFacts>,
}

fn build_advisories(
    file: &str,
    branch: &Branch,
    lines: &[Line],
    parsed: &mut Parsed<Advisory>,
) -> Vec<Advisory> {
    let umbrellas = umbrella_ids(lines);
    let mut drafts: Vec<Draft> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for line in lines {
        for id in &line.ids {
            let slot = *index.entry(id.clone()).or_insert_with(|| {
                drafts.push(Draft {
                    id: id.clone(),
                    aliases: BTreeSet::new(),
                    related: BTreeSet::new(),
                    packages: Vec::new(),
                });
                drafts.len() - 1
            });
            let Some(draft) = drafts.get_mut(slot) else {
                continue;
            };
            for other in line.ids.iter().filter(|other| *other != id) {
                let distinct = (is_cve(id) && is_cve(other))
                    || umbrellas.contains(id.as_str())
                    || umbrellas.contains(other.as_str());
                if distinct {
                    draft.related.insert(other.clone());
                } else {
                    draft.aliases.insert(other.clone());
                }
            }
            add_fact(draft, line);
        }
    }
    drafts
        .into_iter()
        .map(|draft| finish_advisory(file, branch, draft, parsed))
        .collect()
}

fn add_fact(draft: &mut Draft, line: &Line) {
    let position = draft
        .packages
        .iter()
        .position(|p| p.package == line.package);
    let facts = match position.and_then(|i| draft.packages.get_mut(i)) {
        Some(facts) => facts,
        None => {
            draft.packages.push(PackageFacts {
                package: line.package.clone(),
                prefix: line.prefix.clone(),
                fixed: Vec::new(),
                never_affected: false,
                notes: Vec::new(),
            });
            let Some(facts) = draft.packages.last_mut() else {
                return;
            };
            facts
        }
    };
    // Alpine's secdb: fixed version `0` means this branch never shipped a vulnerable build.
    if line.version == "0" {
        facts.never_affected = true;
    } else if !facts.fixed.contains(&line.version) {
        facts.fixed.push(line.version.clone());
    }
    if let Some(note) = &line.note
        && !facts.notes.contains(note)
    {
        facts.notes.push(note.clone());
    }
}

fn finish_advisory(
    file: &str,
    branch: &Branch,
    draft: Draft,
    parsed: &mut Parsed<Advisory>,
) -> Advisory {
    let mut advisory = Advisory::new(draft.id, Feed::Alpine);
    advisory.aliases = draft.aliases.into_iter().collect();
    advisory.related = draft.related.into_iter().collect();
    for facts in draft.packages {
        let fixed = sort_versions(facts.fixed);
        if facts.never_affected && !fixed.is_empty() {
            parsed.warn(
                Location::file(file).field(format!("{}secfixes", facts.prefix)),
                format!(
                    "package `{}`: `{}` is listed both under `0` (never affected) and as fixed \
                     in `{}`; keeping the fixed version",
                    shown(&facts.package),
                    advisory.id,
                    fixed.join("`, `")
                ),
            );
        }
        let ranges = if fixed.is_empty() {
            Vec::new()
        } else {
            let mut events = vec![Event::Introduced("0".to_owned())];
            events.extend(fixed.into_iter().map(Event::Fixed));
            vec![Range {
                kind: RangeKind::Ecosystem,
                repo: None,
                events,
            }]
        };
        advisory.affected.push(Affected {
            package: Some(Package {
                ecosystem: branch.ecosystem.clone(),
                name: facts.package,
                purl: None,
            }),
            database_specific: (!facts.notes.is_empty())
                .then(|| serde_json::json!({ "notes": facts.notes })),
            // Wolfi and the like have no release: no note unless never affected.
            distro: (branch.release.is_some() || ranges.is_empty()).then(|| DistroNote {
                release: branch.release.clone(),
                never_affected: ranges.is_empty(),
                ..DistroNote::default()
            }),
            ranges,
            ..Affected::default()
        });
    }
    advisory
}

/// Valid apk versions in apk order, then the ones apk refuses, as written.
fn sort_versions(versions: Vec<String>) -> Vec<String> {
    let (mut valid, invalid): (Vec<_>, Vec<_>) = versions
        .into_iter()
        .map(|v| (ApkVersion::parse(&v).ok(), v))
        .partition(|(parsed, _)| parsed.is_some());
    valid.sort_by(|(a, _), (b, _)| a.cmp(b));
    valid.into_iter().chain(invalid).map(|(_, v)| v).collect()
}

/// `s` with control characters escaped, for a message: quotes stay as they are.
pub(crate) fn shown(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The text, or an error at the line and column (in bytes) of the first invalid byte.
pub(crate) fn utf8<'a>(
    bytes: &'a [u8],
    file: &str,
    entry: Option<&str>,
) -> Result<&'a str, IngestError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = bytes.get(..e.valid_up_to()).unwrap_or_default();
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        let mut location = Location::file(file).at(line, valid.len() - line_start + 1);
        location.entry = entry.map(str::to_owned);
        let byte = bytes.get(e.valid_up_to()).copied().unwrap_or_default();
        IngestError::new(
            location,
            format!("invalid UTF-8 (byte 0x{byte:02x}); expected UTF-8 text"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(raw: &str) -> (Vec<&'static str>, Option<String>, usize) {
        let entry = clean_entry(raw);
        let ids = entry.ids.into_iter().map(|s| &*s.leak()).collect();
        (ids, entry.note, entry.problems.len())
    }

    #[test]
    fn ids_on_one_line_and_notes() {
        assert_eq!(
            clean("CVE-2017-8904 XSA-214"),
            (vec!["CVE-2017-8904", "XSA-214"], None, 0)
        );
        assert_eq!(
            clean("CVE-2019-2426 (fix incomplete)"),
            (vec!["CVE-2019-2426"], Some("fix incomplete".to_owned()), 1)
        );
        assert_eq!(
            clean("CVE-2024-22195 GHSA-h5c8-rqwp-cp95"),
            (vec!["CVE-2024-22195", "GHSA-h5c8-rqwp-cp95"], None, 0)
        );
        assert_eq!(
            clean("wnpa-sec-2017-18"),
            (vec!["wnpa-sec-2017-18"], None, 0)
        );
    }

    #[test]
    fn repairs_and_refusals() {
        assert_eq!(clean("CVE_2019-2426"), (vec!["CVE-2019-2426"], None, 1));
        assert_eq!(clean("CVE 2018-16859"), (vec!["CVE-2018-16859"], None, 1));
        assert_eq!(
            clean("CVE-2017-8073.patch"),
            (vec!["CVE-2017-8073"], None, 1)
        );
        assert_eq!(clean("CVE-2017-17434-1"), (vec!["CVE-2017-17434"], None, 1));
        assert_eq!(clean("CVE-????-?????  XSA-284"), (vec!["XSA-284"], None, 1));
        assert_eq!(
            clean("CVE-2017-5753 CVE-2017-5715 XSA-254 XPTI"),
            (vec!["CVE-2017-5753", "CVE-2017-5715", "XSA-254"], None, 1)
        );
        assert_eq!(clean("GHSA-zzzz"), (vec![], None, 1));
        assert_eq!(clean("   "), (vec![], None, 1));
    }

    #[test]
    fn url_hosts() {
        assert_eq!(
            url_host("https://packages.wolfi.dev/os"),
            "packages.wolfi.dev"
        );
        assert_eq!(url_host("https://libraries.cgr.dev"), "libraries.cgr.dev");
        assert_eq!(url_host("nonsense"), "nonsense");
    }

    #[test]
    fn fixed_versions_sort_in_apk_order() {
        let sorted = sort_versions(vec!["2.4.2-r0".into(), "bad..".into(), "2.2.10-r0".into()]);
        assert_eq!(sorted, ["2.2.10-r0", "2.4.2-r0", "bad.."]);
    }
}
