//! npm `package-lock.json` / `npm-shrinkwrap.json`, lockfileVersion 1, 2 and 3.
//!
//! v2 and v3 list every installed folder in `packages`, keyed by its path (`node_modules/a`,
//! `node_modules/a/node_modules/b`). `""` is the project; other keys without a `node_modules/`
//! segment are its workspaces (or local folders), which `node_modules/<name>` entries with
//! `link: true` point at. v1 nests `dependencies` instead (v2 carries both; `packages` is read).
//! What real files do: an aliased install keeps its folder name and gives the real `name`
//! (v1 writes `version: "npm:real@1.2.3"`); a link may point nowhere (`resolved: ""`); npm sets
//! `dev`, `optional` and `devOptional` itself, so scope needs no graph walk. Dependency edges
//! follow Node's lookup: the nearest `node_modules/<name>` from the dependent's folder upwards.

use std::collections::HashMap;

use serde::Deserialize;

use super::js_package::{self, Origin};
use super::js_serde::{self, Names, Pairs, Str};
use super::js_tree::{Lookup, MAX_DEPTH, Tree};
use crate::ingest::IngestError;
use crate::ingest::Location;
use crate::ingest::inventory::{Sniff, Source, pointer_token};
use crate::model::{Component, Dependency, Inventory, Scope};

pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    // bun.lock has `lockfileVersion` and `packages` too, and `workspaces` at the top level,
    // which a package-lock never has.
    sniff.has_key("lockfileVersion")
        && (sniff.has_key("packages") || sniff.has_key("dependencies"))
        && !sniff.has_key("workspaces")
}

#[derive(Deserialize)]
struct RawLock<'a> {
    #[serde(rename = "lockfileVersion")]
    lockfile_version: Option<u64>,
    #[serde(borrow)]
    packages: Option<Pairs<Str<'a>, RawPackage<'a>>>,
    #[serde(borrow)]
    dependencies: Option<Pairs<Str<'a>, RawV1<'a>>>,
}

/// An entry of v2/v3 `packages`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPackage<'a> {
    #[serde(borrow)]
    name: Option<Str<'a>>,
    #[serde(borrow)]
    version: Option<Str<'a>>,
    #[serde(borrow)]
    resolved: Option<Str<'a>>,
    #[serde(borrow)]
    integrity: Option<Str<'a>>,
    #[serde(default)]
    link: bool,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    dev_optional: bool,
    #[serde(borrow, default)]
    dependencies: Names<'a>,
    #[serde(borrow, default)]
    optional_dependencies: Names<'a>,
    #[serde(borrow, default)]
    peer_dependencies: Names<'a>,
    #[serde(borrow, default)]
    dev_dependencies: Names<'a>,
}

/// An entry of v1 `dependencies`, nested.
#[derive(Deserialize)]
struct RawV1<'a> {
    #[serde(borrow)]
    version: Option<Str<'a>>,
    #[serde(borrow)]
    resolved: Option<Str<'a>>,
    #[serde(borrow)]
    integrity: Option<Str<'a>>,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    optional: bool,
    #[serde(borrow, default)]
    requires: Names<'a>,
    #[serde(borrow)]
    dependencies: Option<Pairs<Str<'a>, RawV1<'a>>>,
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let raw: RawLock<'_> = js_serde::json_object(src.name, src.text, "an npm package-lock")?;
    let Some(version) = raw.lockfile_version else {
        return Err(IngestError::new(
            src.location(),
            "valid JSON but not an npm package-lock: no `lockfileVersion`",
        ));
    };
    let mut inv = Inventory::default();
    if version > 3 {
        inv.warn(
            src.location().field("/lockfileVersion"),
            format!("lockfileVersion {version} is newer than the 1–3 Vexil knows; read as 3"),
        );
    }
    match (raw.packages, raw.dependencies) {
        (Some(packages), _) if version >= 2 => Packages::read(src, &packages.0, &mut inv),
        (_, Some(deps)) => read_v1(src, &deps.0, &mut inv),
        (Some(_), None) => inv.warn(
            src.location().field("/packages"),
            "lockfileVersion 1 has no `packages`; expected its nested `dependencies`",
        ),
        (None, None) => {}
    }
    Ok(inv)
}

fn scope(dev: bool, optional: bool, dev_optional: bool) -> Scope {
    if dev {
        Scope::Dev
    } else if optional || dev_optional {
        // `devOptional`: a dev dependency that is also an optional one of production code, so
        // installed (optionally) without dev dependencies too.
        Scope::Optional
    } else {
        Scope::Runtime
    }
}

/// What a `packages` entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// The root `""` or a workspace or local folder: the project, not a dependency.
    Project,
    /// `link: true`: stands for the entry its `resolved` names.
    Link,
    /// An installed package (a path with a `node_modules/` segment).
    Installed,
    /// A key seen before; skipped.
    Repeated,
}

/// What a dependency name resolved to.
enum Target {
    Component(usize),
    Project,
    /// Not inventoried (no version, local…) or a broken link; warned about once already.
    Nothing,
}

struct Packages<'r, 'a> {
    entries: &'r [(Str<'a>, RawPackage<'a>)],
    kinds: Vec<Kind>,
    index: HashMap<&'r str, usize>,
    tree: Tree<'r>,
    /// The component each installed entry became.
    component: Vec<Option<usize>>,
}

impl<'r, 'a> Packages<'r, 'a> {
    fn read(src: &Source<'_>, entries: &'r [(Str<'a>, RawPackage<'a>)], inv: &mut Inventory) {
        let mut index = HashMap::with_capacity(entries.len());
        let mut kinds = Vec::with_capacity(entries.len());
        for (i, (key, entry)) in entries.iter().enumerate() {
            if index.contains_key(&**key) {
                inv.warn(
                    at(src, key),
                    "listed twice in `packages`; the first is read",
                );
                kinds.push(Kind::Repeated);
                continue;
            }
            index.insert(&**key, i);
            kinds.push(if entry.link {
                Kind::Link
            } else if installed_name(key).is_some() {
                Kind::Installed
            } else {
                Kind::Project
            });
        }
        let read = |i: &usize| kinds[*i] != Kind::Repeated;
        let installed = (0..entries.len()).filter(read).filter_map(|i| {
            let (dir, name) = split_installed(&entries[i].0)?;
            Some((i, dir, name))
        });
        let starts = (0..entries.len()).filter(read).map(|i| &*entries[i].0);
        let tree = Tree::new(installed, starts);
        let mut packages = Packages {
            entries,
            kinds,
            index,
            tree,
            component: vec![None; entries.len()],
        };
        packages.components(src, inv);
        packages.links(src, inv);
        packages.edges(src, inv);
    }

    fn components(&mut self, src: &Source<'_>, inv: &mut Inventory) {
        for (i, (key, entry)) in self.entries.iter().enumerate() {
            if self.kinds[i] != Kind::Installed {
                continue;
            }
            let folder = installed_name(key).unwrap_or(key);
            let name = entry.name.as_deref().unwrap_or(folder);
            let origin = entry
                .resolved
                .as_deref()
                .map_or(Origin::Registry, js_package::origin);
            match js_package::component(name, entry.version.as_deref(), origin, at(src, key)) {
                Ok(mut c) => {
                    c.scope = Some(scope(entry.dev, entry.optional, entry.dev_optional));
                    c.hashes = entry
                        .integrity
                        .as_deref()
                        .map(js_package::integrity)
                        .unwrap_or_default();
                    self.component[i] = Some(inv.components.len());
                    inv.components.push(c);
                }
                Err(why) => inv.warn(at(src, key), format!("{why}; not inventoried")),
            }
        }
    }

    /// Warns about links that point nowhere.
    fn links(&self, src: &Source<'_>, inv: &mut Inventory) {
        for (i, (key, entry)) in self.entries.iter().enumerate() {
            if self.kinds[i] != Kind::Link {
                continue;
            }
            match entry.resolved.as_deref() {
                None | Some("") => inv.warn(
                    at(src, key),
                    "a link with an empty `resolved`: it points at no folder, so nothing is installed here",
                ),
                Some(to) if !self.index.contains_key(to) => inv.warn(
                    at(src, key),
                    format!("a link to `{to}`, which `packages` does not list"),
                ),
                Some(_) => {}
            }
        }
    }

    fn target(&self, i: usize) -> Target {
        let (_, entry) = &self.entries[i];
        let i = match self.kinds[i] {
            Kind::Link => match entry.resolved.as_deref() {
                Some(to) if !to.is_empty() => match self.index.get(to) {
                    Some(&j) if matches!(self.kinds[j], Kind::Project | Kind::Installed) => j,
                    _ => return Target::Nothing,
                },
                _ => return Target::Nothing,
            },
            _ => i,
        };
        match (self.kinds[i], self.component[i]) {
            (Kind::Project, _) => Target::Project,
            (Kind::Installed, Some(c)) => Target::Component(c),
            _ => Target::Nothing,
        }
    }

    /// Dependency edges between installed packages, and `direct` for what the project and its
    /// workspaces depend on (known only when the root `""` entry is there).
    fn edges(&self, src: &Source<'_>, inv: &mut Inventory) {
        let has_root = self.index.contains_key("");
        let mut direct = vec![false; inv.components.len()];
        let mut edges = Vec::new();
        for (i, (key, entry)) in self.entries.iter().enumerate() {
            let from = match (self.kinds[i], self.component[i]) {
                (Kind::Project, _) => None,
                (Kind::Installed, Some(c)) => Some(c),
                _ => continue,
            };
            let Some(folder) = self.tree.folder(key) else {
                continue;
            };
            // npm records devDependencies only for the project and its workspaces.
            let dev = from.is_none().then_some((&entry.dev_dependencies, true));
            let lists = [
                Some((&entry.dependencies, true)),
                Some((&entry.optional_dependencies, false)),
                Some((&entry.peer_dependencies, false)),
                dev,
            ];
            for (names, required) in lists.into_iter().flatten() {
                for name in &names.0 {
                    let lookup = self.tree.resolve(folder, name);
                    match lookup {
                        Lookup::Found(j) => match self.target(j) {
                            Target::Component(to) => match from {
                                Some(from) => edges.push((from, to)),
                                None => direct[to] = true,
                            },
                            Target::Project | Target::Nothing => {}
                        },
                        Lookup::TooDeep => inv.warn(
                            at(src, key),
                            format!("`{name}` is not resolved: the lookup passed {MAX_DEPTH} nested folders"),
                        ),
                        Lookup::Missing if required => inv.warn(
                            at(src, key),
                            format!(
                                "`{name}`, a dependency of {}, is not in `packages`: expected `node_modules/{name}` in its folder or one above",
                                shown(key)
                            ),
                        ),
                        Lookup::Missing => {}
                    }
                }
            }
        }
        if has_root {
            for (c, d) in inv.components.iter_mut().zip(direct) {
                c.direct = Some(d);
            }
        }
        inv.dependencies.extend(
            edges
                .into_iter()
                .map(|(a, b)| dependency(&inv.components, a, b)),
        );
    }
}

/// The package folder name of an installed path (`a/node_modules/@s/b` → `@s/b`); `None` for
/// the project and its workspaces.
fn installed_name(key: &str) -> Option<&str> {
    split_installed(key).map(|(_, name)| name)
}

/// An installed path as the folder whose `node_modules` holds it and its name: Node's lookup
/// (`<folder>/node_modules/<name>` from the dependent's folder upwards) is a walk up folders.
fn split_installed(key: &str) -> Option<(&str, &str)> {
    match key.rsplit_once("/node_modules/") {
        Some((folder, name)) => Some((folder, name)),
        None => key.strip_prefix("node_modules/").map(|name| ("", name)),
    }
}

fn shown(key: &str) -> String {
    if key.is_empty() {
        "the project".to_owned()
    } else {
        format!("`{key}`")
    }
}

fn at(src: &Source<'_>, key: &str) -> Location {
    src.location()
        .field(format!("/packages/{}", pointer_token(key)))
}

fn dependency(components: &[Component], from: usize, to: usize) -> Dependency {
    let purl = |i: usize| {
        components
            .get(i)
            .map(|c| c.purl.clone())
            .unwrap_or_default()
    };
    Dependency {
        from: purl(from),
        to: purl(to),
    }
}

/// One v1 entry placed in the tree: `parent` 0 is the top level, entries count from 1.
struct V1Node<'r, 'a> {
    name: &'r str,
    entry: &'r RawV1<'a>,
    parent: usize,
    pointer: String,
}

fn read_v1(src: &Source<'_>, top: V1Level<'_, '_>, inv: &mut Inventory) {
    let nodes = v1_tree(top);
    let mut index: HashMap<(usize, &str), usize> = HashMap::with_capacity(nodes.len());
    for (i, n) in nodes.iter().enumerate() {
        index.entry((n.parent, n.name)).or_insert(i + 1);
    }
    let mut component = Vec::with_capacity(nodes.len());
    for n in &nodes {
        let location = src.location().field(n.pointer.clone());
        component.push(match v1_component(n, location.clone()) {
            Ok(c) => {
                inv.components.push(c);
                Some(inv.components.len() - 1)
            }
            Err(why) => {
                inv.warn(location, format!("{why}; not inventoried"));
                None
            }
        });
    }
    for (i, n) in nodes.iter().enumerate() {
        for name in &n.entry.requires.0 {
            let mut scope = i + 1;
            let found = loop {
                if let Some(&j) = index.get(&(scope, &**name)) {
                    break Some(j);
                }
                if scope == 0 {
                    break None;
                }
                scope = nodes.get(scope - 1).map_or(0, |p| p.parent);
            };
            match found.map(|j| component.get(j - 1).copied().flatten()) {
                Some(Some(to)) => {
                    if let Some(from) = component[i] {
                        let edge = dependency(&inv.components, from, to);
                        inv.dependencies.push(edge);
                    }
                }
                Some(None) => {}
                None => inv.warn(
                    src.location().field(n.pointer.clone()),
                    format!("`{name}`, which `{}` requires, is not in the lockfile: expected it among the nested or enclosing `dependencies`", n.name),
                ),
            }
        }
    }
}

/// A v1 `dependencies` object, as its entries.
type V1Level<'r, 'a> = &'r [(Str<'a>, RawV1<'a>)];

/// The v1 tree flattened in document order (depth first).
fn v1_tree<'r, 'a>(top: V1Level<'r, 'a>) -> Vec<V1Node<'r, 'a>> {
    let mut nodes: Vec<V1Node<'r, 'a>> = Vec::new();
    // (parent node, its children, the parent's JSON pointer)
    let mut stack: Vec<(usize, V1Level<'r, 'a>, String)> = vec![(0, top, String::new())];
    while let Some((parent, children, prefix)) = stack.pop() {
        let mut pending = Vec::new();
        for (name, entry) in children {
            let pointer = format!("{prefix}/dependencies/{}", pointer_token(name));
            nodes.push(V1Node {
                name,
                entry,
                parent,
                pointer: pointer.clone(),
            });
            if let Some(nested) = &entry.dependencies {
                pending.push((nodes.len(), nested.0.as_slice(), pointer));
            }
        }
        stack.extend(pending.into_iter().rev());
    }
    nodes
}

fn v1_component(n: &V1Node<'_, '_>, location: Location) -> Result<Component, String> {
    let version = n.entry.version.as_deref().unwrap_or_default();
    let (name, version, origin) = match version.strip_prefix("npm:") {
        Some(alias) => match js_package::split_spec(alias) {
            Some((real, version)) => (real, version, Origin::Registry),
            None => (n.name, "", Origin::Registry),
        },
        None => match js_package::origin(version) {
            Origin::Registry => {
                let origin = n
                    .entry
                    .resolved
                    .as_deref()
                    .map_or(Origin::Registry, js_package::origin);
                (n.name, version, origin)
            }
            other @ (Origin::Git(_) | Origin::Tarball(_)) => {
                return Err(format!(
                    "`{}` is installed from {} and v1 lockfiles give no version for it",
                    n.name,
                    match other {
                        Origin::Git(_) => "git",
                        _ => "a URL",
                    }
                ));
            }
            local => (n.name, version, local),
        },
    };
    let mut c = js_package::component(name, Some(version), origin, location)?;
    c.scope = Some(scope(n.entry.dev, n.entry.optional, false));
    c.hashes = n
        .entry
        .integrity
        .as_deref()
        .map(js_package::integrity)
        .unwrap_or_default();
    Ok(c)
}
