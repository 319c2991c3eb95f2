//! pylock.toml (PEP 751): top-level `lock-version` (and `created-by`, `environments`, …), then
//! `[[packages]]` with `name`, `version`, `marker`, `dependencies` (tables naming other entries by
//! `name` plus `version` where needed), and exactly one installation source: `wheels`/`sdist`
//! (hashes as `{ sha256 = "…" }` tables), `archive`, `vcs` (`url`, `commit-id`) or `directory`.
//! One name may appear several times with different markers (one entry per environment). PEP 751
//! says nothing about dev or direct dependencies outside markers, so scope and `direct` are not
//! set. A `directory` package is a local source tree and a package without `version` cannot be
//! inventoried: both are warned about.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::ingest::inventory::{Sniff, Source};
use crate::ingest::lockfile::py_lock::entry::{component, purl_string, unique, vcs_url};
use crate::ingest::lockfile::py_lock::graph::{Ambiguous, Graph, Node, Ref};
use crate::ingest::lockfile::py_lock::toml_doc::{self, Lines};
use crate::ingest::{IngestError, Location};
use crate::model::purl::{Purl, normalize_pypi};
use crate::model::{Hash, Inventory};

/// `lock-version` before any table (poetry.lock has it inside `[metadata]`).
pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    sniff.json.is_none() && toml_doc::top_level_keys(sniff.text).any(|k| k == "lock-version")
}

#[derive(Deserialize)]
struct RawLock {
    #[serde(rename = "lock-version")]
    lock_version: Option<String>,
    #[serde(default)]
    packages: Vec<Spanned<RawPackage>>,
}

#[derive(Deserialize)]
struct RawPackage {
    name: Option<String>,
    version: Option<String>,
    #[serde(default)]
    dependencies: Vec<RawRef>,
    vcs: Option<RawVcs>,
    directory: Option<RawDirectory>,
    archive: Option<RawFile>,
    sdist: Option<RawFile>,
    #[serde(default)]
    wheels: Vec<RawFile>,
}

#[derive(Deserialize)]
struct RawRef {
    name: Option<String>,
    version: Option<String>,
}

#[derive(Deserialize)]
struct RawVcs {
    url: Option<String>,
    path: Option<String>,
    #[serde(rename = "commit-id")]
    commit_id: Option<String>,
}

#[derive(Deserialize)]
struct RawDirectory {
    path: Option<String>,
}

#[derive(Deserialize)]
struct RawFile {
    url: Option<String>,
    /// Algorithm name → hex digest.
    #[serde(default)]
    hashes: BTreeMap<String, String>,
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let raw: RawLock = toml_doc::parse(src.name, src.text, "pylock.toml")?;
    let mut inv = Inventory::default();
    match raw.lock_version.as_deref() {
        Some(v) if v.starts_with("1.") || v == "1" => {}
        other => inv.warn(
            src.location().field("lock-version"),
            format!(
                "`lock-version` is {}: expected 1.x; read as 1.0",
                other.map_or("missing".to_owned(), |v| format!("`{v}`"))
            ),
        ),
    }
    let lines = Lines::new(src.text);
    let mut graph = Graph::default();
    let mut nodes: Vec<&Spanned<RawPackage>> = Vec::new();
    for p in &raw.packages {
        let at = lines.at(src, p.span().start);
        let Some(purl) = purl_for(&mut inv, p.get_ref(), &at) else {
            continue;
        };
        let Some(text) = purl_string(&mut inv, &purl, &at) else {
            continue;
        };
        let r = p.get_ref();
        graph.add(Node {
            key: normalize_pypi(r.name.as_deref().unwrap_or_default()),
            version: r.version.clone(),
            source: None,
            purl: text,
        });
        nodes.push(p);
        if inventoriable(&mut inv, r, &at)
            && let Some(mut c) = component(&mut inv, &purl, at)
        {
            c.hashes = hashes(r);
            inv.components.push(c);
        }
    }
    for (from, p) in nodes.iter().enumerate() {
        let at = lines.at(src, p.span().start).field("dependencies");
        for d in &p.get_ref().dependencies {
            let Some(name) = &d.name else {
                inv.warn(
                    at.clone(),
                    "a dependency without `name`: expected `{ name = \"…\" }`",
                );
                continue;
            };
            let key = normalize_pypi(name);
            let r = Ref {
                key: &key,
                version: d.version.as_deref(),
                source: None,
            };
            graph.link(&mut inv, from, &r, Ambiguous::LinkAll, &at);
        }
    }
    inv.dependencies = graph.dependencies();
    Ok(inv)
}

/// The pypi purl of an entry (with `vcs_url` or `download_url` when it says so), or a warning
/// when it has no name.
fn purl_for(inv: &mut Inventory, p: &RawPackage, at: &Location) -> Option<Purl> {
    let Some(name) = &p.name else {
        inv.warn(at.clone(), "`[[packages]]` without `name`: entry skipped");
        return None;
    };
    let purl = Purl::package("pypi", name, p.version.as_deref());
    if let Some(vcs) = &p.vcs {
        let url = vcs
            .url
            .as_deref()
            .or(vcs.path.as_deref())
            .unwrap_or_default();
        return Some(purl.qualifier("vcs_url", &vcs_url(url, vcs.commit_id.as_deref())));
    }
    match p.archive.as_ref().and_then(|a| a.url.as_deref()) {
        Some(url) => Some(purl.qualifier("download_url", url)),
        None => Some(purl),
    }
}

/// Warns about a local source tree or a missing version; true when the entry can be inventoried.
fn inventoriable(inv: &mut Inventory, p: &RawPackage, at: &Location) -> bool {
    let name = p.name.as_deref().unwrap_or_default();
    if let Some(dir) = &p.directory {
        inv.warn(
            at.clone(),
            format!(
                "`{name}` comes from a local directory (`{}`), not a published release: not inventoried",
                dir.path.as_deref().unwrap_or_default()
            ),
        );
        return false;
    }
    if p.version.is_none() {
        inv.warn(
            at.clone(),
            format!("`{name}` has no `version`: not inventoriable"),
        );
        return false;
    }
    true
}

/// The hashes of the entry's wheels, sdist and archive.
fn hashes(p: &RawPackage) -> Vec<Hash> {
    let files = p.wheels.iter().chain(&p.sdist).chain(&p.archive);
    let all = files
        .flat_map(|f| &f.hashes)
        .map(|(algorithm, value)| Hash {
            algorithm: algorithm.to_ascii_lowercase(),
            value: value.clone(),
        });
    unique(all.collect())
}
