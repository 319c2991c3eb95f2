//! `/etc/os-release` (freedesktop os-release(5)): which distribution and release an OS package
//! database belongs to. Read only as a companion of a dpkg or apk database (the databases do not
//! say their release); on its own it is not an inventory and is refused with a pointer to them.

use crate::ingest::inventory::Sniff;

/// The os-release fields that name a distribution and its release.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct OsRelease {
    /// `ID`, lowercase (`debian`, `ubuntu`, `alpine`, `wolfi`).
    pub(crate) id: Option<String>,
    /// `VERSION_ID` (`12`, `22.04`, `3.18.4`).
    pub(crate) version_id: Option<String>,
    /// `VERSION_CODENAME` (`bookworm`), set by Debian and Ubuntu.
    pub(crate) version_codename: Option<String>,
}

impl OsRelease {
    /// The purl `distro` qualifier for a Debian-family release: `debian-12`, else the codename
    /// (Debian testing and sid have no `VERSION_ID`).
    pub(crate) fn deb_distro(&self) -> Option<String> {
        match (&self.id, &self.version_id) {
            (Some(id), Some(version)) => Some(format!("{id}-{version}")),
            _ => self.version_codename.clone(),
        }
    }
}

/// Reads os-release text: `KEY=value` lines, values optionally in single or double quotes (the
/// shell-like quoting the format allows), `#` comments. Unknown keys and odd lines are ignored:
/// the file only refines what the database says.
pub(crate) fn parse(text: &str) -> OsRelease {
    let mut out = OsRelease::default();
    for line in text.lines() {
        let Some((key, value)) = assignment(line) else {
            continue;
        };
        let value = unquote(value.trim());
        if value.is_empty() {
            continue;
        }
        match key {
            "ID" => out.id = Some(value.to_ascii_lowercase()),
            "VERSION_ID" => out.version_id = Some(value),
            "VERSION_CODENAME" => out.version_codename = Some(value),
            _ => {}
        }
    }
    out
}

/// An os-release file: its first meaningful lines are all `KEY=value` assignments, one of them
/// `ID=`.
pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    let mut lines = sniff
        .text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .take(20)
        .peekable();
    if lines.peek().is_none() {
        return false;
    }
    let mut has_id = false;
    for line in lines {
        match assignment(line) {
            Some((key, _)) => has_id |= key == "ID",
            None => return false,
        }
    }
    has_id
}

/// `KEY=value` with an uppercase key (`[A-Z0-9_]`), as os-release(5) defines variables.
fn assignment(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.trim().split_once('=')?;
    let valid = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    valid.then_some((key, value))
}

/// Removes one level of shell quoting: `"a \"b\""` → `a "b"`, `'a b'` → `a b`.
fn unquote(value: &str) -> String {
    if let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.extend(chars.next()),
                c => out.push(c),
            }
        }
        return out;
    }
    match value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        Some(inner) => inner.to_owned(),
        None => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_and_bare_values() {
        let r = parse(
            "# c\nID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME='bookworm'\nX=\"a \\\"b\\\"\"\n",
        );
        assert_eq!(r.id.as_deref(), Some("debian"));
        assert_eq!(r.version_id.as_deref(), Some("12"));
        assert_eq!(r.deb_distro().as_deref(), Some("debian-12"));
        let sid = parse("ID=debian\nVERSION_CODENAME=trixie\n");
        assert_eq!(sid.deb_distro().as_deref(), Some("trixie"));
    }

    #[test]
    fn recognises_only_assignment_files() {
        let looks = |text: &str| looks_like(&Sniff::new("os-release", text));
        assert!(looks(
            "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.18.4\n"
        ));
        assert!(!looks("ID=alpine\nPackage: x\n"));
        assert!(!looks("NAME=x\n"));
        assert!(!looks(""));
    }
}
