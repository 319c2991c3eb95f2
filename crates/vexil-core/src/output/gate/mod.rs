//! The release gate: whether a release may ship, from its findings, their triage decisions, the
//! acknowledged-and-deferred list and `[gate]` in vexil.toml — every finding with the reason it
//! fails or passes — and the report in each `--format`. Pure: `today` is a parameter.

mod render;

pub use render::{render_json, render_junit, render_markdown, render_public_log, render_table};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::matching::Verdict;
use crate::model::decision::{Decision, DecisionSource};
use crate::model::finding::{Observation, SeverityLevel};
use crate::output::deferred::Deferred;
use crate::output::sla::{Due, is_overdue};

/// `[gate]` in `vexil.toml`.
///
/// ```toml
/// [gate]
/// min_severity = "low"          # affected findings below it pass, reported as below threshold
/// unknown = "pass"              # or "fail": what a finding Vexil cannot decide does
/// kev_always_fails = true       # KEV entries fail even when suppressed, deferred or below
/// malicious_always_fails = true # malicious packages likewise
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatePolicy {
    #[serde(default = "lowest")]
    pub min_severity: SeverityLevel,
    #[serde(default)]
    pub unknown: UnknownPolicy,
    #[serde(default = "yes")]
    pub kev_always_fails: bool,
    #[serde(default = "yes")]
    pub malicious_always_fails: bool,
}

fn lowest() -> SeverityLevel {
    SeverityLevel::Low
}

fn yes() -> bool {
    true
}

impl Default for GatePolicy {
    fn default() -> GatePolicy {
        GatePolicy {
            min_severity: lowest(),
            unknown: UnknownPolicy::default(),
            kev_always_fails: true,
            malicious_always_fails: true,
        }
    }
}

/// What a finding whose verdict is `unknown` does at the gate. `pass` by default (the issue
/// fails the gate on `affected` findings); it still shows in the report, never silently.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownPolicy {
    #[default]
    Pass,
    Fail,
}

/// One finding of the release, as the caller hands it in.
#[derive(Clone, Debug, PartialEq)]
pub struct GateFinding {
    /// The stored finding's id (`F-12`), when there is one.
    pub id: Option<String>,
    pub observation: Observation,
    pub decision: Option<Decision>,
    pub due: Option<Due>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GateVerdict {
    Pass,
    Fail,
}

impl GateVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            GateVerdict::Pass => "PASS",
            GateVerdict::Fail => "FAIL",
        }
    }
}

/// The gate's answer: the verdict, counts, and every finding with its outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GateReport {
    pub verdict: GateVerdict,
    pub today: Date,
    pub counts: GateCounts,
    /// Failing first, then deferred, suppressed, below threshold, unknown, informational, not
    /// affected; most severe first within each.
    pub entries: Vec<GateEntry>,
}

impl GateReport {
    /// Exit code 0 when true, 1 when false.
    pub fn passed(&self) -> bool {
        self.verdict == GateVerdict::Pass
    }
}

/// How many findings had each outcome; the failing ones also by reason.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GateCounts {
    pub findings: usize,
    pub failing: usize,
    pub kev: usize,
    pub malicious: usize,
    pub expired_deferrals: usize,
    pub expired_decisions: usize,
    pub affected: usize,
    pub unknown: usize,
    pub deferred: usize,
    pub suppressed: usize,
    pub below_threshold: usize,
    pub unknown_passed: usize,
    pub informational: usize,
    pub not_affected: usize,
    /// Past their SLA due date, whatever their outcome.
    pub overdue: usize,
}

/// One finding at the gate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GateEntry {
    pub finding: FindingSummary,
    pub outcome: Outcome,
    pub overdue: bool,
}

/// What the report shows of a finding (the observation's explanation stays in `findings show`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FindingSummary {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub purl: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub vuln: String,
    pub ids: Vec<String>,
    pub verdict: Verdict,
    pub severity: SeverityLevel,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kev: Option<String>,
    pub malicious: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<Due>,
}

/// Why a finding fails or passes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Fails {
        reason: FailReason,
    },
    /// On the deferred list, not expired.
    Deferred {
        entry: Deferred,
    },
    /// A decision (not_affected, fixed) takes it off the release's account.
    Suppressed {
        decision: Decision,
    },
    BelowThreshold {
        min_severity: SeverityLevel,
    },
    /// Verdict unknown, and `[gate] unknown = "pass"`.
    UnknownPasses,
    /// A RustSec informational notice (unmaintained, unsound): not a vulnerability.
    Informational {
        kind: String,
    },
    /// The scan found it fixed or not affected.
    NotAffected {
        verdict: Verdict,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FailReason {
    /// A malicious package; `overrides` names what would otherwise have let it pass.
    Malicious {
        overrides: Option<String>,
    },
    /// In CISA's KEV catalog; `overrides` likewise.
    Kev {
        cve: String,
        overrides: Option<String>,
    },
    /// On the deferred list, but `resolve_by` has passed.
    ExpiredDeferral {
        entry: Deferred,
    },
    /// A suppressing decision whose `expires` has passed.
    ExpiredDecision {
        decision: Decision,
    },
    Affected,
    /// Verdict unknown, and `[gate] unknown = "fail"`.
    Unknown,
}

impl Outcome {
    pub fn fails(&self) -> bool {
        matches!(self, Outcome::Fails { .. })
    }

    /// One word for tables: `fail`, `deferred`, `suppressed`, `below-threshold`,
    /// `unknown-passes`, `informational`, `not-affected`.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Fails { .. } => "fail",
            Outcome::Deferred { .. } => "deferred",
            Outcome::Suppressed { .. } => "suppressed",
            Outcome::BelowThreshold { .. } => "below-threshold",
            Outcome::UnknownPasses => "unknown-passes",
            Outcome::Informational { .. } => "informational",
            Outcome::NotAffected { .. } => "not-affected",
        }
    }

    /// Sort rank: failing first.
    fn rank(&self) -> u8 {
        match self {
            Outcome::Fails { .. } => 0,
            Outcome::Deferred { .. } => 1,
            Outcome::Suppressed { .. } => 2,
            Outcome::BelowThreshold { .. } => 3,
            Outcome::UnknownPasses => 4,
            Outcome::Informational { .. } => 5,
            Outcome::NotAffected { .. } => 6,
        }
    }
}

impl GateEntry {
    /// One sentence: why this finding fails or passes.
    pub fn why(&self) -> String {
        let f = &self.finding;
        match &self.outcome {
            Outcome::Fails { reason } => match reason {
                FailReason::Malicious { overrides } => format!(
                    "malicious package: always fails ([gate] malicious_always_fails){}",
                    not_excused(overrides)
                ),
                FailReason::Kev { cve, overrides } => format!(
                    "{cve} is in CISA KEV: always fails ([gate] kev_always_fails){}",
                    not_excused(overrides)
                ),
                FailReason::ExpiredDeferral { entry } => format!(
                    "deferral expired on {} ({}:{}): fix it or extend `resolve_by`",
                    entry.resolve_by, entry.file, entry.line
                ),
                FailReason::ExpiredDecision { decision } => format!(
                    "decision {} by {} expired on {}",
                    decision.status.as_str(),
                    source(&decision.source),
                    decision.expires.map_or_else(String::new, |d| d.to_string())
                ),
                FailReason::Affected => format!(
                    "affected, {} (at or above [gate] min_severity); no decision suppresses it \
                     and no deferral covers it",
                    f.severity
                ),
                FailReason::Unknown => {
                    "verdict unknown, and [gate] unknown = \"fail\"; no decision suppresses it and \
                     no deferral covers it"
                        .to_owned()
                }
            },
            Outcome::Deferred { entry } => format!(
                "deferred until {} ({}:{}): {}",
                entry.resolve_by, entry.file, entry.line, entry.reason
            ),
            Outcome::Suppressed { decision } => {
                let justification = (decision.justification)
                    .map_or(String::new(), |j| format!(" ({})", j.as_str()));
                format!(
                    "{}{justification} by {}: {}",
                    decision.status.as_str(),
                    source(&decision.source),
                    decision.reason
                )
            }
            Outcome::BelowThreshold { min_severity } => {
                format!(
                    "{} is below [gate] min_severity = \"{min_severity}\"",
                    f.severity
                )
            }
            Outcome::UnknownPasses => {
                "verdict unknown; passes because [gate] unknown = \"pass\"".to_owned()
            }
            Outcome::Informational { kind } => {
                format!("informational ({kind}): a warning, not a vulnerability")
            }
            Outcome::NotAffected { verdict } => {
                format!("the scan found it {}", verdict.as_str().replace('_', " "))
            }
        }
    }
}

fn not_excused(overrides: &Option<String>) -> String {
    overrides
        .as_ref()
        .map_or(String::new(), |o| format!("; {o} does not excuse it"))
}

fn source(s: &DecisionSource) -> String {
    match s {
        DecisionSource::Rule(r) => format!("rule {} ({}:{})", r.id, r.file, r.line),
        DecisionSource::Vex { document, .. } => format!("VEX {document}"),
    }
}

/// Judges a release.
///
/// Per finding, first match wins:
/// 1. verdict fixed / not affected → passes (not affected);
/// 2. a RustSec informational notice that is not malicious → passes (informational);
/// 3. malicious, with `malicious_always_fails` → fails, even when a decision suppresses it, a
///    deferral covers it or it is below the threshold (the report names what it overrode);
/// 4. in KEV, with `kev_always_fails` → fails, likewise;
/// 5. a decision that suppresses it (not_affected, fixed) and has not expired → suppressed;
/// 6. verdict unknown and `unknown = "pass"` → passes;
/// 7. severity below `min_severity` → below threshold;
/// 8. a deferral covers it and `resolve_by` is today or later → deferred;
/// 9. else fails: an expired deferral covering it, else an expired suppressing decision, else
///    plainly affected (or unknown with `unknown = "fail"`).
///
/// A deferral never excuses KEV or malicious findings: deferring is accepting a known risk, and
/// an exploited-in-the-wild vulnerability or malware is not a risk the gate lets a team accept
/// silently; `kev_always_fails = false` puts KEV findings back under the ordinary rules.
pub fn evaluate(
    policy: &GatePolicy,
    findings: &[GateFinding],
    deferred: &[Deferred],
    today: Date,
) -> GateReport {
    let mut entries: Vec<GateEntry> = findings
        .iter()
        .map(|f| GateEntry {
            finding: summary(f),
            outcome: outcome(policy, f, deferred, today),
            overdue: f.due.is_some_and(|d| is_overdue(d, today)),
        })
        .collect();
    entries.sort_by(|a, b| {
        let key = |e: &GateEntry| {
            (
                e.outcome.rank(),
                std::cmp::Reverse(e.finding.severity),
                e.finding.name.clone(),
                e.finding.version.clone(),
                e.finding.vuln.clone(),
                e.finding.purl.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    let counts = count(&entries);
    GateReport {
        verdict: if counts.failing > 0 {
            GateVerdict::Fail
        } else {
            GateVerdict::Pass
        },
        today,
        counts,
        entries,
    }
}

fn summary(f: &GateFinding) -> FindingSummary {
    let o = &f.observation;
    FindingSummary {
        id: f.id.clone(),
        purl: o.purl.clone(),
        name: o.name.clone(),
        version: o.version.clone(),
        vuln: o.vuln.clone(),
        ids: o.ids.clone(),
        verdict: o.verdict,
        severity: o.severity.level,
        kev: o.kev.as_ref().map(|k| k.cve.clone()),
        malicious: o.malicious,
        fixed_version: o.fixed_version.clone(),
        due: f.due,
    }
}

fn outcome(policy: &GatePolicy, f: &GateFinding, deferred: &[Deferred], today: Date) -> Outcome {
    let o = &f.observation;
    if matches!(o.verdict, Verdict::Fixed | Verdict::NotAffected) {
        return Outcome::NotAffected { verdict: o.verdict };
    }
    if let (Some(kind), false) = (&o.informational, o.malicious) {
        return Outcome::Informational { kind: kind.clone() };
    }
    // The deferral that applies: a live one if any (the latest `resolve_by`), else the expired
    // one that expired last.
    let deferral = deferred
        .iter()
        .filter(|d| d.covers(o))
        .max_by_key(|d| (!d.is_expired(today), d.resolve_by));
    let live_deferral = deferral.filter(|d| !d.is_expired(today));
    let suppressing = f.decision.as_ref().filter(|d| d.status.suppresses());
    let live_decision = suppressing.filter(|d| d.expires.is_none_or(|e| today <= e));
    let unknown_passes = o.verdict == Verdict::Unknown && policy.unknown == UnknownPolicy::Pass;
    let below = o.severity.level < policy.min_severity;
    // What would have let it pass, for KEV and malicious findings that fail anyway.
    let overrides = if let Some(d) = live_decision {
        Some(format!(
            "decision {} by {}",
            d.status.as_str(),
            source(&d.source)
        ))
    } else if unknown_passes {
        Some("[gate] unknown = \"pass\"".to_owned())
    } else if below {
        Some(format!("[gate] min_severity = \"{}\"", policy.min_severity))
    } else {
        live_deferral.map(|d| format!("the deferral at {}:{}", d.file, d.line))
    };
    let fails = |reason| Outcome::Fails { reason };
    if o.malicious && policy.malicious_always_fails {
        return fails(FailReason::Malicious { overrides });
    }
    if let (Some(kev), true) = (&o.kev, policy.kev_always_fails) {
        return fails(FailReason::Kev {
            cve: kev.cve.clone(),
            overrides,
        });
    }
    if let Some(d) = live_decision {
        return Outcome::Suppressed {
            decision: d.clone(),
        };
    }
    if unknown_passes {
        return Outcome::UnknownPasses;
    }
    if below {
        return Outcome::BelowThreshold {
            min_severity: policy.min_severity,
        };
    }
    match (deferral, suppressing) {
        (Some(d), _) if !d.is_expired(today) => Outcome::Deferred { entry: d.clone() },
        (Some(d), _) => fails(FailReason::ExpiredDeferral { entry: d.clone() }),
        (None, Some(d)) => fails(FailReason::ExpiredDecision {
            decision: d.clone(),
        }),
        (None, None) if o.verdict == Verdict::Unknown => fails(FailReason::Unknown),
        (None, None) => fails(FailReason::Affected),
    }
}

fn count(entries: &[GateEntry]) -> GateCounts {
    let mut c = GateCounts {
        findings: entries.len(),
        ..GateCounts::default()
    };
    for e in entries {
        c.overdue += usize::from(e.overdue);
        let n = match &e.outcome {
            Outcome::Fails { reason } => {
                c.failing += 1;
                match reason {
                    FailReason::Malicious { .. } => &mut c.malicious,
                    FailReason::Kev { .. } => &mut c.kev,
                    FailReason::ExpiredDeferral { .. } => &mut c.expired_deferrals,
                    FailReason::ExpiredDecision { .. } => &mut c.expired_decisions,
                    FailReason::Affected => &mut c.affected,
                    FailReason::Unknown => &mut c.unknown,
                }
            }
            Outcome::Deferred { .. } => &mut c.deferred,
            Outcome::Suppressed { .. } => &mut c.suppressed,
            Outcome::BelowThreshold { .. } => &mut c.below_threshold,
            Outcome::UnknownPasses => &mut c.unknown_passed,
            Outcome::Informational { .. } => &mut c.informational,
            Outcome::NotAffected { .. } => &mut c.not_affected,
        };
        *n += 1;
    }
    c
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;
    use crate::model::decision::{Justification, RuleRef, VexStatus};
    use crate::model::finding::KevFlag;
    use crate::output::deferred::{self, tests::observation};

    const TODAY: Date = date(2026, 12, 1);

    const DEFERRED: &str = r#"[[deferred]]
vuln = "CVE-2026-0001"
package = "pkg:npm/left-pad"
acknowledged = 2026-11-01
reason = "dev-only dependency; never shipped"
resolve_by = 2027-01-31

[[deferred]]
vuln = "CVE-2026-0002"
package = "left-pad"
acknowledged = 2026-10-01
reason = "waiting for upstream"
resolve_by = 2026-11-30

[[deferred]]
vuln = "CVE-2026-0003"
package = "left-pad"
acknowledged = 2026-10-01
reason = "until today"
resolve_by = 2026-12-01
"#;

    fn deferrals() -> Vec<Deferred> {
        let (entries, diags) = deferred::parse(DEFERRED, "deferred.toml");
        assert_eq!(diags, []);
        entries
    }

    fn finding(vuln: &str) -> GateFinding {
        GateFinding {
            id: Some("F-1".to_owned()),
            observation: observation("pkg:npm/left-pad@1.3.0", vuln, &[vuln]),
            decision: None,
            due: None,
        }
    }

    fn decision(status: VexStatus, expires: Option<Date>) -> Decision {
        Decision {
            status,
            justification: Some(Justification::VulnerableCodeNotInExecutePath),
            impact_statement: None,
            action_statement: None,
            reason: "only the CLI imports it".to_owned(),
            source: DecisionSource::Rule(RuleRef {
                id: "left-pad-cli".to_owned(),
                file: "rules/triage/npm.toml".to_owned(),
                line: 4,
            }),
            issue: None,
            recheck: None,
            expires,
        }
    }

    fn kev(mut f: GateFinding) -> GateFinding {
        f.observation.kev = Some(KevFlag {
            cve: f.observation.vuln.clone(),
            date_added: date(2026, 6, 1),
            due_date: None,
            ransomware: false,
        });
        f
    }

    fn malicious(mut f: GateFinding) -> GateFinding {
        f.observation.malicious = true;
        f
    }

    fn with_decision(mut f: GateFinding, d: Decision) -> GateFinding {
        f.decision = Some(d);
        f
    }

    fn gate(policy: &GatePolicy, findings: &[GateFinding]) -> GateReport {
        evaluate(policy, findings, &deferrals(), TODAY)
    }

    fn one(policy: &GatePolicy, f: GateFinding) -> GateEntry {
        let r = gate(policy, &[f]);
        assert_eq!(r.passed(), !r.entries[0].outcome.fails());
        r.entries.into_iter().next().unwrap()
    }

    #[test]
    fn no_open_findings_pass() {
        let r = gate(&GatePolicy::default(), &[]);
        assert!(r.passed());
        assert_eq!(r.counts, GateCounts::default());
        let mut fixed = finding("CVE-2026-0009");
        fixed.observation.verdict = Verdict::Fixed;
        let e = one(&GatePolicy::default(), fixed);
        assert_eq!(
            e.outcome,
            Outcome::NotAffected {
                verdict: Verdict::Fixed
            }
        );
        assert_eq!(e.why(), "the scan found it fixed");
    }

    #[test]
    fn an_affected_finding_fails() {
        let r = gate(&GatePolicy::default(), &[finding("CVE-2026-0009")]);
        assert_eq!(r.verdict, GateVerdict::Fail);
        assert_eq!((r.counts.failing, r.counts.affected), (1, 1));
        let e = &r.entries[0];
        assert_eq!(
            e.outcome,
            Outcome::Fails {
                reason: FailReason::Affected
            }
        );
        assert!(e.why().starts_with("affected, high"), "{}", e.why());
    }

    #[test]
    fn a_deferred_finding_passes_and_says_until_when() {
        // Deferred by another id of its alias group, in the package the purl names.
        let mut f = finding("GHSA-left-pad");
        f.observation.ids = vec!["GHSA-left-pad".to_owned(), "CVE-2026-0001".to_owned()];
        let e = one(&GatePolicy::default(), f);
        let Outcome::Deferred { entry } = &e.outcome else {
            panic!("{:?}", e.outcome)
        };
        assert_eq!(entry.resolve_by, date(2027, 1, 31));
        assert_eq!(
            e.why(),
            "deferred until 2027-01-31 (deferred.toml:1): dev-only dependency; never shipped"
        );
        // On `resolve_by` itself the deferral still holds.
        let e = one(&GatePolicy::default(), finding("CVE-2026-0003"));
        assert_eq!(e.outcome.label(), "deferred");
    }

    #[test]
    fn an_expired_deferral_fails_and_says_so() {
        let r = gate(&GatePolicy::default(), &[finding("CVE-2026-0002")]);
        assert!(!r.passed());
        assert_eq!(r.counts.expired_deferrals, 1);
        let e = &r.entries[0];
        assert!(matches!(
            &e.outcome,
            Outcome::Fails { reason: FailReason::ExpiredDeferral { entry } } if entry.line == 8
        ));
        assert_eq!(
            e.why(),
            "deferral expired on 2026-11-30 (deferred.toml:8): fix it or extend `resolve_by`"
        );
    }

    #[test]
    fn kev_fails_even_when_deferred_suppressed_or_below_threshold() {
        let e = one(&GatePolicy::default(), kev(finding("CVE-2026-0001")));
        assert_eq!(
            e.outcome,
            Outcome::Fails {
                reason: FailReason::Kev {
                    cve: "CVE-2026-0001".to_owned(),
                    overrides: Some("the deferral at deferred.toml:1".to_owned())
                }
            }
        );
        assert_eq!(
            e.why(),
            "CVE-2026-0001 is in CISA KEV: always fails ([gate] kev_always_fails); the deferral \
             at deferred.toml:1 does not excuse it"
        );
        let suppressed = with_decision(
            kev(finding("CVE-2026-0009")),
            decision(VexStatus::NotAffected, None),
        );
        let e = one(&GatePolicy::default(), suppressed.clone());
        assert!(
            e.why()
                .contains("decision not_affected by rule left-pad-cli"),
            "{}",
            e.why()
        );
        let mut low = kev(finding("CVE-2026-0009"));
        low.observation.severity.level = SeverityLevel::Low;
        let strict = GatePolicy {
            min_severity: SeverityLevel::Critical,
            ..GatePolicy::default()
        };
        assert!(one(&strict, low).outcome.fails());
        // Opting out puts KEV findings back under the ordinary rules.
        let lenient = GatePolicy {
            kev_always_fails: false,
            ..GatePolicy::default()
        };
        assert_eq!(
            one(&lenient, kev(finding("CVE-2026-0001"))).outcome.label(),
            "deferred"
        );
        assert_eq!(one(&lenient, suppressed).outcome.label(), "suppressed");
    }

    #[test]
    fn malicious_packages_always_fail() {
        let f = with_decision(
            malicious(finding("MAL-2026-1")),
            decision(VexStatus::NotAffected, None),
        );
        let r = gate(&GatePolicy::default(), std::slice::from_ref(&f));
        assert!(!r.passed());
        assert_eq!(r.counts.malicious, 1);
        assert!(
            r.entries[0]
                .why()
                .starts_with("malicious package: always fails")
        );
        // Even a malicious finding carrying an informational kind.
        let mut info = malicious(finding("MAL-2026-2"));
        info.observation.informational = Some("notice".to_owned());
        assert!(one(&GatePolicy::default(), info).outcome.fails());
        let lenient = GatePolicy {
            malicious_always_fails: false,
            ..GatePolicy::default()
        };
        assert_eq!(one(&lenient, f).outcome.label(), "suppressed");
    }

    #[test]
    fn a_suppressing_decision_passes_until_it_expires() {
        let d = decision(VexStatus::NotAffected, Some(date(2026, 12, 1)));
        let e = one(
            &GatePolicy::default(),
            with_decision(finding("CVE-2026-0009"), d.clone()),
        );
        assert_eq!(e.outcome, Outcome::Suppressed { decision: d });
        assert_eq!(
            e.why(),
            "not_affected (vulnerable_code_not_in_execute_path) by rule left-pad-cli \
             (rules/triage/npm.toml:4): only the CLI imports it"
        );
        let expired = decision(VexStatus::Fixed, Some(date(2026, 11, 30)));
        let e = one(
            &GatePolicy::default(),
            with_decision(finding("CVE-2026-0009"), expired),
        );
        assert_eq!(e.outcome.label(), "fail");
        assert!(e.why().ends_with("expired on 2026-11-30"), "{}", e.why());
        // `affected` and `under_investigation` decisions suppress nothing.
        for status in [VexStatus::Affected, VexStatus::UnderInvestigation] {
            let f = with_decision(finding("CVE-2026-0009"), decision(status, None));
            assert_eq!(
                one(&GatePolicy::default(), f).outcome,
                Outcome::Fails {
                    reason: FailReason::Affected
                }
            );
        }
    }

    #[test]
    fn unknown_verdicts_follow_the_policy() {
        let mut f = finding("CVE-2026-0009");
        f.observation.verdict = Verdict::Unknown;
        assert_eq!(
            one(&GatePolicy::default(), f.clone()).outcome,
            Outcome::UnknownPasses
        );
        let strict: GatePolicy = toml::from_str("unknown = \"fail\"").unwrap();
        assert_eq!(
            one(&strict, f.clone()).outcome,
            Outcome::Fails {
                reason: FailReason::Unknown
            }
        );
        // A deferral covers an unknown finding too.
        f.observation.vuln = "CVE-2026-0001".to_owned();
        assert_eq!(one(&strict, f).outcome.label(), "deferred");
    }

    #[test]
    fn findings_below_the_threshold_pass() {
        let policy: GatePolicy = toml::from_str("min_severity = \"high\"").unwrap();
        let mut medium = finding("CVE-2026-0009");
        medium.observation.severity.level = SeverityLevel::Medium;
        let e = one(&policy, medium);
        assert_eq!(
            e.outcome,
            Outcome::BelowThreshold {
                min_severity: SeverityLevel::High
            }
        );
        assert_eq!(e.why(), "medium is below [gate] min_severity = \"high\"");
        let mut critical = finding("CVE-2026-0009");
        critical.observation.severity.level = SeverityLevel::Critical;
        assert!(one(&policy, critical).outcome.fails());
        assert!(one(&policy, finding("CVE-2026-0009")).outcome.fails());
    }

    #[test]
    fn informational_notices_pass() {
        let mut f = finding("RUSTSEC-2026-0001");
        f.observation.informational = Some("unmaintained".to_owned());
        assert_eq!(
            one(&GatePolicy::default(), f).outcome,
            Outcome::Informational {
                kind: "unmaintained".to_owned()
            }
        );
    }

    #[test]
    fn the_policy_reads_from_toml_with_defaults() {
        assert_eq!(
            toml::from_str::<GatePolicy>("").unwrap(),
            GatePolicy::default()
        );
        let p: GatePolicy = toml::from_str(
            "min_severity = \"critical\"\nunknown = \"fail\"\nkev_always_fails = false\n\
             malicious_always_fails = false",
        )
        .unwrap();
        assert_eq!(p.min_severity, SeverityLevel::Critical);
        assert_eq!(p.unknown, UnknownPolicy::Fail);
        assert!(!p.kev_always_fails && !p.malicious_always_fails);
        assert!(toml::from_str::<GatePolicy>("fail_on = \"affected\"").is_err());
        assert!(toml::from_str::<GatePolicy>("unknown = \"maybe\"").is_err());
    }

    /// A release with one finding of every outcome, with names that need escaping.
    fn mixed() -> GateReport {
        let mut fixed = finding("CVE-2026-0008");
        fixed.observation.verdict = Verdict::NotAffected;
        let mut low = finding("CVE-2026-0007");
        low.observation.severity.level = SeverityLevel::Low;
        let mut odd = GateFinding {
            observation: observation(
                "pkg:npm/%3Cevil%3E%26%22co%7C@6.6.6",
                "GHSA-evil-<&>",
                &["GHSA-evil-<&>"],
            ),
            ..finding("x")
        };
        odd.due = Some(Due::On(date(2026, 11, 20)));
        let findings = [
            fixed,
            finding("CVE-2026-0001"),
            with_decision(
                finding("CVE-2026-0006"),
                decision(VexStatus::NotAffected, None),
            ),
            kev(finding("CVE-2026-0005")),
            malicious(finding("MAL-2026-0004")),
            finding("CVE-2026-0002"),
            odd,
            low,
        ];
        let policy = GatePolicy {
            min_severity: SeverityLevel::Medium,
            ..GatePolicy::default()
        };
        evaluate(&policy, &findings, &deferrals(), TODAY)
    }

    #[test]
    fn counts_and_order_failing_first() {
        let r = mixed();
        assert_eq!(r.verdict, GateVerdict::Fail);
        let c = &r.counts;
        assert_eq!(
            (
                c.findings,
                c.failing,
                c.kev,
                c.malicious,
                c.expired_deferrals,
                c.affected
            ),
            (8, 4, 1, 1, 1, 1)
        );
        assert_eq!(
            (
                c.deferred,
                c.suppressed,
                c.below_threshold,
                c.not_affected,
                c.overdue
            ),
            (1, 1, 1, 1, 1)
        );
        let labels: Vec<_> = r.entries.iter().map(|e| e.outcome.label()).collect();
        assert_eq!(
            labels,
            [
                "fail",
                "fail",
                "fail",
                "fail",
                "deferred",
                "suppressed",
                "below-threshold",
                "not-affected"
            ]
        );
    }

    #[test]
    fn the_table_has_a_summary_and_one_row_per_finding() {
        let out = render_table(&mixed());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "FAIL: 4 of 8 findings fail the gate (1 KEV, 1 malicious, 1 expired deferral, 1 \
             affected); 1 deferred, 1 suppressed, 1 below threshold, 0 unknown passed, 0 \
             informational, 1 not affected; 1 overdue"
        );
        assert!(
            lines[2].starts_with("OUTCOME          SEVERITY  PACKAGE  "),
            "{out}"
        );
        assert!(lines[3].starts_with("fail             high      "), "{out}");
        assert_eq!(lines.len(), 3 + 8);
        assert!(out.contains("2026-11-20 (overdue)"));
        assert_eq!(
            render_table(&gate(&GatePolicy::default(), &[])),
            "PASS: 0 of 0 findings fail the gate; 0 deferred, 0 suppressed, 0 below threshold, \
             0 unknown passed, 0 informational, 0 not affected; 0 overdue\n"
        );
    }

    #[test]
    fn json_holds_every_entry_with_its_outcome() {
        let v: serde_json::Value = serde_json::from_str(&render_json(&mixed())).unwrap();
        assert_eq!(v["verdict"], "fail");
        assert_eq!(v["today"], "2026-12-01");
        assert_eq!(v["counts"]["failing"], 4);
        assert_eq!(v["entries"].as_array().unwrap().len(), 8);
        let expired = v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["outcome"]["reason"]["kind"] == "expired_deferral")
            .unwrap();
        assert_eq!(expired["outcome"]["outcome"], "fails");
        assert_eq!(
            expired["outcome"]["reason"]["entry"]["resolve_by"],
            "2026-11-30"
        );
        assert_eq!(expired["outcome"]["reason"]["entry"]["package"], "left-pad");
        assert_eq!(expired["finding"]["id"], "F-1");
    }

    #[test]
    fn markdown_escapes_untrusted_names() {
        let out = render_markdown(&mixed());
        assert!(
            out.starts_with("## Vexil gate: FAIL\n\nFAIL: 4 of 8"),
            "{out}"
        );
        assert!(
            out.contains("| Outcome | Severity | Package | Version |"),
            "{out}"
        );
        assert!(out.contains("\\<evil\\>\\&\"co\\|"), "{out}");
        // Every table row has exactly the 8 unescaped pipes of 7 cells.
        for line in out.lines().filter(|l| l.starts_with('|')) {
            let pipes = line
                .match_indices('|')
                .filter(|(i, _)| !line[..*i].ends_with('\\'));
            assert_eq!(pipes.count(), 8, "{line}");
        }
    }

    #[test]
    fn junit_is_well_formed_with_one_case_per_failing_or_deferred_finding() {
        let out = render_junit(&mixed());
        let mut reader = quick_xml::Reader::from_str(&out);
        let (mut cases, mut failures, mut skipped) = (0, 0, 0);
        loop {
            match reader.read_event().unwrap() {
                quick_xml::events::Event::Eof => break,
                quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                    for a in e.attributes() {
                        a.unwrap()
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .unwrap();
                    }
                    match e.name().as_ref() {
                        "testcase" => cases += 1,
                        "failure" => failures += 1,
                        "skipped" => skipped += 1,
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        assert_eq!((cases, failures, skipped), (5, 4, 1));
        assert!(out.contains("tests=\"5\" failures=\"4\" errors=\"0\" skipped=\"1\""));
        assert!(
            out.contains("GHSA-evil-&lt;&amp;&gt; in &lt;evil&gt;&amp;&quot;co|@6.6.6"),
            "{out}"
        );
        assert!(!out.contains("<evil>"));
        assert_eq!(
            crate::output::escape::xml("a\u{0}b\u{1b}c\td"),
            "a\u{FFFD}b\u{FFFD}c\td"
        );
        let empty = render_junit(&gate(&GatePolicy::default(), &[]));
        assert!(empty.contains("tests=\"0\" failures=\"0\""), "{empty}");
    }

    #[test]
    fn the_public_log_names_nothing_but_counts_and_the_verdict() {
        let r = mixed();
        let out = render_public_log(&r);
        assert_eq!(
            out,
            "vexil gate FAIL: 4 of 8 findings fail the gate (1 KEV, 1 malicious, 1 expired \
             deferral, 1 affected); 1 deferred, 1 suppressed, 1 below threshold, 0 unknown \
             passed, 0 informational, 1 not affected; 1 overdue\n"
        );
        let mut secrets = vec![];
        for e in &r.entries {
            let f = &e.finding;
            secrets.extend([f.purl.clone(), f.name.clone(), f.vuln.clone()]);
            secrets.extend(f.version.clone());
            secrets.extend(f.ids.clone());
            secrets.extend(f.id.clone());
        }
        for d in deferrals() {
            secrets.extend([d.vuln, d.package.to_string(), d.reason]);
        }
        secrets.extend([
            "left-pad-cli".to_owned(),
            "only the CLI imports it".to_owned(),
        ]);
        for s in &secrets {
            assert!(!out.contains(s.as_str()), "the public log leaks `{s}`");
        }
        // The same verdict, so the same exit code.
        assert!(out.contains(r.verdict.as_str()));
    }
}
