//! Alias groups: the union of `aliases` across every feed, symmetric and transitive, so CVE,
//! GHSA, PYSEC, GO, RUSTSEC, DSA and distro ids of one vulnerability form one group.

use std::collections::{BTreeMap, HashMap};

/// Union-find over vulnerability ids.
#[derive(Clone, Debug, Default)]
pub struct AliasGroups {
    index: HashMap<String, usize>,
    parent: Vec<usize>,
    ids: Vec<String>,
}

impl AliasGroups {
    pub fn new() -> AliasGroups {
        AliasGroups::default()
    }

    fn slot(&mut self, id: &str) -> usize {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        let i = self.ids.len();
        self.ids.push(id.to_owned());
        self.parent.push(i);
        self.index.insert(id.to_owned(), i);
        i
    }

    fn root(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    /// Records that `id` and every alias name one vulnerability.
    pub fn add<'a>(&mut self, id: &str, aliases: impl IntoIterator<Item = &'a str>) {
        let first = self.slot(id);
        for alias in aliases {
            let other = self.slot(alias);
            let (a, b) = (self.root(first), self.root(other));
            if a != b {
                // Keep the smaller index as root so results do not depend on insertion details.
                let (keep, join) = if a < b { (a, b) } else { (b, a) };
                self.parent[join] = keep;
            }
        }
    }

    /// Every group with more than zero members, each sorted, keyed by its display id
    /// (the smallest `CVE-` id when there is one, else the smallest id).
    pub fn groups(&mut self) -> BTreeMap<String, Vec<String>> {
        let mut by_root: HashMap<usize, Vec<String>> = HashMap::new();
        for i in 0..self.ids.len() {
            let root = self.root(i);
            by_root.entry(root).or_default().push(self.ids[i].clone());
        }
        by_root
            .into_values()
            .map(|mut members| {
                members.sort();
                (display_id(&members).to_owned(), members)
            })
            .collect()
    }

    /// The display id of the group holding `id`, if `id` is known.
    pub fn group_of(&mut self, id: &str) -> Option<Vec<String>> {
        let i = *self.index.get(id)?;
        let root = self.root(i);
        let mut members = Vec::new();
        for j in 0..self.ids.len() {
            if self.root(j) == root {
                members.push(self.ids[j].clone());
            }
        }
        members.sort();
        Some(members)
    }
}

/// A group's display id: its CVE id when it has one (the smallest), else its smallest id.
pub fn display_id(members: &[String]) -> &str {
    members
        .iter()
        .filter(|m| m.starts_with("CVE-"))
        .min()
        .or_else(|| members.iter().min())
        .map_or("", String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_symmetric_and_transitive() {
        let mut groups = AliasGroups::new();
        groups.add("GHSA-aaaa", ["CVE-2024-1"]);
        groups.add("PYSEC-2024-9", ["GHSA-aaaa"]);
        groups.add("DSA-1", ["CVE-2024-1"]);
        groups.add("RUSTSEC-2024-1", []);
        let all = groups.groups();
        assert_eq!(all.len(), 2);
        assert_eq!(
            all["CVE-2024-1"],
            ["CVE-2024-1", "DSA-1", "GHSA-aaaa", "PYSEC-2024-9"]
        );
        assert_eq!(all["RUSTSEC-2024-1"], ["RUSTSEC-2024-1"]);
        assert_eq!(groups.group_of("DSA-1").unwrap().len(), 4);
        assert_eq!(groups.group_of("unknown"), None);
    }
}
