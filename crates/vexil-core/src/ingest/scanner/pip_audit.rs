//! pip-audit's JSON report (`pip-audit -f json`): one entry per installed distribution
//! (`name`, `version`, `vulns[]` with `id`, `fix_versions`, `aliases`, `description`).
//!
//! Two top-level shapes exist: a bare array (pip-audit before 2.0) and `{dependencies, fixes}`.
//! A skipped distribution (not on PyPI, or `--skip-editable`) has a `skip_reason` and no
//! version: it is reported as a warning, not inventoried. Older reports have no `aliases`;
//! pip-audit never gives a severity, and gives no tool version.

use serde::Deserialize;

use crate::ingest::inventory::{Sniff, Source};
use crate::ingest::scanner::identity;
use crate::ingest::{IngestError, Location};
use crate::model::{Inventory, Purl, ScannerFinding};

/// A bare array of `{name, version, vulns}` / `{name, skip_reason}`, or an object whose only keys
/// are `dependencies` (an array) and `fixes`.
pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    let Some(json) = &sniff.json else {
        return false;
    };
    let has = |k: &str| json.keys.iter().any(|x| x == k);
    if json.array {
        return has("name") && (has("vulns") || has("skip_reason"));
    }
    has("dependencies")
        && json
            .keys
            .iter()
            .all(|k| k == "dependencies" || k == "fixes")
        && dependencies_is_array(sniff.text)
}

/// `"dependencies"` followed by `:` and `[` (a package.json's `dependencies` is an object).
fn dependencies_is_array(text: &str) -> bool {
    text.split_once("\"dependencies\"")
        .is_some_and(|(_, rest)| {
            rest.trim_start()
                .strip_prefix(':')
                .is_some_and(|v| v.trim_start().starts_with('['))
        })
}

/// The current shape; `fixes` repeats what `fix_versions` say and is not read.
#[derive(Deserialize)]
struct Report {
    dependencies: Option<Vec<Dependency>>,
}

#[derive(Deserialize)]
struct Dependency {
    name: String,
    version: Option<String>,
    #[serde(default)]
    vulns: Vec<Vuln>,
    skip_reason: Option<String>,
}

#[derive(Deserialize)]
struct Vuln {
    id: String,
    #[serde(default)]
    fix_versions: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let (dependencies, prefix) = read(src)?;
    let mut inv = Inventory::default();
    for (i, dep) in dependencies.iter().enumerate() {
        let location = src.location().field(format!("{prefix}/{i}"));
        dependency(dep, location, &mut inv);
    }
    Ok(inv)
}

/// The dependencies and the JSON pointer of their array.
fn read(src: &Source<'_>) -> Result<(Vec<Dependency>, &'static str), IngestError> {
    let json = |e: serde_json::Error| IngestError::json(src.name, None, &e);
    if src.text.trim_start().starts_with('[') {
        let deps: Vec<Dependency> = serde_json::from_str(src.text).map_err(json)?;
        return Ok((deps, ""));
    }
    let report: Report = serde_json::from_str(src.text).map_err(json)?;
    match report.dependencies {
        Some(deps) => Ok((deps, "/dependencies")),
        None => Err(IngestError::new(
            src.location(),
            "valid JSON but not a pip-audit report: expected an array of dependencies or an \
             object with `dependencies`",
        )),
    }
}

fn dependency(dep: &Dependency, location: Location, inv: &mut Inventory) {
    if let Some(reason) = &dep.skip_reason {
        inv.warn(
            location.clone(),
            format!("pip-audit skipped `{}`: {reason}", dep.name),
        );
    }
    let Some(version) = dep.version.as_deref().filter(|v| !v.is_empty()) else {
        if dep.skip_reason.is_none() {
            inv.warn(
                location,
                format!("`{}` has no version; not inventoried", dep.name),
            );
        }
        return;
    };
    let build = || Purl::package("pypi", &dep.name, Some(version));
    let Some(component) = identity::component(inv, None, None, &location, build) else {
        return;
    };
    for (j, vuln) in dep.vulns.iter().enumerate() {
        inv.evidence.push(ScannerFinding {
            tool: "pip-audit".to_owned(),
            tool_version: None,
            vuln_id: vuln.id.clone(),
            aliases: vuln.aliases.clone(),
            purl: Some(component.purl.clone()),
            package: dep.name.clone(),
            version: Some(version.to_owned()),
            fixed_version: Some(vuln.fix_versions.join(", ")).filter(|f| !f.is_empty()),
            severity: None,
            status: None,
            location: location.clone().field(format!(
                "{}/vulns/{j}",
                location.field.as_deref().unwrap_or("")
            )),
        });
    }
    inv.components.push(component);
}
