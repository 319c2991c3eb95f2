//! Triage as code: rules a team keeps in its repository (`rules/auto/*.toml`, broad auto-fire
//! rules; `rules/triage/*.toml`, reviewer-curated decisions per vulnerability), each deciding an
//! OpenVEX status for the findings it matches. The stages, all pure:
//!
//! - [`parse`]: one file's text → rules with where each field is written, and a diagnostic for
//!   every mistake (all of them, never only the first);
//! - [`check`]: the rules of every file together: duplicate ids, stale and expired rules;
//! - [`evaluate`]: whether a rule matches a finding, and which rule decides it (triage over
//!   auto, then `priority`, then file order);
//! - [`plan`]: the decisions the rules make against the stored ones — apply, change, un-apply;
//! - [`suggest`]: the untriaged backlog clustered into ready-to-edit rules.

pub mod check;
pub mod diagnostic;
pub mod evaluate;
pub mod import;
pub mod parse;
pub mod plan;
pub mod suggest;

use jiff::civil::Date;
use regex::Regex;
use serde::Serialize;

use crate::model::decision::{Decision, DecisionSource, Justification, RuleRef, VexStatus};
use crate::model::finding::SeverityLevel;

/// Reviewer-curated (`triage`) or broad (`auto`). Triage rules win over auto rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    Auto,
    Triage,
}

impl RuleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Auto => "auto",
            RuleKind::Triage => "triage",
        }
    }
}

/// A regex with the text it was written as.
#[derive(Clone, Debug)]
pub struct Pattern {
    pub text: String,
    pub regex: Regex,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.text == other.text
    }
}

impl Serialize for Pattern {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// Which components a rule covers; every field given must match.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ComponentMatch {
    /// A regex over the component's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Pattern>,
    /// A purl without version: type, namespace and name equal, and every qualifier it gives
    /// present with the same value (`pkg:deb/debian/linux-libc-dev`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// An ecosystem (`Debian` covers `Debian:12`; `Debian:12` only that release).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<String>,
}

/// Conditions over a finding's evidence; every one given must hold.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Conditions {
    /// The Debian tracker's urgency for the release is one of these (`unimportant`, `low`, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub debian_urgency: Vec<String>,
    /// The Debian tracker's `nodsa` reason is one of these (`ignored`, `postponed`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub debian_nodsa_reason: Vec<String>,
    /// The finding's severity is at most this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_severity: Option<SeverityLevel>,
    /// The vulnerability is (true) or is not (false) in CISA KEV.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kev: Option<bool>,
    /// The EPSS score is below this (a vulnerability without a score counts as 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epss_below: Option<f64>,
    /// A fixed version is (true) or is not (false) known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix_available: Option<bool>,
}

impl Eq for Conditions {}

/// One rule, as written and checked.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rule {
    pub id: String,
    pub kind: RuleKind,
    pub component: ComponentMatch,
    /// A regex over any id of the vulnerability's alias group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vuln: Option<Pattern>,
    /// A regex over the project name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<Pattern>,
    #[serde(skip_serializing_if = "is_default")]
    pub when: Conditions,
    pub status: VexStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<Justification>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact_statement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_statement: Option<String>,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recheck: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
    pub priority: i64,
    /// Where it is written, and its place in the order files and rules were read.
    pub location: RuleRef,
    #[serde(skip)]
    pub order: usize,
}

fn is_default(c: &Conditions) -> bool {
    *c == Conditions::default()
}

impl Rule {
    /// The decision this rule makes on the findings it matches.
    pub fn decision(&self) -> Decision {
        Decision {
            status: self.status,
            justification: self.justification,
            impact_statement: self.impact_statement.clone(),
            action_statement: self.action_statement.clone(),
            reason: self.reason.clone(),
            source: DecisionSource::Rule(self.location.clone()),
            issue: self.issue.clone(),
            recheck: self.recheck,
            expires: self.expires,
        }
    }

    /// Past its `expires` date on `today`: it decides nothing any more.
    pub fn expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|d| d < today)
    }

    /// Past its `recheck` date on `today`: someone should look at it again.
    pub fn stale(&self, today: Date) -> bool {
        self.recheck.is_some_and(|d| d < today)
    }
}
