//! The identity of a package a scanner report names: the tool's own purl when it parses, else
//! one built from the tool's package type, name and version and the distro the scan found.
//! Shared by the Trivy, Grype and osv-scanner parsers; it never reads a report itself.

use crate::ingest::Location;
use crate::model::purl::Purl;
use crate::model::{Component, Inventory};

/// The distro a report's OS packages came from, as the scanner named it (`debian` `10.1`,
/// `alpine` `3.10.2`, `opensuse-leap` `15.1`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Distro {
    pub(crate) family: String,
    pub(crate) release: String,
}

impl Distro {
    /// A distro from a family and release; `None` when the scanner found none (Trivy's family
    /// `none`, Grype's empty name).
    pub(crate) fn new(family: &str, release: &str) -> Option<Distro> {
        let family = family.trim().to_ascii_lowercase();
        if family.is_empty() || family == "none" {
            return None;
        }
        Some(Distro {
            family,
            release: release.trim().to_owned(),
        })
    }

    /// The purl `distro` qualifier as Trivy and Syft write it: `debian-10.1`, `redhat-7.7`, but
    /// the bare release for Alpine (`3.10.2`); none when the release is unknown.
    pub(crate) fn qualifier(&self) -> Option<String> {
        match (self.family.as_str(), self.release.is_empty()) {
            (_, true) => None,
            ("alpine", false) => Some(self.release.clone()),
            (family, false) => Some(format!("{family}-{}", self.release)),
        }
    }

    /// The purl type and namespace of this distro's packages (`rpm`, `opensuse`).
    pub(crate) fn purl_type(&self) -> Option<(&'static str, &str)> {
        os_purl_type(&self.family)
    }

    /// The purl of one of this distro's packages.
    pub(crate) fn package(&self, name: &str, version: Option<&str>) -> Option<Purl> {
        let (ty, vendor) = self.purl_type()?;
        let purl = Purl::os(ty, vendor, name, version);
        Some(match self.qualifier() {
            Some(q) => purl.qualifier("distro", &q),
            None => purl,
        })
    }
}

/// The purl type and namespace for an OS family as Trivy and Grype name it (Trivy's
/// `pkg/purl/purl.go`: the family is the namespace, SUSE families fold into `suse`/`opensuse`).
pub(crate) fn os_purl_type(family: &str) -> Option<(&'static str, &str)> {
    Some(match family {
        "debian" | "ubuntu" | "raspbian" => ("deb", family),
        "alpine" | "wolfi" | "chainguard" | "minimos" => ("apk", family),
        "opensuse"
        | "opensuse-leap"
        | "opensuse-tumbleweed"
        | "opensuse.leap"
        | "opensuse.tumbleweed" => ("rpm", "opensuse"),
        "sles"
        | "slem"
        | "suse"
        | "suse linux enterprise server"
        | "suse linux enterprise micro" => ("rpm", "suse"),
        "redhat" | "rhel" | "centos" | "rocky" | "rockylinux" | "alma" | "almalinux" | "amazon"
        | "amazonlinux" | "amzn" | "oracle" | "oraclelinux" | "ol" | "photon" | "fedora"
        | "cbl-mariner" | "mariner" | "azurelinux" | "echo" => ("rpm", family),
        _ => return None,
    })
}

/// A component for a reported package: `given` (the tool's purl) when it parses, with the
/// scan's `distro` added to an OS purl that lacks one; otherwise `build()`'s purl. An invalid
/// given purl, or one that cannot be built, is a warning at `location`.
pub(crate) fn component(
    inv: &mut Inventory,
    given: Option<&str>,
    distro: Option<&Distro>,
    location: &Location,
    build: impl FnOnce() -> Purl,
) -> Option<Component> {
    if let Some(text) = given.filter(|t| !t.trim().is_empty()) {
        match Purl::parse(text)
            .and_then(|p| Component::from_purl(&with_distro(p, distro), location.clone()))
        {
            Ok(c) => return Some(c),
            Err(e) => inv.warn(
                location.clone(),
                format!("{e}; built a purl from the package's name and version instead"),
            ),
        }
    }
    let purl = build();
    match Component::from_purl(&purl, location.clone()) {
        Ok(c) => Some(c),
        Err(e) => {
            inv.warn(
                location.clone(),
                format!(
                    "package `{}` left out: cannot make a purl: {}",
                    purl.full_name(),
                    e.reason
                ),
            );
            None
        }
    }
}

/// Adds the scan's `distro` qualifier to an OS purl of that distro's type that has none, so its
/// ecosystem gets a release (`Debian:10`).
fn with_distro(purl: Purl, distro: Option<&Distro>) -> Purl {
    let Some(d) = distro.filter(|d| d.purl_type().is_some_and(|(ty, _)| ty == purl.ty)) else {
        return purl;
    };
    match d.qualifier() {
        Some(q) if purl.qualifier_value("distro").is_none() => purl.qualifier("distro", &q),
        _ => purl,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distro_qualifiers_follow_trivy() {
        let d = |f: &str, r: &str| Distro::new(f, r).and_then(|d| d.qualifier());
        assert_eq!(d("debian", "10.1").as_deref(), Some("debian-10.1"));
        assert_eq!(d("alpine", "3.10.2").as_deref(), Some("3.10.2"));
        assert_eq!(d("none", ""), None);
    }

    #[test]
    fn os_purls_gain_the_scanned_distro() {
        let mut inv = Inventory::default();
        let d = Distro::new("debian", "10");
        let loc = Location::file("r.json");
        let c = component(
            &mut inv,
            Some("pkg:deb/debian/curl@7.64.0-4?arch=amd64"),
            d.as_ref(),
            &loc,
            || Purl::package("generic", "curl", None),
        )
        .expect("component");
        assert_eq!(
            c.purl,
            "pkg:deb/debian/curl@7.64.0-4?arch=amd64&distro=debian-10"
        );
        assert_eq!(c.ecosystem.as_deref(), Some("Debian:10"));
        let c = component(&mut inv, Some("not a purl"), None, &loc, || {
            Purl::package("npm", "left-pad", Some("1.0.0"))
        })
        .expect("built");
        assert_eq!(c.purl, "pkg:npm/left-pad@1.0.0");
        assert_eq!(inv.warnings.len(), 1);
    }
}
