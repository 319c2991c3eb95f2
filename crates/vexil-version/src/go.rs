//! Go module versions (`golang.org/x/mod/semver`): SemVer with a `v`, `+incompatible` and
//! pseudo-versions, which order correctly as ordinary pre-releases.

use std::cmp::Ordering;
use std::fmt;

use crate::semver::{Core, parse_core};
use crate::{ParseError, Scheme};

/// A Go module version. The `v` is optional on input because OSV's Go ranges omit it
/// (`"fixed": "1.2.3"`); `v1` and `v1.2` are shorthands for `v1.0.0` and `v1.2.0` as in
/// `x/mod/semver`. Build metadata, including `+incompatible`, does not order.
#[derive(Clone, Debug)]
pub struct GoVersion {
    core: Core,
    original: Box<str>,
}

impl GoVersion {
    /// Parses a Go module version such as `v1.2.3`, `v2.0.0+incompatible` or
    /// `v0.0.0-20191109021931-daa7c04131f5`.
    pub fn parse(input: &str) -> Result<GoVersion, ParseError> {
        let core = parse_core(Scheme::Go, input)?;
        Ok(GoVersion {
            core,
            original: input.trim().into(),
        })
    }

    /// `+incompatible`: a v2+ module without a `go.mod` declaring its major version.
    pub fn is_incompatible(&self) -> bool {
        self.core.build() == "incompatible"
    }

    /// A pseudo-version (`vX.Y.Z-[pre.]0.yyyymmddhhmmss-abcdef123456` or
    /// `vX.0.0-yyyymmddhhmmss-abcdef123456`): a commit, not a tagged release.
    pub fn is_pseudo(&self) -> bool {
        let pre = self.core.pre();
        let Some((head, hash)) = pre.rsplit_once('-') else {
            return false;
        };
        let timestamp = head.rsplit('.').next().unwrap_or(head);
        hash.len() == 12
            && hash.bytes().all(|b| b.is_ascii_hexdigit())
            && timestamp.len() == 14
            && timestamp.bytes().all(|b| b.is_ascii_digit())
    }
}

impl Ord for GoVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.core.cmp_precedence(&other.core)
    }
}

crate::scheme::derive_from_ord!(GoVersion);

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> GoVersion {
        GoVersion::parse(s).unwrap()
    }

    #[test]
    fn pseudo_versions_sort_before_the_release_they_precede() {
        let pseudo = v("v0.0.0-20191109021931-daa7c04131f5");
        assert!(pseudo.is_pseudo());
        assert!(pseudo < v("v0.1.0"));
        let after_tag = v("v1.2.4-0.20191109021931-daa7c04131f5");
        assert!(after_tag.is_pseudo());
        assert!(v("v1.2.3") < after_tag && after_tag < v("v1.2.4"));
        let after_pre = v("v1.2.3-pre.0.20191109021931-daa7c04131f5");
        assert!(after_pre.is_pseudo());
        assert!(v("v1.2.3-pre") < after_pre);
        assert!(!v("v1.2.3-rc.1").is_pseudo());
    }

    #[test]
    fn incompatible_is_build_metadata() {
        let incompatible = v("v2.0.0+incompatible");
        assert!(incompatible.is_incompatible());
        assert_eq!(incompatible, v("2.0.0"));
        assert!(incompatible < v("v2.0.1"));
    }

    #[test]
    fn shorthands_and_missing_v_are_accepted() {
        assert_eq!(v("v1"), v("1.0.0"));
        assert_eq!(v("v1.2"), v("v1.2.0"));
        let err = GoVersion::parse("latest").unwrap_err();
        assert_eq!(err.scheme, Scheme::Go);
        assert!(err.to_string().contains("not a valid go version"), "{err}");
    }
}
