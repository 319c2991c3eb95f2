//! An advisory in the OSV shape, Vexil's lingua franca; distro and NVD feeds map into it.
//!
//! Field names follow the OSV schema (1.7) so a record round-trips; what other feeds add that
//! OSV cannot say (Debian urgency, NVD CPE configurations) lives in typed extensions.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Which feed an advisory came from. Closed: each has its own parser in `ingest::advisory`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Feed {
    Osv,
    Nvd,
    Debian,
    Alpine,
}

impl Feed {
    /// The name used on the command line, in the store and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Feed::Osv => "osv",
            Feed::Nvd => "nvd",
            Feed::Debian => "debian",
            Feed::Alpine => "alpine",
        }
    }
}

/// One vulnerability record as a feed published it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// `GHSA-…`, `CVE-…`, `RUSTSEC-…`, `MAL-…`, `TEMP-…`.
    pub id: String,
    pub feed: Feed,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<Timestamp>,
    /// A withdrawn advisory is kept but never matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upstream: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<Severity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<Affected>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// `CWE-79`, …
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwes: Vec<String>,
    /// An OSSF malicious-package record (`MAL-*`): any match is `affected` and flagged.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub malicious: bool,
    /// RustSec informational kind (`unmaintained`, `unsound`, `notice`): a warning, not a vulnerability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informational: Option<String>,
    /// NVD's own data: status (`Rejected`…) and CPE applicability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nvd: Option<NvdData>,
}

impl Advisory {
    /// A record with just an id and a feed; parsers fill in the rest.
    pub fn new(id: impl Into<String>, feed: Feed) -> Advisory {
        Advisory {
            id: id.into(),
            feed,
            modified: None,
            published: None,
            withdrawn: None,
            aliases: Vec::new(),
            upstream: Vec::new(),
            related: Vec::new(),
            summary: None,
            details: None,
            severity: Vec::new(),
            affected: Vec::new(),
            references: Vec::new(),
            cwes: Vec::new(),
            malicious: false,
            informational: None,
            nvd: None,
        }
    }
}

/// A severity score or label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Severity {
    pub kind: SeverityKind,
    /// A CVSS vector (`CVSS:3.1/AV:N/…`), or a label (`HIGH`, `moderate`, `unimportant`).
    pub score: String,
    /// Who said so when a feed carries several (`nvd@nist.gov`, `secalert@redhat.com`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SeverityKind {
    CvssV2,
    CvssV3,
    CvssV4,
    /// OSV's `Ubuntu` priority labels.
    Ubuntu,
    /// A textual label: GHSA's `database_specific.severity`, a Debian urgency, …
    Label,
}

/// One affected package with its ranges and explicit versions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<Package>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<Severity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem_specific: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<serde_json::Value>,
    /// What a distro tracker says beyond ranges (Debian urgency, `nodsa`, status).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distro: Option<DistroNote>,
}

/// A package as OSV names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Package {
    /// As written (`PyPI`, `Debian:12`, `Alpine:v3.20`, `AlmaLinux:8`); parse with
    /// `vexil_version::EcosystemName` — an unknown ecosystem is kept with a warning.
    pub ecosystem: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    #[serde(rename = "type")]
    pub kind: RangeKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    pub events: Vec<Event>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RangeKind {
    Semver,
    Ecosystem,
    Git,
}

/// An OSV range event. `Introduced("0")` means "from the beginning".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
}

/// Per-package notes of a distro security tracker, beyond what ranges can say.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistroNote {
    /// The release or branch (`bookworm`, `v3.20`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// Tracker status (`resolved`, `open`, `undetermined`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Debian urgency without the `**` suffix (`unimportant`, `low`, `medium`, `high`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<String>,
    /// The urgency had Debian's `**` suffix: set without a close look.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub urgency_unconfirmed: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nodsa: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodsa_reason: Option<String>,
    /// The fixed version `"0"`: this release was never affected.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub never_affected: bool,
}

/// NVD's own view of a CVE.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NvdData {
    /// `Analyzed`, `Modified`, `Rejected`, `Awaiting Analysis`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vuln_status: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub configurations: Vec<CpeConfiguration>,
}

/// A CPE applicability statement: its nodes combine with `operator` (default `OR`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpeConfiguration {
    /// `AND` or `OR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub negate: bool,
    pub nodes: Vec<CpeNode>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpeNode {
    /// `AND` or `OR`.
    pub operator: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub negate: bool,
    pub cpe_match: Vec<CpeMatch>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpeMatch {
    pub vulnerable: bool,
    /// A CPE 2.3 formatted string.
    pub criteria: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_start_including: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_start_excluding: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_end_including: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_end_excluding: Option<String>,
}
