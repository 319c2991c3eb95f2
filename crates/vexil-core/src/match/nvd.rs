//! NVD CPE applicability statements against a component's own CPEs: the fallback for
//! components no ecosystem feed covers. Versions compare with the lenient `upstream`
//! comparator, which may answer "not comparable" → `unknown`. Pure.
//!
//! A configuration concerns a component only when one of its `vulnerable: true` criteria names
//! the component's product (part, vendor, product and the other non-version attributes).
//! `vulnerable: false` criteria are context ("running on …"): satisfied when one of the
//! component's CPEs covers them, and otherwise not known, so an in-range product whose
//! platform condition the component cannot show is `unknown`, not `affected` — a component
//! is one package, and its CPEs rarely say the platform it runs on.

use std::cmp::Ordering;

use vexil_version::upstream::UpstreamVersion;

use crate::matching::{Explanation, Match, Verdict};
use crate::model::{Advisory, Component, CpeMatch, CpeNode};

/// The attributes of a CPE after `cpe:2.3:`, as written (escapes kept).
const VERSION: usize = 3;
const UPDATE: usize = 4;
const ATTRIBUTES: usize = 11;

/// A CPE name split into its eleven attributes (`part`, `vendor`, `product`, `version`,
/// `update`, `edition`, `language`, `sw_edition`, `target_sw`, `target_hw`, `other`).
/// Missing trailing attributes are `*` (ANY). Values keep their `\` escapes.
#[derive(Clone, Copy, Debug)]
struct Cpe<'a> {
    attributes: [&'a str; ATTRIBUTES],
}

impl<'a> Cpe<'a> {
    /// Reads a CPE 2.3 formatted string (`cpe:2.3:a:openssl:openssl:3.0.2:*:*:*:*:*:*:*`) or a
    /// CPE 2.2 URI (`cpe:/a:openssl:openssl:3.0.2`); `None` for anything else.
    fn parse(text: &'a str) -> Option<Cpe<'a>> {
        let text = text.trim();
        let rest = strip_prefix_ignore_case(text, "cpe:2.3:")
            .or_else(|| strip_prefix_ignore_case(text, "cpe:/"))?;
        let mut attributes = ["*"; ATTRIBUTES];
        let mut start = 0;
        let mut index = 0;
        let bytes = rest.as_bytes();
        let mut i = 0;
        while i <= bytes.len() {
            match bytes.get(i) {
                // An escaped character never separates; a lone `\` at the end stays in the value.
                Some(b'\\') => {
                    i = (i + 2).min(bytes.len());
                    continue;
                }
                Some(b':') | None => {
                    let slot = attributes.get_mut(index)?;
                    let value = rest.get(start..i)?;
                    *slot = if value.is_empty() { "*" } else { value };
                    index += 1;
                    start = i + 1;
                }
                Some(_) => {}
            }
            i += 1;
        }
        Some(Cpe { attributes })
    }

    fn get(&self, index: usize) -> &'a str {
        self.attributes.get(index).copied().unwrap_or("*")
    }

    /// `cpe:2.3:a:openssl:openssl` — what the explanation names as the package.
    fn product_name(&self) -> String {
        format!("cpe:2.3:{}:{}:{}", self.get(0), self.get(1), self.get(2))
    }

    /// Whether every attribute but the version and the update (which goes with the version,
    /// see [`Cpe::version_text`]) matches.
    fn names_product_of(&self, target: &Cpe<'_>) -> bool {
        (0..ATTRIBUTES)
            .filter(|&i| i != VERSION && i != UPDATE)
            .all(|i| attribute_matches(self.get(i), target.get(i)))
    }

    /// The version a criterion names, with its update when it has one (`1.0` + `beta1` →
    /// `1.0 beta1`, which the upstream comparator reads as `1.0-beta1`).
    fn version_text(&self) -> Option<String> {
        let version = self.get(VERSION);
        if !is_specific(version) {
            return None;
        }
        let version = unescape(version);
        let update = self.get(UPDATE);
        Some(if is_specific(update) {
            format!("{version} {}", unescape(update))
        } else {
            version
        })
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| text.get(prefix.len()..))
        .flatten()
}

/// Not ANY (`*`, empty) and not NA (`-`).
fn is_specific(value: &str) -> bool {
    !matches!(value.trim(), "" | "*" | "-")
}

/// The characters of a CPE value with escapes resolved, each with whether it was escaped.
fn chars(value: &str) -> impl Iterator<Item = (char, bool)> + '_ {
    let mut it = value.chars();
    std::iter::from_fn(move || {
        let c = it.next()?;
        if c == '\\' {
            Some((it.next().unwrap_or('\\'), true))
        } else {
            Some((c, false))
        }
    })
}

fn unescape(value: &str) -> String {
    chars(value).map(|(c, _)| c).collect()
}

/// CPE name matching of one attribute (NISTIR 7696, simplified): ANY on either side matches;
/// NA matches only NA; values compare case-insensitively after unescaping, and the criterion's
/// unescaped `*` and `?` are wildcards.
fn attribute_matches(criterion: &str, target: &str) -> bool {
    let (c, t) = (criterion.trim(), target.trim());
    if matches!(c, "" | "*") || matches!(t, "" | "*") {
        return true;
    }
    if c == "-" || t == "-" {
        return c == t;
    }
    if chars(c).any(|(ch, escaped)| !escaped && (ch == '*' || ch == '?')) {
        let pattern: Vec<(char, bool)> = chars(c)
            .map(|(ch, escaped)| (ch.to_ascii_lowercase(), escaped))
            .collect();
        let text: Vec<char> = chars(t).map(|(ch, _)| ch.to_ascii_lowercase()).collect();
        return glob(&pattern, &text);
    }
    chars(c)
        .map(|(ch, _)| ch.to_ascii_lowercase())
        .eq(chars(t).map(|(ch, _)| ch.to_ascii_lowercase()))
}

/// `*` any run, `?` one character (unescaped only); iterative with one backtrack point.
fn glob(pattern: &[(char, bool)], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(('*', false)) => {
                star = Some((p, t));
                p += 1;
            }
            Some((c, escaped)) if (*c == '?' && !escaped) || text.get(t) == Some(c) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|&(c, escaped)| c == '*' && !escaped))
}

/// One of the component's CPEs, with the version compared for it.
struct Subject<'a> {
    cpe: Cpe<'a>,
    written: &'a str,
    /// The component's version, else the CPE's own; `None` when neither names one.
    version: Option<String>,
    parsed: Result<UpstreamVersion, String>,
}

/// Three-valued truth of a criterion, node or configuration for this component, plus `Other`:
/// it is about another product (or a platform the component's CPEs do not show).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Truth {
    Yes,
    No,
    Maybe,
    Other,
}

impl Truth {
    /// OR: any yes; else any maybe; else any no; all about other products stays other.
    fn any(values: impl Iterator<Item = Truth>) -> Truth {
        let (mut no, mut maybe) = (false, false);
        for value in values {
            match value {
                Truth::Yes => return Truth::Yes,
                Truth::Maybe => maybe = true,
                Truth::No => no = true,
                Truth::Other => {}
            }
        }
        if maybe {
            Truth::Maybe
        } else if no {
            Truth::No
        } else {
            Truth::Other
        }
    }

    /// AND: any no; else all yes; all other stays other; a mix (this product in range, a
    /// platform not known) is maybe.
    fn all(values: impl Iterator<Item = Truth>) -> Truth {
        let (mut yes, mut other, mut maybe) = (false, false, false);
        for value in values {
            match value {
                Truth::No => return Truth::No,
                Truth::Yes => yes = true,
                Truth::Other => other = true,
                Truth::Maybe => maybe = true,
            }
        }
        match (yes, other, maybe) {
            (_, _, true) | (true, true, _) => Truth::Maybe,
            (true, false, false) => Truth::Yes,
            (false, true, false) => Truth::Other,
            // An empty AND says nothing about this component.
            (false, false, false) => Truth::Other,
        }
    }

    fn negated(self, negate: bool) -> Truth {
        match (self, negate) {
            (Truth::Yes, true) => Truth::No,
            (Truth::No, true) => Truth::Yes,
            (value, _) => value,
        }
    }

    fn combine(operator: Option<&str>, values: impl Iterator<Item = Truth>) -> Truth {
        if operator.is_some_and(|op| op.eq_ignore_ascii_case("AND")) {
            Truth::all(values)
        } else {
            Truth::any(values)
        }
    }
}

/// What evaluating the configurations learnt besides the truth values.
#[derive(Default)]
struct Evidence {
    steps: Vec<String>,
    /// Rendered criteria (with bounds) that named the component's product.
    ranges: Vec<String>,
    /// Why a criterion could not be decided.
    unknowns: Vec<String>,
    /// Platform criteria (`vulnerable: false`) that no CPE of the component shows.
    platforms: Vec<String>,
    /// `versionEndExcluding` of criteria the version is in range of (the fix to name).
    fixes_ahead: Vec<String>,
    /// Ends of ranges the version is at or past (`versionEndExcluding`, or `None` for
    /// `versionEndIncluding`).
    ends_passed: Vec<Option<String>>,
    /// The component's package and version, from the first criterion that named it.
    package: Option<String>,
    version: Option<String>,
}

/// Judges a component that carries CPEs against an NVD advisory's CPE configurations.
///
/// For each configuration naming the component's product in a `vulnerable: true` criterion,
/// the criteria, nodes (`AND`/`OR`, `negate`) and configuration operator are evaluated in
/// three-valued logic. A vulnerable criterion of this product is true when the version is in
/// its range (`versionStart/End Including/Excluding`, or the criterion's own version); a
/// criterion of another product, or a platform (`vulnerable: false`) no CPE of the component
/// covers, is not known. Verdicts: `affected` when a configuration holds; `fixed` when none
/// holds and the version is at or past the end of a range of the product
/// (`versionEndExcluding`, named as the fix, or past a `versionEndIncluding`);
/// `not_affected` when the product is named but the version is outside every range;
/// `unknown` when a version is not comparable, missing, or a platform condition cannot be
/// shown. The worst answer over all configurations wins (affected, unknown, fixed, not affected).
///
/// `None` when the component has no CPE, the advisory has no NVD configurations or is withdrawn
/// (NVD status `Rejected`), or no vulnerable criterion names the component's product.
pub fn match_cpe(component: &Component, advisory: &Advisory) -> Option<Match> {
    if advisory.withdrawn.is_some() {
        return None;
    }
    let nvd = advisory.nvd.as_ref()?;
    if nvd.vuln_status.as_deref() == Some("Rejected") {
        return None;
    }
    let subjects = subjects(component);
    if subjects.is_empty() {
        return None;
    }
    let mut evidence = Evidence::default();
    let mut verdicts = Vec::new();
    for (index, configuration) in nvd.configurations.iter().enumerate() {
        let relevant = configuration.nodes.iter().any(|node| {
            node.cpe_match.iter().any(|m| {
                m.vulnerable
                    && Cpe::parse(&m.criteria)
                        .is_some_and(|c| subjects.iter().any(|s| c.names_product_of(&s.cpe)))
            })
        });
        if !relevant {
            continue;
        }
        if nvd.configurations.len() > 1 {
            evidence.steps.push(format!("configuration {}", index + 1));
        }
        let truth = Truth::combine(
            configuration.operator.as_deref(),
            configuration
                .nodes
                .iter()
                .map(|node| judge_node(node, &subjects, &mut evidence)),
        )
        .negated(configuration.negate);
        verdicts.push(truth);
    }
    if verdicts.is_empty() {
        return None;
    }
    let truth = Truth::any(verdicts.into_iter().map(|t| match t {
        // A configuration that is about other products only cannot clear this one.
        Truth::Other => Truth::Maybe,
        t => t,
    }));
    Some(verdict(advisory, truth, evidence))
}

/// The component's CPEs that parse, each with its version parsed once: the CPE's own version
/// when it names one (it is in NVD's vocabulary, and a platform CPE's version is the
/// platform's), else the component's version.
fn subjects(component: &Component) -> Vec<Subject<'_>> {
    let own = component
        .version
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let mut own_parsed = None;
    let mut out = Vec::with_capacity(component.cpes.len());
    for written in &component.cpes {
        let Some(cpe) = Cpe::parse(written) else {
            continue;
        };
        let (version, parsed) = match (cpe.version_text(), own) {
            (Some(v), _) => {
                let parsed = UpstreamVersion::parse(&v).map_err(|e| e.to_string());
                (Some(v), parsed)
            }
            (None, Some(v)) => {
                let parsed = own_parsed
                    .get_or_insert_with(|| UpstreamVersion::parse(v).map_err(|e| e.to_string()))
                    .clone();
                (Some(v.to_owned()), parsed)
            }
            (None, None) => (None, Err("the component has no version".to_owned())),
        };
        out.push(Subject {
            cpe,
            written,
            version,
            parsed,
        });
    }
    out
}

fn judge_node(node: &CpeNode, subjects: &[Subject<'_>], evidence: &mut Evidence) -> Truth {
    Truth::combine(
        Some(node.operator.as_str()),
        node.cpe_match
            .iter()
            .map(|m| judge_criterion(m, subjects, evidence)),
    )
    .negated(node.negate)
}

/// One criterion against every CPE of the component: yes if one is in range.
fn judge_criterion(m: &CpeMatch, subjects: &[Subject<'_>], evidence: &mut Evidence) -> Truth {
    let Some(criterion) = Cpe::parse(&m.criteria) else {
        evidence
            .unknowns
            .push(format!("`{}` is not a CPE name", m.criteria));
        return if m.vulnerable {
            Truth::Other
        } else {
            Truth::Maybe
        };
    };
    let mut truth = Truth::Other;
    for subject in subjects
        .iter()
        .filter(|s| criterion.names_product_of(&s.cpe))
    {
        let t = if m.vulnerable {
            judge_version(m, &criterion, subject, evidence)
        } else {
            // Context the component itself shows (it carries that CPE): satisfied when the
            // version fits too; a platform's version is rarely stated, so `-` fits any.
            evidence.steps.push(format!(
                "platform {} is shown by {}",
                m.criteria, subject.written
            ));
            match judge_version(m, &criterion, subject, &mut Evidence::default()) {
                Truth::No => Truth::No,
                _ if criterion.get(VERSION) == "-" => Truth::Yes,
                t => t,
            }
        };
        truth = Truth::any([truth, t].into_iter());
        if truth == Truth::Yes {
            break;
        }
    }
    if truth == Truth::Other && !m.vulnerable {
        evidence.steps.push(format!(
            "platform {} is not among the component's CPEs",
            m.criteria
        ));
        if !evidence.platforms.contains(&m.criteria) {
            evidence.platforms.push(m.criteria.clone());
        }
    }
    truth
}

/// Whether the subject's version is in the criterion's range.
fn judge_version(
    m: &CpeMatch,
    criterion: &Cpe<'_>,
    subject: &Subject<'_>,
    evidence: &mut Evidence,
) -> Truth {
    let range = render(m);
    if !evidence.ranges.contains(&range) {
        evidence.ranges.push(range);
    }
    if evidence.package.is_none() {
        evidence.package = Some(subject.cpe.product_name());
        evidence.version.clone_from(&subject.version);
    }
    let shown = subject.version.as_deref().unwrap_or("?");
    let bounds = [
        (
            &m.version_start_including,
            ">=",
            Bound::Start { inclusive: true },
        ),
        (
            &m.version_start_excluding,
            ">",
            Bound::Start { inclusive: false },
        ),
        (
            &m.version_end_including,
            "<=",
            Bound::End { inclusive: true },
        ),
        (
            &m.version_end_excluding,
            "<",
            Bound::End { inclusive: false },
        ),
    ];
    let has_bounds = bounds.iter().any(|(b, _, _)| b.is_some());
    let exact = criterion.get(VERSION).trim();
    if !has_bounds && matches!(exact, "" | "*") {
        evidence.steps.push(format!(
            "{} names every version of {}",
            m.criteria, subject.written
        ));
        return Truth::Yes;
    }
    if !has_bounds && exact == "-" {
        if subject.version.is_none() {
            evidence.steps.push(format!(
                "{} and {} name no version",
                m.criteria, subject.written
            ));
            return Truth::Yes;
        }
        evidence.unknowns.push(format!(
            "{} names no version (`-`), so {shown} cannot be compared",
            m.criteria
        ));
        return Truth::Maybe;
    }
    let installed = match &subject.parsed {
        Ok(v) => v,
        Err(why) => {
            evidence.unknowns.push(why.clone());
            return Truth::Maybe;
        }
    };
    if !has_bounds {
        let Some(text) = criterion.version_text() else {
            return Truth::Maybe;
        };
        return match compare(installed, shown, &text, evidence) {
            None => Truth::Maybe,
            Some(Ordering::Equal) => {
                evidence.steps.push(format!("{shown} = {text}"));
                Truth::Yes
            }
            Some(_) => {
                evidence.steps.push(format!("{shown} != {text}"));
                Truth::No
            }
        };
    }
    let mut inside = true;
    for (bound, sign, kind) in bounds {
        let Some(bound) = bound else { continue };
        let Some(order) = compare(installed, shown, bound, evidence) else {
            return Truth::Maybe;
        };
        let holds = match kind {
            Bound::Start { inclusive: true } => order != Ordering::Less,
            Bound::Start { inclusive: false } => order == Ordering::Greater,
            Bound::End { inclusive: true } => order != Ordering::Greater,
            Bound::End { inclusive: false } => order == Ordering::Less,
        };
        let shown_sign = if holds { sign } else { negate_sign(sign) };
        evidence.steps.push(format!("{shown} {shown_sign} {bound}"));
        if !holds {
            inside = false;
            if let Bound::End { inclusive } = kind {
                evidence
                    .ends_passed
                    .push((!inclusive).then(|| bound.clone()));
            }
        }
    }
    if inside {
        if let Some(end) = &m.version_end_excluding {
            evidence.fixes_ahead.push(end.clone());
        }
        Truth::Yes
    } else {
        Truth::No
    }
}

#[derive(Clone, Copy)]
enum Bound {
    Start { inclusive: bool },
    End { inclusive: bool },
}

fn negate_sign(sign: &str) -> &'static str {
    match sign {
        ">=" => "<",
        ">" => "<=",
        "<=" => ">",
        _ => ">=",
    }
}

/// `installed cmp bound`, or `None` (recorded) when the bound does not parse or the comparator
/// cannot order the two.
fn compare(
    installed: &UpstreamVersion,
    shown: &str,
    bound: &str,
    evidence: &mut Evidence,
) -> Option<Ordering> {
    let parsed = match UpstreamVersion::parse(bound) {
        Ok(v) => v,
        Err(e) => {
            evidence.unknowns.push(e.to_string());
            return None;
        }
    };
    let order = installed.partial_cmp(&parsed);
    if order.is_none() {
        evidence
            .steps
            .push(format!("{shown} ? {bound}: not comparable"));
        evidence
            .unknowns
            .push(format!("{shown} and {bound} are not comparable"));
    }
    order
}

/// `cpe:2.3:a:x:y:*:*:*:*:*:*:*:* >= 1.0, < 1.2`.
fn render(m: &CpeMatch) -> String {
    let bounds: Vec<String> = [
        (&m.version_start_including, ">="),
        (&m.version_start_excluding, ">"),
        (&m.version_end_including, "<="),
        (&m.version_end_excluding, "<"),
    ]
    .into_iter()
    .filter_map(|(b, sign)| b.as_ref().map(|b| format!("{sign} {b}")))
    .collect();
    if bounds.is_empty() {
        m.criteria.clone()
    } else {
        format!("{} {}", m.criteria, bounds.join(", "))
    }
}

fn verdict(advisory: &Advisory, truth: Truth, evidence: Evidence) -> Match {
    let package = evidence.package.clone().unwrap_or_default();
    let version = evidence.version.clone();
    let shown = version.as_deref().unwrap_or("?");
    let smallest = |versions: &[String], above: bool| -> Option<String> {
        let mut best: Option<(&String, UpstreamVersion)> = None;
        for v in versions {
            let Ok(parsed) = UpstreamVersion::parse(v) else {
                continue;
            };
            let better = match &best {
                None => true,
                Some((_, b)) => {
                    let order = parsed.partial_cmp(b);
                    if above {
                        order == Some(Ordering::Less)
                    } else {
                        order == Some(Ordering::Greater)
                    }
                }
            };
            if better {
                best = Some((v, parsed));
            }
        }
        best.map(|(v, _)| v.clone())
    };
    let (verdict, fixed_version, reason) = match truth {
        Truth::Yes => {
            let fix = smallest(&evidence.fixes_ahead, true);
            let reason = match &fix {
                Some(f) => format!("{package} {shown} is in a vulnerable range ending before {f}."),
                None => format!("{package} {shown} is in a vulnerable range with no fix named."),
            };
            (Verdict::Affected, fix, reason)
        }
        Truth::Maybe | Truth::Other => {
            let mut why = evidence.unknowns.clone();
            why.dedup();
            if !evidence.platforms.is_empty() {
                why.push(format!(
                    "the configuration also needs {}{}, which the component's CPEs do not show",
                    if evidence.platforms.len() > 1 {
                        "one of "
                    } else {
                        ""
                    },
                    evidence.platforms.join(", ")
                ));
            }
            let reason = if why.is_empty() {
                format!("{package} {shown}: the CPE configurations cannot be decided.")
            } else {
                format!("{package} {shown}: {}.", why.join("; "))
            };
            (Verdict::Unknown, None, reason)
        }
        Truth::No if !evidence.ends_passed.is_empty() => {
            let named: Vec<String> = evidence.ends_passed.iter().flatten().cloned().collect();
            let fix = smallest(&named, false);
            let reason = match &fix {
                Some(f) => format!("{package} {shown} is at or past the fixed version {f}."),
                None => format!("{package} {shown} is past the last vulnerable version."),
            };
            (Verdict::Fixed, fix, reason)
        }
        Truth::No => (
            Verdict::NotAffected,
            None,
            format!("{package} {shown} is outside every vulnerable range."),
        ),
    };
    Match {
        verdict,
        fixed_version,
        malicious: advisory.malicious,
        informational: advisory.informational.clone(),
        explanation: Explanation {
            advisory: advisory.id.clone(),
            feed: advisory.feed,
            matcher: "nvd-cpe".to_owned(),
            package,
            version,
            scheme: Some("upstream".to_owned()),
            range: (!evidence.ranges.is_empty()).then(|| evidence.ranges.join("; ")),
            steps: evidence.steps,
            reason,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpe_parts_and_escapes() {
        let cpe = Cpe::parse(r"cpe:2.3:a:node\:js:node\.js:1.0:*:*:*:*:*:*:*").unwrap();
        assert_eq!(cpe.get(1), r"node\:js");
        assert_eq!(cpe.get(2), r"node\.js");
        assert_eq!(cpe.get(VERSION), "1.0");
        assert!(attribute_matches(r"node\.js", "node.js"));
        let uri = Cpe::parse("cpe:/a:openssl:openssl:1.0.2k").unwrap();
        assert_eq!(
            (uri.get(0), uri.get(VERSION), uri.get(10)),
            ("a", "1.0.2k", "*")
        );
        assert!(Cpe::parse("openssl").is_none());
        assert_eq!(Cpe::parse(r"cpe:2.3:a:b:c\").unwrap().get(2), r"c\");
        assert!(Cpe::parse("cpe:2.3:a:b:c:1:*:*:*:*:*:*:*:extra").is_none());
    }

    #[test]
    fn attribute_wildcards() {
        assert!(attribute_matches("*", "x"));
        assert!(attribute_matches("-", "-"));
        assert!(!attribute_matches("-", "x"));
        assert!(attribute_matches("OpenSSL", "openssl"));
        assert!(attribute_matches("open*", "openssl"));
        assert!(attribute_matches("?penssl", "openssl"));
        assert!(!attribute_matches(r"open\*", "openssl"));
        assert!(!attribute_matches("openssh", "openssl"));
    }
}
