//! Turning one lockfile entry into a component, for the Cargo, Python and Ruby lockfile parsers:
//! the purl (with a `vcs_url` or `repository_url` qualifier when the entry does not come from
//! the ecosystem's default registry) and hashes written `algorithm:digest`.

use std::collections::HashSet;

use crate::ingest::Location;
use crate::model::purl::Purl;
use crate::model::{Component, Hash, Inventory};

/// The component for `purl`, or a warning at `at` when the parts make no valid purl.
pub(crate) fn component(inv: &mut Inventory, purl: &Purl, at: Location) -> Option<Component> {
    match Component::from_purl(purl, at.clone()) {
        Ok(c) => Some(c),
        Err(e) => {
            inv.warn(at, format!("entry skipped: {e}"));
            None
        }
    }
}

/// The purl string for `purl`, or a warning at `at`.
pub(crate) fn purl_string(inv: &mut Inventory, purl: &Purl, at: &Location) -> Option<String> {
    match purl.to_purl_string() {
        Ok(s) => Some(s),
        Err(e) => {
            inv.warn(at.clone(), format!("entry skipped: {e}"));
            None
        }
    }
}

/// A hash written `sha256:abcd…` (pip, poetry, uv, Pipfile.lock).
pub(crate) fn hash(text: &str) -> Option<Hash> {
    let (algorithm, value) = text.trim().split_once(':')?;
    if algorithm.is_empty() || value.is_empty() {
        return None;
    }
    Some(Hash {
        algorithm: algorithm.to_ascii_lowercase(),
        value: value.to_owned(),
    })
}

/// `hashes` without repeats, in first-seen order (through a set: an entry listing thousands
/// of files costs no more than reading them).
pub(crate) fn unique(hashes: Vec<Hash>) -> Vec<Hash> {
    let mut seen = HashSet::with_capacity(hashes.len());
    hashes
        .into_iter()
        .filter(|h| seen.insert(h.clone()))
        .collect()
}

/// The purl `vcs_url` qualifier for a repository URL at a commit, per the purl spec
/// (`git+https://github.com/x/y@<commit>`). The URL's query (`?branch=…`) and fragment are
/// dropped; the fragment is the commit when `commit` is not given (Cargo's `#<sha>`).
pub(crate) fn vcs_url(url: &str, commit: Option<&str>) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let base = base.split_once('?').map_or(base, |(b, _)| b);
    let base = if base.starts_with("git+") {
        base.to_owned()
    } else {
        format!("git+{base}")
    };
    match commit.or(fragment).filter(|c| !c.is_empty()) {
        Some(c) => format!("{base}@{c}"),
        None => base,
    }
}

/// The project name a PEP 508 requirement starts with (`Flask` in `Flask[async]>=2; python_version>"3"`),
/// when it is a valid name: ASCII letters and digits, with `.`, `_`, `-` inside.
pub(crate) fn leading_name(spec: &str) -> Option<&str> {
    let spec = spec.trim_start();
    let end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .unwrap_or(spec.len());
    let name = spec.get(..end)?;
    let edges_ok = name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    edges_ok.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vcs_urls_carry_the_commit() {
        assert_eq!(
            vcs_url("git+https://github.com/a/b?branch=main#0123abc", None),
            "git+https://github.com/a/b@0123abc"
        );
        assert_eq!(
            vcs_url("https://github.com/a/b.git", Some("ff")),
            "git+https://github.com/a/b.git@ff"
        );
    }

    #[test]
    fn hashes_split_at_the_colon() {
        assert_eq!(
            hash("SHA256:ab").map(|h| (h.algorithm, h.value)),
            Some(("sha256".into(), "ab".into()))
        );
        assert!(hash("ab").is_none());
    }

    #[test]
    fn pep508_names_stop_at_the_first_other_character() {
        assert_eq!(leading_name("Flask[async]>=2"), Some("Flask"));
        assert_eq!(
            leading_name("  zope.interface ; os_name"),
            Some("zope.interface")
        );
        assert_eq!(leading_name("-e ."), None);
        assert_eq!(leading_name("foo-"), None);
    }
}
