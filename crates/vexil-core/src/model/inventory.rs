//! What is deployed: components as inventory documents list them, the dependency edges between
//! them, and the findings a scanner report carried (kept as evidence from that scanner).

use serde::{Deserialize, Serialize};

use crate::ingest::{Location, Warning};

/// How a component is used, when the input says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Needed at run time (CycloneDX `required`, a lockfile's non-dev entry).
    Runtime,
    /// Optional at run time (npm `optional`, CycloneDX `optional`).
    Optional,
    /// Only for development, tests or builds (npm `dev`, poetry `dev` group).
    Dev,
    /// Listed but not part of the deliverable (CycloneDX `excluded`).
    Excluded,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Runtime => "runtime",
            Scope::Optional => "optional",
            Scope::Dev => "dev",
            Scope::Excluded => "excluded",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "runtime" => Some(Scope::Runtime),
            "optional" => Some(Scope::Optional),
            "dev" => Some(Scope::Dev),
            "excluded" => Some(Scope::Excluded),
            _ => None,
        }
    }
}

/// A checksum of a component's artefact, as the input gives it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hash {
    /// Lowercase algorithm name: `sha256`, `sha512`, `sha1`, `md5`, `h1` (Go's go.sum).
    pub algorithm: String,
    /// The digest as given (hex, or base64 where the format uses it, e.g. npm integrity).
    pub value: String,
}

/// The source package a binary package was built from (dpkg `Source:`, apk `o:` origin, rpm
/// source RPM). Matching of distro packages goes through it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SourcePackage {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// One deployed package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    /// Package URL including the version: the identity (`pkg:npm/%40babel/core@7.22.0`).
    /// Built per the purl spec when the input has none (see [`crate::model::purl`]).
    pub purl: String,
    /// OSV ecosystem name when the purl type maps to one (`npm`, `PyPI`, `Debian:12`, `Alpine:v3.18`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<String>,
    /// The name as the ecosystem spells it: `@babel/core`, `github.com/pkg/errors`,
    /// `org.apache.logging.log4j:log4j-core` (Maven `group:artifact`), `vendor/package` (Composer).
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourcePackage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// `Some(true)` a direct dependency, `Some(false)` transitive, `None` when the input doesn't say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cpes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    /// Where the input listed it (file and line, or a JSON pointer in `field`).
    pub location: Location,
}

impl Component {
    /// A component with only its identity and location; the other fields default to "not said".
    pub fn new(
        purl: String,
        ecosystem: Option<String>,
        name: String,
        version: Option<String>,
        location: Location,
    ) -> Component {
        Component {
            purl,
            ecosystem,
            name,
            version,
            source: None,
            scope: None,
            direct: None,
            hashes: Vec::new(),
            cpes: Vec::new(),
            licenses: Vec::new(),
            location,
        }
    }
}

/// `from` depends on `to`; both are component purls.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Dependency {
    pub from: String,
    pub to: String,
}

/// A finding a scanner reported: evidence from that tool, compared later with Vexil's verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScannerFinding {
    /// `trivy`, `grype`, `osv-scanner`, `govulncheck`, `pip-audit`, `npm-audit`, `cargo-audit`,
    /// or the SBOM's tool for a CycloneDX `vulnerabilities` section.
    pub tool: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_version: Option<String>,
    /// The id the tool reported (`CVE-2021-44228`, `GHSA-…`, `GO-2022-0969`, `RUSTSEC-…`, npm
    /// advisory URL or number).
    pub vuln_id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The affected component's purl, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    pub package: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The fixed version(s) as the tool says them (Trivy may give a comma list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    /// The tool's severity, lowercase (`critical`, `high`, `medium`, `low`, `negligible`, `unknown`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// The tool's own status word, when it has one (Trivy `Status`, Grype `fix.state`,
    /// govulncheck/osv-scanner `called`/`not-called`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    pub location: Location,
}

/// What one inventory document gave.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Inventory {
    pub components: Vec<Component>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<ScannerFinding>,
    /// Other files this one refers to and that were not read (`-r other.txt`), reported.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub includes: Vec<String>,
    /// Problems that did not stop the parse: entries not inventoriable (unpinned requirements,
    /// `${property}` versions), duplicate or invalid purls, dangling dependency refs, …
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

impl Inventory {
    pub fn warn(&mut self, location: Location, message: impl Into<String>) {
        self.warnings.push(Warning {
            location,
            message: message.into(),
        });
    }
}

impl Component {
    /// A component from its purl parts: the purl string, ecosystem, name and version all come
    /// from one place, so they agree. An RPM purl's `epoch` qualifier goes back into the version
    /// (`1:1.1.1k-4.el8`), as scanners print it and RPM advisories compare it.
    pub fn from_purl(
        purl: &crate::model::purl::Purl,
        location: Location,
    ) -> Result<Component, crate::model::purl::PurlError> {
        let text = purl.to_purl_string()?;
        let version = match (
            purl.ty.as_str(),
            purl.qualifier_value("epoch"),
            &purl.version,
        ) {
            ("rpm", Some(epoch), Some(v)) if !v.contains(':') => Some(format!("{epoch}:{v}")),
            _ => purl.version.clone(),
        };
        Ok(Component::new(
            text,
            purl.ecosystem(),
            match purl.ty.as_str() {
                "pypi" => crate::model::purl::normalize_pypi(&purl.full_name()),
                _ => purl.full_name(),
            },
            version,
            location,
        ))
    }
}

impl Inventory {
    /// One component per purl, in first-seen order: a package listed several times (an npm
    /// lockfile's nested copies, a scanner's per-target results) becomes one component whose
    /// scope is the most deployed of its listings, direct if any listing is direct, with the
    /// union of hashes, CPEs and licences and the first listing's location. Dependency edges are
    /// sorted and deduplicated. Every parser's output passes through this.
    pub fn finish(mut self) -> Inventory {
        let mut index: std::collections::HashMap<String, usize> =
            std::collections::HashMap::with_capacity(self.components.len());
        let mut out: Vec<Component> = Vec::with_capacity(self.components.len());
        for c in self.components.drain(..) {
            match index.get(&c.purl) {
                None => {
                    index.insert(c.purl.clone(), out.len());
                    out.push(c);
                }
                Some(&i) => {
                    let kept = &mut out[i];
                    kept.scope = match (kept.scope, c.scope) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    kept.direct = match (kept.direct, c.direct) {
                        (Some(a), Some(b)) => Some(a || b),
                        (a, b) => a.or(b),
                    };
                    if kept.source.is_none() {
                        kept.source = c.source;
                    }
                    if kept.ecosystem.is_none() {
                        kept.ecosystem = c.ecosystem;
                    }
                    union(&mut kept.hashes, c.hashes);
                    union(&mut kept.cpes, c.cpes);
                    union(&mut kept.licenses, c.licenses);
                }
            }
        }
        self.components = out;
        self.dependencies.sort();
        self.dependencies.dedup();
        self
    }
}

fn union<T: PartialEq>(into: &mut Vec<T>, from: Vec<T>) {
    for x in from {
        if !into.contains(&x) {
            into.push(x);
        }
    }
}

impl Inventory {
    /// The union of several documents' inventories, merged as [`Inventory::finish`] merges
    /// (one finished inventory is returned as it is).
    pub fn union(parts: Vec<Inventory>) -> Inventory {
        let mut parts = parts.into_iter();
        let Some(mut all) = parts.next() else {
            return Inventory::default();
        };
        let mut more = false;
        for part in parts {
            more = true;
            all.components.extend(part.components);
            all.dependencies.extend(part.dependencies);
            all.evidence.extend(part.evidence);
            all.includes.extend(part.includes);
            all.warnings.extend(part.warnings);
        }
        if more { all.finish() } else { all }
    }
}

/// A release of a project, written `PROJECT@VERSION` (`billing-api@2.4.1`,
/// `sm-db1@2026-11-23`, `@acme/web@1.0.0` — the version follows the last `@`).
///
/// In JSON it is that one string.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct ReleaseId {
    pub project: String,
    pub version: String,
}

impl From<ReleaseId> for String {
    fn from(r: ReleaseId) -> String {
        r.to_string()
    }
}

impl TryFrom<String> for ReleaseId {
    type Error = String;

    fn try_from(s: String) -> Result<ReleaseId, String> {
        s.parse()
    }
}

impl std::str::FromStr for ReleaseId {
    type Err = String;

    fn from_str(s: &str) -> Result<ReleaseId, String> {
        let expected = "expected PROJECT@VERSION, e.g. `billing-api@2.4.1`";
        let Some((project, version)) = s.rsplit_once('@') else {
            return Err(format!("`{s}` names no version: {expected}"));
        };
        if project.is_empty() || version.is_empty() {
            return Err(format!("`{s}` has an empty project or version: {expected}"));
        }
        if let Some(c) = s.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("`{s}` contains {c:?}: {expected}, without spaces"));
        }
        Ok(ReleaseId {
            project: project.to_owned(),
            version: version.to_owned(),
        })
    }
}

impl std::fmt::Display for ReleaseId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.project, self.version)
    }
}

/// How a release's inventory changed between two imports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    /// The same package at another version (one version before, one after).
    Changed,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

/// One change of a release's inventory, by package (the purl without its version).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InventoryChange {
    pub package: String,
    pub kind: ChangeKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_version: Option<String>,
}

/// The package a purl names, without its version (`pkg:npm/lodash?x=y` for
/// `pkg:npm/lodash@4.17.21?x=y`), and the version as the purl writes it (percent-encoded). Purls Vexil stores are canonical (written by
/// the `packageurl` crate), where an `@` before the qualifiers can only start the version — a
/// scope's `@` is percent-encoded — so this is a split, not a parse.
pub fn package_of(purl: &str) -> (String, Option<String>) {
    let suffix_at = purl.find(['?', '#']).unwrap_or(purl.len());
    let (head, suffix) = purl.split_at(suffix_at);
    match head.rsplit_once('@') {
        Some((package, version)) if !package.contains('@') => {
            (format!("{package}{suffix}"), Some(version.to_owned()))
        }
        _ => (purl.to_owned(), None),
    }
}

/// The changes from one inventory to the next, given as `(purl, version)` pairs, sorted by
/// package: a package whose one version was replaced by another is `changed`; anything else is
/// `added` or `removed`.
pub fn diff<'a>(
    old: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    new: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
) -> Vec<InventoryChange> {
    use std::collections::{BTreeMap, BTreeSet};
    type Versions = BTreeSet<Option<String>>;
    let mut packages: BTreeMap<String, (Versions, Versions)> = BTreeMap::new();
    for (purl, version) in old {
        let (package, _) = package_of(purl);
        packages
            .entry(package)
            .or_default()
            .0
            .insert(version.map(str::to_owned));
    }
    for (purl, version) in new {
        let (package, _) = package_of(purl);
        packages
            .entry(package)
            .or_default()
            .1
            .insert(version.map(str::to_owned));
    }
    let mut out = Vec::new();
    for (package, (before, after)) in packages {
        let removed: Vec<_> = before.difference(&after).cloned().collect();
        let added: Vec<_> = after.difference(&before).cloned().collect();
        if let ([old], [new]) = (removed.as_slice(), added.as_slice()) {
            out.push(InventoryChange {
                package,
                kind: ChangeKind::Changed,
                old_version: old.clone(),
                new_version: new.clone(),
            });
            continue;
        }
        for old in removed {
            out.push(InventoryChange {
                package: package.clone(),
                kind: ChangeKind::Removed,
                old_version: old,
                new_version: None,
            });
        }
        for new in added {
            out.push(InventoryChange {
                package: package.clone(),
                kind: ChangeKind::Added,
                old_version: None,
                new_version: new,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_ids_split_at_the_last_at() {
        let r: ReleaseId = "@acme/web@1.0.0".parse().expect("valid");
        assert_eq!(
            (r.project.as_str(), r.version.as_str()),
            ("@acme/web", "1.0.0")
        );
        assert!("billing-api".parse::<ReleaseId>().is_err());
        assert!("billing-api@".parse::<ReleaseId>().is_err());
        assert!("a b@1".parse::<ReleaseId>().is_err());
    }

    #[test]
    fn package_of_splits_off_the_version_only() {
        assert_eq!(
            package_of("pkg:npm/%40babel/core@7.22.0?arch=x#sub"),
            (
                "pkg:npm/%40babel/core?arch=x#sub".to_owned(),
                Some("7.22.0".to_owned())
            )
        );
        assert_eq!(
            package_of("pkg:generic/x"),
            ("pkg:generic/x".to_owned(), None)
        );
        assert_eq!(
            package_of("pkg:deb/debian/a@1%3A2-3?distro=debian-12"),
            (
                "pkg:deb/debian/a?distro=debian-12".to_owned(),
                Some("1%3A2-3".to_owned())
            )
        );
    }

    #[test]
    fn diff_pairs_one_version_for_another() {
        const OLD: [&str; 4] = [
            "pkg:npm/a@1.0.0",
            "pkg:npm/b@1.0.0",
            "pkg:npm/c@1.0.0",
            "pkg:npm/c@2.0.0",
        ];
        const NEW: [&str; 3] = ["pkg:npm/a@1.1.0", "pkg:npm/c@2.0.0", "pkg:npm/d@1.0.0"];
        let pairs = |purls: &'static [&'static str]| {
            purls
                .iter()
                .map(|p| (*p, p.rsplit_once('@').map(|(_, v)| v)))
        };
        let changes = diff(pairs(&OLD), pairs(&NEW));
        let shown: Vec<String> = changes
            .iter()
            .map(|c| {
                format!(
                    "{} {} {:?}->{:?}",
                    c.kind.as_str(),
                    c.package,
                    c.old_version,
                    c.new_version
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                r#"changed pkg:npm/a Some("1.0.0")->Some("1.1.0")"#,
                r#"removed pkg:npm/b Some("1.0.0")->None"#,
                r#"removed pkg:npm/c Some("1.0.0")->None"#,
                r#"added pkg:npm/d None->Some("1.0.0")"#,
            ]
        );
    }

    #[test]
    fn finish_merges_repeated_purls() {
        let loc = Location::file("f");
        let mut a = Component::new(
            "pkg:npm/a@1".into(),
            Some("npm".into()),
            "a".into(),
            Some("1".into()),
            loc.clone(),
        );
        a.scope = Some(Scope::Dev);
        a.direct = Some(false);
        let mut b = a.clone();
        b.scope = Some(Scope::Runtime);
        b.direct = Some(true);
        b.hashes.push(Hash {
            algorithm: "sha512".into(),
            value: "x".into(),
        });
        let inv = Inventory {
            components: vec![a, b],
            ..Inventory::default()
        }
        .finish();
        assert_eq!(inv.components.len(), 1);
        let c = &inv.components[0];
        assert_eq!(
            (c.scope, c.direct, c.hashes.len()),
            (Some(Scope::Runtime), Some(true), 1)
        );
    }
}
