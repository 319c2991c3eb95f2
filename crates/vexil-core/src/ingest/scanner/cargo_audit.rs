//! `cargo audit --json` reports: `database` (advisory-db state), `lockfile` (dependency count),
//! `settings`, `vulnerabilities` {found, count, list[{advisory, versions, affected, package}]}
//! and `warnings`, a map from kind (`unmaintained`, `unsound`, `notice`, `yanked`) to a list of
//! {kind, package, advisory, versions}.
//!
//! Every package the report mentions is a component, with its lockfile dependencies as edges
//! (the report lists only packages with findings, not the whole lockfile). Findings: each
//! vulnerability (status `vulnerable`) and each warning (status = its kind). A `yanked` warning
//! has no advisory: its vuln id is `yanked:<name>@<version>`. The fixed version is the patched
//! requirements as given, joined with ` || ` (`>=0.14.3 || >=0.13.10, <0.14.0`). cargo-audit
//! gives no severity word (only a CVSS vector) and no tool version; `affected` may be null,
//! `settings.target_arch` null (2021) or `[]` (now), `database.last-commit` null offline.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::ingest::inventory::{Sniff, Source, pointer_token};
use crate::ingest::scanner::identity;
use crate::ingest::{IngestError, Location};
use crate::model::{Component, Dependency, Hash, Inventory, Purl, ScannerFinding};

pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    sniff.has_key("database") && sniff.has_key("lockfile") && sniff.has_key("vulnerabilities")
}

#[derive(Deserialize)]
struct Report {
    vulnerabilities: Option<Vulnerabilities>,
    #[serde(default)]
    warnings: BTreeMap<String, Vec<Warning>>,
}

#[derive(Deserialize)]
struct Vulnerabilities {
    count: Option<u64>,
    #[serde(default)]
    list: Vec<Vulnerability>,
}

#[derive(Deserialize)]
struct Vulnerability {
    advisory: Advisory,
    #[serde(default)]
    versions: Versions,
    package: Package,
}

#[derive(Deserialize)]
struct Warning {
    kind: Option<String>,
    package: Package,
    advisory: Option<Advisory>,
    versions: Option<Versions>,
}

#[derive(Deserialize)]
struct Advisory {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Default, Deserialize)]
struct Versions {
    #[serde(default)]
    patched: Vec<String>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<PackageId>,
}

#[derive(Deserialize)]
struct PackageId {
    name: String,
    version: String,
    source: Option<String>,
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let report: Report =
        serde_json::from_str(src.text).map_err(|e| IngestError::json(src.name, None, &e))?;
    let Some(vulnerabilities) = report.vulnerabilities else {
        return Err(IngestError::new(
            src.location(),
            "valid JSON but not a cargo-audit report: no `vulnerabilities`",
        ));
    };
    let mut inv = Inventory::default();
    for (i, vuln) in vulnerabilities.list.iter().enumerate() {
        let location = src.location().field(format!("/vulnerabilities/list/{i}"));
        let purl = package_components(&vuln.package, &location, &mut inv);
        let finding = Finding {
            vuln_id: vuln.advisory.id.clone(),
            aliases: vuln.advisory.aliases.clone(),
            status: "vulnerable",
            versions: Some(&vuln.versions),
        };
        inv.evidence
            .push(finding.into_evidence(&vuln.package, purl, location));
    }
    check_count(
        src,
        vulnerabilities.count,
        vulnerabilities.list.len(),
        &mut inv,
    );
    for (kind, warnings) in &report.warnings {
        for (i, warning) in warnings.iter().enumerate() {
            let field = format!("/warnings/{}/{i}", pointer_token(kind));
            let location = src.location().field(field);
            warning_evidence(kind, warning, location, &mut inv);
        }
    }
    Ok(inv)
}

fn warning_evidence(kind: &str, warning: &Warning, location: Location, inv: &mut Inventory) {
    let package = &warning.package;
    let purl = package_components(package, &location, inv);
    let kind = warning.kind.as_deref().unwrap_or(kind);
    let finding = Finding {
        vuln_id: match &warning.advisory {
            Some(a) => a.id.clone(),
            None => format!("{kind}:{}@{}", package.name, package.version),
        },
        aliases: warning
            .advisory
            .as_ref()
            .map(|a| a.aliases.clone())
            .unwrap_or_default(),
        status: kind,
        versions: warning.versions.as_ref(),
    };
    inv.evidence
        .push(finding.into_evidence(package, purl, location));
}

fn check_count(src: &Source<'_>, count: Option<u64>, listed: usize, inv: &mut Inventory) {
    if let Some(count) = count.filter(|&c| u64::try_from(listed).ok() != Some(c)) {
        inv.warn(
            src.location().field("/vulnerabilities/count"),
            format!("`count` says {count} vulnerabilities but the list has {listed}"),
        );
    }
}

/// What differs between a vulnerability and a warning.
struct Finding<'a> {
    vuln_id: String,
    aliases: Vec<String>,
    status: &'a str,
    versions: Option<&'a Versions>,
}

impl Finding<'_> {
    fn into_evidence(
        self,
        package: &Package,
        purl: Option<String>,
        at: Location,
    ) -> ScannerFinding {
        let fixed = self.versions.map(|v| v.patched.join(" || "));
        ScannerFinding {
            tool: "cargo-audit".to_owned(),
            tool_version: None,
            vuln_id: self.vuln_id,
            aliases: self.aliases,
            purl,
            package: package.name.clone(),
            version: Some(package.version.clone()),
            fixed_version: fixed.filter(|f| !f.is_empty()),
            severity: None,
            status: Some(self.status.to_owned()),
            location: at,
        }
    }
}

/// The package (with its checksum) and its dependencies as components, and the edges to them.
/// Returns the package's purl.
fn package_components(
    package: &Package,
    location: &Location,
    inv: &mut Inventory,
) -> Option<String> {
    let field = location.field.as_deref().unwrap_or("");
    let at = location.clone().field(format!("{field}/package"));
    let id = PackageId {
        name: package.name.clone(),
        version: package.version.clone(),
        source: package.source.clone(),
    };
    let mut main = component(&id, at, inv)?;
    if let Some(checksum) = package.checksum.as_deref().filter(|c| !c.is_empty()) {
        main.hashes.push(Hash {
            algorithm: "sha256".to_owned(),
            value: checksum.to_owned(),
        });
    }
    let from = main.purl.clone();
    inv.components.push(main);
    for (j, dep) in package.dependencies.iter().enumerate() {
        let at = location
            .clone()
            .field(format!("{field}/package/dependencies/{j}"));
        if let Some(c) = component(dep, at, inv) {
            inv.dependencies.push(Dependency {
                from: from.clone(),
                to: c.purl.clone(),
            });
            inv.components.push(c);
        }
    }
    Some(from)
}

fn component(id: &PackageId, location: Location, inv: &mut Inventory) -> Option<Component> {
    identity::component(inv, None, None, &location, || purl(id))
}

/// crates.io packages get a plain `pkg:cargo` purl; other registries a `repository_url`, git
/// sources a `vcs_url` (`git+https://host/repo@commit`); path packages (no source) stay plain.
fn purl(id: &PackageId) -> Purl {
    let purl = Purl::package("cargo", &id.name, Some(&id.version));
    match id.source.as_deref() {
        None => purl,
        Some(s) if CRATES_IO.contains(&s) => purl,
        Some(s) if s.starts_with("git+") => purl.qualifier("vcs_url", &vcs_url(s)),
        Some(s) => {
            let index = s.strip_prefix("registry+").or(s.strip_prefix("sparse+"));
            purl.qualifier("repository_url", index.unwrap_or(s))
        }
    }
}

const CRATES_IO: [&str; 2] = [
    "registry+https://github.com/rust-lang/crates.io-index",
    "sparse+https://index.crates.io/",
];

/// Cargo's `git+https://host/repo?rev=x#commit` as an SPDX-style `git+https://host/repo@commit`.
fn vcs_url(source: &str) -> String {
    let (base, commit) = source.split_once('#').unwrap_or((source, ""));
    let base = base.split('?').next().unwrap_or(base);
    if commit.is_empty() {
        base.to_owned()
    } else {
        format!("{base}@{commit}")
    }
}
