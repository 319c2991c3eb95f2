//! Which advisory packages a component is: the (ecosystem, name) keys the store indexes
//! advisories under, and whether one OSV `affected[].package` names the component. Pure.
//!
//! Names compare after their ecosystem's normalisation (PEP 503 for PyPI, case for NuGet and
//! Packagist, URL spelling for SwiftURL); distro packages match by binary or source name;
//! releases compare after spelling normalisation (Debian codenames ↔ numbers, Ubuntu's `:LTS`).

use super::distro::{debian_codename, debian_version};
use std::borrow::Cow;
use std::str::FromStr;

use vexil_version::Ecosystem;

use crate::model::purl::normalize_pypi;
use crate::model::{Component, Package};

/// One (ecosystem, name) pair under which advisories for a component are indexed: the ecosystem
/// spelled as a feed writes it (`Debian:12` and `Debian:bookworm` are two keys), the name
/// normalised by [`normalize_name`] (what a feed writes for every ecosystem except PyPI, NuGet,
/// Packagist and SwiftURL, whose spellings vary).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PackageKey {
    pub ecosystem: String,
    pub name: String,
}

impl PackageKey {
    /// The key an advisory package should be indexed under so that [`keys`] finds it: the
    /// ecosystem as written, the name normalised. Indexing by the name as written also works,
    /// except for PyPI names written un-normalised (`Jinja2`), NuGet and Packagist names in
    /// another case, and SwiftURL names written as URLs.
    pub fn of(package: &Package) -> PackageKey {
        let base = split_ecosystem(&package.ecosystem).0;
        let name = match ecosystem_named(base) {
            Some(ecosystem) => normalize_name(ecosystem, &package.name).into_owned(),
            None => package.name.clone(),
        };
        PackageKey {
            ecosystem: package.ecosystem.clone(),
            name,
        }
    }
}

/// A package name as its ecosystem compares names: PyPI by PEP 503 (`Foo_Bar` = `foo-bar`),
/// NuGet and Packagist case-insensitively (lowercased), SwiftURL without `https://` and `.git`
/// (lowercased); every other ecosystem's names are compared exactly as written.
pub fn normalize_name(ecosystem: Ecosystem, name: &str) -> Cow<'_, str> {
    match ecosystem {
        Ecosystem::PyPI => Cow::Owned(normalize_pypi(name)),
        Ecosystem::NuGet | Ecosystem::Packagist => lowercase(name),
        Ecosystem::SwiftUrl => {
            let bare = name
                .trim()
                .trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_end_matches('/');
            let bare = bare.strip_suffix(".git").unwrap_or(bare);
            lowercase(bare)
        }
        _ => Cow::Borrowed(name),
    }
}

fn lowercase(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// The keys under which the store indexes advisories for this component; empty when the
/// component has no OSV ecosystem.
///
/// - Language packages: the ecosystem's canonical spelling and the normalised name
///   (`PyPI`/`jinja2`, `Maven`/`org.slf4j:slf4j-api`, `Go`/`stdlib`, `npm`/`@babel/core`); a
///   `drupal/*` Composer package also under `Packagist:https://packages.drupal.org/8`, where
///   Drupal's contrib advisories live.
/// - Distro packages: the binary name and the source package name (Debian, Ubuntu and Alpine
///   advisories are per source package), each under every spelling of the release: `Debian:12`
///   and `Debian:bookworm` (the tracker writes codenames, OSV numbers), `Ubuntu:22.04` and
///   `Ubuntu:22.04:LTS`, `Alpine:v3.20`, `AlmaLinux:9` (from the purl's `distro` qualifier when
///   the ecosystem carries no release). When no release is known the key is the bare ecosystem
///   (`Debian`): the caller looks up every release of that base and lets [`concerns`] decide.
pub fn keys(component: &Component) -> Vec<PackageKey> {
    let Some(written) = component.ecosystem.as_deref() else {
        return Vec::new();
    };
    let (base, _) = split_ecosystem(written);
    let Some(ecosystem) = ecosystem_named(base) else {
        // An ecosystem Vexil cannot order (ConanCenter): still indexed as written.
        return vec![PackageKey {
            ecosystem: written.to_owned(),
            name: component.name.clone(),
        }];
    };
    let mut ecosystems = ecosystem_spellings(ecosystem, component);
    let mut names = vec![normalize_name(ecosystem, &component.name).into_owned()];
    if is_distro(ecosystem)
        && let Some(source) = &component.source
        && source.name != component.name
        && !source.name.is_empty()
    {
        names.push(source.name.clone());
    }
    if ecosystem == Ecosystem::Packagist && names[0].starts_with("drupal/") {
        let drupal = format!("{}:{DRUPAL_CONTRIB}", ecosystem.name());
        if !ecosystems.contains(&drupal) {
            ecosystems.push(drupal);
        }
    }
    product(&ecosystems, &names)
}

/// The registry qualifier of Drupal's contrib modules in the Drupal advisory database.
const DRUPAL_CONTRIB: &str = "https://packages.drupal.org/8";

fn product(ecosystems: &[String], names: &[String]) -> Vec<PackageKey> {
    let mut out = Vec::with_capacity(ecosystems.len() * names.len());
    for ecosystem in ecosystems {
        for name in names {
            let key = PackageKey {
                ecosystem: ecosystem.clone(),
                name: name.clone(),
            };
            if !out.contains(&key) {
                out.push(key);
            }
        }
    }
    out
}

/// Every spelling of the component's ecosystem and release that feeds write.
fn ecosystem_spellings(ecosystem: Ecosystem, component: &Component) -> Vec<String> {
    let base = ecosystem.name();
    let Some(release) = component_release(ecosystem, component) else {
        return vec![base.to_owned()];
    };
    match ecosystem {
        Ecosystem::Debian => {
            let mut out = vec![format!("{base}:{release}")];
            if let Some(codename) = debian_codename(&release) {
                out.push(format!("{base}:{codename}"));
            }
            out
        }
        // OSV writes LTS releases `Ubuntu:22.04:LTS` (osv-schema's ecosystem list).
        Ecosystem::Ubuntu => vec![format!("{base}:{release}"), format!("{base}:{release}:LTS")],
        _ => vec![format!("{base}:{release}")],
    }
}

/// Whether an OSV `affected[].package` names this component: the same ecosystem, the same
/// release when both say one (after normalising spellings: `bookworm` = `12`, `22.04:LTS` =
/// `22.04`, `3.20` = `v3.20`), and the same name after the ecosystem's normalisation — for
/// distro packages, the binary name or the source package name.
pub fn concerns(component: &Component, package: &Package) -> bool {
    let Some(written) = component.ecosystem.as_deref() else {
        return false;
    };
    let (component_base, _) = split_ecosystem(written);
    let (package_base, package_release) = split_ecosystem(&package.ecosystem);
    let (Some(ecosystem), Some(other)) = (
        ecosystem_named(component_base),
        ecosystem_named(package_base),
    ) else {
        // Ecosystems Vexil does not know: equal spelling and equal name.
        return component_base.eq_ignore_ascii_case(package_base)
            && component.name == package.name
            && split_ecosystem(written).1 == package_release;
    };
    if ecosystem != other {
        return false;
    }
    if let (Some(mine), Some(theirs)) = (
        component_release(ecosystem, component),
        package_release.and_then(|r| normalize_release(ecosystem, r)),
    ) && mine != theirs
    {
        return false;
    }
    if is_distro(ecosystem) {
        package.name == component.name
            || component
                .source
                .as_ref()
                .is_some_and(|s| s.name == package.name)
    } else {
        normalize_name(ecosystem, &package.name) == normalize_name(ecosystem, &component.name)
    }
}

/// The ecosystem an ecosystem name (without its release) names: the canonical spellings
/// first, without allocating (this runs for every affected entry a component is checked
/// against), then `vexil_version`'s aliases (`cargo`, `golang`).
pub fn ecosystem_named(base: &str) -> Option<Ecosystem> {
    Ecosystem::ALL
        .iter()
        .copied()
        .find(|e| e.name().eq_ignore_ascii_case(base))
        .or_else(|| Ecosystem::from_str(base).ok())
}

/// Whether the ecosystem's packages are distro packages, built from a source package.
pub fn is_distro(ecosystem: Ecosystem) -> bool {
    use Ecosystem::*;
    matches!(
        ecosystem,
        Debian
            | Ubuntu
            | Alpine
            | Wolfi
            | Chainguard
            | MinimOs
            | RedHat
            | RockyLinux
            | AlmaLinux
            | Suse
            | OpenSuse
            | Mageia
            | OpenEuler
            | AzureLinux
            | PhotonOs
    )
}

/// `Debian:12` → (`Debian`, `12`); `Ubuntu:22.04:LTS` → (`Ubuntu`, `22.04:LTS`); an empty
/// release is none.
fn split_ecosystem(written: &str) -> (&str, Option<&str>) {
    match written.split_once(':') {
        Some((base, release)) => {
            let release = release.trim();
            (base.trim(), (!release.is_empty()).then_some(release))
        }
        None => (written.trim(), None),
    }
}

/// The component's release, normalised: from its ecosystem (`Debian:12`), else from its purl's
/// `distro` qualifier (`trixie`, `almalinux-9.3`), which inventories set when the release has
/// no OSV spelling `Purl::ecosystem` knows.
fn component_release(ecosystem: Ecosystem, component: &Component) -> Option<String> {
    if let Some(release) = component
        .ecosystem
        .as_deref()
        .and_then(|e| split_ecosystem(e).1)
    {
        return normalize_release(ecosystem, release);
    }
    if !is_distro(ecosystem) {
        return None;
    }
    let distro = purl_qualifier(&component.purl, "distro")?;
    let lower = distro.to_ascii_lowercase();
    // `debian-12`, `almalinux-9.3`: the part after the vendor; a bare codename stays whole.
    let release = match lower.rsplit_once('-') {
        Some((_, version)) if version.starts_with(|c: char| c.is_ascii_digit()) => version,
        _ => lower.as_str(),
    };
    normalize_release(ecosystem, release)
}

/// A qualifier's value in a purl string, without decoding (`distro` values are plain ASCII).
fn purl_qualifier<'a>(purl: &'a str, key: &str) -> Option<&'a str> {
    let query = purl.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key && !v.is_empty()).then_some(v)
    })
}

/// A release spelled one way per ecosystem, so that two spellings of one release are equal:
/// Debian by number (`bookworm` → `12`, `12.5` → `12`; `sid` for unstable), Ubuntu without
/// `:LTS`, Alpine with its `v` (`3.20.1` → `v3.20`), RPM distros by major number; others as
/// written, lowercased.
fn normalize_release(ecosystem: Ecosystem, release: &str) -> Option<String> {
    let release = release.trim().to_ascii_lowercase();
    if release.is_empty() {
        return None;
    }
    Some(match ecosystem {
        Ecosystem::Debian => {
            if release.starts_with(|c: char| c.is_ascii_digit()) {
                major(&release).to_owned()
            } else {
                match debian_version(&release) {
                    Some(number) => number.to_owned(),
                    None if release == "unstable" => "sid".to_owned(),
                    None => release,
                }
            }
        }
        Ecosystem::Ubuntu => release
            .strip_suffix(":lts")
            .map(str::to_owned)
            .unwrap_or(release),
        // An `_alpha` snapshot version is edge, not yet the branch it will become.
        Ecosystem::Alpine if release.contains("_alpha") => "edge".to_owned(),
        Ecosystem::Alpine => {
            let bare = release.trim_start_matches('v');
            if bare.starts_with(|c: char| c.is_ascii_digit()) {
                let mut parts = bare.split('.');
                match (parts.next(), parts.next()) {
                    (Some(major), Some(minor)) => format!("v{major}.{minor}"),
                    _ => format!("v{bare}"),
                }
            } else {
                release
            }
        }
        Ecosystem::AlmaLinux | Ecosystem::RockyLinux
            if release.starts_with(|c: char| c.is_ascii_digit()) =>
        {
            major(&release).to_owned()
        }
        _ => release,
    })
}

fn major(release: &str) -> &str {
    release.split('.').next().unwrap_or(release)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Location;
    use crate::model::SourcePackage;

    fn component(purl: &str, ecosystem: &str, name: &str) -> Component {
        Component::new(
            purl.to_owned(),
            Some(ecosystem.to_owned()),
            name.to_owned(),
            Some("1".to_owned()),
            Location::file("f"),
        )
    }

    fn package(ecosystem: &str, name: &str) -> Package {
        Package {
            ecosystem: ecosystem.to_owned(),
            name: name.to_owned(),
            purl: None,
        }
    }

    fn shown(keys: Vec<PackageKey>) -> Vec<String> {
        keys.into_iter()
            .map(|k| format!("{}/{}", k.ecosystem, k.name))
            .collect()
    }

    #[test]
    fn debian_keys_name_both_spellings_of_the_release_and_the_source() {
        let mut c = component(
            "pkg:deb/debian/libssl3@3.0.11-1?distro=debian-12",
            "Debian:12",
            "libssl3",
        );
        c.source = Some(SourcePackage {
            name: "openssl".into(),
            version: None,
        });
        assert_eq!(
            shown(keys(&c)),
            [
                "Debian:12/libssl3",
                "Debian:12/openssl",
                "Debian:bookworm/libssl3",
                "Debian:bookworm/openssl"
            ]
        );
        assert!(concerns(&c, &package("Debian:bookworm", "openssl")));
        assert!(concerns(&c, &package("Debian:12", "libssl3")));
        assert!(!concerns(&c, &package("Debian:11", "openssl")));
        assert!(!concerns(&c, &package("Ubuntu:22.04:LTS", "openssl")));
    }

    #[test]
    fn a_codename_in_the_purl_gives_the_release() {
        let c = component("pkg:deb/debian/curl@8?distro=trixie", "Debian", "curl");
        assert_eq!(shown(keys(&c)), ["Debian:13/curl", "Debian:trixie/curl"]);
        assert!(concerns(&c, &package("Debian:trixie", "curl")));
        assert!(!concerns(&c, &package("Debian:12", "curl")));
        let bare = component("pkg:deb/debian/curl@8", "Debian", "curl");
        assert_eq!(shown(keys(&bare)), ["Debian/curl"]);
        assert!(concerns(&bare, &package("Debian:12", "curl")));
    }

    #[test]
    fn ubuntu_lts_and_alpine_spellings() {
        let c = component("pkg:deb/ubuntu/curl@8", "Ubuntu:22.04", "curl");
        assert_eq!(
            shown(keys(&c)),
            ["Ubuntu:22.04/curl", "Ubuntu:22.04:LTS/curl"]
        );
        assert!(concerns(&c, &package("Ubuntu:22.04:LTS", "curl")));
        assert!(!concerns(&c, &package("Ubuntu:Pro:22.04:LTS", "curl")));
        let a = component("pkg:apk/alpine/musl@1", "Alpine:v3.18", "musl");
        assert!(concerns(&a, &package("Alpine:v3.18", "musl")));
        assert!(concerns(&a, &package("Alpine:3.18", "musl")));
        assert!(!concerns(&a, &package("Alpine:v3.19", "musl")));
        let edge = component(
            "pkg:apk/alpine/musl@1",
            "Alpine:3.21.0_alpha20240807",
            "musl",
        );
        assert!(concerns(&edge, &package("Alpine:edge", "musl")));
        assert!(!concerns(&edge, &package("Alpine:v3.21", "musl")));
        let alma = component(
            "pkg:rpm/almalinux/bash@5.1?distro=almalinux-9.3",
            "AlmaLinux",
            "bash",
        );
        assert_eq!(shown(keys(&alma)), ["AlmaLinux:9/bash"]);
        assert!(!concerns(&alma, &package("AlmaLinux:8", "bash")));
    }

    #[test]
    fn language_names_normalise_per_ecosystem() {
        let py = component("pkg:pypi/jinja2@3", "PyPI", "jinja2");
        assert_eq!(shown(keys(&py)), ["PyPI/jinja2"]);
        assert!(concerns(&py, &package("PyPI", "Jinja2")));
        assert_eq!(PackageKey::of(&package("PyPI", "Jinja_2")).name, "jinja-2");
        let nuget = component("pkg:nuget/Newtonsoft.Json@13", "NuGet", "Newtonsoft.Json");
        assert!(concerns(&nuget, &package("NuGet", "newtonsoft.json")));
        let npm = component("pkg:npm/%40babel/core@7", "npm", "@babel/core");
        assert!(concerns(&npm, &package("npm", "@babel/core")));
        assert!(!concerns(&npm, &package("npm", "@Babel/core")));
        let swift = component(
            "pkg:swift/github.com/apple/swift-nio@2",
            "SwiftURL",
            "github.com/apple/swift-nio",
        );
        assert!(concerns(
            &swift,
            &package("SwiftURL", "https://github.com/apple/swift-nio.git")
        ));
        let drupal = component(
            "pkg:composer/drupal/webform@6",
            "Packagist",
            "drupal/webform",
        );
        assert_eq!(
            shown(keys(&drupal)),
            [
                "Packagist/drupal/webform",
                "Packagist:https://packages.drupal.org/8/drupal/webform"
            ]
        );
        assert!(concerns(
            &drupal,
            &package("Packagist:https://packages.drupal.org/8", "drupal/webform")
        ));
        let go = component("pkg:golang/stdlib@v1.22.5", "Go", "stdlib");
        assert!(concerns(&go, &package("Go", "stdlib")));
        assert!(!concerns(&go, &package("npm", "stdlib")));
    }
}
