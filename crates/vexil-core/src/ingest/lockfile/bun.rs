//! `bun.lock`, bun's text lockfile (lockfileVersion 0 and 1; the binary `bun.lockb` is not read).
//!
//! JSONC: bun writes trailing commas. `workspaces` maps each workspace path (`""` is the root)
//! to its manifest's dependency sections; `packages` maps an install path (`zod`, or
//! `zod/undici-types` for a copy nested under zod) to an array `[ident, registry, info,
//! integrity]` where `ident` is `name@version` (the real package, so aliases need no special
//! case), `info` holds the package's own dependencies, and `integrity` is npm's SRI string.
//! Non-registry packages drop elements (`["name@workspace:path"]`, `["name@github:u/r#sha", info,
//! tag]`), so elements are recognised by type, not position. bun flags neither dev nor optional
//! packages: scope comes from walking the graph from the workspaces' sections.

use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::js_graph::{self, Graph};
use super::js_package::{self, Origin};
use super::js_serde::{self, Names, Pairs, Str};
use super::js_tree::{Lookup, MAX_DEPTH, Tree};
use crate::ingest::inventory::{Sniff, Source, pointer_token};
use crate::ingest::{IngestError, Location};
use crate::model::{Inventory, Scope};

pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    if !sniff.text.trim_start().starts_with('{')
        || !sniff.head(1024).contains("\"lockfileVersion\"")
    {
        return false;
    }
    // A package-lock never has a top-level `workspaces`; a bun.lock always does.
    if sniff.json.is_some() {
        return sniff.has_key("workspaces");
    }
    let json = js_serde::jsonc_to_json(sniff.text);
    match serde_json::from_str::<Pairs<Str<'_>, IgnoredAny>>(&json) {
        Ok(top) => top.0.iter().any(|(k, _)| &**k == "workspaces"),
        // Truncated or broken: the name is all that is left to go by.
        Err(_) => sniff.file_name == "bun.lock",
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLock<'a> {
    lockfile_version: Option<u64>,
    #[serde(borrow)]
    workspaces: Option<Pairs<Str<'a>, RawWorkspace<'a>>>,
    #[serde(borrow)]
    packages: Option<Pairs<Str<'a>, RawPackage<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawWorkspace<'a> {
    #[serde(borrow)]
    name: Option<Str<'a>>,
    #[serde(borrow, default)]
    dependencies: Names<'a>,
    #[serde(borrow, default)]
    optional_dependencies: Names<'a>,
    #[serde(borrow, default)]
    peer_dependencies: Names<'a>,
    #[serde(borrow, default)]
    dev_dependencies: Names<'a>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawInfo<'a> {
    #[serde(borrow)]
    version: Option<Str<'a>>,
    #[serde(borrow, default)]
    dependencies: Names<'a>,
    #[serde(borrow, default)]
    optional_dependencies: Names<'a>,
    #[serde(borrow, default)]
    peer_dependencies: Names<'a>,
}

/// One `packages` value: the ident, then whatever of registry, info and integrity it has.
struct RawPackage<'a> {
    ident: Str<'a>,
    info: RawInfo<'a>,
    integrity: Option<Str<'a>>,
}

impl<'de: 'a, 'a> Deserialize<'de> for RawPackage<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(PackageVisitor(std::marker::PhantomData))
    }
}

struct PackageVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for PackageVisitor<'a> {
    type Value = RawPackage<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array starting with `name@version`")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let ident: Str<'a> = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let mut package = RawPackage {
            ident,
            info: RawInfo::default(),
            integrity: None,
        };
        while let Some(element) = seq.next_element::<Element<'a>>()? {
            match element {
                Element::Info(info) => package.info = info,
                Element::Text(s) if is_integrity(&s) => package.integrity = Some(s),
                Element::Text(_) | Element::Other => {}
            }
        }
        Ok(package)
    }
}

fn is_integrity(s: &str) -> bool {
    ["sha1-", "sha256-", "sha384-", "sha512-"]
        .iter()
        .any(|p| s.starts_with(p))
}

/// An element after the ident: a string (registry, integrity, git tag), the info object, or
/// something else bun may add later.
enum Element<'a> {
    Text(Str<'a>),
    Info(RawInfo<'a>),
    Other,
}

impl<'de: 'a, 'a> Deserialize<'de> for Element<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ElementVisitor(std::marker::PhantomData))
    }
}

struct ElementVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ElementVisitor<'a> {
    type Value = Element<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or an object")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Element::Text(Str(v.into())))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Element::Text(Str(v.to_owned().into())))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        RawInfo::deserialize(de::value::MapAccessDeserializer::new(map)).map(Element::Info)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Element::Other)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Element::Other)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Element::Other)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Element::Other)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Element::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Element::Other)
    }
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let json = js_serde::jsonc_to_json(src.text);
    let raw: RawLock<'_> = js_serde::json_object(src.name, &json, "a bun.lock")?;
    let Some(version) = raw.lockfile_version else {
        return Err(IngestError::new(
            src.location(),
            "valid JSON but not a bun.lock: no `lockfileVersion`",
        ));
    };
    let mut inv = Inventory::default();
    if version > 1 {
        inv.warn(
            src.location().field("/lockfileVersion"),
            format!("lockfileVersion {version} is newer than the 0–1 Vexil knows; read as 1"),
        );
    }
    let packages = raw.packages.as_ref().map_or(&[][..], |p| p.0.as_slice());
    let workspaces = raw.workspaces.as_ref().map_or(&[][..], |w| w.0.as_slice());
    Bun::read(src, packages, workspaces, &mut inv);
    Ok(inv)
}

/// What a `packages` entry is.
#[derive(Clone, Copy)]
enum Kind {
    Workspace,
    Component(usize),
    Skipped,
}

struct Bun<'r, 'a> {
    packages: &'r [(Str<'a>, RawPackage<'a>)],
    tree: Tree<'r>,
    kinds: Vec<Kind>,
}

impl<'r, 'a> Bun<'r, 'a> {
    fn read(
        src: &Source<'_>,
        packages: &'r [(Str<'a>, RawPackage<'a>)],
        workspaces: &'r [(Str<'a>, RawWorkspace<'a>)],
        inv: &mut Inventory,
    ) {
        let mut seen = HashSet::with_capacity(packages.len());
        let mut kinds = Vec::with_capacity(packages.len());
        for (key, package) in packages {
            if !seen.insert(&**key) {
                inv.warn(
                    at(src, key),
                    "listed twice in `packages`; the first is read",
                );
                kinds.push(Kind::Skipped);
                continue;
            }
            kinds.push(component(src, key, package, inv));
        }
        // A package at `a/b` is installed in a's folder as `b`.
        let installed = packages.iter().enumerate().map(|(i, (key, _))| {
            let folder = parent(key);
            let name = key
                .get(folder.len()..)
                .unwrap_or(key)
                .trim_start_matches('/');
            (i, folder, name)
        });
        let starts = packages.iter().map(|(key, _)| &**key);
        let names = workspaces.iter().filter_map(|(_, w)| w.name.as_deref());
        let bun = Bun {
            packages,
            tree: Tree::new(installed, starts.chain(names)),
            kinds,
        };
        bun.graph(src, workspaces, inv);
    }

    fn graph(
        &self,
        src: &Source<'_>,
        workspaces: &[(Str<'_>, RawWorkspace<'_>)],
        inv: &mut Inventory,
    ) {
        let mut graph = Graph::new(self.packages.len());
        let mut edges = Vec::new();
        for (i, (key, package)) in self.packages.iter().enumerate() {
            let info = &package.info;
            let folder = self.tree.folder(key).unwrap_or(0);
            let lists = [
                (&info.dependencies, false, true),
                (&info.optional_dependencies, true, false),
                (&info.peer_dependencies, false, false),
            ];
            for (names, optional, required) in lists {
                for name in &names.0 {
                    match self.tree.resolve(folder, name) {
                        Lookup::Found(j) => {
                            graph.add(i, j, optional);
                            if let (Kind::Component(a), Some(Kind::Component(b))) =
                                (self.kinds[i], self.kinds.get(j))
                            {
                                edges.push((a, *b));
                            }
                        }
                        Lookup::TooDeep => inv.warn(
                            at(src, key),
                            format!("`{name}` is not resolved: the lookup passed {MAX_DEPTH} nested paths"),
                        ),
                        Lookup::Missing if required => inv.warn(
                            at(src, key),
                            format!("`{name}`, a dependency of `{key}`, is not in `packages`: expected `{key}/{name}` or an entry above it"),
                        ),
                        Lookup::Missing => {}
                    }
                }
            }
        }
        let roots = self.roots(src, workspaces, inv);
        let scopes = graph.scopes(&roots);
        let mut direct = vec![false; inv.components.len()];
        let mut scope: Vec<Option<Scope>> = vec![None; inv.components.len()];
        for (i, kind) in self.kinds.iter().enumerate() {
            if let (Kind::Component(c), Some(Some(s))) = (kind, scopes.get(i)) {
                scope[*c] = Some(*s);
            }
        }
        for &(node, _) in &roots {
            if let Some(Kind::Component(c)) = self.kinds.get(node) {
                direct[*c] = true;
            }
        }
        js_graph::apply(inv, direct, scope, edges);
    }

    /// Each workspace's dependencies, as graph roots with the scope of their section.
    fn roots(
        &self,
        src: &Source<'_>,
        workspaces: &[(Str<'_>, RawWorkspace<'_>)],
        inv: &mut Inventory,
    ) -> Vec<(usize, Scope)> {
        let mut roots = Vec::new();
        for (path, ws) in workspaces {
            let sections = [
                (&ws.dependencies, Scope::Runtime, true),
                (&ws.peer_dependencies, Scope::Runtime, false),
                (&ws.optional_dependencies, Scope::Optional, false),
                (&ws.dev_dependencies, Scope::Dev, true),
            ];
            // Packages only this workspace uses are nested under its name.
            let from = match ws.name.as_deref() {
                Some(name) if !path.is_empty() => self.tree.folder(name).unwrap_or(0),
                _ => 0,
            };
            for (names, scope, required) in sections {
                for name in &names.0 {
                    let at = || {
                        src.location()
                            .field(format!("/workspaces/{}", pointer_token(path)))
                    };
                    match self.tree.resolve(from, name) {
                        Lookup::Found(node) => roots.push((node, scope)),
                        Lookup::TooDeep => inv.warn(at(), format!("`{name}` is not resolved")),
                        Lookup::Missing if required => {
                            inv.warn(at(), format!("`{name}` is not in `packages`"));
                        }
                        Lookup::Missing => {}
                    }
                }
            }
        }
        roots
    }
}

/// The enclosing install path: `a/@s/b/c` → `a/@s/b`, `@s/b` → ``.
fn parent(path: &str) -> &str {
    // Byte offset where the last package name starts; a `@scope` segment joins the next.
    let mut last = 0;
    let mut offset = 0;
    let mut in_scope = false;
    for segment in path.split('/') {
        if !in_scope {
            last = offset;
        }
        in_scope = !in_scope && segment.starts_with('@');
        offset += segment.len() + 1;
    }
    path.get(..last.saturating_sub(1)).unwrap_or("")
}

fn component(src: &Source<'_>, key: &str, package: &RawPackage<'_>, inv: &mut Inventory) -> Kind {
    let ident = &*package.ident;
    let at = at(src, key);
    let Some((name, rest)) = js_package::split_spec(ident) else {
        inv.warn(
            at,
            format!("`{ident}` is not `name@version`; not inventoried"),
        );
        return Kind::Skipped;
    };
    let origin = js_package::origin(rest);
    let version = match origin {
        Origin::Registry => Some(rest),
        Origin::Workspace => return Kind::Workspace,
        _ => package.info.version.as_deref(),
    };
    match js_package::component(name, version, origin, at.clone()) {
        Ok(mut c) => {
            c.hashes = package
                .integrity
                .as_deref()
                .map(js_package::integrity)
                .unwrap_or_default();
            inv.components.push(c);
            Kind::Component(inv.components.len() - 1)
        }
        Err(why) => {
            inv.warn(at, format!("{why}; not inventoried"));
            Kind::Skipped
        }
    }
}

fn at(src: &Source<'_>, key: &str) -> Location {
    src.location()
        .field(format!("/packages/{}", pointer_token(key)))
}

#[cfg(test)]
mod tests {
    use super::parent;

    #[test]
    fn parents_of_install_paths() {
        assert_eq!(parent("a/@s/b/c"), "a/@s/b");
        assert_eq!(parent("@s/b/c"), "@s/b");
        assert_eq!(parent("@s/b"), "");
        assert_eq!(parent("a"), "");
    }
}
