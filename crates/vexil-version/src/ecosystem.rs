//! OSV ecosystem names and the version scheme each one orders by.
//!
//! Parsed once at the edge (case-insensitively, with or without a release suffix such as
//! `Debian:12` or `Alpine:v3.20`); the original spelling is kept for output.

use std::fmt;
use std::str::FromStr;

use crate::Scheme;

macro_rules! ecosystems {
    ($( $variant:ident => $name:literal, $scheme:ident $(, alias $alias:literal)*; )*) => {
        /// An OSV ecosystem (without its release qualifier).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Ecosystem {
            $( #[doc = $name] $variant, )*
        }

        impl Ecosystem {
            /// Every ecosystem Vexil knows, in declaration order.
            pub const ALL: &'static [Ecosystem] = &[$(Ecosystem::$variant),*];

            /// The canonical OSV spelling (`crates.io`, `PyPI`, `Rocky Linux`).
            pub fn name(self) -> &'static str {
                match self { $(Ecosystem::$variant => $name,)* }
            }

            /// The version ordering this ecosystem's versions follow.
            pub fn scheme(self) -> Scheme {
                match self { $(Ecosystem::$variant => Scheme::$scheme,)* }
            }

            fn from_name(name: &str) -> Option<Ecosystem> {
                $(
                    if name.eq_ignore_ascii_case($name) $(|| name.eq_ignore_ascii_case($alias))* {
                        return Some(Ecosystem::$variant);
                    }
                )*
                None
            }
        }
    };
}

ecosystems! {
    Npm => "npm", Semver;
    CratesIo => "crates.io", Semver, alias "cargo", alias "crates";
    Go => "Go", Go, alias "golang";
    Hex => "Hex", Semver;
    Bitnami => "Bitnami", Semver;
    SwiftUrl => "SwiftURL", Semver;
    GitHubActions => "GitHub Actions", Semver;
    Pub => "Pub", Pub;
    PyPI => "PyPI", Pep440, alias "pip", alias "python";
    Maven => "Maven", Maven;
    NuGet => "NuGet", NuGet;
    RubyGems => "RubyGems", RubyGems, alias "gem";
    Packagist => "Packagist", Packagist, alias "composer";
    Hackage => "Hackage", Hackage;
    Ghc => "GHC", Hackage;
    Cran => "CRAN", Cran;
    Debian => "Debian", Dpkg, alias "deb";
    Ubuntu => "Ubuntu", Dpkg;
    Alpine => "Alpine", Apk, alias "apk";
    Wolfi => "Wolfi", Apk;
    Chainguard => "Chainguard", Apk;
    MinimOs => "MinimOS", Apk;
    RedHat => "Red Hat", Rpm, alias "redhat", alias "rhel";
    RockyLinux => "Rocky Linux", Rpm, alias "rocky";
    AlmaLinux => "AlmaLinux", Rpm, alias "alma";
    Suse => "SUSE", Rpm;
    OpenSuse => "openSUSE", Rpm;
    Mageia => "Mageia", Rpm;
    OpenEuler => "openEuler", Rpm;
    AzureLinux => "Azure Linux", Rpm;
    PhotonOs => "Photon OS", Rpm;
    Homebrew => "Homebrew", Upstream, alias "brew";
    Nvd => "NVD", Upstream, alias "cpe";
}

/// An ecosystem as written in an advisory or on the command line: the ecosystem, the optional
/// release qualifier after the first `:` (`12`, `v3.20`, a registry URL for Packagist), and
/// the original spelling.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EcosystemName {
    pub ecosystem: Ecosystem,
    pub release: Option<String>,
    pub original: String,
}

/// A name that is not an ecosystem Vexil can order versions for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownEcosystem(pub String);

impl fmt::Display for UnknownEcosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = Ecosystem::ALL.iter().map(|e| e.name()).collect();
        write!(
            f,
            "unknown ecosystem `{}`; expected one of: {}",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownEcosystem {}

impl FromStr for EcosystemName {
    type Err = UnknownEcosystem;

    fn from_str(s: &str) -> Result<EcosystemName, UnknownEcosystem> {
        let trimmed = s.trim();
        let (name, release) = match trimmed.split_once(':') {
            Some((name, release)) => (name.trim(), Some(release.trim().to_owned())),
            None => (trimmed, None),
        };
        let ecosystem = Ecosystem::from_name(name).ok_or_else(|| UnknownEcosystem(s.to_owned()))?;
        let release = release.filter(|r| !r.is_empty());
        Ok(EcosystemName {
            ecosystem,
            release,
            original: s.to_owned(),
        })
    }
}

impl FromStr for Ecosystem {
    type Err = UnknownEcosystem;

    fn from_str(s: &str) -> Result<Ecosystem, UnknownEcosystem> {
        s.parse::<EcosystemName>().map(|name| name.ecosystem)
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for EcosystemName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.ecosystem.name())?;
        match &self.release {
            Some(release) => write!(f, ":{release}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_case_insensitively_with_release_suffixes() {
        let debian: EcosystemName = "debian:12".parse().unwrap();
        assert_eq!(debian.ecosystem, Ecosystem::Debian);
        assert_eq!(debian.release.as_deref(), Some("12"));
        assert_eq!(debian.to_string(), "Debian:12");
        let alpine: EcosystemName = "Alpine:v3.20".parse().unwrap();
        assert_eq!(alpine.ecosystem.scheme(), Scheme::Apk);
        assert_eq!(alpine.release.as_deref(), Some("v3.20"));
        let drupal: EcosystemName = "Packagist:https://packages.drupal.org/8".parse().unwrap();
        assert_eq!(drupal.ecosystem, Ecosystem::Packagist);
        assert_eq!(
            "ROCKY LINUX:9".parse::<Ecosystem>().unwrap(),
            Ecosystem::RockyLinux
        );
        assert_eq!(
            "CRATES.IO".parse::<Ecosystem>().unwrap().scheme(),
            Scheme::Semver
        );
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        let err = "Cobol".parse::<Ecosystem>().unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("unknown ecosystem `Cobol`"),
            "{message}"
        );
        assert!(
            message.contains("crates.io") && message.contains("Rocky Linux"),
            "{message}"
        );
    }
}
