//! uv.lock: top-level `version = 1` (and `revision`), `requires-python`, then `[[package]]`
//! tables whose `source` is an inline table saying where the package comes from: `registry`,
//! `git`, `url`, `path` (a local archive), `directory` (a local source tree), or `editable` /
//! `virtual` for the project's own workspace members. Those members are the project: not
//! components, but the roots of the graph. Edges come from `dependencies` (runtime),
//! `optional-dependencies` (per extra) and `dev-dependencies` (per group); a reference is
//! `{ name }`, with `version` and `source` only when the name is ambiguous, and `extra = [..]`
//! when it turns on the target's extras. Scope is the most deployed way a package is reached
//! from the roots: through runtime dependencies (runtime), through one of the project's extras
//! (optional), or only through a dev group (dev). Hashes come from `sdist` and `wheels`.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use toml::Spanned;

use crate::ingest::inventory::{Sniff, Source};
use crate::ingest::lockfile::py_lock::entry::{component, hash, purl_string, unique, vcs_url};
use crate::ingest::lockfile::py_lock::graph::{Ambiguous, Graph, Node, Ref};
use crate::ingest::lockfile::py_lock::toml_doc::{self, Lines};
use crate::ingest::{IngestError, Location};
use crate::model::purl::{Purl, normalize_pypi};
use crate::model::{Hash, Inventory, Scope};

/// `version = N` and `requires-python` before the first table, and `[[package]]` tables whose
/// `source` is an inline table (Cargo.lock's is a string, poetry.lock's a `[package.source]`).
pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    if sniff.json.is_some() {
        return false;
    }
    let keys: Vec<&str> = toml_doc::top_level_keys(sniff.text).collect();
    keys.contains(&"version")
        && keys.contains(&"requires-python")
        && toml_doc::has_line(sniff.text, "[[package]]")
        && sniff.text.contains("\nsource = {")
}

#[derive(Deserialize)]
struct RawLock {
    #[serde(default)]
    package: Vec<Spanned<RawPackage>>,
}

#[derive(Deserialize)]
struct RawPackage {
    name: Option<String>,
    version: Option<String>,
    source: Option<RawSource>,
    #[serde(default)]
    dependencies: Vec<RawRef>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: BTreeMap<String, Vec<RawRef>>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, Vec<RawRef>>,
    sdist: Option<RawFile>,
    #[serde(default)]
    wheels: Vec<RawFile>,
}

/// Where a package comes from: exactly one of these is set.
#[derive(Deserialize)]
struct RawSource {
    registry: Option<String>,
    git: Option<String>,
    url: Option<String>,
    path: Option<String>,
    directory: Option<String>,
    editable: Option<String>,
    #[serde(rename = "virtual")]
    virtual_: Option<String>,
}

impl RawSource {
    /// `kind=value`, the form references are compared in.
    fn key(&self) -> String {
        let kinds = [
            ("registry", &self.registry),
            ("git", &self.git),
            ("url", &self.url),
            ("path", &self.path),
            ("directory", &self.directory),
            ("editable", &self.editable),
            ("virtual", &self.virtual_),
        ];
        kinds
            .iter()
            .find_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
            .unwrap_or_default()
    }

    /// An `editable` or `virtual` workspace member: the project itself.
    fn is_project(&self) -> bool {
        self.editable.is_some() || self.virtual_.is_some()
    }
}

#[derive(Deserialize)]
struct RawRef {
    name: String,
    version: Option<String>,
    source: Option<RawSource>,
    #[serde(default)]
    extra: Vec<String>,
}

#[derive(Deserialize)]
struct RawFile {
    hash: Option<String>,
}

/// A resolved reference: the entry, and the extras it turns on.
type Target<'a> = (usize, &'a [String]);

/// One entry's resolved edges, by kind.
#[derive(Default)]
struct Links<'a> {
    runtime: Vec<Target<'a>>,
    optional: BTreeMap<&'a str, Vec<Target<'a>>>,
    dev: Vec<Target<'a>>,
}

/// A package entry that made a graph node.
struct Entry<'a> {
    raw: &'a Spanned<RawPackage>,
    purl: Purl,
    project: bool,
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let raw: RawLock = toml_doc::parse(src.name, src.text, "uv.lock")?;
    let lines = Lines::new(src.text);
    let mut inv = Inventory::default();
    let mut graph = Graph::default();
    let entries = collect_entries(src, &lines, &raw, &mut inv, &mut graph);
    let links: Vec<Links<'_>> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let at = lines.at(src, e.raw.span().start);
            link(&mut inv, &mut graph, i, e.raw.get_ref(), &at)
        })
        .collect();
    let roots: Vec<bool> = entries.iter().map(|e| e.project).collect();
    let direct = graph.direct_from(&roots);
    let scopes = scopes(&links, &roots);
    let any_root = roots.contains(&true);
    for (i, e) in entries.iter().enumerate() {
        let at = lines.at(src, e.raw.span().start);
        if e.project || !inventoriable(&mut inv, e.raw.get_ref(), &at) {
            continue;
        }
        let Some(mut c) = component(&mut inv, &e.purl, at) else {
            continue;
        };
        c.scope = scopes.get(i).copied().flatten();
        c.direct = any_root.then(|| direct.get(i).copied().unwrap_or(false));
        c.hashes = hashes(e.raw.get_ref());
        inv.components.push(c);
    }
    inv.dependencies = graph.dependencies();
    Ok(inv)
}

/// One graph node per package entry with a name, in the same order.
fn collect_entries<'a>(
    src: &Source<'_>,
    lines: &Lines,
    raw: &'a RawLock,
    inv: &mut Inventory,
    graph: &mut Graph,
) -> Vec<Entry<'a>> {
    let mut entries = Vec::with_capacity(raw.package.len());
    for p in &raw.package {
        let at = lines.at(src, p.span().start);
        let Some(name) = &p.get_ref().name else {
            inv.warn(at, "`[[package]]` without `name`: entry skipped");
            continue;
        };
        let version = p.get_ref().version.as_deref();
        let purl = purl_for(p.get_ref().source.as_ref(), name, version);
        let Some(text) = purl_string(inv, &purl, &at) else {
            continue;
        };
        graph.add(Node {
            key: normalize_pypi(name),
            version: version.map(str::to_owned),
            source: p.get_ref().source.as_ref().map(RawSource::key),
            purl: text,
        });
        entries.push(Entry {
            raw: p,
            purl,
            project: p
                .get_ref()
                .source
                .as_ref()
                .is_some_and(RawSource::is_project),
        });
    }
    entries
}

/// The pypi purl, qualified by where the package comes from when that is not PyPI.
fn purl_for(source: Option<&RawSource>, name: &str, version: Option<&str>) -> Purl {
    let purl = Purl::package("pypi", name, version);
    let Some(s) = source else {
        return purl;
    };
    if let Some(r) = &s.registry {
        let default = matches!(r.trim_end_matches('/'), "https://pypi.org/simple");
        return if default {
            purl
        } else {
            purl.qualifier("repository_url", r)
        };
    }
    if let Some(g) = &s.git {
        return purl.qualifier("vcs_url", &vcs_url(g, None));
    }
    match &s.url {
        Some(u) => purl.qualifier("download_url", u),
        None => purl,
    }
}

/// Warns about a package that cannot be inventoried (a local source tree, no version); true
/// when it can.
fn inventoriable(inv: &mut Inventory, p: &RawPackage, at: &Location) -> bool {
    let name = p.name.as_deref().unwrap_or_default();
    if let Some(dir) = p.source.as_ref().and_then(|s| s.directory.as_deref()) {
        inv.warn(
            at.clone(),
            format!("`{name}` comes from a local directory (`{dir}`), not a published release: not inventoried"),
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

/// Resolves one entry's references, recording the graph's edges.
fn link<'a>(
    inv: &mut Inventory,
    graph: &mut Graph,
    from: usize,
    p: &'a RawPackage,
    at: &Location,
) -> Links<'a> {
    let mut resolve = |refs: &'a [RawRef], field: &str| -> Vec<Target<'a>> {
        let at = at.clone().field(field);
        let mut out = Vec::new();
        for r in refs {
            let key = normalize_pypi(&r.name);
            let source = r.source.as_ref().map(RawSource::key);
            let reference = Ref {
                key: &key,
                version: r.version.as_deref(),
                source: source.as_deref(),
            };
            let found = graph.link(inv, from, &reference, Ambiguous::Warn, &at);
            out.extend(found.into_iter().map(|to| (to, r.extra.as_slice())));
        }
        out
    };
    let mut links = Links {
        runtime: resolve(&p.dependencies, "dependencies"),
        ..Links::default()
    };
    for (extra, refs) in &p.optional_dependencies {
        let targets = resolve(refs, "optional-dependencies");
        links.optional.insert(extra.as_str(), targets);
    }
    for refs in p.dev_dependencies.values() {
        links.dev.extend(resolve(refs, "dev-dependencies"));
    }
    links
}

/// Each entry's scope: the first of runtime, optional, dev whose walk from the roots reaches it.
/// A walk visits (entry, extra) pairs, so an extra's dependencies count only where a reference
/// turned that extra on.
fn scopes(links: &[Links<'_>], roots: &[bool]) -> Vec<Option<Scope>> {
    let mut scope = vec![None; links.len()];
    let root_ids = || {
        roots
            .iter()
            .enumerate()
            .filter(|(_, r)| **r)
            .map(|(i, _)| i)
    };
    let runtime: Vec<(usize, Option<&str>)> = root_ids().map(|i| (i, None)).collect();
    let optional: Vec<(usize, Option<&str>)> = root_ids()
        .flat_map(|i| {
            let extras = links
                .get(i)
                .map(|l| l.optional.keys().copied().collect::<Vec<_>>());
            extras
                .unwrap_or_default()
                .into_iter()
                .map(move |e| (i, Some(e)))
        })
        .collect();
    let dev: Vec<(usize, Option<&str>)> = root_ids()
        .flat_map(|i| links.get(i).map(|l| l.dev.as_slice()).unwrap_or_default())
        .flat_map(|&(to, extras)| expand(to, extras))
        .collect();
    for (level, seeds) in [
        (Scope::Runtime, runtime),
        (Scope::Optional, optional),
        (Scope::Dev, dev),
    ] {
        walk(links, seeds, |i| {
            if let Some(s) = scope.get_mut(i) {
                s.get_or_insert(level);
            }
        });
    }
    scope
}

/// The walk states a reference to `to` with `extras` starts.
fn expand(to: usize, extras: &[String]) -> impl Iterator<Item = (usize, Option<&str>)> {
    std::iter::once((to, None)).chain(extras.iter().map(move |e| (to, Some(e.as_str()))))
}

/// Visits every (entry, extra) reachable from `seeds` once, calling `visit` on each entry.
fn walk<'a>(
    links: &[Links<'a>],
    seeds: Vec<(usize, Option<&'a str>)>,
    mut visit: impl FnMut(usize),
) {
    let mut seen: HashSet<(usize, Option<&str>)> = HashSet::new();
    let mut stack = seeds;
    while let Some((i, extra)) = stack.pop() {
        if !seen.insert((i, extra)) {
            continue;
        }
        visit(i);
        let Some(l) = links.get(i) else { continue };
        let targets = match extra {
            None => l.runtime.as_slice(),
            Some(e) => l.optional.get(e).map_or(&[][..], Vec::as_slice),
        };
        for &(to, extras) in targets {
            stack.extend(expand(to, extras));
        }
    }
}

/// The `sdist` and `wheels` hashes.
fn hashes(p: &RawPackage) -> Vec<Hash> {
    let all = p.sdist.iter().chain(&p.wheels);
    unique(
        all.filter_map(|f| f.hash.as_deref().and_then(hash))
            .collect(),
    )
}
