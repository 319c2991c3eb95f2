//! Dart's `pub_semver` ordering (the `Pub` ecosystem): SemVer, except that build metadata orders.

use std::cmp::Ordering;
use std::fmt;

use crate::semver::{Core, cmp_identifier_lists, parse_core};
use crate::{ParseError, Scheme};

/// A Pub package version. Unlike SemVer, `pub_semver`'s `compareTo` orders build metadata:
/// a version without a build sorts before the same version with one (`1.0.0 < 1.0.0+1`), and
/// builds compare like pre-release identifiers.
#[derive(Clone, Debug)]
pub struct PubVersion {
    core: Core,
    original: Box<str>,
}

impl PubVersion {
    /// Parses `[v]MAJOR[.MINOR[.PATCH[.N…]]][-PRE][+BUILD]`.
    pub fn parse(input: &str) -> Result<PubVersion, ParseError> {
        let core = parse_core(Scheme::Pub, input)?;
        Ok(PubVersion {
            core,
            original: input.trim().into(),
        })
    }

    fn build_parts(&self) -> impl Iterator<Item = &str> {
        self.core.build().split('.').filter(|part| !part.is_empty())
    }

    fn has_build(&self) -> bool {
        self.build_parts().next().is_some()
    }
}

impl Ord for PubVersion {
    // pub_semver lib/src/version.dart `compareTo`: precedence, then "builds always come after no
    // build string", then the build identifiers.
    fn cmp(&self, other: &Self) -> Ordering {
        self.core.cmp_precedence(&other.core).then_with(|| {
            match (self.has_build(), other.has_build()) {
                (false, false) => Ordering::Equal,
                (false, true) => Ordering::Less,
                (true, false) => Ordering::Greater,
                (true, true) => cmp_identifier_lists(self.build_parts(), other.build_parts()),
            }
        })
    }
}

crate::scheme::derive_from_ord!(PubVersion);

impl fmt::Display for PubVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> PubVersion {
        PubVersion::parse(s).unwrap()
    }

    #[test]
    fn builds_sort_after_no_build_and_by_identifier() {
        assert!(v("1.0.0") < v("1.0.0+build"));
        assert!(v("1.0.0-pre+build") < v("1.0.0"));
        assert!(
            v("1.2.3+1") < v("1.2.3+a"),
            "numeric identifiers sort first"
        );
        assert!(
            v("1.2.3+9a") > v("1.2.3+1z"),
            "alphanumeric identifiers compare as text"
        );
        assert_eq!(v("1.2.3+b"), v("v1.2.3+b"));
    }

    #[test]
    fn parts_past_the_third_order_numerically() {
        assert_eq!(v("1.1.3.4.5"), v("1.1.3.4.5"));
        assert!(v("1.1.3") < v("1.1.3.4"));
        assert!(v("1.1.3.4+1") < v("1.1.3.5"));
    }
}
