//! Findings: what a scan concluded about one (release, component, vulnerability), as the store
//! keeps it — the match verdict and its explanation, the resolved severity, KEV and EPSS — and
//! the events of its append-only history.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::matching::{Match, Verdict};

/// A severity rating, most severe first in `Ord`'s reverse: `Critical > High > Medium > Low`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum SeverityLevel {
    #[default]
    Low,
    Medium,
    High,
    Critical,
}

impl SeverityLevel {
    pub const ALL: [SeverityLevel; 4] = [
        SeverityLevel::Critical,
        SeverityLevel::High,
        SeverityLevel::Medium,
        SeverityLevel::Low,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SeverityLevel::Critical => "critical",
            SeverityLevel::High => "high",
            SeverityLevel::Medium => "medium",
            SeverityLevel::Low => "low",
        }
    }

    /// `critical`, `high`, `medium` (or GHSA's `moderate`), `low`, any case.
    pub fn parse(s: &str) -> Option<SeverityLevel> {
        match s.to_ascii_lowercase().as_str() {
            "critical" => Some(SeverityLevel::Critical),
            "high" => Some(SeverityLevel::High),
            "medium" | "moderate" => Some(SeverityLevel::Medium),
            "low" => Some(SeverityLevel::Low),
            _ => None,
        }
    }
}

impl std::fmt::Display for SeverityLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A finding's severity and where it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedSeverity {
    pub level: SeverityLevel,
    /// The authority that decided (`ghsa`, `nvd`, `osv`), or `default` when none spoke or they
    /// conflicted.
    pub authority: String,
    /// One sentence: which advisory said what (`GHSA-xxxx labels it HIGH`, `NVD CVSS:3.1/… =
    /// 9.8`), or why the default applies.
    pub reason: String,
}

/// The CISA KEV facts a finding carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevFlag {
    pub cve: String,
    pub date_added: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<Date>,
    /// CISA's "known ransomware campaign use" is `Known`.
    pub ransomware: bool,
}

/// The EPSS score a finding carries (the highest over the group's CVEs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpssFlag {
    pub cve: String,
    pub score: f64,
    pub percentile: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
}

/// What one scan concluded about one component and one vulnerability (an alias group).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub purl: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<String>,
    /// The display id (the CVE when the group has one) and every id of the group.
    pub vuln: String,
    pub ids: Vec<String>,
    pub verdict: Verdict,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub malicious: bool,
    /// RustSec informational kind: a warning, not a vulnerability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informational: Option<String>,
    pub severity: ResolvedSeverity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kev: Option<KevFlag>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epss: Option<EpssFlag>,
    /// Each advisory's match, the deciding one first: the explanation.
    pub matches: Vec<Match>,
}

impl Observation {
    /// Whether the verdict calls for attention: affected, or cannot tell.
    pub fn is_open(&self) -> bool {
        is_open(self.verdict)
    }
}

/// Affected and unknown findings are open; fixed and not affected ones are resolved.
pub fn is_open(verdict: Verdict) -> bool {
    matches!(verdict, Verdict::Affected | Verdict::Unknown)
}

/// Where a finding stands in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingState {
    /// Affected or unknown at the last scan.
    Open,
    /// Fixed, not affected, or its component gone, at the last scan.
    Resolved,
}

impl FindingState {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingState::Open => "open",
            FindingState::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<FindingState> {
        match s {
            "open" => Some(FindingState::Open),
            "resolved" => Some(FindingState::Resolved),
            _ => None,
        }
    }
}

/// What happened to a finding. History is append-only: events are never changed or removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// First seen open.
    New,
    /// No longer open: fixed, not affected, or the component or advisory gone.
    Resolved,
    /// Open again after being resolved.
    Reactivated,
    /// Still open, but the verdict, fixed version, severity or KEV status changed.
    Changed,
    /// A rule decided it (or decides it differently now).
    RuleApplied,
    /// The rule that decided it no longer does (removed, expired, no longer matching).
    RuleUnapplied,
    /// A statement of an imported VEX document decided it.
    VexApplied,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::New => "new",
            EventKind::Resolved => "resolved",
            EventKind::Reactivated => "reactivated",
            EventKind::Changed => "changed",
            EventKind::RuleApplied => "rule_applied",
            EventKind::RuleUnapplied => "rule_unapplied",
            EventKind::VexApplied => "vex_applied",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        match s {
            "new" => Some(EventKind::New),
            "resolved" => Some(EventKind::Resolved),
            "reactivated" => Some(EventKind::Reactivated),
            "changed" => Some(EventKind::Changed),
            "rule_applied" => Some(EventKind::RuleApplied),
            "rule_unapplied" => Some(EventKind::RuleUnapplied),
            "vex_applied" => Some(EventKind::VexApplied),
            _ => None,
        }
    }
}
