//! Grype JSON reports (`grype -o json`): each match's artifact joins the inventory (repeated
//! artifacts merge by purl), each match becomes evidence. `ignoredMatches` (suppressed by ignore
//! rules) are kept as evidence with status `ignored`.
//!
//! Quirks of real reports: grype 0.7 writes `matchDetails` as an object and artifact `cpes` as
//! objects (not read), has no `fix` (only `fixedInVersion` on some matches) and no
//! `relatedVulnerabilities`; later versions add `fix.state` (`fixed`, `not-fixed`, `wont-fix`, `unknown`, or empty),
//! `epss`, `risk`; `descriptor.db` changes shape across versions (not read); presenter goldens
//! say `[not provided]` as the version; artifact `purl` may be empty, and OS purls of older
//! versions lack the `distro` qualifier (added from the report's `distro`).

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::ingest::inventory::{Sniff, Source};
use crate::ingest::scanner::identity::{self, Distro};
use crate::ingest::{IngestError, Location};
use crate::model::purl::Purl;
use crate::model::{Inventory, ScannerFinding, SourcePackage};

const TOOL: &str = "grype";

/// A Grype report: `matches` beside `descriptor` or `source`.
pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    sniff.has_key("matches") && (sniff.has_key("descriptor") || sniff.has_key("source"))
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let report: RawReport =
        serde_json::from_str(src.text).map_err(|e| IngestError::json(src.name, None, &e))?;
    let Some(matches) = report.matches else {
        return Err(IngestError::new(
            src.location(),
            "valid JSON but not a Grype report: no `matches`",
        ));
    };
    let mut reader = Reader {
        inv: Inventory::default(),
        file: src.name,
        tool_version: report
            .descriptor
            .and_then(|d| d.version)
            .filter(|v| !v.is_empty() && v != "[not provided]"),
        distro: report
            .distro
            .and_then(|d| Distro::new(&d.name.unwrap_or_default(), &d.version.unwrap_or_default())),
    };
    for (i, m) in matches.iter().enumerate() {
        reader.matched(m, &format!("/matches/{i}"), None);
    }
    for (i, m) in report.ignored_matches.iter().flatten().enumerate() {
        reader.matched(m, &format!("/ignoredMatches/{i}"), Some("ignored"));
    }
    Ok(reader.inv)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a Grype report object")]
struct RawReport {
    matches: Option<Vec<RawMatch>>,
    ignored_matches: Option<Vec<RawMatch>>,
    descriptor: Option<RawDescriptor>,
    distro: Option<RawDistro>,
}

#[derive(Deserialize)]
struct RawDescriptor {
    version: Option<String>,
}

#[derive(Deserialize)]
struct RawDistro {
    name: Option<String>,
    version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a Grype match object")]
struct RawMatch {
    vulnerability: Option<RawVulnerability>,
    related_vulnerabilities: Option<Vec<RawRelated>>,
    artifact: Option<RawArtifact>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a Grype vulnerability object")]
struct RawVulnerability {
    id: Option<String>,
    severity: Option<String>,
    fix: Option<RawFix>,
    /// grype 0.7.
    fixed_in_version: Option<String>,
}

#[derive(Deserialize)]
struct RawFix {
    versions: Option<Vec<String>>,
    state: Option<String>,
}

#[derive(Deserialize)]
struct RawRelated {
    id: Option<String>,
}

#[derive(Deserialize)]
#[serde(expecting = "a Grype artifact object")]
struct RawArtifact {
    name: Option<String>,
    version: Option<String>,
    #[serde(rename = "type")]
    ty: Option<String>,
    purl: Option<String>,
    cpes: Option<Vec<TextOrOther>>,
    licenses: Option<Vec<TextOrOther>>,
    upstreams: Option<Vec<RawUpstream>>,
}

/// A string, or something else (grype 0.7's CPE objects) that is not read.
#[derive(Deserialize)]
#[serde(untagged)]
enum TextOrOther {
    Text(String),
    Other(IgnoredAny),
}

#[derive(Deserialize)]
struct RawUpstream {
    name: Option<String>,
    version: Option<String>,
}

struct Reader<'a> {
    inv: Inventory,
    file: &'a str,
    tool_version: Option<String>,
    distro: Option<Distro>,
}

impl Reader<'_> {
    fn matched(&mut self, m: &RawMatch, ptr: &str, ignored: Option<&str>) {
        let loc = Location::file(self.file).field(ptr);
        let (Some(v), Some(a)) = (&m.vulnerability, &m.artifact) else {
            self.inv
                .warn(loc, "match without `vulnerability` or `artifact`: left out");
            return;
        };
        let (Some(id), Some(name)) = (nonempty(&v.id), nonempty(&a.name)) else {
            self.inv.warn(
                loc,
                "match without `vulnerability.id` or `artifact.name`: left out",
            );
            return;
        };
        let purl = self.artifact(a, name, &format!("{ptr}/artifact"));
        let fix = v.fix.as_ref();
        let fixed = fix
            .and_then(|f| f.versions.as_ref())
            .filter(|vs| !vs.is_empty())
            .map(|vs| vs.join(", "))
            .or_else(|| nonempty(&v.fixed_in_version).map(str::to_owned));
        let state = fix.and_then(|f| nonempty(&f.state));
        self.inv.evidence.push(ScannerFinding {
            tool: TOOL.to_owned(),
            tool_version: self.tool_version.clone(),
            vuln_id: id.to_owned(),
            aliases: aliases(id, m.related_vulnerabilities.as_deref().unwrap_or_default()),
            purl,
            package: name.to_owned(),
            version: nonempty(&a.version).map(str::to_owned),
            fixed_version: fixed,
            severity: nonempty(&v.severity).map(str::to_ascii_lowercase),
            status: match (ignored, state) {
                (Some(i), Some(s)) => Some(format!("{i} ({s})")),
                (Some(i), None) => Some(i.to_owned()),
                (None, s) => s.map(str::to_owned),
            },
            location: loc,
        });
    }

    /// The match's artifact as a component; its purl, for the finding.
    fn artifact(&mut self, a: &RawArtifact, name: &str, ptr: &str) -> Option<String> {
        let loc = Location::file(self.file).field(ptr);
        let version = nonempty(&a.version);
        let ty = a.ty.as_deref().unwrap_or_default();
        let distro = self.distro.clone();
        let mut c = identity::component(
            &mut self.inv,
            nonempty(&a.purl),
            distro.as_ref(),
            &loc,
            || build(ty, distro.as_ref(), name, version),
        )?;
        c.cpes = texts(&a.cpes);
        c.licenses = texts(&a.licenses);
        c.source = a.upstreams.iter().flatten().find_map(|u| {
            Some(SourcePackage {
                name: nonempty(&u.name)?.to_owned(),
                version: nonempty(&u.version).map(str::to_owned),
            })
        });
        let purl = c.purl.clone();
        self.inv.components.push(c);
        Some(purl)
    }
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

fn texts(items: &Option<Vec<TextOrOther>>) -> Vec<String> {
    items
        .iter()
        .flatten()
        .filter_map(|t| match t {
            TextOrOther::Text(s) if !s.is_empty() => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// The related vulnerabilities' ids other than the match's own, once each.
fn aliases(id: &str, related: &[RawRelated]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in related {
        if let Some(r) = nonempty(&r.id).filter(|r| *r != id && !out.iter().any(|o| o == r)) {
            out.push(r.to_owned());
        }
    }
    out
}

/// A purl for an artifact Grype gave none (or an invalid one) for, from its Syft package type.
fn build(ty: &str, distro: Option<&Distro>, name: &str, version: Option<&str>) -> Purl {
    let os = matches!(ty, "deb" | "rpm" | "apk");
    if let Some(purl) = distro
        .filter(|d| os && d.purl_type().is_some_and(|(t, _)| t == ty))
        .and_then(|d| d.package(name, version))
    {
        return purl;
    }
    let purl_type = match ty {
        "deb" | "rpm" | "apk" | "npm" | "gem" | "conan" | "swift" | "hackage" | "pub" | "hex" => ty,
        "python" => "pypi",
        "java-archive" | "jenkins-plugin" | "graalvm-native-image" => "maven",
        "go-module" => "golang",
        "rust-crate" => "cargo",
        "dotnet" => "nuget",
        "php-composer" => "composer",
        "dart-pub" => "pub",
        "erlang-otp" => "hex",
        "cocoapods" => "cocoapods",
        _ => "generic",
    };
    Purl::package(purl_type, name, version)
}
