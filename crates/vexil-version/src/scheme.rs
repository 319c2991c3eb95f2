//! `Scheme` names a version ordering; `Version` is a parsed version of any scheme.
//!
//! This is the dispatch point: per-scheme rules live in their own files.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{
    ParseError, apk, cran, dpkg, go, hackage, maven, nuget, packagist, pep440, pubdev, rpm,
    rubygems, semver, upstream,
};

/// `PartialOrd`, `PartialEq` and `Eq` from a scheme type's `Ord`, and `FromStr` from its
/// `parse`: equality always means "compares equal" (Maven `1.0 == 1.0.0`), never structural.
macro_rules! derive_from_ord {
    ($ty:ty) => {
        impl ::std::str::FromStr for $ty {
            type Err = $crate::ParseError;
            fn from_str(s: &str) -> Result<Self, $crate::ParseError> {
                Self::parse(s)
            }
        }

        impl PartialOrd for $ty {
            fn partial_cmp(&self, other: &Self) -> Option<::std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                self.cmp(other) == ::std::cmp::Ordering::Equal
            }
        }

        impl Eq for $ty {}
    };
}
pub(crate) use derive_from_ord;

macro_rules! schemes {
    ($( $variant:ident => $module:ident :: $ty:ident, $name:literal, $label:literal; )*) => {
        /// A version ordering, named after the tool whose semantics it reproduces.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Scheme {
            $( #[doc = $label] $variant, )*
        }

        impl Scheme {
            /// Every scheme, in declaration order.
            pub const ALL: &'static [Scheme] = &[$(Scheme::$variant),*];

            /// The short, stable name used on the command line and in JSON (`dpkg`, `pep440`).
            pub fn name(self) -> &'static str {
                match self { $(Scheme::$variant => $name,)* }
            }

            /// Parses `input` under this scheme's rules.
            pub fn parse(self, input: &str) -> Result<Version, ParseError> {
                match self { $(Scheme::$variant => $module::$ty::parse(input).map(Version::$variant),)* }
            }
        }

        /// A parsed version of some scheme. Versions of different schemes never compare.
        #[derive(Clone, Debug)]
        pub enum Version {
            $( #[doc = $label] $variant($module::$ty), )*
        }

        impl Version {
            /// The scheme this version was parsed under.
            pub fn scheme(&self) -> Scheme {
                match self { $(Version::$variant(_) => Scheme::$variant,)* }
            }

            /// Orders two versions of the same scheme; `None` for different schemes, or when
            /// the scheme itself cannot order them (the lenient `upstream` comparator).
            pub fn compare(&self, other: &Version) -> Option<Ordering> {
                match (self, other) {
                    $( (Version::$variant(a), Version::$variant(b)) => a.partial_cmp(b), )*
                    _ => None,
                }
            }
        }

        impl fmt::Display for Version {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self { $(Version::$variant(v) => v.fmt(f),)* }
            }
        }
    };
}

schemes! {
    Semver => semver::SemverVersion, "semver", "SemVer 2.0 precedence (npm, crates.io, Hex, Bitnami), lenient about a `v` prefix and missing parts.";
    Go => go::GoVersion, "go", "Go module versions: SemVer with `v`, `+incompatible` and pseudo-versions.";
    Pub => pubdev::PubVersion, "pub", "Dart `pub_semver`: SemVer where build metadata also orders.";
    Pep440 => pep440::Pep440Version, "pep440", "PEP 440 (PyPI), with `packaging`'s legacy versions sorted first.";
    Maven => maven::MavenVersion, "maven", "Maven `ComparableVersion` as OSV evaluates Maven ranges (osv-scalibr; maven-artifact 3.8.6 and the POM spec).";
    NuGet => nuget::NuGetVersion, "nuget", "NuGet `NuGetVersion`: four numeric parts and SemVer 2 pre-releases.";
    RubyGems => rubygems::RubyGemsVersion, "rubygems", "RubyGems `Gem::Version`.";
    Packagist => packagist::PackagistVersion, "packagist", "Composer normalisation and PHP `version_compare`.";
    Hackage => hackage::HackageVersion, "hackage", "Hackage (PVP): dot-separated numbers compared as lists.";
    Cran => cran::CranVersion, "cran", "CRAN: numbers separated by `.` or `-`, compared as lists.";
    Dpkg => dpkg::DpkgVersion, "dpkg", "Debian `dpkg` (epoch:upstream-revision, `~` sorts first).";
    Apk => apk::ApkVersion, "apk", "Alpine apk-tools.";
    Rpm => rpm::RpmVersion, "rpm", "RPM `rpmvercmp` over epoch:version-release, with `~` and `^`.";
    Upstream => upstream::UpstreamVersion, "upstream", "Lenient comparison of upstream (NVD/CPE) versions; may answer not comparable.";
}

impl Scheme {
    /// Compares two version strings, with the scheme's own upstream quirks.
    ///
    /// `Ok(None)` means the scheme cannot order the two (only `upstream` says so).
    /// apk-tools orders even invalid versions (by a string fallback), so `apk` never errors here;
    /// use [`Scheme::parse`] when invalid versions must be refused.
    pub fn compare_str(self, a: &str, b: &str) -> Result<Option<Ordering>, ParseError> {
        if self == Scheme::Apk {
            return Ok(Some(apk::compare_str(a, b)));
        }
        let a = self.parse(a)?;
        let b = self.parse(b)?;
        Ok(a.compare(&b))
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Scheme {
    type Err = String;

    fn from_str(s: &str) -> Result<Scheme, String> {
        Scheme::ALL
            .iter()
            .copied()
            .find(|scheme| scheme.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let names: Vec<_> = Scheme::ALL.iter().map(|s| s.name()).collect();
                format!(
                    "unknown version scheme `{s}`; expected one of {}",
                    names.join(", ")
                )
            })
    }
}
