//! A release's audit: every component against the advisories that may concern it, one finding
//! per (component, vulnerability) where a vulnerability is an alias group (CVE, GHSA, OSV and
//! distro ids of one issue), with the combined verdict and every advisory's own match.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::{Match, Verdict, distro, lookup_name, nvd, osv};
use crate::model::alias::display_id;
use crate::model::{Advisory, AliasGroups, Component, Feed};

/// One component's verdict on one vulnerability.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Index of the component in the audited slice.
    #[serde(skip)]
    pub component: usize,
    /// The vulnerability's display id (its CVE when it has one) and every id of its group.
    pub vuln: String,
    pub ids: Vec<String>,
    pub verdict: Verdict,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub malicious: bool,
    /// RustSec informational kind: a warning, not a vulnerability.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub informational: Option<String>,
    /// Each advisory's match, the deciding one first.
    pub matches: Vec<Match>,
}

/// Audits `components` against `advisories` (any superset of the ones that concern them, e.g.
/// the store's lookup by name). Findings are sorted by component, then vulnerability id; a
/// component no advisory names gets none.
pub fn audit(components: &[Component], advisories: &[Advisory]) -> Vec<Finding> {
    let mut groups = AliasGroups::new();
    for a in advisories {
        groups.add(
            &a.id,
            a.aliases.iter().chain(&a.upstream).map(String::as_str),
        );
    }
    let mut group_of: HashMap<String, (String, Vec<String>)> = HashMap::new();
    for (display, members) in groups.groups() {
        for m in &members {
            group_of.insert(m.clone(), (display.clone(), members.clone()));
        }
    }
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, a) in advisories.iter().enumerate() {
        for p in a.affected.iter().filter_map(|af| af.package.as_ref()) {
            let list = by_name
                .entry(lookup_name(&p.ecosystem, &p.name))
                .or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    let nvd: Vec<usize> = advisories
        .iter()
        .enumerate()
        .filter(|(_, a)| a.feed == Feed::Nvd)
        .map(|(i, _)| i)
        .collect();

    let mut out = Vec::new();
    for (ci, component) in components.iter().enumerate() {
        let mut candidates: Vec<usize> = Vec::new();
        let eco = component.ecosystem.as_deref().unwrap_or("");
        let mut names = vec![lookup_name(eco, &component.name)];
        if let Some(source) = &component.source {
            names.push(lookup_name(eco, &source.name));
        }
        for name in &names {
            candidates.extend(by_name.get(name).into_iter().flatten());
        }
        if !component.cpes.is_empty() {
            candidates.extend(&nvd);
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut per_group: BTreeMap<String, (Vec<String>, Vec<Match>)> = BTreeMap::new();
        for ai in candidates {
            let advisory = &advisories[ai];
            let found = match advisory.feed {
                Feed::Osv => osv::match_advisory(component, advisory),
                Feed::Debian => distro::match_debian(component, None, advisory),
                Feed::Alpine => distro::match_alpine(component, advisory),
                Feed::Nvd => nvd::match_cpe(component, advisory),
            };
            let Some(m) = found else { continue };
            let (display, members) = group_of
                .get(&advisory.id)
                .cloned()
                .unwrap_or_else(|| (advisory.id.clone(), vec![advisory.id.clone()]));
            per_group
                .entry(display)
                .or_insert_with(|| (members, Vec::new()))
                .1
                .push(m);
        }
        for (vuln, (ids, matches)) in per_group {
            out.push(combine(ci, vuln, ids, matches));
        }
    }
    out
}

/// One finding from every advisory's match on the same vulnerability. NVD's CPE matches are a
/// fallback: they count only when no other feed spoke. Among the rest the most conservative
/// verdict wins (affected, then unknown, then fixed, then not affected).
fn combine(component: usize, vuln: String, ids: Vec<String>, mut matches: Vec<Match>) -> Finding {
    let specific = matches.iter().any(|m| m.explanation.feed != Feed::Nvd);
    let deciding = |m: &Match| !specific || m.explanation.feed != Feed::Nvd;
    matches.sort_by_key(|m| std::cmp::Reverse((deciding(m), m.verdict.urgency())));
    let verdict = matches.first().map_or(Verdict::Unknown, |m| m.verdict);
    let fixed_version = matches
        .iter()
        .filter(|m| deciding(m) && m.verdict == verdict)
        .find_map(|m| m.fixed_version.clone());
    Finding {
        component,
        vuln: if ids.is_empty() {
            vuln
        } else {
            display_id(&ids).to_owned()
        },
        malicious: matches.iter().any(|m| m.malicious),
        informational: matches.iter().find_map(|m| m.informational.clone()),
        ids,
        verdict,
        fixed_version,
        matches,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Location;
    use crate::model::Purl;

    fn advisory(id: &str, alias: &str, fixed: &str) -> Advisory {
        let json = format!(
            r#"{{"id":"{id}","aliases":["{alias}"],"affected":[{{"package":{{"ecosystem":"PyPI","name":"Demo_Pkg"}},
            "ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":"0"}},{{"fixed":"{fixed}"}}]}}]}}]}}"#
        );
        let parsed = crate::ingest::advisory::osv::parse(json.as_bytes(), "t.json").expect("valid");
        parsed.records.into_iter().next().expect("one record")
    }

    #[test]
    fn one_finding_per_alias_group_the_most_conservative_verdict_deciding() {
        let c = Component::from_purl(
            &Purl::package("pypi", "demo-pkg", Some("1.5")),
            Location::file("requirements.txt"),
        )
        .expect("valid");
        let other = Component::from_purl(
            &Purl::package("npm", "left-pad", Some("1.0.0")),
            Location::file("x"),
        )
        .expect("valid");
        let advisories = [
            advisory("GHSA-aaaa", "CVE-2026-1", "1.2"),
            advisory("PYSEC-1", "CVE-2026-1", "2.0"),
        ];
        let findings = audit(&[other, c], &advisories);
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(
            (f.component, f.vuln.as_str(), f.verdict),
            (1, "CVE-2026-1", Verdict::Affected)
        );
        assert_eq!(f.fixed_version.as_deref(), Some("2.0"));
        assert_eq!(f.matches.len(), 2);
        assert_eq!(f.matches[1].verdict, Verdict::Fixed);
        assert_eq!(f.ids, ["CVE-2026-1", "GHSA-aaaa", "PYSEC-1"]);
    }
}
