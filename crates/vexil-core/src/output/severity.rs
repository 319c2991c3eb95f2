//! Severity authority: which source's rating a finding takes. The default order comes from a
//! real release policy — the GHSA label when present, else NVD's CVSS, else the CVSS an OSV
//! record carries; absent or conflicting → `high` until a rule re-classifies it.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::finding::{ResolvedSeverity, SeverityLevel};
use crate::model::{Advisory, Feed, Severity, SeverityKind};

/// A source of severity ratings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Authority {
    /// GitHub's advisory label (`database_specific.severity`: LOW, MODERATE, HIGH, CRITICAL).
    Ghsa,
    /// NVD's CVSS (the newest CVSS version NVD itself scored, else a secondary scorer's).
    Nvd,
    /// A CVSS vector in an OSV record (top-level or per affected package).
    Osv,
}

impl Authority {
    pub fn as_str(self) -> &'static str {
        match self {
            Authority::Ghsa => "ghsa",
            Authority::Nvd => "nvd",
            Authority::Osv => "osv",
        }
    }
}

/// `[severity]` in `vexil.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityPolicy {
    /// Asked in this order; the first that rates the vulnerability decides.
    #[serde(default = "default_authority")]
    pub authority: Vec<Authority>,
    /// The rating when no authority speaks, or the deciding one contradicts itself.
    #[serde(default = "default_level")]
    pub default: SeverityLevel,
}

fn default_authority() -> Vec<Authority> {
    vec![Authority::Ghsa, Authority::Nvd, Authority::Osv]
}

fn default_level() -> SeverityLevel {
    SeverityLevel::High
}

impl Default for SeverityPolicy {
    fn default() -> SeverityPolicy {
        SeverityPolicy {
            authority: default_authority(),
            default: default_level(),
        }
    }
}

/// The NVD's own scorer, preferred over secondary sources (CNAs) in NVD records.
const NVD_SOURCE: &str = "nvd@nist.gov";

/// The severity of a vulnerability from the advisories of its alias group (any feeds).
pub fn resolve(policy: &SeverityPolicy, advisories: &[&Advisory]) -> ResolvedSeverity {
    for &authority in &policy.authority {
        let ratings = ratings(authority, advisories);
        let Some((first, _)) = ratings.first() else {
            continue;
        };
        let said = ratings
            .iter()
            .map(|(_, said)| said.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        if ratings.iter().all(|(level, _)| level == first) {
            return ResolvedSeverity {
                level: *first,
                authority: authority.as_str().to_owned(),
                reason: said,
            };
        }
        return ResolvedSeverity {
            level: policy.default,
            authority: "default".to_owned(),
            reason: format!(
                "{} ratings conflict ({said}): {} until a rule re-classifies it",
                authority.as_str(),
                policy.default
            ),
        };
    }
    ResolvedSeverity {
        level: policy.default,
        authority: "default".to_owned(),
        reason: format!(
            "no {} rating: {} until a rule re-classifies it",
            policy
                .authority
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            policy.default
        ),
    }
}

/// What one authority says, one rating per advisory that speaks, with the sentence saying it.
fn ratings(authority: Authority, advisories: &[&Advisory]) -> Vec<(SeverityLevel, String)> {
    let mut out = Vec::new();
    for a in advisories {
        match authority {
            Authority::Ghsa if a.feed == Feed::Osv => {
                let label = a
                    .severity
                    .iter()
                    .find(|s| s.kind == SeverityKind::Label && s.source.as_deref() == Some("GHSA"));
                if let Some(level) = label.and_then(|s| SeverityLevel::parse(&s.score)) {
                    let said = label.map_or("", |s| s.score.as_str());
                    out.push((level, format!("{} labels it {said}", a.id)));
                }
            }
            Authority::Nvd if a.feed == Feed::Nvd => {
                // Stored newest CVSS version first; NVD's own score before a secondary one.
                let best = a
                    .severity
                    .iter()
                    .filter(|s| is_cvss(s.kind))
                    .filter_map(|s| scored(s).map(|r| (s, r)))
                    .min_by_key(|(s, _)| s.source.as_deref() != Some(NVD_SOURCE));
                if let Some((s, (level, score))) = best {
                    let by = s.source.as_deref().unwrap_or("NVD");
                    out.push((
                        level,
                        format!("{} {} = {score:.1} (by {by})", a.id, s.score),
                    ));
                }
            }
            Authority::Osv if a.feed == Feed::Osv => {
                let all = a
                    .severity
                    .iter()
                    .chain(a.affected.iter().flat_map(|af| &af.severity));
                let best = all
                    .filter(|s| is_cvss(s.kind))
                    .filter_map(|s| scored(s).map(|r| (s, r)))
                    .max_by_key(|(s, _)| cvss_rank(s.kind));
                if let Some((s, (level, score))) = best {
                    out.push((level, format!("{} {} = {score:.1}", a.id, s.score)));
                }
            }
            _ => {}
        }
    }
    out
}

fn is_cvss(kind: SeverityKind) -> bool {
    matches!(
        kind,
        SeverityKind::CvssV2 | SeverityKind::CvssV3 | SeverityKind::CvssV4
    )
}

fn cvss_rank(kind: SeverityKind) -> u8 {
    match kind {
        SeverityKind::CvssV4 => 3,
        SeverityKind::CvssV3 => 2,
        _ => 1,
    }
}

/// The base score of a CVSS vector and its rating (a 0.0 score, CVSS's "none", counts as low);
/// `None` for a vector the `cvss` crate cannot parse.
fn scored(s: &Severity) -> Option<(SeverityLevel, f64)> {
    let cvss = cvss::Cvss::from_str(s.score.trim()).ok()?;
    let level = match cvss.severity() {
        cvss::Severity::Critical => SeverityLevel::Critical,
        cvss::Severity::High => SeverityLevel::High,
        cvss::Severity::Medium => SeverityLevel::Medium,
        cvss::Severity::Low | cvss::Severity::None => SeverityLevel::Low,
    };
    Some((level, cvss.score()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advisory(feed: Feed, id: &str, severity: &[(SeverityKind, &str, Option<&str>)]) -> Advisory {
        let mut a: Advisory =
            serde_json::from_value(serde_json::json!({"id": id, "feed": feed})).expect("minimal");
        a.severity = severity
            .iter()
            .map(|(kind, score, source)| Severity {
                kind: *kind,
                score: (*score).to_owned(),
                source: source.map(str::to_owned),
            })
            .collect();
        a
    }

    const CRITICAL_V31: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    const MEDIUM_V31: &str = "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:L/I:L/A:N";

    #[test]
    fn the_ghsa_label_decides_before_nvd_and_osv_cvss() {
        let ghsa = advisory(
            Feed::Osv,
            "GHSA-1",
            &[
                (SeverityKind::Label, "MODERATE", Some("GHSA")),
                (SeverityKind::CvssV3, CRITICAL_V31, None),
            ],
        );
        let nvd = advisory(
            Feed::Nvd,
            "CVE-1",
            &[(SeverityKind::CvssV3, CRITICAL_V31, Some(NVD_SOURCE))],
        );
        let r = resolve(&SeverityPolicy::default(), &[&nvd, &ghsa]);
        assert_eq!(
            (r.level, r.authority.as_str()),
            (SeverityLevel::Medium, "ghsa")
        );
        assert_eq!(r.reason, "GHSA-1 labels it MODERATE");
    }

    #[test]
    fn nvd_prefers_its_own_score_over_a_secondary_one() {
        let nvd = advisory(
            Feed::Nvd,
            "CVE-1",
            &[
                (SeverityKind::CvssV3, CRITICAL_V31, Some("cna@example.org")),
                (SeverityKind::CvssV3, MEDIUM_V31, Some(NVD_SOURCE)),
            ],
        );
        let r = resolve(&SeverityPolicy::default(), &[&nvd]);
        assert_eq!(
            (r.level, r.authority.as_str()),
            (SeverityLevel::Medium, "nvd")
        );
        assert!(
            r.reason.ends_with("= 4.6 (by nvd@nist.gov)"),
            "{}",
            r.reason
        );
    }

    #[test]
    fn osv_cvss_when_nothing_else_speaks_newest_cvss_version_first() {
        let pysec = advisory(
            Feed::Osv,
            "PYSEC-1",
            &[
                (SeverityKind::CvssV2, "AV:N/AC:L/Au:N/C:N/I:N/A:P", None),
                (SeverityKind::CvssV3, CRITICAL_V31, None),
            ],
        );
        let r = resolve(&SeverityPolicy::default(), &[&pysec]);
        assert_eq!(
            (r.level, r.authority.as_str()),
            (SeverityLevel::Critical, "osv")
        );
        assert_eq!(r.reason, format!("PYSEC-1 {CRITICAL_V31} = 9.8"));
    }

    #[test]
    fn absent_or_conflicting_ratings_give_the_default() {
        let none = resolve(&SeverityPolicy::default(), &[]);
        assert_eq!(
            (none.level, none.authority.as_str()),
            (SeverityLevel::High, "default")
        );
        let a = advisory(
            Feed::Osv,
            "GHSA-a",
            &[(SeverityKind::Label, "LOW", Some("GHSA"))],
        );
        let b = advisory(
            Feed::Osv,
            "GHSA-b",
            &[(SeverityKind::Label, "CRITICAL", Some("GHSA"))],
        );
        let r = resolve(&SeverityPolicy::default(), &[&a, &b]);
        assert_eq!(
            (r.level, r.authority.as_str()),
            (SeverityLevel::High, "default")
        );
        assert!(
            r.reason.starts_with("ghsa ratings conflict"),
            "{}",
            r.reason
        );
    }

    #[test]
    fn the_order_and_default_are_configurable() {
        let policy: SeverityPolicy =
            toml::from_str("authority = [\"nvd\"]\ndefault = \"medium\"").expect("valid");
        let ghsa = advisory(
            Feed::Osv,
            "GHSA-1",
            &[(SeverityKind::Label, "LOW", Some("GHSA"))],
        );
        let r = resolve(&policy, &[&ghsa]);
        assert_eq!(
            (r.level, r.authority.as_str()),
            (SeverityLevel::Medium, "default")
        );
        assert!(toml::from_str::<SeverityPolicy>("authorty = []").is_err());
    }

    #[test]
    fn an_unparseable_vector_is_no_rating() {
        let a = advisory(
            Feed::Osv,
            "OSV-1",
            &[(SeverityKind::CvssV3, "CVSS:3.1/garbage", None)],
        );
        assert_eq!(
            resolve(&SeverityPolicy::default(), &[&a]).authority,
            "default"
        );
    }
}
