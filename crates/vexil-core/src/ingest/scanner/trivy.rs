//! Trivy JSON reports: the packages of each result join the inventory, its vulnerabilities
//! become evidence. Three shapes: SchemaVersion 2 (`Results[]`, the OS in `Metadata.OS`), the
//! legacy pre-SchemaVersion bare array of results, and the Kubernetes report (`ClusterName` with
//! `Resources[]`, `Findings[]` or, in early versions, `Vulnerabilities[]` of resources).
//!
//! Quirks of real reports: `Results` is missing when nothing was found (OS family `none`) and
//! `Packages`/`Vulnerabilities` are absent rather than empty; `Packages` only come with
//! `--list-all-pkgs`, so otherwise the components are the vulnerable packages; legacy,
//! Kubernetes and pre-0.48 reports have no `PkgIdentifier.PURL`, so the purl is built from the
//! result `Type` and, for OS packages, the distro of `Metadata.OS` or of the target's
//! `(debian 10.4)` suffix; `FixedVersion` may be a comma list or even ranges (kept as given);
//! `ExperimentalModifiedFindings` holds VEX-suppressed findings (kept, status `not_affected (vex)`);
//! misconfigurations, secrets and licence findings are not inventory and are only counted.

use std::collections::HashMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::ingest::inventory::{Sniff, Source};
use crate::ingest::scanner::identity::{self, Distro};
use crate::ingest::{IngestError, Location};
use crate::model::purl::Purl;
use crate::model::{Component, Dependency, Hash, Inventory, ScannerFinding, Scope, SourcePackage};

const TOOL: &str = "trivy";

/// A Trivy report: `SchemaVersion` with `ArtifactName` or `Results`, a Kubernetes report
/// (`ClusterName`), or the legacy array of results (`Target` with `Vulnerabilities` or `Type`).
pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    (sniff.has_key("SchemaVersion") && (sniff.has_key("ArtifactName") || sniff.has_key("Results")))
        || sniff.has_key("ClusterName")
        || (sniff.array_of_key("Target")
            && (sniff.array_of_key("Vulnerabilities") || sniff.array_of_key("Type")))
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let mut reader = Reader {
        inv: Inventory::default(),
        file: src.name,
        tool_version: None,
        not_inventory: NotInventory::default(),
    };
    if src.text.trim_start().starts_with('[') {
        let results: Vec<RawResult> =
            serde_json::from_str(src.text).map_err(|e| IngestError::json(src.name, None, &e))?;
        reader.results(&results, "", None);
    } else {
        let report: RawReport =
            serde_json::from_str(src.text).map_err(|e| IngestError::json(src.name, None, &e))?;
        reader.report(&report)?;
    }
    reader.not_inventory.warn(&mut reader.inv, src.location());
    Ok(reader.inv)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[serde(expecting = "a Trivy report object")]
struct RawReport {
    schema_version: Option<u64>,
    trivy: Option<RawTool>,
    metadata: Option<RawMetadata>,
    results: Option<Vec<RawResult>>,
    cluster_name: Option<String>,
    resources: Option<Vec<RawResource>>,
    findings: Option<Vec<RawResource>>,
    vulnerabilities: Option<Vec<RawResource>>,
    misconfigurations: Option<Vec<RawResource>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawTool {
    version: Option<String>,
}

#[derive(Deserialize)]
struct RawMetadata {
    #[serde(rename = "OS")]
    os: Option<RawOs>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawOs {
    family: Option<String>,
    name: Option<String>,
}

/// One Kubernetes resource of a `trivy k8s` report.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[serde(expecting = "a Trivy Kubernetes resource object")]
struct RawResource {
    namespace: Option<String>,
    kind: Option<String>,
    name: Option<String>,
    metadata: Option<RawMetadata>,
    results: Option<Vec<RawResult>>,
    error: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[serde(expecting = "a Trivy result object")]
struct RawResult {
    target: Option<String>,
    class: Option<String>,
    #[serde(rename = "Type")]
    ty: Option<String>,
    packages: Option<Vec<RawPackage>>,
    vulnerabilities: Option<Vec<RawVulnerability>>,
    experimental_modified_findings: Option<Vec<RawModifiedFinding>>,
    misconfigurations: Option<Vec<IgnoredAny>>,
    secrets: Option<Vec<IgnoredAny>>,
    licenses: Option<Vec<IgnoredAny>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[serde(expecting = "a Trivy package object")]
struct RawPackage {
    #[serde(rename = "ID")]
    id: Option<String>,
    name: Option<String>,
    identifier: Option<RawIdentifier>,
    version: Option<String>,
    release: Option<String>,
    epoch: Option<u32>,
    arch: Option<String>,
    src_name: Option<String>,
    src_version: Option<String>,
    src_release: Option<String>,
    src_epoch: Option<u32>,
    dev: Option<bool>,
    indirect: Option<bool>,
    relationship: Option<String>,
    depends_on: Option<Vec<String>>,
    licenses: Option<Vec<String>>,
    digest: Option<String>,
}

#[derive(Deserialize)]
struct RawIdentifier {
    #[serde(rename = "PURL")]
    purl: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[serde(expecting = "a Trivy vulnerability object")]
struct RawVulnerability {
    #[serde(rename = "VulnerabilityID")]
    vulnerability_id: Option<String>,
    #[serde(rename = "VendorIDs")]
    vendor_ids: Option<Vec<String>>,
    #[serde(rename = "PkgID")]
    pkg_id: Option<String>,
    pkg_name: Option<String>,
    pkg_identifier: Option<RawIdentifier>,
    installed_version: Option<String>,
    fixed_version: Option<String>,
    status: Option<String>,
    severity: Option<String>,
}

/// A finding a VEX statement (or `.trivyignore`) suppressed, kept with the reason.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawModifiedFinding {
    #[serde(rename = "Type")]
    ty: Option<String>,
    status: Option<String>,
    finding: Option<RawVulnerability>,
}

/// Findings that are not packages, counted for one warning.
#[derive(Default)]
struct NotInventory {
    misconfigurations: usize,
    secrets: usize,
    licenses: usize,
    other_modified: usize,
}

impl NotInventory {
    fn count(&mut self, r: &RawResult) {
        self.misconfigurations += r.misconfigurations.as_ref().map_or(0, Vec::len);
        self.secrets += r.secrets.as_ref().map_or(0, Vec::len);
        self.licenses += r.licenses.as_ref().map_or(0, Vec::len);
    }

    fn warn(&self, inv: &mut Inventory, location: Location) {
        let parts: Vec<String> = [
            (self.misconfigurations, "misconfiguration"),
            (self.secrets, "secret"),
            (self.licenses, "licence finding"),
            (self.other_modified, "suppressed non-vulnerability finding"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}{}", if *n == 1 { "" } else { "s" }))
        .collect();
        if !parts.is_empty() {
            inv.warn(
                location,
                format!(
                    "not inventory, so not read: {} (Vexil reads packages and their vulnerabilities)",
                    parts.join(", ")
                ),
            );
        }
    }
}

struct Reader<'a> {
    inv: Inventory,
    file: &'a str,
    tool_version: Option<String>,
    not_inventory: NotInventory,
}

/// What one result's packages are read with.
struct Context<'r> {
    ptr: String,
    ty: &'r str,
    distro: Option<Distro>,
    /// Package `ID` → purl, from `Packages`.
    ids: HashMap<&'r str, String>,
}

impl<'a> Reader<'a> {
    fn at(&self, field: &str) -> Location {
        Location::file(self.file).field(field)
    }

    fn report(&mut self, r: &RawReport) -> Result<(), IngestError> {
        let k8s = [
            ("Resources", &r.resources),
            ("Findings", &r.findings),
            ("Vulnerabilities", &r.vulnerabilities),
            ("Misconfigurations", &r.misconfigurations),
        ];
        if r.schema_version.is_none() && r.cluster_name.is_none() && r.results.is_none() {
            return Err(IngestError::new(
                Location::file(self.file),
                "valid JSON but not a Trivy report: no `SchemaVersion`, `Results` or `ClusterName`",
            ));
        }
        if let Some(v) = r
            .schema_version
            .filter(|v| *v != 2 && r.cluster_name.is_none())
        {
            self.inv.warn(
                self.at("/SchemaVersion"),
                format!("SchemaVersion {v}: Vexil reads Trivy's SchemaVersion 2; read as if 2"),
            );
        }
        self.tool_version = r
            .trivy
            .as_ref()
            .and_then(|t| t.version.clone())
            .filter(|v| !v.is_empty());
        let os = r.metadata.as_ref().and_then(distro_of);
        if let Some(results) = &r.results {
            self.results(results, "/Results", os.as_ref());
        }
        for (key, resources) in k8s {
            for (i, res) in resources.iter().flatten().enumerate() {
                self.resource(res, &format!("/{key}/{i}"));
            }
        }
        Ok(())
    }

    fn resource(&mut self, res: &RawResource, ptr: &str) {
        if let Some(err) = res.error.as_deref().filter(|e| !e.is_empty()) {
            let name = [&res.namespace, &res.kind, &res.name]
                .iter()
                .filter_map(|s| s.as_deref())
                .collect::<Vec<_>>()
                .join("/");
            self.inv.warn(
                self.at(&format!("{ptr}/Error")),
                format!("Trivy could not scan resource `{name}`: {err}"),
            );
        }
        let os = res.metadata.as_ref().and_then(distro_of);
        if let Some(results) = &res.results {
            self.results(results, &format!("{ptr}/Results"), os.as_ref());
        }
    }

    /// The results under the JSON pointer `ptr` (empty for the legacy top-level array).
    fn results(&mut self, results: &[RawResult], ptr: &str, os: Option<&Distro>) {
        for (i, r) in results.iter().enumerate() {
            self.not_inventory.count(r);
            let class = r.class.as_deref().unwrap_or_default();
            if matches!(
                class,
                "config" | "secret" | "license" | "license-file" | "custom"
            ) {
                continue;
            }
            let ty = r.ty.as_deref().unwrap_or_default();
            let distro = if class == "os-pkgs" || (class.is_empty() && is_os_type(ty)) {
                os.cloned()
                    .or_else(|| target_distro(r.target.as_deref().unwrap_or_default(), ty))
            } else {
                None
            };
            let ctx = Context {
                ptr: format!("{ptr}/{i}"),
                ty,
                distro,
                ids: HashMap::new(),
            };
            self.result(r, ctx);
        }
    }

    fn result<'r>(&mut self, r: &'r RawResult, mut ctx: Context<'r>) {
        self.check_type(r, &ctx);
        let packages = r.packages.as_deref().unwrap_or_default();
        for (j, p) in packages.iter().enumerate() {
            let loc = self.at(&format!("{}/Packages/{j}", ctx.ptr));
            if let Some(c) = self.package(p, &ctx, &loc) {
                if let Some(id) = p.id.as_deref() {
                    ctx.ids.insert(id, c.purl.clone());
                }
                self.inv.components.push(c);
            }
        }
        self.dependencies(&ctx, packages);
        for (j, v) in r.vulnerabilities.iter().flatten().enumerate() {
            let loc = self.at(&format!("{}/Vulnerabilities/{j}", ctx.ptr));
            self.finding(v, &ctx, loc, None);
        }
        let modified = r.experimental_modified_findings.iter().flatten();
        for (j, m) in modified.enumerate() {
            let loc = self.at(&format!("{}/ExperimentalModifiedFindings/{j}", ctx.ptr));
            match (&m.finding, m.ty.as_deref()) {
                (Some(v), None | Some("vulnerability")) => {
                    let status = format!("{} (vex)", m.status.as_deref().unwrap_or("suppressed"));
                    self.finding(v, &ctx, loc, Some(status));
                }
                _ => self.not_inventory.other_modified += 1,
            }
        }
    }

    /// Warns once when the result's packages need a purl built and its `Type` gives none.
    fn check_type(&mut self, r: &RawResult, ctx: &Context<'_>) {
        if is_os_type(ctx.ty) || lang_type(ctx.ty).is_some() {
            return;
        }
        let mut packages = r.packages.iter().flatten();
        let mut vulnerabilities = r.vulnerabilities.iter().flatten();
        let needs_build = packages.any(|p| purl_of(&p.identifier).is_none())
            || vulnerabilities.any(|v| purl_of(&v.pkg_identifier).is_none());
        if needs_build {
            self.inv.warn(
                self.at(&format!("{}/Type", ctx.ptr)),
                format!(
                    "Trivy package type `{}` has no purl type Vexil knows: its packages without a purl get `pkg:generic` purls",
                    ctx.ty
                ),
            );
        }
    }

    /// One `Packages` entry as a component.
    fn package(&mut self, p: &RawPackage, ctx: &Context<'_>, loc: &Location) -> Option<Component> {
        let Some(name) = p.name.as_deref().filter(|n| !n.is_empty()) else {
            self.inv
                .warn(loc.clone(), "package without `Name`: left out");
            return None;
        };
        let version = full_version(p.epoch, p.version.as_deref(), p.release.as_deref());
        let mut c = identity::component(
            &mut self.inv,
            purl_of(&p.identifier),
            ctx.distro.as_ref(),
            loc,
            || {
                let purl = build(ctx, name, version.as_deref(), p.epoch);
                match p.arch.as_deref() {
                    Some(arch) => purl.qualifier("arch", arch),
                    None => purl,
                }
            },
        )?;
        if p.dev == Some(true) {
            c.scope = Some(Scope::Dev);
        }
        c.direct = match (p.relationship.as_deref(), p.indirect) {
            (Some("direct"), _) => Some(true),
            (Some("indirect"), _) | (None, Some(true)) => Some(false),
            _ => None,
        };
        c.source = source_package(p);
        c.licenses = p.licenses.clone().unwrap_or_default();
        c.hashes = p.digest.as_deref().and_then(hash_of).into_iter().collect();
        Some(c)
    }

    /// `DependsOn` edges between the result's packages.
    fn dependencies(&mut self, ctx: &Context<'_>, packages: &[RawPackage]) {
        for (j, p) in packages.iter().enumerate() {
            let Some(from) = p.id.as_deref().and_then(|id| ctx.ids.get(id)) else {
                continue;
            };
            for (k, to_id) in p.depends_on.iter().flatten().enumerate() {
                match ctx.ids.get(to_id.as_str()) {
                    Some(to) => self.inv.dependencies.push(Dependency {
                        from: from.clone(),
                        to: to.clone(),
                    }),
                    None => self.inv.warn(
                        self.at(&format!("{}/Packages/{j}/DependsOn/{k}", ctx.ptr)),
                        format!("`DependsOn` names `{to_id}`, which no package of this result has: edge left out"),
                    ),
                }
            }
        }
    }

    /// One vulnerability as evidence; its package joins the inventory unless `Packages` listed it.
    fn finding(
        &mut self,
        v: &RawVulnerability,
        ctx: &Context<'_>,
        loc: Location,
        status: Option<String>,
    ) {
        let (Some(id), Some(name)) = (
            v.vulnerability_id.as_deref().filter(|s| !s.is_empty()),
            v.pkg_name.as_deref().filter(|s| !s.is_empty()),
        ) else {
            self.inv.warn(
                loc,
                "vulnerability without `VulnerabilityID` or `PkgName`: left out",
            );
            return;
        };
        let version = v.installed_version.as_deref().filter(|s| !s.is_empty());
        let known = v.pkg_id.as_deref().and_then(|id| ctx.ids.get(id)).cloned();
        let purl = match known {
            Some(purl) => Some(purl),
            None => identity::component(
                &mut self.inv,
                purl_of(&v.pkg_identifier),
                ctx.distro.as_ref(),
                &loc,
                || build(ctx, name, version, None),
            )
            .map(|c| {
                let purl = c.purl.clone();
                self.inv.components.push(c);
                purl
            }),
        };
        self.inv.evidence.push(ScannerFinding {
            tool: TOOL.to_owned(),
            tool_version: self.tool_version.clone(),
            vuln_id: id.to_owned(),
            aliases: v.vendor_ids.clone().unwrap_or_default(),
            purl,
            package: name.to_owned(),
            version: version.map(str::to_owned),
            fixed_version: v.fixed_version.clone().filter(|s| !s.is_empty()),
            severity: v.severity.as_deref().map(str::to_ascii_lowercase),
            status: status.or_else(|| v.status.clone()),
            location: loc,
        });
    }
}

fn purl_of(identifier: &Option<RawIdentifier>) -> Option<&str> {
    identifier.as_ref().and_then(|i| i.purl.as_deref())
}

fn distro_of(m: &RawMetadata) -> Option<Distro> {
    let os = m.os.as_ref()?;
    Distro::new(
        os.family.as_deref().unwrap_or_default(),
        os.name.as_deref().unwrap_or_default(),
    )
}

/// The distro in a target such as `redis:6 (debian 10.4)` or `x (amazon 2 (Karoo))`, for
/// reports without `Metadata.OS`.
fn target_distro(target: &str, ty: &str) -> Option<Distro> {
    let marker = format!("({ty} ");
    let (_, rest) = target.rsplit_once(marker.as_str())?;
    Distro::new(ty, rest.strip_suffix(')')?)
}

fn is_os_type(ty: &str) -> bool {
    identity::os_purl_type(ty).is_some()
}

/// The purl type of a Trivy language package type (`pkg/purl/purl.go`).
fn lang_type(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "npm" | "yarn" | "pnpm" | "bun" | "node-pkg" => "npm",
        "pip" | "pipenv" | "poetry" | "uv" | "python-pkg" => "pypi",
        "gomod" | "gobinary" => "golang",
        "cargo" | "rustbinary" | "rust-binary" => "cargo",
        "jar" | "pom" | "gradle" | "sbt" | "java-executable" => "maven",
        "composer" | "composer-vendor" => "composer",
        "bundler" | "gemspec" => "gem",
        "nuget" | "dotnet-core" | "packages-props" => "nuget",
        "conda-pkg" | "conda-environment" => "conda",
        "conan" => "conan",
        "cocoapods" => "cocoapods",
        "swift" => "swift",
        "hex" => "hex",
        "pub" => "pub",
        "julia" => "julia",
        _ => return None,
    })
}

/// A purl for a package Trivy gave none for, from the result type and the scanned distro.
fn build(ctx: &Context<'_>, name: &str, version: Option<&str>, epoch: Option<u32>) -> Purl {
    let distro = ctx.distro.clone().or_else(|| Distro::new(ctx.ty, ""));
    if let Some(purl) = distro.and_then(|d| d.package(name, version)) {
        return match epoch.filter(|e| *e > 0) {
            Some(e) if purl.ty == "rpm" => purl.qualifier("epoch", &e.to_string()),
            _ => purl,
        };
    }
    Purl::package(lang_type(ctx.ty).unwrap_or("generic"), name, version)
}

/// `[epoch:]version[-release]`, as Trivy prints `InstalledVersion`.
fn full_version(
    epoch: Option<u32>,
    version: Option<&str>,
    release: Option<&str>,
) -> Option<String> {
    let version = version.filter(|v| !v.is_empty())?;
    let mut out = String::new();
    if let Some(e) = epoch.filter(|e| *e > 0) {
        out.push_str(&format!("{e}:"));
    }
    out.push_str(version);
    if let Some(r) = release.filter(|r| !r.is_empty()) {
        out.push('-');
        out.push_str(r);
    }
    Some(out)
}

fn source_package(p: &RawPackage) -> Option<SourcePackage> {
    let name = p.src_name.as_deref().filter(|n| !n.is_empty())?;
    Some(SourcePackage {
        name: name.to_owned(),
        version: full_version(
            p.src_epoch,
            p.src_version.as_deref(),
            p.src_release.as_deref(),
        ),
    })
}

/// `sha256:abc…` → a hash.
fn hash_of(digest: &str) -> Option<Hash> {
    let (algorithm, value) = digest.split_once(':')?;
    (!value.is_empty()).then(|| Hash {
        algorithm: algorithm.to_ascii_lowercase(),
        value: value.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distro_from_target_suffix() {
        let d = target_distro("redis:6 (debian 10.4)", "debian").expect("distro");
        assert_eq!((d.family.as_str(), d.release.as_str()), ("debian", "10.4"));
        let d = target_distro("x (amazon 2 (Karoo))", "amazon").expect("distro");
        assert_eq!(d.release, "2 (Karoo)");
        assert!(target_distro("Cargo.lock", "cargo").is_none());
    }

    #[test]
    fn versions_join_epoch_and_release() {
        assert_eq!(
            full_version(Some(1), Some("2.0"), Some("3.el8")).as_deref(),
            Some("1:2.0-3.el8")
        );
        assert_eq!(
            full_version(None, Some("1.0"), None).as_deref(),
            Some("1.0")
        );
        assert_eq!(full_version(Some(0), None, Some("1")), None);
    }
}
