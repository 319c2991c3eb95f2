//! Debian's dpkg status database (`/var/lib/dpkg/status`), the one-file-per-package
//! `var/lib/dpkg/status.d/<name>` layout of distroless images, and OpenWrt's opkg status file,
//! which uses the same format.
//!
//! The format is deb822: paragraphs separated by blank lines, `Field: value` lines, folded lines
//! starting with a space (`Description`, `Conffiles`). What real files do:
//! - `Status: want flag status` — a package's files are on disk when the third word is
//!   `installed` (dpkg's meaning, as osv-scalibr reads it), whatever was wanted
//!   (`deinstall reinstreq installed` still is); `config-files`, `half-installed`, `unpacked`…
//!   are left out, listed in one warning. `status.d` files have no `Status`: every paragraph of a
//!   file without any `Status` field is installed by definition.
//! - `Source: name` or `Source: name (version)` gives the source package; without it the source
//!   is the binary package itself, and without a version it is the binary's version.
//! - The database does not say its distribution: the os-release file three folders up
//!   (`etc/os-release`; four for `status.d/*`) gives the purl vendor and `distro` qualifier
//!   (`pkg:deb/debian/curl@7.64.0-4?arch=amd64&distro=debian-10`, ecosystem `Debian:10`).
//!   Without it the vendor is guessed (Ubuntu when versions or maintainers say so) and the
//!   release is unknown, with a warning.
//! - opkg status files carry `Installed-Time`: their packages become `pkg:opkg/name@version`
//!   (OSV has no opkg ecosystem, so none is set).
//! - `Depends`/`Pre-Depends` become edges to the installed package of that name (or the one that
//!   `Provides` it; the first installed alternative of `a | b`). A dependency no installed
//!   package satisfies by name is left out silently: dpkg also satisfies dependencies with
//!   packages it does not list here, and the database is the installed truth.
//! - APT's `Packages`/`Sources` indexes look alike but list what a repository offers: refused.

use std::collections::HashMap;

use super::os_release;
use crate::ingest::inventory::{Sniff, Source};
use crate::ingest::{IngestError, Location};
use crate::model::purl::Purl;
use crate::model::{Component, Dependency, Inventory, Scope, SourcePackage};

/// Where os-release is, from `var/lib/dpkg` and from `var/lib/dpkg/status.d`.
const RELEASE_FROM_STATUS: &str = "../../../etc/os-release";
const RELEASE_FROM_STATUS_D: &str = "../../../../etc/os-release";

/// A dpkg or opkg status file: a `Package:` paragraph first, with `Status:` or (status.d)
/// `Version:` and `Architecture:` near it.
pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    if sniff.json.is_some() {
        return false;
    }
    let mut lines = sniff.first_lines(40);
    if !lines.next().is_some_and(|l| is_field(l, "Package")) {
        return false;
    }
    let (mut status, mut version, mut arch) = (false, false, false);
    for line in lines {
        status |= is_field(line, "Status");
        version |= is_field(line, "Version");
        arch |= is_field(line, "Architecture");
    }
    status || (version && arch)
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let paragraphs = paragraphs(src)?;
    let any_status = paragraphs.iter().any(|p| p.status.is_some());
    if !any_status && paragraphs.iter().any(|p| p.apt_index) {
        return Err(IngestError::new(
            src.location(),
            "this is an APT `Packages` or `Sources` index (paragraphs with `Filename:` or \
             `Directory:`), which lists what a repository offers, not what is installed; \
             expected `/var/lib/dpkg/status`",
        ));
    }
    let mut inv = Inventory::default();
    let distro = Distro::new(src, &paragraphs, &mut inv);
    let mut left_out = Vec::new();
    let mut listed = Vec::with_capacity(paragraphs.len());
    for p in &paragraphs {
        match p.state(any_status) {
            State::Installed => {}
            State::NotInstalled(why) => {
                left_out.push(why);
                continue;
            }
            State::Malformed(why) => {
                inv.warn(at_line(src, p.line), why);
                continue;
            }
        }
        if let Some(c) = component(src, p, &distro, &mut inv) {
            listed.push((p, c));
        }
    }
    if !left_out.is_empty() {
        inv.warn(src.location(), not_installed_message(&left_out));
    }
    inv.dependencies = edges(&listed);
    inv.components = listed.into_iter().map(|(_, c)| c).collect();
    Ok(inv)
}

/// One paragraph: the fields Vexil uses, borrowed from the text.
#[derive(Default)]
struct Paragraph<'a> {
    /// The line the paragraph starts on.
    line: usize,
    package: Option<&'a str>,
    status: Option<&'a str>,
    version: Option<&'a str>,
    architecture: Option<&'a str>,
    source: Option<&'a str>,
    maintainer: Option<&'a str>,
    /// `Depends` and `Pre-Depends`, each field as its folded pieces.
    depends: Vec<Vec<&'a str>>,
    provides: Vec<Vec<&'a str>>,
    /// opkg writes `Installed-Time`; dpkg never does.
    installed_time: bool,
    /// APT `Packages` indexes have `Filename`, `Sources` indexes `Directory`; status files
    /// never do.
    apt_index: bool,
}

/// Which list a folded line continues.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Folded {
    Depends,
    Provides,
    Other,
}

impl<'a> Paragraph<'a> {
    fn set(&mut self, name: &str, value: &'a str) -> Folded {
        let slot = match name.to_ascii_lowercase().as_str() {
            "package" => &mut self.package,
            "status" => &mut self.status,
            "version" => &mut self.version,
            "architecture" => &mut self.architecture,
            "source" => &mut self.source,
            "maintainer" => &mut self.maintainer,
            "depends" | "pre-depends" => {
                self.depends.push(vec![value]);
                return Folded::Depends;
            }
            "provides" => {
                self.provides.push(vec![value]);
                return Folded::Provides;
            }
            "installed-time" => {
                self.installed_time = true;
                return Folded::Other;
            }
            "filename" | "directory" => {
                self.apt_index = true;
                return Folded::Other;
            }
            _ => return Folded::Other,
        };
        *slot = Some(value);
        Folded::Other
    }

    fn fold(&mut self, into: Folded, piece: &'a str) {
        let list = match into {
            Folded::Depends => &mut self.depends,
            Folded::Provides => &mut self.provides,
            Folded::Other => return,
        };
        if let Some(last) = list.last_mut() {
            last.push(piece);
        }
    }

    fn state(&self, any_status: bool) -> State {
        let name = match self.package {
            Some(name) if !name.is_empty() => name,
            _ => {
                return State::Malformed(
                    "a paragraph without a package name (`Package:` missing or empty); left out"
                        .to_owned(),
                );
            }
        };
        if self.version.is_none_or(str::is_empty) {
            return State::Malformed(format!(
                "package `{name}` has no `Version:`; left out (expected `Version: 1.2-3`)"
            ));
        }
        let Some(status) = self.status else {
            return if any_status {
                State::NotInstalled(format!("`{name}` (no `Status:` field)"))
            } else {
                State::Installed
            };
        };
        let words: Vec<&str> = status.split_whitespace().collect();
        match words.as_slice() {
            [_, _, "installed"] => State::Installed,
            [_, _, _] => State::NotInstalled(format!("`{name}` (`{status}`)")),
            _ => State::Malformed(format!(
                "package `{name}`: `Status: {status}` is not `want flag status` (three words, \
                 such as `install ok installed`); left out"
            )),
        }
    }
}

enum State {
    Installed,
    NotInstalled(String),
    Malformed(String),
}

fn not_installed_message(left_out: &[String]) -> String {
    const SHOWN: usize = 10;
    let more = left_out.len().saturating_sub(SHOWN);
    let mut list = left_out
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if more > 0 {
        list.push_str(&format!(" and {more} more"));
    }
    format!(
        "{} package(s) not installed (their `Status:` does not end in `installed`) are left out: {list}",
        left_out.len()
    )
}

/// Splits the text into paragraphs. A line that is neither `Field: value`, a folded line nor
/// blank makes the database unreadable, as it does for dpkg.
fn paragraphs<'a>(src: &Source<'a>) -> Result<Vec<Paragraph<'a>>, IngestError> {
    let mut out = Vec::new();
    let mut current: Option<Paragraph<'a>> = None;
    let mut folded = Folded::Other;
    for (i, raw) in src.text.split('\n').enumerate() {
        let number = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            out.extend(current.take());
            folded = Folded::Other;
        } else if line.starts_with([' ', '\t']) {
            let Some(p) = current.as_mut() else {
                return Err(bad_line(
                    src,
                    number,
                    line,
                    "a folded line before any field",
                ));
            };
            p.fold(folded, line.trim());
        } else if !line.starts_with('#') {
            let Some((name, value)) = split_field(line) else {
                return Err(bad_line(src, number, line, "not a `Field: value` line"));
            };
            let p = current.get_or_insert_with(|| Paragraph {
                line: number,
                ..Paragraph::default()
            });
            folded = p.set(name, value.trim());
        }
    }
    out.extend(current);
    Ok(out)
}

fn bad_line(src: &Source<'_>, number: usize, line: &str, what: &str) -> IngestError {
    let shown: String = line.chars().take(60).collect();
    IngestError::new(
        src.location().at(number, 1),
        format!(
            "{what}: `{shown}`; expected `Field: value` lines, folded lines starting with a \
             space, and blank lines between packages"
        ),
    )
}

fn split_field(line: &str) -> Option<(&str, &str)> {
    let (name, value) = line.split_once(':')?;
    let valid = !name.is_empty() && !name.contains(char::is_whitespace);
    valid.then_some((name, value))
}

fn is_field(line: &str, field: &str) -> bool {
    split_field(line).is_some_and(|(name, _)| name.eq_ignore_ascii_case(field))
}

fn at_line(src: &Source<'_>, line: usize) -> Location {
    let mut location = src.location();
    location.line = Some(line);
    location
}

/// How this database's packages are named: purl type, vendor and `distro` qualifier.
struct Distro {
    /// `deb`, or `opkg` for an OpenWrt status file.
    ty: &'static str,
    vendor: String,
    qualifier: Option<String>,
    /// os-release names a distribution that is not Debian or Ubuntu: no OSV ecosystem.
    foreign: bool,
}

impl Distro {
    fn new(src: &Source<'_>, paragraphs: &[Paragraph<'_>], inv: &mut Inventory) -> Distro {
        let (path, release) = match release_text(src) {
            Some((path, text)) => (path, Some(os_release::parse(text))),
            None => (default_release_path(src), None),
        };
        if paragraphs.iter().any(|p| p.installed_time) {
            return Distro {
                ty: "opkg",
                vendor: String::new(),
                qualifier: release.and_then(|r| r.deb_distro()),
                foreign: false,
            };
        }
        if let Some(release) = release.filter(|r| r.id.is_some()) {
            let vendor = release.id.clone().unwrap_or_default();
            let foreign = !matches!(vendor.as_str(), "debian" | "ubuntu");
            if foreign {
                inv.warn(
                    src.location(),
                    format!(
                        "`{path}` says `ID={vendor}`, which is neither Debian nor Ubuntu: the \
                         packages are listed as `pkg:deb/{vendor}/…` without an OSV ecosystem"
                    ),
                );
            }
            return Distro {
                ty: "deb",
                qualifier: release.deb_distro(),
                vendor,
                foreign,
            };
        }
        let vendor = if looks_ubuntu(paragraphs) {
            "ubuntu"
        } else {
            "debian"
        };
        inv.warn(
            src.location(),
            format!(
                "no os-release with an `ID` beside the database (looked for `{path}`): the \
                 release is unknown, so the ecosystem has no version; the vendor `{vendor}` is \
                 guessed from the packages' versions and maintainers"
            ),
        );
        Distro {
            ty: "deb",
            vendor: vendor.to_owned(),
            qualifier: None,
            foreign: false,
        }
    }

    fn purl(&self, name: &str, version: &str, arch: Option<&str>) -> Purl {
        let purl = match self.ty {
            "deb" => Purl::os("deb", &self.vendor, name, Some(version)),
            _ => Purl::package(self.ty, name, Some(version)),
        };
        purl.qualifier("arch", arch.unwrap_or(""))
            .qualifier("distro", self.qualifier.as_deref().unwrap_or(""))
    }
}

fn in_status_d(name: &str) -> bool {
    name.contains("/status.d/") || name.starts_with("status.d/")
}

fn default_release_path(src: &Source<'_>) -> &'static str {
    if in_status_d(src.name) {
        RELEASE_FROM_STATUS_D
    } else {
        RELEASE_FROM_STATUS
    }
}

/// The os-release companion: three folders up from `var/lib/dpkg/status`, four from
/// `var/lib/dpkg/status.d/<name>`.
fn release_text<'a>(src: &Source<'a>) -> Option<(&'static str, &'a str)> {
    let order = if in_status_d(src.name) {
        [RELEASE_FROM_STATUS_D, RELEASE_FROM_STATUS]
    } else {
        [RELEASE_FROM_STATUS, RELEASE_FROM_STATUS_D]
    };
    order
        .into_iter()
        .find_map(|path| src.related(path).map(|text| (path, text)))
}

/// Ubuntu builds put `ubuntu` in versions (`1.2-3ubuntu1`) and Ubuntu's lists in `Maintainer`;
/// a version is decisive, maintainers only by majority (Debian has maintainers at ubuntu.com).
fn looks_ubuntu(paragraphs: &[Paragraph<'_>]) -> bool {
    if paragraphs
        .iter()
        .any(|p| p.version.is_some_and(|v| v.contains("ubuntu")))
    {
        return true;
    }
    let ubuntu = paragraphs
        .iter()
        .filter(|p| {
            p.maintainer
                .is_some_and(|m| m.to_ascii_lowercase().contains("lists.ubuntu.com"))
        })
        .count();
    ubuntu * 2 > paragraphs.len()
}

fn component(
    src: &Source<'_>,
    p: &Paragraph<'_>,
    distro: &Distro,
    inv: &mut Inventory,
) -> Option<Component> {
    let name = p.package.unwrap_or_default();
    let version = p.version.unwrap_or_default();
    let purl = distro.purl(name, version, p.architecture);
    let mut c = match Component::from_purl(&purl, at_line(src, p.line)) {
        Ok(c) => c,
        Err(e) => {
            inv.warn(
                at_line(src, p.line),
                format!("package `{name}`: {e}; left out"),
            );
            return None;
        }
    };
    if distro.foreign {
        c.ecosystem = None;
    }
    c.scope = Some(Scope::Runtime);
    c.source = Some(source_package(p.source, name, version));
    Some(c)
}

/// `Source: name (version)`, `Source: name`, or the binary package itself.
fn source_package(field: Option<&str>, name: &str, version: &str) -> SourcePackage {
    let field = field.map(str::trim).filter(|s| !s.is_empty());
    let (source, source_version) = match field {
        None => (name, version),
        Some(s) => match s.split_once('(') {
            Some((n, v)) => (n.trim(), v.trim().trim_end_matches(')').trim()),
            None => (s, version),
        },
    };
    SourcePackage {
        name: source.to_owned(),
        version: Some(source_version.to_owned()).filter(|v| !v.is_empty()),
    }
}

/// `Depends`/`Pre-Depends` edges to installed packages, by name or by what they provide.
fn edges(listed: &[(&Paragraph<'_>, Component)]) -> Vec<Dependency> {
    let mut by_name: HashMap<&str, &str> = HashMap::with_capacity(listed.len());
    for (p, c) in listed {
        by_name
            .entry(p.package.unwrap_or_default())
            .or_insert(c.purl.as_str());
    }
    for (p, c) in listed {
        for name in p.provides.iter().flat_map(|f| relation_names(f)) {
            by_name.entry(name).or_insert(c.purl.as_str());
        }
    }
    let mut out = Vec::new();
    for (p, c) in listed {
        for field in &p.depends {
            let joined = field.join(" ");
            for item in joined.split(',') {
                let target = item
                    .split('|')
                    .find_map(|alt| by_name.get(relation_name(alt)).copied());
                if let Some(to) = target.filter(|to| *to != c.purl) {
                    out.push(Dependency {
                        from: c.purl.clone(),
                        to: to.to_owned(),
                    });
                }
            }
        }
    }
    out
}

/// The package names of a relation field (`a (>= 1), b:any | c`), folded pieces included.
fn relation_names<'a>(pieces: &'a [&'a str]) -> impl Iterator<Item = &'a str> {
    pieces
        .iter()
        .flat_map(|piece| piece.split([',', '|']))
        .map(relation_name)
        .filter(|n| !n.is_empty())
}

/// `libc6:any (>= 2.34) [amd64]` → `libc6`.
fn relation_name(item: &str) -> &str {
    let item = item.trim();
    let end = item
        .find(|c: char| c.is_whitespace() || c == '(' || c == '[' || c == ':')
        .unwrap_or(item.len());
    item.get(..end).unwrap_or(item)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_field_forms() {
        let s = source_package(
            Some("util-linux (2.38.1-5)"),
            "util-linux-extra",
            "2.38.1-5+b1",
        );
        assert_eq!(
            (s.name.as_str(), s.version.as_deref()),
            ("util-linux", Some("2.38.1-5"))
        );
        let s = source_package(Some("acl"), "libacl1", "2.3.1-3");
        assert_eq!(
            (s.name.as_str(), s.version.as_deref()),
            ("acl", Some("2.3.1-3"))
        );
        let s = source_package(None, "acl", "2.3.1-3");
        assert_eq!(
            (s.name.as_str(), s.version.as_deref()),
            ("acl", Some("2.3.1-3"))
        );
    }

    #[test]
    fn relation_names_drop_versions_and_arch() {
        assert_eq!(relation_name(" libc6:any (>= 2.34) [amd64]"), "libc6");
        let pieces = ["debconf (>= 0.5) | debconf-2.0,", "libpam0g"];
        let names: Vec<&str> = relation_names(&pieces).collect();
        assert_eq!(names, ["debconf", "debconf-2.0", "libpam0g"]);
    }
}
