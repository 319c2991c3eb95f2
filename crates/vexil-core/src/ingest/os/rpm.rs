//! RPM package lists. RPM's database is binary (Berkeley DB, SQLite or ndb), so what Vexil reads
//! is what `rpm -qa --queryformat` printed inside the image, in one of these shapes:
//! - text, tab-separated, one package per line, in one of three column sets:
//!   `%{NAME}\t%{EPOCH}:%{VERSION}-%{RELEASE}\t%{SIZE}\n` (3 columns; producers strip a
//!   `(none):` or `0:` epoch), the same with `%{MODULARITYLABEL}\t` in front (4 columns,
//!   `(none)` outside modules), or CBL-Mariner/Azure Linux's `var/lib/rpmmanifest/
//!   container-manifest-2` (10 columns: `%{NAME}\t%{VERSION}-%{RELEASE}\t%{INSTALLTIME}\t
//!   %{BUILDTIME}\t%{VENDOR}\t%{EPOCH}\t%{SIZE}\t%{ARCH}\t%{EPOCHNUM}\t%{SOURCERPM}`);
//! - JSON: an array of `{name, version, release, epoch?, size, arch?}` (epoch only when set).
//!
//! Purls follow the purl spec for rpm: `pkg:rpm/<vendor>/name@version-release?arch=…&epoch=N
//! &distro=<vendor>-<release>`; the component's version is rpm's EVR (`1:2-11.amzn2`), which is
//! what version comparison needs. The vendor comes from the distribution's release package
//! (`centos-release`, `redhat-release`, `fedora-release*`, Amazon's `system-release`,
//! `mariner-release`…), else from a known `%{VENDOR}`; otherwise the purls have no namespace and
//! a warning says so. `gpg-pubkey` entries are imported signing keys, not packages: left out.
//! Only the 10-column manifest names the source RPM, which becomes the source package.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::ingest::inventory::{Sniff, Source};
use crate::ingest::{IngestError, Location};
use crate::model::purl::Purl;
use crate::model::{Component, Inventory, Scope, SourcePackage};

/// The queryformats the text form accepts, for error messages.
const QUERYFORMATS: &str = "`%{NAME}\\t%{EPOCH}:%{VERSION}-%{RELEASE}\\t%{SIZE}\\n` (3 columns), \
    `%{MODULARITYLABEL}\\t%{NAME}\\t%{EPOCH}:%{VERSION}-%{RELEASE}\\t%{SIZE}\\n` (4), or the \
    10 columns of a CBL-Mariner container-manifest-2";

/// A JSON array whose first element has `name`, `version` and `release`.
pub(crate) fn looks_like_json(sniff: &Sniff<'_>) -> bool {
    ["name", "version", "release"]
        .iter()
        .all(|k| sniff.array_of_key(k))
}

pub fn parse_json(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let json_error = |e: serde_json::Error| IngestError::json(src.name, None, &e);
    if !src.text.trim_start().starts_with('[') {
        serde_json::from_str::<IgnoredAny>(src.text).map_err(json_error)?;
        return Err(not_a_list(src));
    }
    let value: JsonList<'_> = serde_json::from_str(src.text).map_err(json_error)?;
    let JsonList(packages) = value;
    let rows = packages.iter().enumerate().map(|(i, p)| Row {
        location: src.location().field(format!("/{i}")),
        name: &p.name,
        epoch: p.epoch.map(|e| Cow::Owned(e.to_string())),
        version: &p.version,
        release: &p.release,
        arch: p.arch.as_deref(),
        vendor: None,
        source_rpm: None,
    });
    Ok(inventory(src, rows.collect()))
}

fn not_a_list(src: &Source<'_>) -> IngestError {
    IngestError::new(
        src.location(),
        "valid JSON but not an RPM package list: expected an array of objects with `name`, \
         `version`, `release` (and optionally `epoch`, `arch`, `size`)",
    )
}

/// The JSON form: an array of packages.
#[derive(Deserialize)]
struct JsonList<'a>(#[serde(borrow)] Vec<JsonPackage<'a>>);

#[derive(Deserialize)]
struct JsonPackage<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    version: Cow<'a, str>,
    #[serde(borrow)]
    release: Cow<'a, str>,
    #[serde(default)]
    epoch: Option<u64>,
    #[serde(default, borrow)]
    arch: Option<Cow<'a, str>>,
    #[serde(default, rename = "size")]
    _size: Option<IgnoredAny>,
}

/// Tab-separated lines in one of the three column sets (see the module doc): the first line
/// and most of the next few (a stray line is left for the parser to report with its number).
pub(crate) fn looks_like_text(sniff: &Sniff<'_>) -> bool {
    if sniff.json.is_some() {
        return false;
    }
    let layouts: Vec<Option<Layout>> = sniff
        .first_lines(5)
        .map(|line| Layout::of(&line.split('\t').collect::<Vec<_>>()))
        .collect();
    let Some(Some(first)) = layouts.first().copied() else {
        return false;
    };
    let same = layouts.iter().filter(|l| **l == Some(first)).count();
    same * 2 >= layouts.len()
}

pub fn parse_text(src: &Source<'_>) -> Result<Inventory, IngestError> {
    // The first line's column set, and that line's number.
    let mut layout: Option<(Layout, usize)> = None;
    let mut rows = Vec::new();
    for (i, raw) in src.text.split('\n').enumerate() {
        let number = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            continue;
        }
        let columns: Vec<&str> = line.split('\t').collect();
        let (this, first) = match layout {
            Some(known) => known,
            None => *layout.insert((
                Layout::of(&columns).ok_or_else(|| {
                    text_error(
                        src,
                        number,
                        format!("{} tab-separated columns", columns.len()),
                    )
                })?,
                number,
            )),
        };
        if columns.len() != this.width() {
            let found = format!(
                "{} tab-separated columns where line {first} had {}",
                columns.len(),
                this.width()
            );
            return Err(text_error(src, number, found));
        }
        rows.push(this.row(src, number, &columns));
    }
    Ok(inventory(src, rows))
}

fn text_error(src: &Source<'_>, line: usize, found: String) -> IngestError {
    IngestError::new(
        src.location().at(line, 1),
        format!("found {found}; expected lines printed by `rpm -qa --queryformat` {QUERYFORMATS}"),
    )
}

/// The column set of the text form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    /// NAME, [EPOCH:]VERSION-RELEASE, SIZE.
    Plain,
    /// MODULARITYLABEL, NAME, [EPOCH:]VERSION-RELEASE, SIZE.
    Modules,
    /// NAME, VERSION-RELEASE, INSTALLTIME, BUILDTIME, VENDOR, EPOCH, SIZE, ARCH, EPOCHNUM,
    /// SOURCERPM.
    Manifest,
}

impl Layout {
    fn of(columns: &[&str]) -> Option<Layout> {
        let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let evr = |s: &str| s.contains('-') && !s.contains(char::is_whitespace);
        match columns {
            [name, v, size] if !name.is_empty() && evr(v) && number(size) => Some(Layout::Plain),
            [_, name, v, size] if !name.is_empty() && evr(v) && number(size) => {
                Some(Layout::Modules)
            }
            [name, v, installed, built, _, _, size, _, _, _]
                if !name.is_empty()
                    && evr(v)
                    && number(installed)
                    && number(built)
                    && number(size) =>
            {
                Some(Layout::Manifest)
            }
            _ => None,
        }
    }

    fn width(self) -> usize {
        match self {
            Layout::Plain => 3,
            Layout::Modules => 4,
            Layout::Manifest => 10,
        }
    }

    /// One line's row; the caller checked the width.
    fn row<'a>(self, src: &Source<'_>, line: usize, columns: &[&'a str]) -> Row<'a> {
        let column = |i: usize| columns.get(i).copied().unwrap_or_default();
        let location = src.location().at(line, 1);
        let (name, evr) = match self {
            Layout::Plain | Layout::Manifest => (column(0), column(1)),
            Layout::Modules => (column(1), column(2)),
        };
        let (epoch, version_release) = match evr.split_once(':') {
            Some((e, vr)) if e == "(none)" || e.bytes().all(|b| b.is_ascii_digit()) => (e, vr),
            _ => ("", evr),
        };
        let (version, release) = version_release
            .rsplit_once('-')
            .unwrap_or((version_release, ""));
        let manifest = self == Layout::Manifest;
        Row {
            location,
            name,
            epoch: Some(Cow::Borrowed(if manifest { column(5) } else { epoch })),
            version,
            release,
            arch: manifest.then(|| column(7)),
            vendor: manifest.then(|| column(4)),
            source_rpm: manifest.then(|| column(9)),
        }
    }
}

/// One package, whichever form it came from.
struct Row<'a> {
    location: Location,
    name: &'a str,
    epoch: Option<Cow<'a, str>>,
    version: &'a str,
    release: &'a str,
    arch: Option<&'a str>,
    vendor: Option<&'a str>,
    source_rpm: Option<&'a str>,
}

impl Row<'_> {
    /// The epoch when it is set and not 0 (rpm treats a missing epoch as 0).
    fn epoch(&self) -> Option<&str> {
        self.epoch
            .as_deref()
            .filter(|e| !e.is_empty() && *e != "(none)" && !e.trim_start_matches('0').is_empty())
    }
}

fn inventory(src: &Source<'_>, rows: Vec<Row<'_>>) -> Inventory {
    let mut inv = Inventory::default();
    let distro = Distro::of(&rows);
    if distro.vendor.is_none() {
        inv.warn(
            src.location(),
            "the distribution is unknown (no release package such as `centos-release`, \
             `redhat-release`, `fedora-release` or Amazon's `system-release`, and no known \
             vendor): the purls have no vendor namespace and no `distro`",
        );
    }
    for row in rows.iter().filter(|r| r.name != "gpg-pubkey") {
        if let Some(c) = component(row, &distro, &mut inv) {
            inv.components.push(c);
        }
    }
    inv
}

fn component(row: &Row<'_>, distro: &Distro, inv: &mut Inventory) -> Option<Component> {
    if row.release.is_empty() || row.version.is_empty() {
        inv.warn(
            row.location.clone(),
            format!(
                "package `{}`: `{}` is not `VERSION-RELEASE`; left out",
                row.name, row.version
            ),
        );
        return None;
    }
    let version_release = format!("{}-{}", row.version, row.release);
    let purl = match &distro.vendor {
        Some(vendor) => Purl::os("rpm", vendor, row.name, Some(&version_release)),
        None => Purl::package("rpm", row.name, Some(&version_release)),
    };
    let purl = purl
        .qualifier("arch", row.arch.unwrap_or(""))
        .qualifier("epoch", row.epoch().unwrap_or(""))
        .qualifier("distro", distro.qualifier.as_deref().unwrap_or(""));
    let mut c = match Component::from_purl(&purl, row.location.clone()) {
        Ok(c) => c,
        Err(e) => {
            inv.warn(
                row.location.clone(),
                format!("package `{}`: {e}; left out", row.name),
            );
            return None;
        }
    };
    c.version = Some(match row.epoch() {
        Some(epoch) => format!("{epoch}:{version_release}"),
        None => version_release,
    });
    c.scope = Some(Scope::Runtime);
    c.source = row.source_rpm.and_then(source_package);
    Some(c)
}

/// `glibc-2.35-2.cm2.src.rpm` → `glibc` at `2.35-2.cm2`.
fn source_package(rpm: &str) -> Option<SourcePackage> {
    let nvr = rpm
        .strip_suffix(".src.rpm")
        .or_else(|| rpm.strip_suffix(".nosrc.rpm"))?;
    let (name_version, release) = nvr.rsplit_once('-')?;
    let (name, version) = name_version.rsplit_once('-')?;
    (!name.is_empty()).then(|| SourcePackage {
        name: name.to_owned(),
        version: Some(format!("{version}-{release}")),
    })
}

/// The distribution the list comes from.
struct Distro {
    /// Purl namespace (`centos`, `redhat`, `fedora`, `amzn`, `mariner`…).
    vendor: Option<String>,
    /// `distro` qualifier: `<vendor>-<release package version>` (`centos-7`, `redhat-8.1`).
    qualifier: Option<String>,
}

impl Distro {
    fn of(rows: &[Row<'_>]) -> Distro {
        let marked = rows
            .iter()
            .find_map(|r| release_vendor(r.name, r.release).map(|vendor| (vendor, r.version)));
        if let Some((vendor, version)) = marked {
            return Distro {
                vendor: Some(vendor.to_owned()),
                qualifier: Some(format!("{vendor}-{version}")),
            };
        }
        let vendor = rows
            .iter()
            .find_map(|r| r.vendor.and_then(known_vendor))
            .map(str::to_owned);
        Distro {
            vendor,
            qualifier: None,
        }
    }
}

/// The vendor a distribution's release package names.
fn release_vendor(name: &str, release: &str) -> Option<&'static str> {
    Some(match name {
        "redhat-release" | "redhat-release-server" => "redhat",
        "fedora-release" => "fedora",
        n if n.starts_with("fedora-release-") => "fedora",
        n if n.starts_with("centos-") && n.ends_with("-release") => "centos",
        "centos-release" => "centos",
        "rocky-release" => "rocky",
        "almalinux-release" => "almalinux",
        "oraclelinux-release" => "oracle",
        "mariner-release" => "mariner",
        "azurelinux-release" => "azurelinux",
        "openEuler-release" => "openeuler",
        "system-release" if release.contains("amzn") => "amzn",
        _ => return None,
    })
}

/// A `%{VENDOR}` value Vexil can name a purl namespace after.
fn known_vendor(vendor: &str) -> Option<&'static str> {
    let v = vendor.to_ascii_lowercase();
    Some(match () {
        () if v.starts_with("red hat") => "redhat",
        () if v.starts_with("centos") => "centos",
        () if v.starts_with("fedora") => "fedora",
        () if v.starts_with("amazon") => "amzn",
        () if v.starts_with("rocky") => "rocky",
        () if v.starts_with("almalinux") => "almalinux",
        () if v.starts_with("oracle") => "oracle",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_rpm_names_split() {
        let s = source_package("glibc-2.35-2.cm2.src.rpm").expect("source");
        assert_eq!(
            (s.name.as_str(), s.version.as_deref()),
            ("glibc", Some("2.35-2.cm2"))
        );
        assert!(source_package("(none)").is_none());
    }

    #[test]
    fn layouts_are_told_apart() {
        assert_eq!(
            Layout::of(&["bash", "1:5.1-2.el9", "7717551"]),
            Some(Layout::Plain)
        );
        assert_eq!(
            Layout::of(&["(none)", "bash", "5.1-2.el9", "1"]),
            Some(Layout::Modules)
        );
        assert_eq!(Layout::of(&["bash", "5.1", "1"]), None);
        assert_eq!(Layout::of(&["a", "b"]), None);
    }
}
