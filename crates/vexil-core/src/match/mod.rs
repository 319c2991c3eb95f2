//! Matching: for a component and an advisory, the verdict — affected, fixed, not affected or
//! unknown — and why. Pure: values in, values out; one matcher per ecosystem family.
//!
//! - [`package`]: which advisory packages a component is (purl type → OSV ecosystem and the
//!   name as that ecosystem spells it; Go module paths, PyPI normalisation, Maven
//!   `group:artifact`, Debian binary → source, Alpine origin, release qualifiers).
//! - [`osv`]: OSV `affected` entries evaluated as the OSV schema's pseudocode says, for every
//!   ecosystem whose advisories are in the OSV shape (language packages, RPM distros, and the
//!   Debian and Alpine feeds, which map into it).
//! - [`distro`]: the Debian tracker's and Alpine secdb's notes on top of their ranges.
//! - [`nvd`]: NVD CPE configurations, the fallback for components that carry a CPE.
//! - [`audit`]: every component against its candidate advisories, one finding per alias group;
//!   [`rescan`]: findings with severity, KEV and EPSS, diffed against the stored ones.

pub mod audit;
pub mod distro;
pub mod nvd;
pub mod osv;
pub mod package;
pub mod rescan;

use serde::{Deserialize, Serialize};

use crate::model::Feed;

/// What matching decided for one (component, advisory).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The installed version is in an affected range (or listed as affected).
    Affected,
    /// The package is named by the advisory, and the installed version is at or past a fix.
    Fixed,
    /// The package is named by the advisory, and the installed version was never affected
    /// (before `introduced`, a Debian `fixed_version "0"`, outside every range).
    NotAffected,
    /// Vexil cannot tell: an unparseable version, an unsupported scheme, a GIT range without
    /// explicit versions, NVD versions that are not comparable, Debian `undetermined`. Never
    /// silently `not_affected`.
    Unknown,
}

impl Verdict {
    /// How strongly the verdict calls for action, for conservative combination: affected, then
    /// unknown (cannot tell), then fixed, then not affected.
    pub fn urgency(self) -> u8 {
        match self {
            Verdict::Affected => 3,
            Verdict::Unknown => 2,
            Verdict::Fixed => 1,
            Verdict::NotAffected => 0,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Affected => "affected",
            Verdict::Fixed => "fixed",
            Verdict::NotAffected => "not_affected",
            Verdict::Unknown => "unknown",
        }
    }
}

/// Why a verdict is what it is: enough for `vexil explain` to say it in full.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// The advisory id and the feed it came from.
    pub advisory: String,
    pub feed: Feed,
    /// The matcher that decided (`osv-ranges`, `osv-versions`, `debian-tracker`,
    /// `alpine-secdb`, `nvd-cpe`).
    pub matcher: String,
    /// The advisory package matched, as `ECOSYSTEM/NAME` (`PyPI/django`, `Debian:12/openssl`).
    pub package: String,
    /// The installed version compared, and the scheme it was compared under (`semver`, `dpkg`).
    pub version: Option<String>,
    pub scheme: Option<String>,
    /// The range used, rendered (`introduced 0, fixed 1.2.5`), when one decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
    /// Every comparison made, in order (`1.2.3 >= introduced 1.0.0`, `1.2.3 < fixed 1.2.5`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<String>,
    /// One sentence: why.
    pub reason: String,
}

/// A verdict with its explanation and what else the user must see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Match {
    pub verdict: Verdict,
    /// The version that fixes it for this package, when the advisory names one (the smallest
    /// fix above the installed version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    /// A `MAL-*` (malicious package) advisory.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub malicious: bool,
    /// RustSec informational kind (`unmaintained`, `unsound`, `notice`): a warning shown apart,
    /// not a vulnerability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informational: Option<String>,
    pub explanation: Explanation,
}

/// The name advisories are looked up by: lowercase, and PEP 503-normalised for PyPI, so that
/// `Django`, `django` and `zope_interface`/`zope.interface` find each other. A lookup finds
/// candidates; whether an advisory package really names a component is decided exactly by
/// [`package::concerns`].
pub fn lookup_name(ecosystem: &str, name: &str) -> String {
    let base = ecosystem.split(':').next().unwrap_or(ecosystem);
    if base.eq_ignore_ascii_case("PyPI") {
        crate::model::purl::normalize_pypi(name)
    } else {
        name.to_lowercase()
    }
}
