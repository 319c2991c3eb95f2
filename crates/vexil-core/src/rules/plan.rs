//! The plan: for every stored finding, the decision the rules make now against the one it has,
//! and what would change — applied, changed, or un-applied (its rule no longer matches, expired
//! or is gone). Decisions from imported VEX documents stand unless a rule decides the finding.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use super::Rule;
use super::evaluate::{Facts, Index, Subject};
use crate::model::decision::{Decision, DecisionSource, RuleRef};

/// A stored finding as planning sees it.
#[derive(Clone, Copy, Debug)]
pub struct Planned<'a> {
    pub id: i64,
    pub project: &'a str,
    pub release: &'a str,
    pub finding: &'a Facts,
    pub decision: Option<&'a Decision>,
}

/// What happens to one finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A rule now decides a finding that had no rule decision.
    Apply,
    /// Another rule, or the same rule with a different decision, now decides it.
    Change,
    /// Its rule no longer decides it: the decision is removed.
    Unapply,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Apply => "apply",
            Action::Change => "change",
            Action::Unapply => "unapply",
        }
    }
}

/// One change of the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    pub finding: i64,
    pub release: String,
    pub purl: String,
    pub vuln: String,
    pub action: Action,
    /// The rule deciding now (apply, change), or the rule whose decision goes (unapply).
    pub rule: String,
    pub rule_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Decision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Decision>,
    /// One sentence for the history event.
    pub detail: String,
}

/// The plan, and per rule how many findings it decides (unchanged included): `rule-unused`
/// is a rule that decides none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub changes: Vec<Change>,
    pub decided: BTreeMap<String, usize>,
}

pub fn plan(rules: &[Rule], findings: &[Planned<'_>], today: Date) -> Plan {
    let mut out = Plan::default();
    let index = Index::new(rules, today);
    for r in rules {
        out.decided.insert(r.id.clone(), 0);
    }
    for f in findings {
        let subject = Subject {
            project: f.project,
            finding: f.finding,
        };
        let deciding = index.decide(&subject);
        let current = f.decision;
        let current_rule = current.and_then(|d| match &d.source {
            DecisionSource::Rule(r) => Some(r),
            DecisionSource::Vex { .. } => None,
        });
        let change =
            |action: Action, rule: &RuleRef, to: Option<Decision>, detail: String| Change {
                finding: f.id,
                release: f.release.to_owned(),
                purl: f.finding.purl.clone(),
                vuln: f.finding.vuln.clone(),
                action,
                rule: rule.id.clone(),
                rule_at: format!("{}:{}", rule.file, rule.line),
                from: current.cloned(),
                to,
                detail,
            };
        match deciding {
            Some(rule) => {
                *out.decided.entry(rule.id.clone()).or_default() += 1;
                let decision = rule.decision();
                if current == Some(&decision) {
                    continue;
                }
                let (action, detail) = match current {
                    None
                    | Some(Decision {
                        source: DecisionSource::Vex { .. },
                        ..
                    }) => (
                        Action::Apply,
                        format!(
                            "rule {} ({}:{}) decides {}: {}",
                            rule.id,
                            rule.location.file,
                            rule.location.line,
                            rule.status.as_str(),
                            rule.reason
                        ),
                    ),
                    Some(old) => (
                        Action::Change,
                        format!(
                            "rule {} ({}:{}) decides {} (was {} by {})",
                            rule.id,
                            rule.location.file,
                            rule.location.line,
                            rule.status.as_str(),
                            old.status.as_str(),
                            current_rule.map_or("a VEX document", |r| r.id.as_str())
                        ),
                    ),
                };
                out.changes
                    .push(change(action, &rule.location, Some(decision), detail));
            }
            None => {
                let Some(old_rule) = current_rule else {
                    continue;
                };
                // The rule that decided is gone, expired, or no longer matches.
                let why = match rules.iter().find(|r| r.id == old_rule.id) {
                    None => "was removed".to_owned(),
                    Some(r) if r.expired(today) => format!(
                        "expired on {}",
                        r.expires.map(|d| d.to_string()).unwrap_or_default()
                    ),
                    Some(_) => "no longer matches".to_owned(),
                };
                out.changes.push(change(
                    Action::Unapply,
                    old_rule,
                    None,
                    format!(
                        "rule {} ({}:{}) {why}: its decision is removed",
                        old_rule.id, old_rule.file, old_rule.line
                    ),
                ));
            }
        }
    }
    out.changes.sort_by(|a, b| {
        (&a.rule, &a.release, &a.vuln, &a.purl).cmp(&(&b.rule, &b.release, &b.vuln, &b.purl))
    });
    out
}
