//! osv-scanner JSON reports (`osv-scanner --format json`): every package of every source joins
//! the inventory; each vulnerability group (the ids osv-scanner found to be aliases) becomes
//! one finding, with the fixed version computed from the OSV records for that package.
//!
//! Quirks of real reports: `source.type` is lockfile/sbom/git/artifact; git sources list a
//! package with only a `commit` (no name, version or ecosystem: not inventoried, its findings
//! kept under the source path); `groups[].max_severity` is a CVSS score as a string, often empty;
//! `groups[].experimental_analysis` says per id whether the vulnerable code is `called`;
//! `dependency_groups` names the lockfile groups (`dev`); licence results are ignored; test
//! snapshots keep `<rootdir>` placeholders in paths and may shorten `vulnerabilities` to ids and
//! `groups` to a count.

use std::cmp::Ordering;
use std::collections::HashMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::ingest::inventory::{Sniff, Source};
use crate::ingest::scanner::identity;
use crate::ingest::{IngestError, Location};
use crate::model::purl::{Purl, normalize_pypi, purl_type};
use crate::model::{Inventory, ScannerFinding, Scope};

const TOOL: &str = "osv-scanner";

/// An osv-scanner report: a top-level `results` with its `experimental_config`, or whose
/// results have `source` and `packages` (detection sees only top-level keys, so the head of
/// the text is checked for those).
pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    if !sniff.has_key("results") || sniff.has_key("bomFormat") || sniff.has_key("spdxVersion") {
        return false;
    }
    let head = sniff.head(4096);
    sniff.has_key("experimental_config")
        || (head.contains("\"source\"") && head.contains("\"packages\""))
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let report: RawReport =
        serde_json::from_str(src.text).map_err(|e| IngestError::json(src.name, None, &e))?;
    let Some(results) = report.results else {
        return Err(IngestError::new(
            src.location(),
            "valid JSON but not an osv-scanner report: no `results`",
        ));
    };
    let mut inv = Inventory::default();
    for (i, r) in results.iter().enumerate() {
        let source = r
            .source
            .as_ref()
            .and_then(|s| s.path.as_deref())
            .unwrap_or_default();
        for (j, p) in r.packages.iter().flatten().enumerate() {
            let at = Location::file(src.name).field(format!("/results/{i}/packages/{j}"));
            package(&mut inv, p, source, &at);
        }
    }
    Ok(inv)
}

#[derive(Deserialize)]
#[serde(expecting = "an osv-scanner report object")]
struct RawReport {
    results: Option<Vec<RawResult>>,
}

#[derive(Deserialize)]
#[serde(expecting = "an osv-scanner result object")]
struct RawResult {
    source: Option<RawSource>,
    packages: Option<Vec<RawPackageEntry>>,
}

#[derive(Deserialize)]
struct RawSource {
    path: Option<String>,
}

#[derive(Deserialize)]
#[serde(expecting = "an osv-scanner package object")]
struct RawPackageEntry {
    package: Option<RawPackage>,
    vulnerabilities: Option<Vec<RawVulnerability>>,
    groups: Option<RawGroups>,
    dependency_groups: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawPackage {
    name: Option<String>,
    version: Option<String>,
    ecosystem: Option<String>,
    commit: Option<String>,
}

/// A full OSV record, or only its id (shortened snapshots), or something not understood.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawVulnerability {
    Id(String),
    Record(RawRecord),
    Other(IgnoredAny),
}

#[derive(Deserialize)]
struct RawRecord {
    id: Option<String>,
    aliases: Option<Vec<String>>,
    affected: Option<Vec<RawAffected>>,
}

#[derive(Deserialize)]
struct RawAffected {
    package: Option<RawAffectedPackage>,
    ranges: Option<Vec<RawRange>>,
}

#[derive(Deserialize)]
struct RawAffectedPackage {
    ecosystem: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(rename = "type")]
    ty: Option<String>,
    events: Option<Vec<RawEvent>>,
}

#[derive(Deserialize)]
struct RawEvent {
    introduced: Option<String>,
    fixed: Option<String>,
    last_affected: Option<String>,
}

/// The groups, or a count in shortened snapshots.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawGroups {
    List(Vec<RawGroup>),
    Other(IgnoredAny),
}

#[derive(Deserialize)]
struct RawGroup {
    ids: Option<Vec<String>>,
    aliases: Option<Vec<String>>,
    max_severity: Option<String>,
    experimental_analysis: Option<HashMap<String, RawAnalysis>>,
}

#[derive(Deserialize)]
struct RawAnalysis {
    called: Option<bool>,
}

/// What a finding says about its package.
struct Subject<'a> {
    name: &'a str,
    version: Option<&'a str>,
    ecosystem: &'a str,
    purl: Option<String>,
}

fn package(inv: &mut Inventory, entry: &RawPackageEntry, source: &str, at: &Location) {
    let Some(p) = &entry.package else {
        inv.warn(at.clone(), "package entry without `package`: left out");
        return;
    };
    let name = p.name.as_deref().unwrap_or_default();
    let version = p.version.as_deref().filter(|v| !v.is_empty());
    let ecosystem = p.ecosystem.as_deref().unwrap_or_default();
    let subject = if name.is_empty() {
        git_subject(inv, p, source, at)
    } else {
        Subject {
            name,
            version,
            ecosystem,
            purl: component(inv, entry, name, version, ecosystem, at),
        }
    };
    findings(inv, entry, &subject, at);
}

/// A package osv-scanner identified by its git commit only: its findings are kept under the
/// source's path, but it is no component.
fn git_subject<'a>(
    inv: &mut Inventory,
    p: &'a RawPackage,
    source: &'a str,
    at: &Location,
) -> Subject<'a> {
    let commit = p.commit.as_deref().filter(|c| !c.is_empty());
    let what = match commit {
        Some(c) => format!("the git checkout `{source}` at commit `{c}`"),
        None => format!("a package of `{source}` without a name"),
    };
    inv.warn(
        at.clone(),
        format!(
            "{what} is not inventoried: a component needs a name and version; its findings are kept"
        ),
    );
    Subject {
        name: source,
        version: commit,
        ecosystem: "",
        purl: None,
    }
}

/// The package as a component; its purl.
fn component(
    inv: &mut Inventory,
    entry: &RawPackageEntry,
    name: &str,
    version: Option<&str>,
    ecosystem: &str,
    at: &Location,
) -> Option<String> {
    let Some(version) = version else {
        inv.warn(
            at.clone(),
            format!("`{name}` has no version: not inventoried"),
        );
        return None;
    };
    let ty = purl_type(ecosystem);
    if ty.is_none() {
        inv.warn(
            at.clone(),
            format!("ecosystem `{ecosystem}` has no purl type Vexil knows: `{name}` gets a `pkg:generic` purl"),
        );
    }
    // osv-scanner drops the `v` of Go module versions; purls and go.mod keep it.
    let version = match ty {
        Some("golang") if version.starts_with(|c: char| c.is_ascii_digit()) => {
            format!("v{version}")
        }
        _ => version.to_owned(),
    };
    let mut c = identity::component(inv, None, None, at, || {
        build(ty.unwrap_or("generic"), ecosystem, name, &version)
    })?;
    let groups = entry.dependency_groups.as_deref().unwrap_or_default();
    c.scope = if groups.iter().any(|g| g == "dev") {
        Some(Scope::Dev)
    } else if groups.iter().any(|g| g == "optional") {
        Some(Scope::Optional)
    } else {
        None
    };
    let purl = c.purl.clone();
    inv.components.push(c);
    Some(purl)
}

/// The purl of a package in an OSV ecosystem; distro ecosystems (`Debian:12`) get the vendor
/// namespace and a `distro` qualifier.
fn build(ty: &str, ecosystem: &str, name: &str, version: &str) -> Purl {
    let (base, release) = match ecosystem.split_once(':') {
        Some((b, r)) => (b, Some(r)),
        None => (ecosystem, None),
    };
    let vendor = match base {
        "Debian" => "debian",
        "Ubuntu" => "ubuntu",
        "Alpine" => "alpine",
        "Wolfi" => "wolfi",
        "Chainguard" => "chainguard",
        "Red Hat" => "redhat",
        "Rocky Linux" => "rocky",
        "AlmaLinux" => "almalinux",
        "SUSE" => "suse",
        "openSUSE" => "opensuse",
        "Mageia" => "mageia",
        "openEuler" => "openeuler",
        "Azure Linux" => "azurelinux",
        _ => return Purl::package(ty, name, Some(version)),
    };
    let purl = Purl::os(ty, vendor, name, Some(version));
    // `Alpine:v3.18` → `3.18`; `Ubuntu:22.04:LTS` → `ubuntu-22.04`; `Debian:12` → `debian-12`.
    match release.map(|r| r.split(':').next().unwrap_or(r)) {
        Some(r) if base == "Alpine" => purl.qualifier("distro", r.trim_start_matches('v')),
        Some(r) => purl.qualifier("distro", &format!("{vendor}-{r}")),
        None => purl,
    }
}

/// One finding per vulnerability group; vulnerabilities in no group get one each.
fn findings(inv: &mut Inventory, entry: &RawPackageEntry, subject: &Subject<'_>, at: &Location) {
    let vulns = entry.vulnerabilities.as_deref().unwrap_or_default();
    let records: Vec<&RawRecord> = vulns
        .iter()
        .filter_map(|v| match v {
            RawVulnerability::Record(r) => Some(r),
            _ => None,
        })
        .collect();
    let groups = match &entry.groups {
        Some(RawGroups::List(g)) => g.as_slice(),
        _ => &[],
    };
    for (k, g) in groups.iter().enumerate() {
        let ids = g.ids.as_deref().unwrap_or_default();
        let Some(first) = ids.first() else {
            inv.warn(
                at.clone().field(format!("{}/groups/{k}", field(at))),
                "group without `ids`: left out",
            );
            continue;
        };
        let mut aliases: Vec<&str> = ids.iter().skip(1).map(String::as_str).collect();
        aliases.extend(g.aliases.iter().flatten().map(String::as_str));
        let in_group: Vec<&RawRecord> = records
            .iter()
            .copied()
            .filter(|r| r.id.as_ref().is_some_and(|id| ids.contains(id)))
            .collect();
        aliases.extend(
            in_group
                .iter()
                .flat_map(|r| r.aliases.iter().flatten())
                .map(String::as_str),
        );
        let loc = at.clone().field(format!("{}/groups/{k}", field(at)));
        let mut f = finding(subject, first, &aliases, loc);
        f.fixed_version = in_group.iter().find_map(|r| fixed_version(r, subject));
        f.severity = g
            .max_severity
            .as_deref()
            .and_then(cvss_band)
            .map(str::to_owned);
        f.status = ids
            .iter()
            .find_map(|id| g.experimental_analysis.as_ref()?.get(id)?.called)
            .map(|called| if called { "called" } else { "not-called" }.to_owned());
        inv.evidence.push(f);
    }
    for (k, v) in vulns.iter().enumerate() {
        let loc = at
            .clone()
            .field(format!("{}/vulnerabilities/{k}", field(at)));
        let (id, record) = match v {
            RawVulnerability::Id(id) => (id.as_str(), None),
            RawVulnerability::Record(r) => (r.id.as_deref().unwrap_or_default(), Some(r)),
            RawVulnerability::Other(_) => ("", None),
        };
        if id.is_empty() {
            inv.warn(loc, "vulnerability without an `id`: left out");
            continue;
        }
        let grouped = groups
            .iter()
            .any(|g| g.ids.iter().flatten().any(|i| i == id));
        if !grouped {
            let aliases: Vec<&str> = record
                .and_then(|r| r.aliases.as_deref())
                .unwrap_or_default()
                .iter()
                .map(String::as_str)
                .collect();
            let mut f = finding(subject, id, &aliases, loc);
            f.fixed_version = record.and_then(|r| fixed_version(r, subject));
            inv.evidence.push(f);
        }
    }
}

fn field(at: &Location) -> &str {
    at.field.as_deref().unwrap_or_default()
}

/// A finding of `subject` with its aliases (each once, the id left out); the caller adds what
/// else it knows.
fn finding(
    subject: &Subject<'_>,
    id: &str,
    aliases: &[&str],
    location: Location,
) -> ScannerFinding {
    let mut unique: Vec<String> = Vec::new();
    for a in aliases {
        if *a != id && !unique.iter().any(|u| u == a) {
            unique.push((*a).to_owned());
        }
    }
    ScannerFinding {
        tool: TOOL.to_owned(),
        tool_version: None,
        vuln_id: id.to_owned(),
        aliases: unique,
        purl: subject.purl.clone(),
        package: subject.name.to_owned(),
        version: subject.version.map(str::to_owned),
        fixed_version: None,
        severity: None,
        status: None,
        location,
    }
}

/// CVSS v3 qualitative bands (CVSS v3.1 specification §5) for osv-scanner's `max_severity`.
fn cvss_band(score: &str) -> Option<&'static str> {
    let s: f64 = score.trim().parse().ok().filter(|s: &f64| s.is_finite())?;
    Some(match s {
        s if s >= 9.0 => "critical",
        s if s >= 7.0 => "high",
        s if s >= 4.0 => "medium",
        s if s > 0.0 => "low",
        _ => "none",
    })
}

/// The `fixed` event of the record's range that holds the installed version (compared with the
/// ecosystem's own ordering); failing that, the record's only fixed version for this package.
fn fixed_version(record: &RawRecord, subject: &Subject<'_>) -> Option<String> {
    let scheme = subject
        .ecosystem
        .parse::<vexil_version::Ecosystem>()
        .ok()
        .map(|e| e.scheme());
    let mut all: Vec<&str> = Vec::new();
    for a in record
        .affected
        .iter()
        .flatten()
        .filter(|a| names(a, subject))
    {
        for r in a
            .ranges
            .iter()
            .flatten()
            .filter(|r| r.ty.as_deref() != Some("GIT"))
        {
            let mut start: Option<&str> = None;
            for e in r.events.iter().flatten() {
                if let Some(i) = &e.introduced {
                    start = Some(i);
                }
                if let Some(f) = &e.fixed {
                    all.push(f);
                    let holds = match (start, scheme, subject.version) {
                        (Some(s), Some(scheme), Some(v)) => within(scheme, s, v, f),
                        _ => false,
                    };
                    if holds {
                        return Some(f.clone());
                    }
                    start = None;
                }
                if e.last_affected.is_some() {
                    start = None;
                }
            }
        }
    }
    all.sort_unstable();
    all.dedup();
    match all.as_slice() {
        [only] => Some((*only).to_owned()),
        _ => None,
    }
}

/// `introduced <= version < fixed`.
fn within(scheme: vexil_version::Scheme, introduced: &str, version: &str, fixed: &str) -> bool {
    let le = |a: &str, b: &str| {
        matches!(
            scheme.compare_str(a, b),
            Ok(Some(Ordering::Less | Ordering::Equal))
        )
    };
    (introduced == "0" || le(introduced, version))
        && matches!(scheme.compare_str(version, fixed), Ok(Some(Ordering::Less)))
}

/// The affected entry is about this package (same ecosystem, same name as the ecosystem
/// compares names).
fn names(a: &RawAffected, subject: &Subject<'_>) -> bool {
    let Some(p) = &a.package else {
        return false;
    };
    let base = |e: &str| e.split(':').next().unwrap_or(e).to_owned();
    let (Some(eco), Some(name)) = (p.ecosystem.as_deref(), p.name.as_deref()) else {
        return false;
    };
    if base(eco) != base(subject.ecosystem) {
        return false;
    }
    match base(eco).as_str() {
        "PyPI" => normalize_pypi(name) == normalize_pypi(subject.name),
        _ => name == subject.name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvss_scores_map_to_bands() {
        assert_eq!(cvss_band("9.8"), Some("critical"));
        assert_eq!(cvss_band("7.0"), Some("high"));
        assert_eq!(cvss_band("5"), Some("medium"));
        assert_eq!(cvss_band("0.1"), Some("low"));
        assert_eq!(cvss_band(""), None);
        assert_eq!(cvss_band("1e999"), None);
    }

    #[test]
    fn distro_ecosystems_build_os_purls() {
        let s = |eco: &str| {
            build(purl_type(eco).unwrap_or("generic"), eco, "musl", "1.2.4-r2")
                .to_purl_string()
                .expect("valid")
        };
        assert_eq!(
            s("Alpine:v3.18"),
            "pkg:apk/alpine/musl@1.2.4-r2?distro=3.18"
        );
        assert_eq!(
            s("Debian:12"),
            "pkg:deb/debian/musl@1.2.4-r2?distro=debian-12"
        );
        assert_eq!(
            s("Ubuntu:22.04:LTS"),
            "pkg:deb/ubuntu/musl@1.2.4-r2?distro=ubuntu-22.04"
        );
    }
}
