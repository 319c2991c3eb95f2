//! `npm audit --json` reports. Report v2 (npm 7+, `auditReportVersion: 2`) is package-centric:
//! `vulnerabilities` maps a package name to its severity, `isDirect`, `via` (advisory objects,
//! or names of vulnerable dependencies it pulls in), the vulnerable `range`, the `nodes`
//! (node_modules paths) and `fixAvailable`. npm 6's report (v1) is advisory-centric: `advisories`
//! maps an advisory id to its module, `findings[]` (installed version, dependency paths, dev /
//! optional flags), CVEs and patched range.
//!
//! Quirks: v2 names no installed versions, so its components have none (with a warning); its
//! early npm 7 advisory objects have `id`/`url` (npmjs.com/advisories/N), later ones
//! `source`/`url` (github.com/advisories/GHSA-…): the vuln id is the GHSA id when the url
//! gives one, else `npm:<number>`. `fixAvailable` is a boolean or the package to install; it is
//! a fixed version only when it names the vulnerable package itself. Metadata counts may
//! disagree with the body (warned). A failed run writes `{"error": {code, summary, detail}}`
//! instead of a report: that is refused, quoting npm.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::Deserialize;

use crate::ingest::inventory::{Sniff, Source, pointer_token};
use crate::ingest::scanner::identity;
use crate::ingest::{IngestError, Location};
use crate::model::{Component, Dependency, Inventory, Purl, ScannerFinding, Scope};

/// v2 by its version key; v1 by `advisories` beside npm's other v1 keys; npm's error object.
pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    if sniff.has_key("auditReportVersion") {
        return true;
    }
    if sniff.has_key("advisories") {
        return ["actions", "muted", "metadata"]
            .iter()
            .any(|k| sniff.has_key(k));
    }
    let only_error = sniff
        .json
        .as_ref()
        .is_some_and(|j| !j.array && j.keys == ["error"]);
    only_error
        && serde_json::from_str::<Failure>(sniff.text)
            .is_ok_and(|f| f.error.code.is_some() || f.error.summary.is_some())
}

#[derive(Deserialize)]
struct Failure {
    error: FailureBody,
}

#[derive(Deserialize)]
struct FailureBody {
    code: Option<String>,
    summary: Option<String>,
    detail: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    audit_report_version: Option<u64>,
    vulnerabilities: Option<BTreeMap<String, Vulnerability>>,
    advisories: Option<BTreeMap<String, AdvisoryV1>>,
    metadata: Option<Metadata>,
    error: Option<FailureBody>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Vulnerability {
    name: Option<String>,
    is_direct: Option<bool>,
    #[serde(default)]
    via: Vec<Via>,
    range: Option<String>,
    /// `true`/`false`, or `{name, version, isSemVerMajor}`: the package to install.
    fix_available: Option<serde_json::Value>,
}

/// A `via` item: the name of a vulnerable dependency, or one of the package's own advisories.
#[derive(Deserialize)]
#[serde(untagged)]
enum Via {
    Dependency(String),
    Advisory(ViaAdvisory),
}

#[derive(Deserialize)]
struct ViaAdvisory {
    source: Option<AdvisoryNumber>,
    id: Option<AdvisoryNumber>,
    url: Option<String>,
    severity: Option<String>,
}

/// npm advisory numbers are JSON numbers; accept strings too.
#[derive(Deserialize)]
#[serde(untagged)]
enum AdvisoryNumber {
    Number(serde_json::Number),
    Text(String),
}

impl fmt::Display for AdvisoryNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdvisoryNumber::Number(n) => write!(f, "{n}"),
            AdvisoryNumber::Text(t) => f.write_str(t),
        }
    }
}

#[derive(Deserialize)]
struct Metadata {
    vulnerabilities: Option<Counts>,
}

#[derive(Deserialize)]
struct Counts {
    total: Option<u64>,
}

#[derive(Deserialize)]
struct AdvisoryV1 {
    id: Option<AdvisoryNumber>,
    module_name: String,
    #[serde(default)]
    findings: Vec<FindingV1>,
    severity: Option<String>,
    #[serde(default)]
    cves: Vec<String>,
    patched_versions: Option<String>,
    url: Option<String>,
    github_advisory_id: Option<String>,
}

#[derive(Deserialize)]
struct FindingV1 {
    version: Option<String>,
    #[serde(default)]
    paths: Vec<String>,
    dev: Option<bool>,
    optional: Option<bool>,
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let report: Report =
        serde_json::from_str(src.text).map_err(|e| IngestError::json(src.name, None, &e))?;
    if let Some(error) = &report.error {
        return Err(failed(src, error));
    }
    let mut inv = Inventory::default();
    let mut seen = HashSet::new();
    match (&report.advisories, &report.vulnerabilities) {
        (Some(advisories), _) => {
            for (key, advisory) in advisories {
                advisory_v1(src, key, advisory, &mut seen, &mut inv);
            }
        }
        (None, Some(vulnerabilities)) => {
            check_version(src, report.audit_report_version)?;
            for (key, vulnerability) in vulnerabilities {
                package_v2(src, key, vulnerability, &mut seen, &mut inv);
            }
            check_total(src, &report, vulnerabilities.len(), &mut inv);
        }
        (None, None) => {
            return Err(IngestError::new(
                src.location(),
                "valid JSON but not an npm audit report: no `vulnerabilities` (report v2) or \
                 `advisories` (npm 6)",
            ));
        }
    }
    Ok(inv)
}

fn failed(src: &Source<'_>, error: &FailureBody) -> IngestError {
    let code = error.code.as_deref().unwrap_or("no code");
    let summary = error.summary.as_deref().unwrap_or("no summary");
    let detail = match error.detail.as_deref().map(str::trim) {
        Some(d) if !d.is_empty() => format!(" ({d})"),
        _ => String::new(),
    };
    IngestError::new(
        src.location().field("/error"),
        format!("npm audit failed ({code}) and wrote no report: {summary}{detail}"),
    )
}

fn check_version(src: &Source<'_>, version: Option<u64>) -> Result<(), IngestError> {
    match version {
        None | Some(2) => Ok(()),
        Some(other) => Err(IngestError::new(
            src.location().field("/auditReportVersion"),
            format!("npm audit report version {other} is not one Vexil reads: expected 2 (npm 7+)"),
        )),
    }
}

fn check_total(src: &Source<'_>, report: &Report, listed: usize, inv: &mut Inventory) {
    let total = report
        .metadata
        .as_ref()
        .and_then(|m| m.vulnerabilities.as_ref())
        .and_then(|c| c.total);
    if let Some(total) = total.filter(|&t| u64::try_from(listed).ok() != Some(t)) {
        inv.warn(
            src.location().field("/metadata/vulnerabilities/total"),
            format!(
                "the metadata counts {total} vulnerable packages but the report lists {listed}"
            ),
        );
    }
}

/// A v2 entry: the package (no version: npm does not say which is installed) and one finding
/// per advisory of its own.
fn package_v2(
    src: &Source<'_>,
    key: &str,
    vuln: &Vulnerability,
    seen: &mut HashSet<(String, Option<String>, String)>,
    inv: &mut Inventory,
) {
    let field = format!("/vulnerabilities/{}", pointer_token(key));
    let location = src.location().field(field.clone());
    let name = vuln.name.as_deref().unwrap_or(key);
    let range = vuln.range.as_deref().unwrap_or("not given");
    inv.warn(
        location.clone(),
        format!(
            "npm audit does not give the installed version of `{name}` (vulnerable range \
             `{range}`): recorded without a version"
        ),
    );
    let purl = push_component(inv, name, None, location, |c| c.direct = vuln.is_direct);
    let fixed = fixed_version(vuln.fix_available.as_ref(), name);
    for (j, via) in vuln.via.iter().enumerate() {
        let advisory = match via {
            Via::Advisory(advisory) => advisory,
            Via::Dependency(dependency) => {
                dependency_edge(purl.as_deref(), dependency, inv);
                continue;
            }
        };
        let location = src.location().field(format!("{field}/via/{j}"));
        let number = advisory.source.as_ref().or(advisory.id.as_ref());
        let Some(vuln_id) = vuln_id(advisory.url.as_deref(), None, number) else {
            inv.warn(
                location,
                "advisory with no `url`, `source` or `id`; skipped",
            );
            continue;
        };
        if !seen.insert((name.to_owned(), None, vuln_id.clone())) {
            continue;
        }
        inv.evidence.push(ScannerFinding {
            tool: "npm-audit".to_owned(),
            tool_version: None,
            vuln_id,
            aliases: Vec::new(),
            purl: purl.clone(),
            package: name.to_owned(),
            version: None,
            fixed_version: fixed.clone(),
            severity: advisory.severity.as_deref().map(str::to_ascii_lowercase),
            status: None,
            location,
        });
    }
}

/// `fixAvailable` is a fixed version of this package only when it names the package itself.
fn fixed_version(fix: Option<&serde_json::Value>, name: &str) -> Option<String> {
    let fix = fix?.as_object()?;
    if fix.get("name")?.as_str()? != name {
        return None;
    }
    fix.get("version")?.as_str().map(str::to_owned)
}

/// A `via` name: this package depends on that vulnerable one (both without versions).
fn dependency_edge(from: Option<&str>, dependency: &str, inv: &mut Inventory) {
    let to = Purl::package("npm", dependency, None).to_purl_string();
    if let (Some(from), Ok(to)) = (from, to) {
        inv.dependencies.push(Dependency {
            from: from.to_owned(),
            to,
        });
    }
}

/// A v1 advisory: one component and one finding per installed version it was found in.
fn advisory_v1(
    src: &Source<'_>,
    key: &str,
    advisory: &AdvisoryV1,
    seen: &mut HashSet<(String, Option<String>, String)>,
    inv: &mut Inventory,
) {
    let field = format!("/advisories/{}", pointer_token(key));
    // The map key is the advisory number too.
    let key_number = AdvisoryNumber::Text(key.to_owned());
    let number = advisory.id.as_ref().unwrap_or(&key_number);
    let ghsa = advisory.github_advisory_id.as_deref();
    let vuln_id = vuln_id(advisory.url.as_deref(), ghsa, Some(number))
        .unwrap_or_else(|| format!("npm:{number}"));
    let fixed = advisory
        .patched_versions
        .as_deref()
        .map(str::trim)
        // npm writes `<0.0.0` when no version is patched.
        .filter(|p| !p.is_empty() && *p != "<0.0.0")
        .map(str::to_owned);
    let name = advisory.module_name.as_str();
    for (j, finding) in advisory.findings.iter().enumerate() {
        let location = src.location().field(format!("{field}/findings/{j}"));
        let version = finding.version.as_deref().filter(|v| !v.is_empty());
        if version.is_none() {
            inv.warn(
                location.clone(),
                format!("finding of `{name}` has no version"),
            );
        }
        let purl = push_component(inv, name, version, location.clone(), |c| {
            c.scope = scope(finding);
            // A path is `a>b>c` from the root; one step is a direct dependency.
            c.direct =
                (!finding.paths.is_empty()).then(|| finding.paths.iter().any(|p| !p.contains('>')));
        });
        if !seen.insert((name.to_owned(), version.map(str::to_owned), vuln_id.clone())) {
            continue;
        }
        inv.evidence.push(ScannerFinding {
            tool: "npm-audit".to_owned(),
            tool_version: None,
            vuln_id: vuln_id.clone(),
            aliases: advisory.cves.clone(),
            purl,
            package: name.to_owned(),
            version: version.map(str::to_owned),
            fixed_version: fixed.clone(),
            severity: advisory.severity.as_deref().map(str::to_ascii_lowercase),
            status: None,
            location,
        });
    }
}

fn scope(finding: &FindingV1) -> Option<Scope> {
    match (finding.dev, finding.optional) {
        (Some(true), _) => Some(Scope::Dev),
        (_, Some(true)) => Some(Scope::Optional),
        (Some(false), _) | (_, Some(false)) => Some(Scope::Runtime),
        (None, None) => None,
    }
}

/// The GHSA id (given, or the last part of a github.com/advisories url), else `npm:<number>`,
/// else the advisory url.
fn vuln_id(
    url: Option<&str>,
    ghsa: Option<&str>,
    number: Option<&AdvisoryNumber>,
) -> Option<String> {
    let from_url = url
        .and_then(|u| u.strip_prefix("https://github.com/advisories/"))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(rest))
        .filter(|id| id.starts_with("GHSA-"));
    ghsa.filter(|g| !g.is_empty())
        .or(from_url)
        .map(str::to_owned)
        .or_else(|| number.map(|n| format!("npm:{n}")))
        .or_else(|| url.filter(|u| !u.is_empty()).map(str::to_owned))
}

/// Adds the component (after `adjust`) and returns its purl; `None` (warned) when no purl can
/// be made of the name.
fn push_component(
    inv: &mut Inventory,
    name: &str,
    version: Option<&str>,
    location: Location,
    adjust: impl FnOnce(&mut Component),
) -> Option<String> {
    let build = || Purl::package("npm", name, version);
    let mut component = identity::component(inv, None, None, &location, build)?;
    adjust(&mut component);
    let purl = component.purl.clone();
    inv.components.push(component);
    Some(purl)
}
