//! An install tree (npm's `node_modules` paths, bun's name paths) as folder ids, so resolving a
//! dependency walks up parent ids with one hash lookup of the name per level, instead of
//! building ever longer path strings: O(depth) per lookup however long the paths are.

use std::collections::HashMap;

/// How far up a lookup walks. Real trees nest a few dozen levels at most; a file nesting deeper
/// is hostile or broken, and its lookups stop instead of costing depth × dependencies.
pub(super) const MAX_DEPTH: usize = 256;

/// Folders that hold packages, each with the nearest enclosing folder that also does.
#[derive(Debug)]
pub(super) struct Tree<'a> {
    ids: HashMap<&'a str, usize>,
    up: Vec<Option<usize>>,
    /// `(folder, name)` → the entry installed there under that name.
    children: HashMap<(usize, &'a str), usize>,
}

/// What a lookup found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Lookup {
    Found(usize),
    Missing,
    /// The walk passed [`MAX_DEPTH`] folders.
    TooDeep,
}

impl<'a> Tree<'a> {
    /// `installed`: `(entry, folder, name)` for each package (the first placement of a name in a
    /// folder wins); `starts`: the folders lookups begin from. The root is `""`.
    pub(super) fn new(
        installed: impl IntoIterator<Item = (usize, &'a str, &'a str)>,
        starts: impl IntoIterator<Item = &'a str>,
    ) -> Tree<'a> {
        let mut tree = Tree {
            ids: HashMap::new(),
            up: Vec::new(),
            children: HashMap::new(),
        };
        let mut folders: Vec<&'a str> = Vec::new();
        let mut id = |ids: &mut HashMap<&'a str, usize>, folder: &'a str| {
            *ids.entry(folder).or_insert_with(|| {
                folders.push(folder);
                folders.len() - 1
            })
        };
        id(&mut tree.ids, "");
        for (entry, folder, name) in installed {
            let f = id(&mut tree.ids, folder);
            tree.children.entry((f, name)).or_insert(entry);
        }
        for folder in starts {
            id(&mut tree.ids, folder);
        }
        tree.up = enclosing(&folders);
        tree
    }

    pub(super) fn folder(&self, path: &str) -> Option<usize> {
        self.ids.get(path).copied()
    }

    /// `name` as seen from `folder`: installed there, or in the nearest enclosing folder.
    pub(super) fn resolve(&self, folder: usize, name: &str) -> Lookup {
        let mut at = Some(folder);
        for _ in 0..MAX_DEPTH {
            let Some(f) = at else {
                return Lookup::Missing;
            };
            if let Some(&entry) = self.children.get(&(f, name)) {
                return Lookup::Found(entry);
            }
            at = self.up.get(f).copied().flatten();
        }
        match at {
            None => Lookup::Missing,
            Some(_) => Lookup::TooDeep,
        }
    }
}

/// For each folder, the nearest other folder that is a path prefix of it (at a `/`). Sorted by
/// path segments, a folder's descendants follow it directly, so one stack finds every parent:
/// linear in the total length of the paths after the sort.
fn enclosing(folders: &[&str]) -> Vec<Option<usize>> {
    let mut order: Vec<usize> = (0..folders.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (folders[a], folders[b]);
        a.split('/').cmp(b.split('/'))
    });
    let mut up = vec![None; folders.len()];
    let mut stack: Vec<usize> = Vec::new();
    for f in order {
        while let Some(&top) = stack.last() {
            if contains(folders[top], folders[f]) {
                break;
            }
            stack.pop();
        }
        up[f] = stack.last().copied();
        stack.push(f);
    }
    up
}

/// `outer` is a proper ancestor folder of `inner`.
fn contains(outer: &str, inner: &str) -> bool {
    (outer.is_empty() && !inner.is_empty())
        || inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_walk_to_the_nearest_enclosing_folder() {
        // npm-style: a/node_modules/b is a's own b; `a-b` must not pass for a child of `a`.
        let installed = [
            (0, "", "a"),
            (1, "node_modules/a", "b"),
            (2, "", "b"),
            (3, "node_modules/a-b", "c"),
        ];
        let starts = [
            "node_modules/a",
            "node_modules/a/node_modules/b",
            "node_modules/a-b",
        ];
        let tree = Tree::new(installed, starts);
        let from = |p: &str| tree.folder(p).expect("known folder");
        assert_eq!(
            tree.resolve(from("node_modules/a/node_modules/b"), "b"),
            Lookup::Found(1)
        );
        assert_eq!(
            tree.resolve(from("node_modules/a-b"), "b"),
            Lookup::Found(2)
        );
        assert_eq!(tree.resolve(from("node_modules/a"), "c"), Lookup::Missing);
        assert_eq!(tree.resolve(from(""), "a"), Lookup::Found(0));
    }

    #[test]
    fn deep_trees_stop_at_the_cap() {
        let paths: Vec<String> = (0..MAX_DEPTH + 10)
            .map(|d| vec!["x"; d + 1].join("/"))
            .collect();
        let tree = Tree::new(
            paths.iter().map(|p| (0, p.as_str(), "y")).skip(1),
            paths.iter().map(String::as_str),
        );
        let deepest = tree.folder(&paths[paths.len() - 1]).expect("known");
        assert_eq!(tree.resolve(deepest, "y"), Lookup::Found(0));
        assert_eq!(tree.resolve(deepest, "z"), Lookup::TooDeep);
    }
}
