//! Incremental matching: an audit's findings become observations (with their severity, KEV and
//! EPSS), and a rescan diffs them against what is stored — new, resolved, reactivated, changed.

use std::collections::{HashMap, HashSet};

use super::Verdict;
use super::audit::Finding;
use crate::model::finding::{
    EpssFlag, EventKind, FindingState, KevFlag, Observation, SeverityLevel,
};
use crate::model::inventory::package_of;
use crate::model::{Advisory, Component, EpssScore, KevEntry};
use crate::output::severity::{SeverityPolicy, resolve};

/// What a scan knows beside the advisories that matched: every advisory of the findings' alias
/// groups by id (for severity, e.g. the NVD record of a CVE), and KEV and EPSS by CVE.
#[derive(Debug, Default)]
pub struct Context<'a> {
    pub advisories: Vec<&'a Advisory>,
    pub kev: HashMap<String, KevEntry>,
    pub epss: HashMap<String, EpssScore>,
    pub policy: SeverityPolicy,
}

/// The audit's findings on `components` as observations, in the same order.
pub fn observe(
    components: &[Component],
    findings: Vec<Finding>,
    ctx: &Context<'_>,
) -> Vec<Observation> {
    let mut by_id: HashMap<&str, Vec<&Advisory>> = HashMap::new();
    for &a in &ctx.advisories {
        by_id.entry(a.id.as_str()).or_default().push(a);
    }
    findings
        .into_iter()
        .map(|f| {
            let c = &components[f.component];
            let mut group: Vec<&Advisory> = Vec::new();
            for id in &f.ids {
                for &a in by_id.get(id.as_str()).into_iter().flatten() {
                    if !group.iter().any(|g| std::ptr::eq(*g, a)) {
                        group.push(a);
                    }
                }
            }
            let cves = f.ids.iter().filter(|id| id.starts_with("CVE-"));
            let kev = cves
                .clone()
                .find_map(|cve| ctx.kev.get(cve))
                .map(|k| KevFlag {
                    cve: k.cve.clone(),
                    date_added: k.date_added,
                    due_date: k.due_date,
                    ransomware: k
                        .known_ransomware_campaign_use
                        .eq_ignore_ascii_case("known"),
                });
            let epss = cves
                .filter_map(|cve| ctx.epss.get(cve))
                .max_by(|a, b| a.epss.total_cmp(&b.epss))
                .map(|e| EpssFlag {
                    cve: e.cve.clone(),
                    score: e.epss,
                    percentile: e.percentile,
                    date: e.score_date,
                });
            Observation {
                purl: c.purl.clone(),
                name: c.name.clone(),
                version: c.version.clone(),
                ecosystem: c.ecosystem.clone(),
                vuln: f.vuln,
                severity: resolve(&ctx.policy, &group),
                ids: f.ids,
                verdict: f.verdict,
                fixed_version: f.fixed_version,
                malicious: f.malicious,
                informational: f.informational,
                kev,
                epss,
                matches: f.matches,
            }
        })
        .collect()
}

/// The part of a stored finding a rescan compares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub id: i64,
    pub purl: String,
    pub ids: Vec<String>,
    pub state: FindingState,
    pub verdict: Verdict,
    pub fixed_version: Option<String>,
    pub severity: SeverityLevel,
    pub kev: bool,
}

/// One row to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A new finding from observation `observed` (only open ones are recorded).
    Insert { observed: usize, event: Event },
    /// Stored finding `id` seen again as observation `observed`; `event` when it is news.
    Update {
        id: i64,
        observed: usize,
        state: FindingState,
        event: Option<Event>,
    },
    /// Stored open finding `id` not seen any more (its component or advisory is gone).
    Vanish { id: i64, event: Event },
}

/// A history event: what and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub kind: EventKind,
    pub detail: String,
}

/// Diffs `observed` against `stored` (one release's findings). A stored finding is the same
/// finding as an observation when their alias groups share an id (so a group that grew — a CVE
/// assigned after the GHSA — stays one finding) and they name the same purl, or else the same
/// package at another version (so an upgrade resolves the finding it fixes instead of leaving
/// it to vanish). Observations that were never open and match nothing stored are not recorded:
/// they are not findings.
pub fn rescan(stored: &[Stored], observed: &[Observation]) -> Vec<Change> {
    let mut by_purl: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_package: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, s) in stored.iter().enumerate() {
        by_purl.entry(s.purl.as_str()).or_default().push(i);
        by_package.entry(package_of(&s.purl).0).or_default().push(i);
    }
    let mut taken: HashSet<usize> = HashSet::new();
    let mut pairs: Vec<Option<usize>> = vec![None; observed.len()];
    let overlap = |s: &Stored, o: &Observation| s.ids.iter().any(|id| o.ids.contains(id));
    // Same purl first, then the same package at another version.
    for (oi, o) in observed.iter().enumerate() {
        let same = by_purl.get(o.purl.as_str()).into_iter().flatten().copied();
        if let Some(si) = same
            .into_iter()
            .find(|&si| !taken.contains(&si) && overlap(&stored[si], o))
        {
            taken.insert(si);
            pairs[oi] = Some(si);
        }
    }
    for (oi, o) in observed.iter().enumerate() {
        if pairs[oi].is_some() {
            continue;
        }
        let same = by_package
            .get(&package_of(&o.purl).0)
            .into_iter()
            .flatten()
            .copied();
        if let Some(si) = same
            .into_iter()
            .find(|&si| !taken.contains(&si) && overlap(&stored[si], o))
        {
            taken.insert(si);
            pairs[oi] = Some(si);
        }
    }
    let mut changes = Vec::new();
    for (oi, o) in observed.iter().enumerate() {
        let Some(si) = pairs[oi] else {
            if o.is_open() {
                changes.push(Change::Insert {
                    observed: oi,
                    event: Event {
                        kind: EventKind::New,
                        detail: format!("{}: {}", o.verdict.as_str(), reason(o)),
                    },
                });
            }
            continue;
        };
        let s = &stored[si];
        let now_open = o.is_open();
        let event = match (s.state, now_open) {
            (FindingState::Open, false) => Some(Event {
                kind: EventKind::Resolved,
                detail: format!(
                    "{} → {}: {}",
                    s.verdict.as_str(),
                    o.verdict.as_str(),
                    reason(o)
                ),
            }),
            (FindingState::Resolved, true) => Some(Event {
                kind: EventKind::Reactivated,
                detail: format!(
                    "{} → {}: {}",
                    s.verdict.as_str(),
                    o.verdict.as_str(),
                    reason(o)
                ),
            }),
            (FindingState::Open, true) => changed(s, o).map(|detail| Event {
                kind: EventKind::Changed,
                detail,
            }),
            (FindingState::Resolved, false) => None,
        };
        changes.push(Change::Update {
            id: s.id,
            observed: oi,
            state: if now_open {
                FindingState::Open
            } else {
                FindingState::Resolved
            },
            event,
        });
    }
    for (si, s) in stored.iter().enumerate() {
        if !taken.contains(&si) && s.state == FindingState::Open {
            changes.push(Change::Vanish {
                id: s.id,
                event: Event {
                    kind: EventKind::Resolved,
                    detail: "no longer matched: the component left the release, or no advisory \
                             names it any more"
                        .to_owned(),
                },
            });
        }
    }
    changes
}

/// The deciding match's reason.
fn reason(o: &Observation) -> &str {
    o.matches
        .first()
        .map_or("", |m| m.explanation.reason.as_str())
}

/// What changed in a finding that stays open, if anything worth an event.
fn changed(s: &Stored, o: &Observation) -> Option<String> {
    let mut parts = Vec::new();
    if s.purl != o.purl {
        parts.push(format!("component {} → {}", s.purl, o.purl));
    }
    if s.verdict != o.verdict {
        parts.push(format!(
            "verdict {} → {}",
            s.verdict.as_str(),
            o.verdict.as_str()
        ));
    }
    if s.fixed_version != o.fixed_version {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".to_owned());
        parts.push(format!(
            "fixed version {} → {}",
            show(&s.fixed_version),
            show(&o.fixed_version)
        ));
    }
    if s.severity != o.severity.level {
        parts.push(format!(
            "severity {} → {} ({})",
            s.severity, o.severity.level, o.severity.reason
        ));
    }
    if !s.kev && o.kev.is_some() {
        parts.push("added to CISA KEV".to_owned());
    }
    if s.kev && o.kev.is_none() {
        parts.push("no longer in CISA KEV".to_owned());
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::{Explanation, Match};
    use crate::model::Feed;
    use crate::model::finding::ResolvedSeverity;

    fn observed(purl: &str, ids: &[&str], verdict: Verdict) -> Observation {
        Observation {
            purl: purl.to_owned(),
            name: "demo".to_owned(),
            version: Some("1.0".to_owned()),
            ecosystem: Some("PyPI".to_owned()),
            vuln: ids[0].to_owned(),
            ids: ids.iter().map(|s| (*s).to_owned()).collect(),
            verdict,
            fixed_version: Some("2.0".to_owned()),
            malicious: false,
            informational: None,
            severity: ResolvedSeverity {
                level: SeverityLevel::High,
                authority: "default".to_owned(),
                reason: String::new(),
            },
            kev: None,
            epss: None,
            matches: vec![Match {
                verdict,
                fixed_version: None,
                malicious: false,
                informational: None,
                explanation: Explanation {
                    advisory: ids[0].to_owned(),
                    feed: Feed::Osv,
                    matcher: "osv-ranges".to_owned(),
                    package: "PyPI/demo".to_owned(),
                    version: None,
                    scheme: None,
                    range: None,
                    steps: Vec::new(),
                    reason: "because".to_owned(),
                },
            }],
        }
    }

    fn stored(id: i64, purl: &str, ids: &[&str], state: FindingState) -> Stored {
        Stored {
            id,
            purl: purl.to_owned(),
            ids: ids.iter().map(|s| (*s).to_owned()).collect(),
            state,
            verdict: if state == FindingState::Open {
                Verdict::Affected
            } else {
                Verdict::Fixed
            },
            fixed_version: Some("2.0".to_owned()),
            severity: SeverityLevel::High,
            kev: false,
        }
    }

    fn kinds(changes: &[Change]) -> Vec<(&'static str, Option<EventKind>)> {
        changes
            .iter()
            .map(|c| match c {
                Change::Insert { event, .. } => ("insert", Some(event.kind)),
                Change::Update { event, .. } => ("update", event.as_ref().map(|e| e.kind)),
                Change::Vanish { event, .. } => ("vanish", Some(event.kind)),
            })
            .collect()
    }

    #[test]
    fn first_scan_records_open_findings_only() {
        let obs = [
            observed("pkg:pypi/a@1", &["CVE-1"], Verdict::Affected),
            observed("pkg:pypi/a@1", &["CVE-2"], Verdict::Fixed),
            observed("pkg:pypi/b@1", &["CVE-3"], Verdict::Unknown),
        ];
        let changes = rescan(&[], &obs);
        assert_eq!(
            kinds(&changes),
            [
                ("insert", Some(EventKind::New)),
                ("insert", Some(EventKind::New))
            ]
        );
        assert!(matches!(changes[1], Change::Insert { observed: 2, .. }));
    }

    #[test]
    fn an_upgrade_resolves_the_finding_of_the_same_package() {
        let s = [stored(1, "pkg:npm/a@1.0.0", &["CVE-1"], FindingState::Open)];
        let changes = rescan(
            &s,
            &[observed("pkg:npm/a@1.3.0", &["CVE-1"], Verdict::Fixed)],
        );
        assert_eq!(kinds(&changes), [("update", Some(EventKind::Resolved))]);
        // Two versions of one package in one release keep their own findings.
        let s = [
            stored(1, "pkg:npm/a@1.0.0", &["CVE-1"], FindingState::Open),
            stored(2, "pkg:npm/a@2.0.0", &["CVE-1"], FindingState::Open),
        ];
        let obs = [
            observed("pkg:npm/a@2.0.0", &["CVE-1"], Verdict::Affected),
            observed("pkg:npm/a@1.0.0", &["CVE-1"], Verdict::Affected),
        ];
        let changes = rescan(&s, &obs);
        assert!(
            matches!(
                changes[0],
                Change::Update {
                    id: 2,
                    event: None,
                    ..
                }
            ),
            "{changes:?}"
        );
        assert!(
            matches!(
                changes[1],
                Change::Update {
                    id: 1,
                    event: None,
                    ..
                }
            ),
            "{changes:?}"
        );
    }

    #[test]
    fn same_scan_again_is_quiet() {
        let s = [stored(7, "pkg:pypi/a@1", &["CVE-1"], FindingState::Open)];
        let changes = rescan(
            &s,
            &[observed("pkg:pypi/a@1", &["CVE-1"], Verdict::Affected)],
        );
        assert_eq!(
            changes,
            [Change::Update {
                id: 7,
                observed: 0,
                state: FindingState::Open,
                event: None
            }]
        );
    }

    #[test]
    fn resolved_reactivated_vanished_and_changed() {
        let s = [
            stored(1, "pkg:pypi/a@1", &["CVE-1"], FindingState::Open),
            stored(2, "pkg:pypi/a@1", &["CVE-2"], FindingState::Resolved),
            stored(3, "pkg:pypi/gone@1", &["CVE-3"], FindingState::Open),
            stored(4, "pkg:pypi/a@1", &["GHSA-4"], FindingState::Open),
            stored(5, "pkg:pypi/gone@1", &["CVE-5"], FindingState::Resolved),
        ];
        let mut grown = observed("pkg:pypi/a@1", &["CVE-4", "GHSA-4"], Verdict::Affected);
        grown.fixed_version = Some("2.1".to_owned());
        let obs = [
            observed("pkg:pypi/a@1", &["CVE-1"], Verdict::Fixed),
            observed("pkg:pypi/a@1", &["CVE-2"], Verdict::Affected),
            grown,
        ];
        let changes = rescan(&s, &obs);
        assert_eq!(
            kinds(&changes),
            [
                ("update", Some(EventKind::Resolved)),
                ("update", Some(EventKind::Reactivated)),
                ("update", Some(EventKind::Changed)),
                ("vanish", Some(EventKind::Resolved)),
            ]
        );
        let Change::Update {
            id: 4,
            event: Some(e),
            ..
        } = &changes[2]
        else {
            panic!("{changes:?}")
        };
        assert_eq!(e.detail, "fixed version 2.0 → 2.1");
        assert!(matches!(changes[3], Change::Vanish { id: 3, .. }));
    }
}
