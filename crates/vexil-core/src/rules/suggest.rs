//! Rule suggestions: the untriaged backlog clustered so that one rule absorbs one cluster — a
//! package hit by many vulnerabilities across many releases; one vulnerability across many
//! packages of one ecosystem; the Debian tracker's `unimportant` findings of a package — each
//! with a ready-to-edit TOML rule and the evidence behind it, ranked by findings absorbed.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::evaluate::Facts;

/// What a cluster has in common.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClusterKind {
    /// One package (name and ecosystem), many vulnerabilities.
    Package,
    /// One vulnerability, many packages of one ecosystem.
    Vulnerability,
    /// One Debian package whose findings the tracker rates `unimportant`.
    DebianUnimportant,
}

/// One cluster and the rule that would absorb it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub kind: ClusterKind,
    /// A rule id to start from.
    pub id: String,
    pub findings: usize,
    pub vulnerabilities: usize,
    pub packages: usize,
    pub releases: usize,
    /// A few of the vulnerabilities, packages and releases, for the reviewer.
    pub examples: Vec<String>,
    /// The rule as TOML, evidence in comments; `reason` is for the reviewer to write.
    pub rule: String,
}

/// One backlog finding: its release and what rules see of it.
#[derive(Clone, Copy, Debug)]
pub struct Backlog<'a> {
    pub release: &'a str,
    pub facts: &'a Facts,
}

#[derive(Default)]
struct Cluster<'a> {
    findings: usize,
    vulns: BTreeSet<&'a str>,
    packages: BTreeSet<&'a str>,
    releases: BTreeSet<&'a str>,
}

impl<'a> Cluster<'a> {
    fn add(&mut self, b: &Backlog<'a>) {
        self.findings += 1;
        self.vulns.insert(&b.facts.vuln);
        self.packages.insert(&b.facts.name);
        self.releases.insert(b.release);
    }
}

/// Clusters of at least `min_findings` findings, most absorbing first. A finding may be in
/// several clusters (its package's and its vulnerability's): each suggestion says what it
/// would absorb on its own.
pub fn suggest(backlog: &[Backlog<'_>], min_findings: usize) -> Vec<Suggestion> {
    let mut by_package: BTreeMap<(&str, &str), Cluster<'_>> = BTreeMap::new();
    let mut by_vuln: BTreeMap<(&str, &str), Cluster<'_>> = BTreeMap::new();
    let mut unimportant: BTreeMap<&str, Cluster<'_>> = BTreeMap::new();
    for b in backlog {
        let f = b.facts;
        let eco = f.ecosystem.as_deref().unwrap_or("");
        let base = eco.split(':').next().unwrap_or(eco);
        by_package.entry((base, &f.name)).or_default().add(b);
        by_vuln.entry((&f.vuln, base)).or_default().add(b);
        if f.tracker
            .iter()
            .any(|t| t.urgency.as_deref() == Some("unimportant"))
        {
            unimportant.entry(&f.name).or_default().add(b);
        }
    }
    let mut out = Vec::new();
    for ((eco, name), c) in &by_package {
        // One vulnerability on one package is a triage decision, not a cluster.
        if c.findings >= min_findings && c.vulns.len() > 1 {
            let id = format!("{}-review", slug(name));
            let rule = format!(
                "# absorbs {} findings: {} vulnerabilities of {name} across {} releases\n\
                 [[rule]]\nid = \"{id}\"\nkind = \"auto\"\ncomponent = {{ name = \"^{}$\", ecosystem = \"{eco}\" }}\n\
                 status = \"not_affected\"\njustification = \"vulnerable_code_not_in_execute_path\"\n\
                 reason = \"EDIT: why none of these vulnerabilities of {name} reach us\"\nrecheck = EDIT-DATE\n",
                c.findings,
                c.vulns.len(),
                c.releases.len(),
                regex_escape(name),
            );
            out.push(suggestion(ClusterKind::Package, id, c, rule, &c.vulns));
        }
    }
    for ((vuln, eco), c) in &by_vuln {
        if c.findings >= min_findings && c.packages.len() > 1 {
            let id = format!("{}-{}", slug(vuln), slug(eco));
            let rule = format!(
                "# absorbs {} findings: {vuln} in {} {eco} packages across {} releases\n\
                 [[rule]]\nid = \"{id}\"\nkind = \"triage\"\nvuln = \"^{}$\"\ncomponent = {{ ecosystem = \"{eco}\" }}\n\
                 status = \"not_affected\"\njustification = \"vulnerable_code_not_in_execute_path\"\n\
                 reason = \"EDIT: why {vuln} does not affect these packages here\"\n\
                 issue = \"EDIT: the review's URL\"\nrecheck = EDIT-DATE\n",
                c.findings,
                c.packages.len(),
                c.releases.len(),
                regex_escape(vuln),
            );
            out.push(suggestion(
                ClusterKind::Vulnerability,
                id,
                c,
                rule,
                &c.packages,
            ));
        }
    }
    for (name, c) in &unimportant {
        if c.findings >= min_findings {
            let id = format!("{}-unimportant", slug(name));
            let rule = format!(
                "# absorbs {} findings the Debian tracker rates unimportant: {} vulnerabilities of {name}\n\
                 [[rule]]\nid = \"{id}\"\nkind = \"auto\"\ncomponent = {{ name = \"^{}$\", ecosystem = \"Debian\" }}\n\
                 when = {{ debian_urgency = [\"unimportant\"] }}\nstatus = \"not_affected\"\n\
                 justification = \"vulnerable_code_not_in_execute_path\"\n\
                 reason = \"EDIT: Debian rates these unimportant for {name}; say why that holds here\"\n",
                c.findings,
                c.vulns.len(),
                regex_escape(name),
            );
            out.push(suggestion(
                ClusterKind::DebianUnimportant,
                id,
                c,
                rule,
                &c.vulns,
            ));
        }
    }
    out.sort_by(|a, b| {
        (std::cmp::Reverse(a.findings), a.kind, &a.id).cmp(&(
            std::cmp::Reverse(b.findings),
            b.kind,
            &b.id,
        ))
    });
    out
}

fn suggestion(
    kind: ClusterKind,
    id: String,
    c: &Cluster<'_>,
    rule: String,
    examples: &BTreeSet<&str>,
) -> Suggestion {
    Suggestion {
        kind,
        id,
        findings: c.findings,
        vulnerabilities: c.vulns.len(),
        packages: c.packages.len(),
        releases: c.releases.len(),
        examples: examples.iter().take(5).map(|s| (*s).to_owned()).collect(),
        rule,
    }
}

/// A rule id from a name: lowercase letters, digits and dashes.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

/// A name as a literal inside a regex written in a TOML basic string (backslashes doubled).
fn regex_escape(s: &str) -> String {
    regex::escape(s).replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::check::{RuleFile, check};

    fn facts(name: &str, vuln: &str) -> Facts {
        Facts {
            name: name.to_owned(),
            purl: format!("pkg:npm/{name}@1.0.0"),
            ecosystem: Some("npm".to_owned()),
            vuln: vuln.to_owned(),
            ids: vec![vuln.to_owned()],
            ..Facts::default()
        }
    }

    #[test]
    fn clusters_rank_by_findings_and_their_rules_parse() {
        let data: Vec<(String, Facts)> = (0..6)
            .map(|i| {
                (
                    format!("web@{i}"),
                    facts("left.pad", &format!("CVE-2026-000{}", i % 3)),
                )
            })
            .chain((0..4).map(|i| {
                (
                    "api@1".to_owned(),
                    facts(&format!("pkg{i}"), "CVE-2026-0009"),
                )
            }))
            .collect();
        let backlog: Vec<Backlog<'_>> = data
            .iter()
            .map(|(r, f)| Backlog {
                release: r,
                facts: f,
            })
            .collect();
        let s = suggest(&backlog, 4);
        let summary: Vec<(ClusterKind, &str, usize)> = s
            .iter()
            .map(|x| (x.kind, x.id.as_str(), x.findings))
            .collect();
        assert_eq!(
            summary,
            [
                (ClusterKind::Package, "left-pad-review", 6),
                (ClusterKind::Vulnerability, "cve-2026-0009-npm", 4),
            ]
        );
        // Once the reviewer fills in the placeholders, the suggested rules are valid rules
        // that match their cluster.
        for x in &s {
            let text = x
                .rule
                .replace("EDIT-DATE", "2027-01-01")
                .replace("EDIT: the review's URL", "https://example.org/1");
            let set = check(
                &[RuleFile {
                    name: "s.toml".into(),
                    text,
                    kind: None,
                }],
                jiff::civil::date(2026, 11, 23),
            );
            assert_eq!(set.errors(), 0, "{:?}", set.diagnostics);
        }
        assert!(
            s[0].rule.contains("name = \"^left\\\\.pad$\""),
            "{}",
            s[0].rule
        );
    }
}
