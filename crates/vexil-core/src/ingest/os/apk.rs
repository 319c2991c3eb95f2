//! Alpine's apk installed database (`/lib/apk/db/installed`; Wolfi and Chainguard images use it
//! too): the APKINDEX record format, read by the APKINDEX parser (`advisory/apkindex.rs`), except
//! that a record without `P:` or `V:` is left out with a warning.
//!
//! Each record gives `P:` name, `V:` version, `A:` arch, `o:` origin (the source package, built
//! at the same version), `L:` licence, `C:` checksum (`Q1` + base64 SHA-1, kept as hex SHA-1),
//! `D:` dependencies and `p:` what the package provides. Records may omit fields; a line that is
//! not `K:value` makes the database unreadable (syft's `corrupt` fixture).
//!
//! The database does not say its release: os-release three folders up (`etc/os-release`) gives
//! the purl vendor (`ID`) and `distro` qualifier (`VERSION_ID`):
//! `pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=3.18.4`, ecosystem `Alpine:v3.18`. Without
//! it the vendor is `alpine`, the release unknown, with a warning.
//!
//! `D:` entries (`so:libc.musl-x86_64.so.1`, `/bin/sh`, `pkg=1.0-r0`) become edges to the
//! installed package of that name or the one that provides it (`p:`); `!conflicts` and
//! dependencies no installed package names (a file another package owns) are left out silently.

use std::collections::HashMap;

use base64::Engine as _;

use super::os_release;
use crate::ingest::IngestError;
use crate::ingest::advisory::apkindex::{ApkIndexEntry, parse_installed};
use crate::ingest::inventory::{Sniff, Source};
use crate::model::purl::Purl;
use crate::model::{Component, Dependency, Hash, Inventory, Scope, SourcePackage};

/// Where os-release is, from `lib/apk/db`.
const RELEASE_PATH: &str = "../../../etc/os-release";

/// Distributions whose apk packages OSV has an ecosystem for (see `Purl::ecosystem`).
const KNOWN_VENDORS: &[&str] = &["alpine", "wolfi", "chainguard"];

/// An apk database: its first lines are single-letter `K:value` fields with `P:` and `V:`
/// among them (one stray line is tolerated so that a damaged database is reported by the
/// parser, with its line, rather than as an unknown format).
pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    if sniff.json.is_some() {
        return false;
    }
    let (mut fields, mut other, mut name, mut version) = (0, 0, false, false);
    for line in sniff.first_lines(12) {
        match key(line) {
            Some(k) => {
                fields += 1;
                name |= k == 'P';
                version |= k == 'V';
            }
            None => other += 1,
        }
    }
    fields >= 2 && other <= 1 && name && version
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let parsed = parse_installed(src.text.as_bytes(), src.name).map_err(|mut e| {
        e.message = e
            .message
            .replace("an APKINDEX", "an apk installed database");
        e
    })?;
    let mut inv = Inventory {
        warnings: parsed.warnings,
        ..Inventory::default()
    };
    let distro = Distro::new(src, &mut inv);
    let mut listed = Vec::with_capacity(parsed.records.len());
    for entry in &parsed.records {
        if let Some(c) = component(src, entry, &distro, &mut inv) {
            listed.push((entry, c));
        }
    }
    inv.dependencies = edges(&listed);
    inv.components = listed.into_iter().map(|(_, c)| c).collect();
    Ok(inv)
}

fn key(line: &str) -> Option<char> {
    let mut chars = line.chars();
    let k = chars.next().filter(char::is_ascii_alphabetic)?;
    (chars.next() == Some(':')).then_some(k)
}

/// The purl vendor and `distro` qualifier of this database's packages.
struct Distro {
    vendor: String,
    qualifier: Option<String>,
    /// os-release names a distribution OSV has no apk ecosystem for.
    foreign: bool,
}

impl Distro {
    fn new(src: &Source<'_>, inv: &mut Inventory) -> Distro {
        let release = src.related(RELEASE_PATH).map(os_release::parse);
        let Some((id, release)) = release.and_then(|r| Some((r.id.clone()?, r))) else {
            inv.warn(
                src.location(),
                format!(
                    "no os-release with an `ID` beside the database (looked for \
                     `{RELEASE_PATH}`): the packages are taken as Alpine's, release unknown, so \
                     the ecosystem has no version"
                ),
            );
            return Distro {
                vendor: "alpine".to_owned(),
                qualifier: None,
                foreign: false,
            };
        };
        let foreign = !KNOWN_VENDORS.contains(&id.as_str());
        if foreign {
            inv.warn(
                src.location(),
                format!(
                    "`{RELEASE_PATH}` says `ID={id}`, which is not Alpine, Wolfi or Chainguard: \
                     the packages are listed as `pkg:apk/{id}/…` without an OSV ecosystem"
                ),
            );
        }
        Distro {
            vendor: id,
            qualifier: release.version_id,
            foreign,
        }
    }
}

fn component(
    src: &Source<'_>,
    entry: &ApkIndexEntry,
    distro: &Distro,
    inv: &mut Inventory,
) -> Option<Component> {
    let mut location = src.location();
    location.line = Some(entry.line);
    let purl = Purl::os("apk", &distro.vendor, &entry.name, Some(&entry.version))
        .qualifier("arch", entry.arch.as_deref().unwrap_or(""))
        .qualifier("distro", distro.qualifier.as_deref().unwrap_or(""));
    let mut c = match Component::from_purl(&purl, location.clone()) {
        Ok(c) => c,
        Err(e) => {
            inv.warn(location, format!("package `{}`: {e}; left out", entry.name));
            return None;
        }
    };
    if distro.foreign {
        c.ecosystem = None;
    }
    c.scope = Some(Scope::Runtime);
    c.source = Some(SourcePackage {
        name: entry.origin.clone(),
        version: Some(entry.version.clone()),
    });
    c.licenses
        .extend(entry.license.iter().filter(|l| !l.is_empty()).cloned());
    if let Some(checksum) = &entry.checksum {
        match checksum_hash(checksum) {
            Some(hash) => c.hashes.push(hash),
            None => inv.warn(
                location,
                format!(
                    "package `{}`: `C:{checksum}` is not `Q1` + a base64 SHA-1 nor an MD5 in hex; \
                     checksum ignored",
                    entry.name
                ),
            ),
        }
    }
    Some(c)
}

/// `Q1` + base64 SHA-1 (apk-tools' `apk_blob_pull_csum`), or the legacy hex MD5.
fn checksum_hash(checksum: &str) -> Option<Hash> {
    if let Some(b64) = checksum.strip_prefix("Q1") {
        let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
        return (bytes.len() == 20).then(|| Hash {
            algorithm: "sha1".to_owned(),
            value: hex::encode(bytes),
        });
    }
    let md5 = checksum.len() == 32 && checksum.bytes().all(|b| b.is_ascii_hexdigit());
    md5.then(|| Hash {
        algorithm: "md5".to_owned(),
        value: checksum.to_ascii_lowercase(),
    })
}

/// `D:` edges to installed packages, by name or by what they provide (`p:`).
fn edges(listed: &[(&ApkIndexEntry, Component)]) -> Vec<Dependency> {
    let mut providers: HashMap<&str, &str> = HashMap::with_capacity(listed.len());
    for (entry, c) in listed {
        providers
            .entry(entry.name.as_str())
            .or_insert(c.purl.as_str());
    }
    for (entry, c) in listed {
        for provided in &entry.provides {
            providers
                .entry(dependency_name(provided))
                .or_insert(c.purl.as_str());
        }
    }
    let mut out = Vec::new();
    for (entry, c) in listed {
        for dep in entry.depends.iter().filter(|d| !d.starts_with('!')) {
            let Some(to) = providers.get(dependency_name(dep)) else {
                continue;
            };
            if *to != c.purl {
                out.push(Dependency {
                    from: c.purl.clone(),
                    to: (*to).to_owned(),
                });
            }
        }
    }
    out
}

/// `so:libc.musl-x86_64.so.1=1` → `so:libc.musl-x86_64.so.1`; `pkg>=1.0` → `pkg`.
fn dependency_name(dep: &str) -> &str {
    let end = dep.find(['=', '<', '>', '~']).unwrap_or(dep.len());
    dep.get(..end).unwrap_or(dep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_become_hex() {
        let h = checksum_hash("Q1zwvKMnYs1b6ZdPTBJ0Z7D5P3jyA=").expect("sha1");
        assert_eq!(h.algorithm, "sha1");
        assert_eq!(h.value.len(), 40);
        assert!(checksum_hash("Q1notbase64!").is_none());
        assert_eq!(
            checksum_hash("0123456789ABCDEF0123456789abcdef").map(|h| h.algorithm),
            Some("md5".to_owned())
        );
    }

    #[test]
    fn dependency_names_drop_constraints() {
        assert_eq!(
            dependency_name("alpine-baselayout-data=3.4.3-r1"),
            "alpine-baselayout-data"
        );
        assert_eq!(
            dependency_name("so:libc.musl-x86_64.so.1"),
            "so:libc.musl-x86_64.so.1"
        );
        assert_eq!(dependency_name("musl>=1.2"), "musl");
    }
}
