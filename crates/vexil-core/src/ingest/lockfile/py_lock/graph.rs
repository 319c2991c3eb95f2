//! The dependency graph of lockfiles whose entries name each other by package name, adding the
//! version or source only when a name is ambiguous (Cargo.lock, poetry.lock, uv.lock,
//! pylock.toml, Gemfile.lock): resolving those references to entries, with warnings for
//! references that name nothing or too much.

use std::collections::HashMap;

use crate::ingest::Location;
use crate::model::{Dependency, Inventory};

/// One lockfile entry, as references see it.
#[derive(Debug)]
pub(crate) struct Node {
    /// The name as references compare it (PEP 503-normalised for PyPI).
    pub(crate) key: String,
    pub(crate) version: Option<String>,
    /// The entry's source as references spell it, when they can name one.
    pub(crate) source: Option<String>,
    pub(crate) purl: String,
}

/// A reference from one entry to another: a name, narrowed by version and source when given.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ref<'a> {
    pub(crate) key: &'a str,
    pub(crate) version: Option<&'a str>,
    pub(crate) source: Option<&'a str>,
}

impl Ref<'_> {
    fn describe(&self) -> String {
        match (self.version, self.source) {
            (Some(v), Some(s)) => format!("`{} {v} ({s})`", self.key),
            (Some(v), None) => format!("`{} {v}`", self.key),
            _ => format!("`{}`", self.key),
        }
    }
}

/// What a reference naming several entries means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ambiguous {
    /// The format promises one match (Cargo, uv): several is a broken file, warned about.
    Warn,
    /// The format locks one version per environment (poetry, Gemfile platforms): link them all.
    LinkAll,
}

/// Entries by index, and the edges found between them.
#[derive(Debug, Default)]
pub(crate) struct Graph {
    pub(crate) nodes: Vec<Node>,
    by_key: HashMap<String, Vec<usize>>,
    /// `(from, to)` node indexes.
    pub(crate) edges: Vec<(usize, usize)>,
}

impl Graph {
    pub(crate) fn add(&mut self, node: Node) -> usize {
        let i = self.nodes.len();
        self.by_key.entry(node.key.clone()).or_default().push(i);
        self.nodes.push(node);
        i
    }

    /// The entries a reference names.
    pub(crate) fn find(&self, r: &Ref<'_>) -> Vec<usize> {
        let Some(all) = self.by_key.get(r.key) else {
            return Vec::new();
        };
        all.iter()
            .copied()
            .filter(|&i| {
                self.nodes.get(i).is_some_and(|n| {
                    r.version.is_none_or(|v| n.version.as_deref() == Some(v))
                        && r.source.is_none_or(|s| n.source.as_deref() == Some(s))
                })
            })
            .collect()
    }

    /// Records the edges from entry `from` to what `r` names; warns at `at` when it names nothing,
    /// or several entries where the format promises one. Returns the entries linked.
    pub(crate) fn link(
        &mut self,
        inv: &mut Inventory,
        from: usize,
        r: &Ref<'_>,
        ambiguous: Ambiguous,
        at: &Location,
    ) -> Vec<usize> {
        let found = self.find(r);
        let who = self.nodes.get(from).map_or("?", |n| n.key.as_str());
        match found.len() {
            0 => {
                inv.warn(
                    at.clone(),
                    format!(
                        "`{who}` depends on {}, which is not in the lockfile: edge dropped",
                        r.describe()
                    ),
                );
                return found;
            }
            1 => {}
            n if ambiguous == Ambiguous::Warn => {
                let versions: Vec<&str> = found
                    .iter()
                    .filter_map(|&i| self.nodes.get(i)?.version.as_deref())
                    .collect();
                inv.warn(
                    at.clone(),
                    format!(
                        "`{who}` depends on {}, which names {n} entries ({}): expected a version \
                         and source that tell them apart; edge dropped",
                        r.describe(),
                        versions.join(", ")
                    ),
                );
                return Vec::new();
            }
            _ => {}
        }
        self.edges.extend(found.iter().map(|&to| (from, to)));
        found
    }

    /// The edges as purl pairs, for the inventory.
    pub(crate) fn dependencies(&self) -> Vec<Dependency> {
        self.edges
            .iter()
            .filter_map(|&(from, to)| {
                Some(Dependency {
                    from: self.nodes.get(from)?.purl.clone(),
                    to: self.nodes.get(to)?.purl.clone(),
                })
            })
            .collect()
    }

    /// For each entry: is it the target of an edge from one of `roots`?
    pub(crate) fn direct_from(&self, roots: &[bool]) -> Vec<bool> {
        let mut direct = vec![false; self.nodes.len()];
        for &(from, to) in &self.edges {
            if roots.get(from).copied().unwrap_or(false)
                && let Some(d) = direct.get_mut(to)
            {
                *d = true;
            }
        }
        direct
    }
}
