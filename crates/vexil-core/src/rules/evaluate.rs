//! Whether a rule matches a finding, and which rule decides it: triage rules over auto rules,
//! then the higher `priority`, then the earlier rule in file order. Expired rules decide nothing.

use jiff::civil::Date;
use regex::RegexSet;

use super::{Pattern, Rule, RuleKind};
use crate::matching::distro::{TrackerNotes, tracker_notes};
use crate::model::finding::{Observation, SeverityLevel};
use crate::model::purl::Purl;

/// What a rule can look at in a finding: who, which vulnerability, and the evidence its `when`
/// conditions read. Built from a whole [`Observation`], or by the store from its columns (so
/// planning over many findings need not read every finding's explanation).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    pub name: String,
    pub purl: String,
    pub ecosystem: Option<String>,
    /// The display id and every id of the alias group.
    pub vuln: String,
    pub ids: Vec<String>,
    pub severity: SeverityLevel,
    pub kev: bool,
    pub epss: Option<f64>,
    pub fixed: bool,
    /// The Debian tracker's notes of the finding's Debian matches.
    pub tracker: Vec<TrackerNotes>,
}

impl Facts {
    pub fn of(o: &Observation) -> Facts {
        Facts {
            name: o.name.clone(),
            purl: o.purl.clone(),
            ecosystem: o.ecosystem.clone(),
            vuln: o.vuln.clone(),
            ids: o.ids.clone(),
            severity: o.severity.level,
            kev: o.kev.is_some(),
            epss: o.epss.as_ref().map(|e| e.score),
            fixed: o.fixed_version.is_some(),
            tracker: o.matches.iter().map(tracker_notes).collect(),
        }
    }
}

/// What a rule is evaluated against: a finding of a project's release.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    pub project: &'a str,
    pub finding: &'a Facts,
}

impl Rule {
    /// Whether every part of the rule holds for the finding (alias-aware: `vuln` matches any id
    /// of the finding's group).
    pub fn matches(&self, s: &Subject<'_>) -> bool {
        let f = s.finding;
        let found =
            |p: &Option<Pattern>, text: &str| p.as_ref().is_none_or(|p| p.regex.is_match(text));
        if !found(&self.project, s.project) || !found(&self.component.name, &f.name) {
            return false;
        }
        if let Some(p) = &self.vuln
            && !f
                .ids
                .iter()
                .chain(std::iter::once(&f.vuln))
                .any(|id| p.regex.is_match(id))
        {
            return false;
        }
        if let Some(want) = &self.component.ecosystem {
            let Some(have) = f.ecosystem.as_deref() else {
                return false;
            };
            let base = have.split(':').next().unwrap_or(have);
            if !(have.eq_ignore_ascii_case(want) || base.eq_ignore_ascii_case(want)) {
                return false;
            }
        }
        if let Some(want) = &self.component.purl
            && !purl_covers(want, &f.purl)
        {
            return false;
        }
        let w = &self.when;
        let any = |pick: fn(&TrackerNotes) -> Option<&String>, wanted: &[String]| {
            wanted.is_empty()
                || f.tracker
                    .iter()
                    .filter_map(pick)
                    .any(|v| wanted.iter().any(|w| w.eq_ignore_ascii_case(v)))
        };
        if !any(|n| n.urgency.as_ref(), &w.debian_urgency)
            || !any(|n| n.nodsa_reason.as_ref(), &w.debian_nodsa_reason)
        {
            return false;
        }
        if w.max_severity.is_some_and(|max| f.severity > max) {
            return false;
        }
        if w.kev.is_some_and(|kev| kev != f.kev) {
            return false;
        }
        if w.epss_below
            .is_some_and(|below| f.epss.unwrap_or(0.0) >= below)
        {
            return false;
        }
        if w.fix_available.is_some_and(|fix| fix != f.fixed) {
            return false;
        }
        true
    }
}

/// A versionless purl `want` covers `have` when type, namespace and name are equal (the way
/// each type compares them: npm and PyPI names are case-insensitive) and every qualifier `want`
/// gives is in `have` with the same value.
pub fn purl_covers(want: &str, have: &str) -> bool {
    let (Ok(want), Ok(have)) = (Purl::parse(want), Purl::parse(have)) else {
        return false;
    };
    want.ty.eq_ignore_ascii_case(&have.ty)
        && want
            .namespace
            .as_deref()
            .unwrap_or("")
            .eq_ignore_ascii_case(have.namespace.as_deref().unwrap_or(""))
        && want.name.eq_ignore_ascii_case(&have.name)
        && want
            .qualifiers
            .iter()
            .all(|(k, v)| have.qualifier_value(k) == Some(v.as_str()))
}

/// The rule that decides the finding on `today`, if any: among the rules that match and have
/// not expired, triage before auto, then higher priority, then earlier in file order.
pub fn decide<'r>(rules: &'r [Rule], s: &Subject<'_>, today: Date) -> Option<&'r Rule> {
    best(rules.iter().filter(|r| !r.expired(today) && r.matches(s)))
}

fn best<'r>(candidates: impl Iterator<Item = &'r Rule>) -> Option<&'r Rule> {
    candidates.min_by_key(|r| {
        (
            r.kind != RuleKind::Triage,
            std::cmp::Reverse(r.priority),
            r.order,
        )
    })
}

/// The rules compiled for evaluating many findings: one `RegexSet` per field (component name,
/// vulnerability, project) finds in one pass which rules' patterns match, so a finding is only
/// checked in full against the few rules that can match it (not every rule of a thousand).
#[derive(Debug)]
pub struct Index<'r> {
    rules: Vec<&'r Rule>,
    fields: [Field; 3],
}

/// One field's patterns: the set, which rule each pattern belongs to, and the rules without a
/// pattern on this field (they pass it whatever the value).
#[derive(Debug)]
struct Field {
    set: RegexSet,
    owners: Vec<usize>,
    free: Vec<usize>,
}

impl Field {
    fn new(rules: &[&Rule], pick: impl Fn(&Rule) -> Option<&Pattern>) -> Field {
        let mut owners = Vec::new();
        let mut free = Vec::new();
        let mut patterns = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            match pick(r) {
                Some(p) => {
                    owners.push(i);
                    patterns.push(p.text.as_str());
                }
                None => free.push(i),
            }
        }
        // Every pattern compiled on its own when the rules were read; together they may pass
        // the set's size limit, in which case each rule is checked on its own (owners free).
        match RegexSet::new(&patterns) {
            Ok(set) => Field { set, owners, free },
            Err(_) => Field {
                set: RegexSet::empty(),
                owners: Vec::new(),
                free: (0..rules.len()).collect(),
            },
        }
    }

    /// Marks in `hits` the rules this field lets through for any of `values`.
    fn pass<'v>(&self, values: impl Iterator<Item = &'v str>, hits: &mut [u8], bit: u8) {
        for &i in &self.free {
            hits[i] |= bit;
        }
        for v in values {
            for m in self.set.matches(v).iter() {
                hits[self.owners[m]] |= bit;
            }
        }
    }
}

impl<'r> Index<'r> {
    /// The rules not expired on `today`, compiled for evaluation.
    pub fn new(rules: &'r [Rule], today: Date) -> Index<'r> {
        let rules: Vec<&Rule> = rules.iter().filter(|r| !r.expired(today)).collect();
        let fields = [
            Field::new(&rules, |r| r.component.name.as_ref()),
            Field::new(&rules, |r| r.vuln.as_ref()),
            Field::new(&rules, |r| r.project.as_ref()),
        ];
        Index { rules, fields }
    }

    /// The deciding rule, as [`decide`] would find it.
    pub fn decide(&self, s: &Subject<'_>) -> Option<&'r Rule> {
        let mut hits = vec![0u8; self.rules.len()];
        let f = s.finding;
        self.fields[0].pass(std::iter::once(f.name.as_str()), &mut hits, 1);
        self.fields[1].pass(
            f.ids
                .iter()
                .map(String::as_str)
                .chain(std::iter::once(f.vuln.as_str())),
            &mut hits,
            2,
        );
        self.fields[2].pass(std::iter::once(s.project), &mut hits, 4);
        best(
            hits.iter()
                .enumerate()
                .filter(|(_, h)| **h == 7)
                .map(|(i, _)| self.rules[i])
                .filter(|r| r.matches(s)),
        )
    }
}
