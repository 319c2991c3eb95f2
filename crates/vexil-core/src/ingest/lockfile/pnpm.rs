//! `pnpm-lock.yaml`, lockfileVersion 5.x, 6.x and 9.x.
//!
//! Package keys changed shape twice: 5.x `/name/1.0.0_peer@2.0.0`, 6.x `/name@1.0.0(peer@2.0.0)`,
//! 9.x `name@1.0.0` with the dependency graph moved to a separate `snapshots:` map keyed
//! `name@1.0.0(peer@2.0.0)`. The same package may appear once per set of peers. Keys whose
//! "version" is a URL or a path (`debug@https://…/tarball/4.3.5`, `lodash@file:x.tgz`) carry the
//! real `version` and a `resolution` with `tarball`, `repo`/`commit` or `directory`. A dependency
//! value is a version (`1.0.0(peer@2)`), an alias's own key (`/bar@1.0.0`, `bar@1.0.0`), or
//! `link:../dir` for a workspace. Direct dependencies are an importer's (`importers:` per
//! workspace, or top-level for a single project). 5.x and 6.x flag `dev` and `optional` on each
//! package; 9.x does not, so scope comes from walking the graph from the importers. Since pnpm 10
//! a file may start with a separate YAML document for pnpm's own environment
//! (`configDependencies`, `packageManagerDependencies`): the project's lock document is read.

use std::collections::HashMap;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_saphyr::Spanned;

use super::js_graph::{self, Graph};
use super::js_package::{self, Origin};
use super::js_serde::{self, Pairs, Str};
use crate::ingest::inventory::{Sniff, Source};
use crate::ingest::{IngestError, Location};
use crate::model::{Inventory, Scope};

pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    sniff.json.is_none()
        && sniff
            .first_lines(2)
            .find(|l| *l != "---")
            .is_some_and(|l| l.starts_with("lockfileVersion:"))
}

#[derive(Debug, Deserialize)]
#[serde(
    rename_all = "camelCase",
    expecting = "a pnpm lockfile: a mapping with `lockfileVersion`"
)]
struct RawLock<'a> {
    #[serde(borrow)]
    lockfile_version: Option<Version<'a>>,
    #[serde(borrow)]
    importers: Option<Pairs<Str<'a>, RawImporter<'a>>>,
    // A single project's importer is the top level (5.x, 6.x).
    #[serde(borrow)]
    dependencies: DepMap<'a>,
    #[serde(borrow)]
    optional_dependencies: DepMap<'a>,
    #[serde(borrow)]
    dev_dependencies: DepMap<'a>,
    #[serde(borrow)]
    packages: Option<Pairs<Spanned<Str<'a>>, RawPackage<'a>>>,
    #[serde(borrow)]
    snapshots: Option<Pairs<Str<'a>, RawSnapshot<'a>>>,
}

type DepMap<'a> = Option<Pairs<Str<'a>, Version<'a>>>;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawImporter<'a> {
    #[serde(borrow)]
    dependencies: DepMap<'a>,
    #[serde(borrow)]
    optional_dependencies: DepMap<'a>,
    #[serde(borrow)]
    dev_dependencies: DepMap<'a>,
    config_dependencies: Option<IgnoredAny>,
    package_manager_dependencies: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPackage<'a> {
    #[serde(borrow)]
    name: Option<Str<'a>>,
    #[serde(borrow)]
    version: Option<Version<'a>>,
    #[serde(borrow, default)]
    resolution: RawResolution<'a>,
    dev: Option<bool>,
    #[serde(default)]
    optional: bool,
    #[serde(borrow)]
    dependencies: DepMap<'a>,
    #[serde(borrow)]
    optional_dependencies: DepMap<'a>,
}

#[derive(Debug, Default, Deserialize)]
struct RawResolution<'a> {
    #[serde(borrow)]
    integrity: Option<Str<'a>>,
    #[serde(borrow)]
    tarball: Option<Str<'a>>,
    #[serde(borrow)]
    repo: Option<Str<'a>>,
    #[serde(borrow)]
    commit: Option<Str<'a>>,
    #[serde(borrow)]
    directory: Option<Str<'a>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSnapshot<'a> {
    #[serde(default)]
    optional: bool,
    #[serde(borrow)]
    dependencies: DepMap<'a>,
    #[serde(borrow)]
    optional_dependencies: DepMap<'a>,
}

/// A version or dependency value: a string, a number YAML read as one (`lockfileVersion: 5.4`),
/// or, in importers since 6.0, a mapping whose `version` it is.
#[derive(Debug)]
struct Version<'a>(Str<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for Version<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(VersionVisitor(std::marker::PhantomData))
    }
}

struct VersionVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for VersionVisitor<'a> {
    type Value = Version<'a>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a version, or a mapping with `version`")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Version(Str(v.into())))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Version(Str(v.to_owned().into())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Version(Str(v.to_string().into())))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Version(Str(v.to_string().into())))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Version(Str(format!("{v:?}").into())))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut version = None;
        while let Some(key) = map.next_key::<Str<'de>>()? {
            if &*key == "version" {
                version = Some(map.next_value::<Version<'a>>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        version.ok_or_else(|| de::Error::missing_field("version"))
    }
}

/// How keys and dependency values are spelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    /// 5.x: `/name/1.0.0_peer`.
    V5,
    /// 6.x: `/name@1.0.0(peer)`.
    V6,
    /// 9.x: `name@1.0.0`, graph in `snapshots`.
    V9,
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let docs: Vec<RawLock<'_>> =
        serde_saphyr::from_multiple_with_options(src.text, js_serde::yaml_options())
            .map_err(|e| js_serde::yaml_error(src.name, "pnpm-lock", &e))?;
    let mut inv = Inventory::default();
    let Some(lock) = lock_document(src, docs, &mut inv) else {
        return Err(IngestError::new(
            src.location(),
            "valid YAML but not a pnpm lockfile: no `lockfileVersion`",
        ));
    };
    let layout = layout(src, &lock, &mut inv);
    Pnpm::read(src, &lock, layout, &mut inv);
    Ok(inv)
}

/// The project's lock document: the first with `lockfileVersion` that is not pnpm's environment
/// document (importers with only `configDependencies` / `packageManagerDependencies`).
fn lock_document<'a>(
    src: &Source<'_>,
    docs: Vec<RawLock<'a>>,
    inv: &mut Inventory,
) -> Option<RawLock<'a>> {
    let is_env = |d: &RawLock<'_>| {
        d.importers.as_ref().is_some_and(|i| {
            i.0.iter().all(|(_, imp)| {
                imp.dependencies.is_none()
                    && imp.dev_dependencies.is_none()
                    && imp.optional_dependencies.is_none()
                    && (imp.config_dependencies.is_some()
                        || imp.package_manager_dependencies.is_some())
            })
        })
    };
    let mut locks: Vec<RawLock<'a>> = docs
        .into_iter()
        .filter(|d| d.lockfile_version.is_some())
        .collect();
    let position = locks.iter().position(|d| !is_env(d)).unwrap_or(0);
    if locks.iter().filter(|d| !is_env(d)).count() > 1 {
        inv.warn(
            src.location(),
            "several lock documents in one file; the first is read",
        );
    }
    (position < locks.len()).then(|| locks.swap_remove(position))
}

fn layout(src: &Source<'_>, lock: &RawLock<'_>, inv: &mut Inventory) -> Layout {
    let version = lock.lockfile_version.as_ref().map_or("", |v| &*v.0);
    let major: u32 = version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    match major {
        _ if lock.snapshots.is_some() => Layout::V9,
        5 => Layout::V5,
        6 => Layout::V6,
        9 => Layout::V9,
        _ => {
            let (read, layout) = if major < 5 {
                ("5", Layout::V5)
            } else {
                ("9", Layout::V9)
            };
            inv.warn(
                src.location().field("lockfileVersion"),
                format!("lockfileVersion `{version}` is not 5.x, 6.x or 9.x; read as {read}"),
            );
            layout
        }
    }
}

/// What a dependency value names.
enum Resolved {
    Node(usize),
    /// `link:`: another workspace of the project.
    Workspace,
    Missing,
}

/// The lock document with its keys indexed.
struct Pnpm<'r, 'a> {
    layout: Layout,
    packages: &'r [(Spanned<Str<'a>>, RawPackage<'a>)],
    /// Graph nodes: snapshot keys in 9.x, package keys before.
    nodes: Vec<Node<'r, 'a>>,
    node_index: HashMap<&'r str, usize>,
}

struct Node<'r, 'a> {
    key: &'r str,
    optional: bool,
    dependencies: &'r DepMap<'a>,
    optional_dependencies: &'r DepMap<'a>,
    /// The package entry this node installs.
    package: Option<usize>,
}

impl<'r, 'a> Pnpm<'r, 'a> {
    fn read(src: &Source<'_>, lock: &'r RawLock<'a>, layout: Layout, inv: &mut Inventory) {
        let packages = lock.packages.as_ref().map_or(&[][..], |p| p.0.as_slice());
        let mut package_index = HashMap::with_capacity(packages.len());
        for (i, (key, _)) in packages.iter().enumerate() {
            if package_index.insert(&*key.value, i).is_some() {
                inv.warn(
                    at(src, key),
                    format!("`{}` is listed twice in `packages`", key.value),
                );
            }
        }
        let nodes = nodes(lock, layout, &package_index);
        let node_index = nodes.iter().enumerate().map(|(i, n)| (n.key, i)).collect();
        let pnpm = Pnpm {
            layout,
            packages,
            nodes,
            node_index,
        };
        let component = pnpm.components(src, inv);
        pnpm.graph(src, lock, &component, inv);
    }

    /// One component per package entry (`None` where not inventoried).
    fn components(&self, src: &Source<'_>, inv: &mut Inventory) -> Vec<Option<usize>> {
        let mut out = Vec::with_capacity(self.packages.len());
        for (key, entry) in self.packages {
            let at = at(src, key);
            let (key_name, key_version) = split_key(&key.value, self.layout);
            let name = entry.name.as_deref().or(key_name).unwrap_or(&key.value);
            let version = entry.version.as_ref().map(|v| &*v.0).or(key_version);
            let git;
            let origin = match &entry.resolution {
                RawResolution {
                    tarball: Some(url), ..
                } => js_package::origin(url),
                RawResolution {
                    repo: Some(repo),
                    commit,
                    ..
                } => {
                    git = match commit {
                        Some(c) => format!("{repo}#{c}"),
                        None => repo.to_string(),
                    };
                    Origin::Git(&git)
                }
                RawResolution {
                    directory: Some(dir),
                    ..
                } => Origin::Local(dir),
                _ => key_version.map_or(Origin::Registry, js_package::origin),
            };
            let version = version.filter(|v| js_package::origin(v) == Origin::Registry);
            out.push(
                match js_package::component(name, version, origin, at.clone()) {
                    Ok(mut c) => {
                        c.hashes = entry
                            .resolution
                            .integrity
                            .as_deref()
                            .map(js_package::integrity)
                            .unwrap_or_default();
                        inv.components.push(c);
                        Some(inv.components.len() - 1)
                    }
                    Err(why) => {
                        inv.warn(at, format!("{why}; not inventoried"));
                        None
                    }
                },
            );
        }
        out
    }

    /// Edges, `direct` and scope.
    fn graph(
        &self,
        src: &Source<'_>,
        lock: &RawLock<'_>,
        component: &[Option<usize>],
        inv: &mut Inventory,
    ) {
        let comp = |node: usize| {
            self.nodes
                .get(node)
                .and_then(|n| n.package)
                .and_then(|p| component.get(p).copied().flatten())
        };
        let mut graph = Graph::new(self.nodes.len());
        let mut edges = Vec::new();
        let mut buf = String::new();
        for (i, node) in self.nodes.iter().enumerate() {
            let lists = [
                (node.dependencies, false),
                (node.optional_dependencies, true),
            ];
            for (deps, optional) in lists {
                for (name, value) in deps.iter().flat_map(|d| &d.0) {
                    match self.resolve(name, &value.0, &mut buf) {
                        Resolved::Node(j) => {
                            graph.add(i, j, optional);
                            if let (Some(a), Some(b)) = (comp(i), comp(j)) {
                                edges.push((a, b));
                            }
                        }
                        Resolved::Workspace => {}
                        Resolved::Missing if optional => {}
                        Resolved::Missing => inv.warn(
                            self.node_at(src, i),
                            format!(
                                "the dependency `{name}: {}` of `{}` has no entry in the lockfile",
                                value.0, node.key
                            ),
                        ),
                    }
                }
            }
        }
        let roots = self.roots(src, lock, inv);
        let mut direct = vec![false; inv.components.len()];
        for &(node, _) in &roots {
            if let Some(c) = comp(node) {
                direct[c] = true;
            }
        }
        let scopes = match self.layout {
            Layout::V9 => graph.scopes(&roots),
            Layout::V5 | Layout::V6 => self.flagged_scopes(),
        };
        let mut scope: Vec<Option<Scope>> = vec![None; inv.components.len()];
        for (node, s) in scopes.into_iter().enumerate() {
            let optional = self.nodes.get(node).is_some_and(|n| n.optional);
            let s = match s {
                Some(Scope::Runtime) if optional => Some(Scope::Optional),
                s => s,
            };
            if let (Some(c), Some(s)) = (comp(node), s) {
                let slot = &mut scope[c];
                *slot = Some(slot.map_or(s, |old: Scope| old.min(s)));
            }
        }
        js_graph::apply(inv, direct, scope, edges);
    }

    /// 5.x/6.x: `dev: true` dev only, `dev: false` production only, absent both; `optional`.
    fn flagged_scopes(&self) -> Vec<Option<Scope>> {
        self.nodes
            .iter()
            .map(|n| {
                let entry = n
                    .package
                    .and_then(|p| self.packages.get(p))
                    .map(|(_, e)| e)?;
                Some(match entry.dev {
                    Some(true) => Scope::Dev,
                    _ if entry.optional => Scope::Optional,
                    _ => Scope::Runtime,
                })
            })
            .collect()
    }

    /// The importers' dependencies, as graph roots with the scope their section gives.
    fn roots(
        &self,
        src: &Source<'_>,
        lock: &RawLock<'_>,
        inv: &mut Inventory,
    ) -> Vec<(usize, Scope)> {
        let project = [(
            "",
            [
                &lock.dependencies,
                &lock.optional_dependencies,
                &lock.dev_dependencies,
            ],
        )];
        let importers = lock.importers.iter().flat_map(|i| &i.0).map(|(path, i)| {
            let sections = [
                &i.dependencies,
                &i.optional_dependencies,
                &i.dev_dependencies,
            ];
            (&**path, sections)
        });
        let mut roots = Vec::new();
        let mut buf = String::new();
        for (path, [runtime, optional, dev]) in project.into_iter().chain(importers) {
            let sections = [
                (runtime, Scope::Runtime, "dependencies"),
                (optional, Scope::Optional, "optionalDependencies"),
                (dev, Scope::Dev, "devDependencies"),
            ];
            for (deps, scope, section) in sections {
                for (name, value) in deps.iter().flat_map(|d| &d.0) {
                    match self.resolve(name, &value.0, &mut buf) {
                        Resolved::Node(node) => roots.push((node, scope)),
                        Resolved::Workspace => {}
                        Resolved::Missing => inv.warn(
                            importer_at(src, path, section, name),
                            format!("`{name}: {}` has no entry in `packages`", value.0),
                        ),
                    }
                }
            }
        }
        roots
    }

    /// The node a dependency value names.
    fn resolve(&self, name: &str, value: &str, buf: &mut String) -> Resolved {
        if value.starts_with("link:") {
            return Resolved::Workspace;
        }
        buf.clear();
        match self.layout {
            Layout::V5 => buf.extend(["/", name, "/", value]),
            Layout::V6 => buf.extend(["/", name, "@", value]),
            Layout::V9 => buf.extend([name, "@", value]),
        }
        // An alias's value is its target's own key (`/bar@1.0.0`, `bar@1.0.0`); so is a
        // non-registry package's (`github.com/user/repo/sha`).
        let found = self
            .node_index
            .get(buf.as_str())
            .or_else(|| self.node_index.get(value));
        found.map_or(Resolved::Missing, |&n| Resolved::Node(n))
    }

    fn node_at(&self, src: &Source<'_>, node: usize) -> Location {
        let package = self.nodes.get(node).and_then(|n| n.package);
        match package.and_then(|p| self.packages.get(p)) {
            Some((key, _)) => at(src, key),
            None => src.location().field(format!(
                "snapshots/{}",
                self.nodes.get(node).map_or("", |n| n.key)
            )),
        }
    }
}

/// The graph's nodes: `snapshots` entries (9.x) or `packages` entries (before).
fn nodes<'r, 'a>(
    lock: &'r RawLock<'a>,
    layout: Layout,
    package_index: &HashMap<&'r str, usize>,
) -> Vec<Node<'r, 'a>> {
    match (&lock.snapshots, &lock.packages) {
        (Some(snapshots), _) => snapshots
            .0
            .iter()
            .map(|(key, s)| Node {
                key,
                optional: s.optional,
                dependencies: &s.dependencies,
                optional_dependencies: &s.optional_dependencies,
                package: package_index.get(strip_peers(key, layout)).copied(),
            })
            .collect(),
        (None, Some(packages)) => packages
            .0
            .iter()
            .enumerate()
            .map(|(i, (key, p))| Node {
                key: &key.value,
                optional: p.optional,
                dependencies: &p.dependencies,
                optional_dependencies: &p.optional_dependencies,
                package: Some(i),
            })
            .collect(),
        (None, None) => Vec::new(),
    }
}

/// A key without its peer-dependency suffix (`(peer@1)` since 6.x, `_peer@1` in 5.x).
fn strip_peers(key: &str, layout: Layout) -> &str {
    let cut = match layout {
        Layout::V5 => key
            .rfind('/')
            .and_then(|s| key[s..].find('_').map(|u| s + u)),
        Layout::V6 | Layout::V9 => key.find('('),
    };
    cut.and_then(|c| key.get(..c)).unwrap_or(key)
}

/// Name and version from a package key; `None` parts when the key does not say them (the entry's
/// `name`/`version` fields then do).
fn split_key(key: &str, layout: Layout) -> (Option<&str>, Option<&str>) {
    let bare = strip_peers(key, layout);
    let path = match bare.strip_prefix('/') {
        Some(path) => path,
        None if layout == Layout::V9 => bare,
        // 5.x/6.x key a non-default registry's package by its host
        // (`registry.example.com/lodash/4.17.10`); other keys (git hosts, `file:`) are not
        // `name/version` and carry `name` and `version` fields.
        None => match bare.split_once('/') {
            Some((host, rest)) if host.contains('.') => {
                let (name, version) = split_path(rest, layout);
                let semver = version.is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()));
                return if semver {
                    (name, version)
                } else {
                    (None, None)
                };
            }
            _ => return (None, None),
        },
    };
    split_path(path, layout)
}

/// `name/version` (5.x) or `name@version` (6.x, 9.x), scoped names included.
fn split_path(path: &str, layout: Layout) -> (Option<&str>, Option<&str>) {
    match layout {
        Layout::V5 => {
            let cut = if path.starts_with('@') {
                path.match_indices('/').nth(1).map(|(i, _)| i)
            } else {
                path.find('/')
            };
            match cut {
                Some(c) => (path.get(..c), path.get(c + 1..)),
                None => (Some(path), None),
            }
        }
        Layout::V6 | Layout::V9 => match js_package::split_spec(path) {
            Some((name, version)) => (Some(name), Some(version)),
            None => (Some(path), None),
        },
    }
}

fn at(src: &Source<'_>, key: &Spanned<Str<'_>>) -> Location {
    match js_serde::span(&key.referenced) {
        Some((line, column)) => src.location().at(line, column),
        None => src.location().field(format!("packages/{}", key.value)),
    }
}

fn importer_at(src: &Source<'_>, path: &str, section: &str, name: &str) -> Location {
    let field = if path.is_empty() {
        format!("{section}/{name}")
    } else {
        format!("importers/{path}/{section}/{name}")
    };
    src.location().field(field)
}
