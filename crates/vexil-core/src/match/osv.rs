//! OSV `affected` entries evaluated as the OSV schema's pseudocode says (osv-schema
//! §Evaluation: `IncludedInVersions || IncludedInRanges`, `BeforeLimits`), and one advisory's
//! verdict for one component. Pure: values in, values out; never panics.
//!
//! Beyond the pseudocode's yes/no, a version that is not affected is `fixed` when it entered a
//! range at an `introduced` and left it at a `fixed` or past a `last_affected`, and `unknown`
//! when Vexil cannot order it (an unparseable version or event, an ecosystem without a scheme,
//! a GIT range without a listed version).

use std::cmp::Ordering;

use vexil_version::{ParseError, Scheme, Version};

use super::{Explanation, Match, Verdict, package};
use crate::model::{Advisory, Affected, Component, Event, Package, Range, RangeKind};

/// The verdict for one affected entry, with how it was reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    pub verdict: Verdict,
    /// `osv-ranges` when a range decided, `osv-versions` when the explicit `versions` list did.
    pub matcher: &'static str,
    /// The ordering the deciding comparisons used; `None` when none was made (a listed version,
    /// an `introduced: "0"`-only range, an unknown ecosystem).
    pub scheme: Option<Scheme>,
    /// The deciding range's events as written (`introduced 0, fixed 1.2.5`).
    pub range: Option<String>,
    /// Every comparison made, in order (`1.2.3 >= introduced 1.0.0`).
    pub steps: Vec<String>,
    /// For `affected`: the smallest `fixed` above the version in the range that holds it. For
    /// `fixed`: the `fixed` event the version is at or past.
    pub fixed_version: Option<String>,
    /// One sentence: why.
    pub reason: String,
}

const RANGES: &str = "osv-ranges";
const VERSIONS: &str = "osv-versions";

impl Evaluation {
    fn new(verdict: Verdict, matcher: &'static str, reason: String) -> Evaluation {
        Evaluation {
            verdict,
            matcher,
            scheme: None,
            range: None,
            steps: Vec::new(),
            fixed_version: None,
            reason,
        }
    }
}

/// How strongly a verdict speaks when several entries or ranges give one: affected beats
/// unknown (it might have been affected), which beats fixed, which beats not affected.
fn rank(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::Affected => 0,
        Verdict::Unknown => 1,
        Verdict::Fixed => 2,
        Verdict::NotAffected => 3,
    }
}

/// The verdict of one component against one advisory: `None` when no `affected` entry names
/// the component (see [`package::concerns`]) or the advisory is withdrawn — a withdrawn record
/// never matches, whatever its ranges say.
///
/// Several entries naming the component combine: affected beats unknown beats fixed beats not
/// affected; the explanation is the deciding entry's. `malicious` and `informational` are the
/// advisory's: a `MAL-*` record flags every verdict it gives (its entries say which versions are
/// malicious; OSSF records usually say `introduced: "0"`, every version), and a RustSec
/// informational kind (`unmaintained`, `unsound`, `notice`) marks the match as a warning.
///
/// Distro packages are compared at their source package's version when the advisory names the
/// source package and the component knows that version (distro advisories give source
/// versions; a binNMU's binary version differs).
pub fn match_advisory(component: &Component, advisory: &Advisory) -> Option<Match> {
    if advisory.withdrawn.is_some() {
        return None;
    }
    let mut best: Option<(Evaluation, &Package, Option<&str>)> = None;
    for affected in &advisory.affected {
        let Some(package) = &affected.package else {
            continue;
        };
        if !package::concerns(component, package) {
            continue;
        }
        let version = version_for(component, package);
        let evaluation = evaluate_entry(version, package, affected);
        let better = best
            .as_ref()
            .is_none_or(|(b, _, _)| rank(evaluation.verdict) < rank(b.verdict));
        if better {
            let stop = evaluation.verdict == Verdict::Affected;
            best = Some((evaluation, package, version));
            if stop {
                break;
            }
        }
    }
    let (evaluation, package, version) = best?;
    Some(Match {
        verdict: evaluation.verdict,
        fixed_version: evaluation.fixed_version,
        malicious: advisory.malicious,
        informational: advisory.informational.clone(),
        explanation: Explanation {
            advisory: advisory.id.clone(),
            feed: advisory.feed,
            matcher: evaluation.matcher.to_owned(),
            package: format!("{}/{}", package.ecosystem, package.name),
            version: version.map(str::to_owned),
            scheme: evaluation.scheme.map(|s| s.name().to_owned()),
            range: evaluation.range,
            steps: evaluation.steps,
            reason: evaluation.reason,
        },
    })
}

/// The version to compare: the source package's when the advisory names the source package
/// and the inventory gave its version, else the component's.
fn version_for<'c>(component: &'c Component, package: &Package) -> Option<&'c str> {
    if let Some(source) = &component.source
        && source.name == package.name
        && let Some(version) = source.version.as_deref()
    {
        return Some(version);
    }
    component.version.as_deref()
}

/// One entry, with the scheme its ecosystem names.
fn evaluate_entry(version: Option<&str>, package: &Package, affected: &Affected) -> Evaluation {
    let Some(version) = version else {
        return Evaluation::new(
            Verdict::Unknown,
            RANGES,
            "the component has no version to compare".to_owned(),
        );
    };
    let base = package.ecosystem.split(':').next().unwrap_or_default();
    match package::ecosystem_named(base) {
        Some(ecosystem) => evaluate(version, ecosystem.scheme(), affected),
        None => evaluate_unordered(version, affected, &package.ecosystem),
    }
}

/// An entry of an ecosystem Vexil cannot order: only what needs no comparison decides (a
/// listed version, a range that affects every version); anything else is unknown.
fn evaluate_unordered(version: &str, affected: &Affected, ecosystem: &str) -> Evaluation {
    if let Some(listed) = listed(version, affected) {
        return listed;
    }
    if let Some((i, range)) = affected
        .ranges
        .iter()
        .enumerate()
        .find(|(_, r)| r.kind != RangeKind::Git && every_version(r))
    {
        let mut e = all_versions(i, &mut Vec::new());
        e.range = Some(render(range));
        return e;
    }
    Evaluation::new(
        Verdict::Unknown,
        RANGES,
        format!(
            "Vexil has no version ordering for ecosystem `{ecosystem}`, and `{version}` is not \
             among the versions the entry lists"
        ),
    )
}

/// Evaluates one `affected` entry for `version`, ordering versions by `scheme` (the entry's
/// ecosystem's; `SEMVER` ranges use SemVer, or Go's ordering for Go).
///
/// - A version listed in `versions` (string equality, as the pseudocode says) is affected.
/// - Each `SEMVER`/`ECOSYSTEM` range: events sorted by the ordering (`introduced: "0"` first,
///   a `limit` containing `*` last), then walked as `IncludedInRanges` walks them, behind
///   `BeforeLimits`. At one version, a `fixed` closes the interval open before it before an
///   `introduced` opens the next (`[0, 3.1.1)` and `[3.1.1, 3.1.3)` affect 3.1.1), and with
///   none open an `introduced` and its own `fixed` make an empty interval.
/// - The steps are every range's comparisons, in order; the range shown is the deciding one.
/// - `GIT` ranges need the repository's commit graph: only the `versions` list speaks for
///   them. An entry with only GIT ranges and an empty list is unknown; with a list, a version
///   not in it (compared also by the scheme's equality, so `v1.2` finds `1.2`) is not affected.
/// - An unparseable installed version makes every range that needs a comparison unknown, with
///   the parse error as reason; an unparseable event makes its range unknown.
pub fn evaluate(version: &str, scheme: Scheme, affected: &Affected) -> Evaluation {
    let mut installed = Installed::new(version);
    // The first range of each verdict, by index: the one shown when that verdict decides.
    let mut unknown: Option<(usize, Evaluation)> = None;
    let mut fixed: Option<(usize, Evaluation)> = None;
    let mut not_affected: Option<(usize, Evaluation)> = None;
    let mut steps: Vec<String> = Vec::new();
    let mut git_ranges = 0;
    let mut evaluated = 0;
    for (i, range) in affected.ranges.iter().enumerate() {
        let range_scheme = match range.kind {
            RangeKind::Git => {
                git_ranges += 1;
                continue;
            }
            RangeKind::Semver if scheme == Scheme::Go => Scheme::Go,
            RangeKind::Semver => Scheme::Semver,
            RangeKind::Ecosystem => scheme,
        };
        evaluated += 1;
        let mut evaluation = if every_version(range) {
            all_versions(i, &mut steps)
        } else {
            evaluate_range(i, range, range_scheme, &mut installed, &mut steps)
        };
        let slot = match evaluation.verdict {
            Verdict::Affected => {
                evaluation.range = Some(render(range));
                evaluation.steps = steps;
                return evaluation;
            }
            Verdict::Unknown => &mut unknown,
            Verdict::Fixed => &mut fixed,
            Verdict::NotAffected => &mut not_affected,
        };
        if slot.is_none() {
            *slot = Some((i, evaluation));
        }
    }
    if let Some(listed) = listed(version, affected) {
        return listed;
    }
    if evaluated == 0 {
        return unranged(&mut installed, scheme, affected, git_ranges);
    }
    let mut out = match unknown.or(fixed).or(not_affected) {
        Some((i, mut out)) => {
            out.range = affected.ranges.get(i).map(render);
            out
        }
        None => Evaluation::new(Verdict::NotAffected, RANGES, "no range applies".to_owned()),
    };
    out.steps = steps;
    if git_ranges > 0 {
        out.steps.push(format!(
            "{git_ranges} GIT range(s) not evaluated: they need the repository's commit graph"
        ));
    }
    out
}

/// The version is one the entry lists, spelled the same.
fn listed(version: &str, affected: &Affected) -> Option<Evaluation> {
    affected.versions.iter().any(|v| v == version).then(|| {
        let mut e = Evaluation::new(
            Verdict::Affected,
            VERSIONS,
            format!("{version} is listed as an affected version"),
        );
        e.steps.push(format!(
            "{version} is among the {} listed versions",
            affected.versions.len()
        ));
        e
    })
}

/// An entry with no SEMVER or ECOSYSTEM range: its `versions` list decides, else nothing can.
fn unranged(
    installed: &mut Installed<'_>,
    scheme: Scheme,
    affected: &Affected,
    git_ranges: usize,
) -> Evaluation {
    let version = installed.text;
    let count = affected.versions.len();
    if count > 0 {
        let parsed = match installed.get(scheme) {
            Ok(v) => v,
            Err(e) => {
                let mut out = Evaluation::new(
                    Verdict::Unknown,
                    VERSIONS,
                    format!("{e}, and it is not spelled as any of the {count} listed versions"),
                );
                out.scheme = Some(scheme);
                return out;
            }
        };
        let same = affected.versions.iter().find(|listed| {
            scheme
                .parse(listed)
                .is_ok_and(|l| parsed.compare(&l) == Some(Ordering::Equal))
        });
        let mut out = match same {
            Some(listed) => {
                let mut e = Evaluation::new(
                    Verdict::Affected,
                    VERSIONS,
                    format!("{version} equals the listed affected version {listed}"),
                );
                e.steps.push(format!("{version} == listed {listed}"));
                e
            }
            None => {
                let mut e = Evaluation::new(
                    Verdict::NotAffected,
                    VERSIONS,
                    format!("{version} is not among the {count} listed affected versions"),
                );
                e.steps.push(format!(
                    "{version} equals none of the {count} listed versions"
                ));
                e
            }
        };
        out.scheme = Some(scheme);
        if git_ranges > 0 {
            out.steps.push(format!(
                "{git_ranges} GIT range(s) not evaluated: the listed versions speak for them"
            ));
        }
        return out;
    }
    if git_ranges > 0 {
        return Evaluation::new(
            Verdict::Unknown,
            RANGES,
            format!(
                "the entry has only GIT ranges, which need the repository's commit graph, and \
                 lists no versions; {version} cannot be placed"
            ),
        );
    }
    match &affected.distro {
        Some(note) if note.never_affected => Evaluation::new(
            Verdict::NotAffected,
            RANGES,
            "the tracker says this release was never affected (fixed version 0)".to_owned(),
        ),
        Some(note) => Evaluation::new(
            Verdict::Unknown,
            RANGES,
            format!(
                "the tracker gives no fixed version (status `{}`)",
                note.status.as_deref().unwrap_or("none")
            ),
        ),
        None => Evaluation::new(
            Verdict::Unknown,
            RANGES,
            "the entry names the package but lists no range and no version".to_owned(),
        ),
    }
}

/// A range whose only events are `introduced: "0"`: every version, no comparison needed.
fn every_version(range: &Range) -> bool {
    !range.events.is_empty()
        && range
            .events
            .iter()
            .all(|e| matches!(e, Event::Introduced(v) if v.trim() == "0"))
}

fn all_versions(i: usize, steps: &mut Vec<String>) -> Evaluation {
    steps.push(format!(
        "range {}: introduced 0 and nothing after it",
        i + 1
    ));
    Evaluation::new(
        Verdict::Affected,
        RANGES,
        "every version is affected (introduced 0, no fix)".to_owned(),
    )
}

/// The events as written: `introduced 0, fixed 1.2.5`.
fn render(range: &Range) -> String {
    let mut out = String::with_capacity(range.events.len() * 24);
    for (i, event) in range.events.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let (kind, value) = kind_and_value(event);
        out.push_str(kind.name());
        out.push(' ');
        out.push_str(value);
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Introduced,
    LastAffected,
    Fixed,
    Limit,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Introduced => "introduced",
            Kind::LastAffected => "last_affected",
            Kind::Fixed => "fixed",
            Kind::Limit => "limit",
        }
    }
}

fn kind_and_value(event: &Event) -> (Kind, &str) {
    match event {
        Event::Introduced(v) => (Kind::Introduced, v),
        Event::Fixed(v) => (Kind::Fixed, v),
        Event::LastAffected(v) => (Kind::LastAffected, v),
        Event::Limit(v) => (Kind::Limit, v),
    }
}

/// An event's version: before everything (`introduced: "0"`), after everything (a `limit`
/// with `*`), or a version.
#[derive(Debug)]
enum Bound {
    Bottom,
    Top,
    At(Version),
}

#[derive(Debug)]
struct Point<'a> {
    kind: Kind,
    text: &'a str,
    bound: Bound,
}

fn compare(a: &Bound, b: &Bound) -> Option<Ordering> {
    match (a, b) {
        (Bound::Bottom, Bound::Bottom) | (Bound::Top, Bound::Top) => Some(Ordering::Equal),
        (Bound::Bottom, _) | (_, Bound::Top) => Some(Ordering::Less),
        (Bound::Top, _) | (_, Bound::Bottom) => Some(Ordering::Greater),
        (Bound::At(x), Bound::At(y)) => x.compare(y),
    }
}

fn compare_version(v: &Version, b: &Bound) -> Option<Ordering> {
    match b {
        Bound::Bottom => Some(Ordering::Greater),
        Bound::Top => Some(Ordering::Less),
        Bound::At(x) => v.compare(x),
    }
}

/// The installed version, parsed at most once per scheme.
struct Installed<'a> {
    text: &'a str,
    parsed: Vec<(Scheme, Result<Version, ParseError>)>,
}

impl<'a> Installed<'a> {
    fn new(text: &'a str) -> Installed<'a> {
        Installed {
            text,
            parsed: Vec::new(),
        }
    }

    fn get(&mut self, scheme: Scheme) -> Result<&Version, &ParseError> {
        let at = match self.parsed.iter().position(|(s, _)| *s == scheme) {
            Some(at) => at,
            None => {
                self.parsed.push((scheme, scheme.parse(self.text)));
                self.parsed.len() - 1
            }
        };
        match &self.parsed[at].1 {
            Ok(v) => Ok(v),
            Err(e) => Err(e),
        }
    }
}

/// One SEMVER or ECOSYSTEM range, as `BeforeLimits` and `IncludedInRanges` walk it.
fn evaluate_range(
    i: usize,
    range: &Range,
    scheme: Scheme,
    installed: &mut Installed<'_>,
    steps: &mut Vec<String>,
) -> Evaluation {
    let mut out = Evaluation::new(Verdict::Unknown, RANGES, String::new());
    out.scheme = Some(scheme);
    // The walk writes its steps straight into the entry's.
    out.steps = std::mem::take(steps);
    walk_range(i, range, scheme, installed, &mut out);
    *steps = std::mem::take(&mut out.steps);
    out
}

fn walk_range(
    i: usize,
    range: &Range,
    scheme: Scheme,
    installed: &mut Installed<'_>,
    out: &mut Evaluation,
) {
    let text = installed.text;
    let label = match range.kind {
        RangeKind::Semver => "SEMVER",
        RangeKind::Ecosystem => "ECOSYSTEM",
        RangeKind::Git => "GIT",
    };
    out.steps.push(format!(
        "range {} ({label}, {} ordering)",
        i + 1,
        scheme.name()
    ));
    let v = match installed.get(scheme) {
        Ok(v) => v,
        Err(e) => {
            out.reason = e.to_string();
            return;
        }
    };
    match sorted_points(range, scheme) {
        Ok(points) => walk(v, text, &points, out),
        Err(reason) => out.reason = reason,
    }
}

/// The range's events parsed and sorted by the scheme's order, or why they cannot be.
fn sorted_points(range: &Range, scheme: Scheme) -> Result<Vec<Point<'_>>, String> {
    let mut points: Vec<Point<'_>> = Vec::with_capacity(range.events.len());
    for event in &range.events {
        let (kind, text) = kind_and_value(event);
        let trimmed = text.trim();
        let bound = if kind == Kind::Introduced && trimmed == "0" {
            Bound::Bottom
        } else if kind == Kind::Limit && trimmed.contains('*') {
            Bound::Top
        } else {
            match scheme.parse(trimmed) {
                Ok(v) => Bound::At(v),
                Err(e) => return Err(format!("the range's `{}` event: {e}", kind.name())),
            }
        };
        // Insertion sort: ranges hold a handful of events, and the comparison may fail.
        let mut at = points.len();
        while at > 0 {
            let before = &points[at - 1];
            let order = compare(&before.bound, &bound).ok_or_else(|| {
                format!(
                    "{} {} and {} {} cannot be ordered under {}",
                    before.kind.name(),
                    before.text,
                    kind.name(),
                    text,
                    scheme.name()
                )
            })?;
            if order.then(before.kind.cmp(&kind)) == Ordering::Greater {
                at -= 1;
            } else {
                break;
            }
        }
        points.insert(at, Point { kind, text, bound });
    }
    Ok(points)
}

fn not_comparable(v: &str, point: &Point<'_>, scheme: Option<Scheme>) -> String {
    format!(
        "{v} and {} {} cannot be ordered under {}",
        point.kind.name(),
        point.text,
        scheme.map_or("this scheme", |s| s.name())
    )
}

/// `BeforeLimits`, then the pseudocode's walk over the sorted events. Events above `v` change
/// nothing, so the walk stops at the first one, after noting it; when `v` is affected, the next
/// `fixed` (or `last_affected`) above it names the way out.
fn walk(v: &Version, text: &str, points: &[Point<'_>], out: &mut Evaluation) {
    let mut limits = points.iter().filter(|p| p.kind == Kind::Limit).peekable();
    if limits.peek().is_some() {
        let mut before = false;
        for limit in limits {
            match compare_version(v, &limit.bound) {
                None => {
                    out.reason = not_comparable(text, limit, out.scheme);
                    return;
                }
                Some(Ordering::Less) => {
                    out.steps.push(format!("{text} < limit {}", limit.text));
                    before = true;
                    break;
                }
                Some(_) => out.steps.push(format!("{text} >= limit {}", limit.text)),
            }
        }
        if !before {
            out.verdict = Verdict::NotAffected;
            out.reason = format!("{text} is at or past every limit of the range");
            return;
        }
    }
    let mut state = State::default();
    let mut first: Option<&Point<'_>> = None;
    let mut rest = points.len();
    let mut group = 0;
    let mut at = 0;
    while at < points.len() {
        let point = &points[at];
        if point.kind == Kind::Limit {
            at += 1;
            continue;
        }
        let Some(order) = compare_version(v, &point.bound) else {
            out.reason = not_comparable(text, point, out.scheme);
            return;
        };
        if first.is_none() && point.kind == Kind::Introduced {
            first = Some(point);
        }
        if order == Ordering::Less {
            out.steps
                .push(format!("{text} < {} {}", point.kind.name(), point.text));
            rest = at;
            break;
        }
        let mut end = at + 1;
        while end < points.len()
            && compare(&points[end].bound, &point.bound) == Some(Ordering::Equal)
        {
            end += 1;
        }
        // At one version, a fix first closes the interval open before it and an `introduced`
        // then opens the next (`[0, 3.1.1)` and `[3.1.1, 3.1.3)`: 3.1.1 is affected); with none
        // open, the `introduced` opens and its own fix closes (`introduced 0.10.0, fixed
        // 0.10.0` is empty). The pseudocode's `sorted` leaves ties unordered.
        group = at;
        let closing_first = state.vulnerable;
        for introducing in [!closing_first, closing_first] {
            for p in &points[at..end] {
                if p.kind != Kind::Limit && (p.kind == Kind::Introduced) == introducing {
                    state.apply(p, order, text, &mut out.steps);
                }
            }
        }
        at = end;
    }
    let State {
        vulnerable,
        opened,
        closed,
    } = state;
    let from = opened.map_or(String::new(), |p| introduced_text(p));
    if vulnerable {
        out.verdict = Verdict::Affected;
        // The way out: a `last_affected` at or above the version (one equal to it is in the
        // last group walked), else the next `fixed` above it.
        let exit = points[group..].iter().enumerate().find(|(j, p)| {
            p.kind == Kind::LastAffected || (p.kind == Kind::Fixed && group + j >= rest)
        });
        let exit = exit.map(|(_, p)| p);
        out.reason = match exit {
            Some(p) if p.kind == Kind::Fixed => {
                out.fixed_version = Some(p.text.to_owned());
                format!("{text} is at or after {from} and before fixed {}", p.text)
            }
            Some(p) => format!(
                "{text} is at or after {from} and at or before last_affected {}",
                p.text
            ),
            None => format!("{text} is at or after {from}, and no fix follows"),
        };
    } else if let Some(by) = closed {
        out.verdict = Verdict::Fixed;
        out.reason = match by.kind {
            Kind::Fixed => {
                out.fixed_version = Some(by.text.to_owned());
                format!("{text} is at or after fixed {}, past {from}", by.text)
            }
            _ => format!("{text} is after last_affected {}, past {from}", by.text),
        };
    } else {
        out.verdict = Verdict::NotAffected;
        out.reason = match first {
            Some(p) => format!("{text} is before {}", introduced_text(p)),
            None => format!("{text} is in no affected interval of the range"),
        };
    }
}

/// Where the walk stands: inside an interval or not, and the events that opened and closed it.
#[derive(Default)]
struct State<'p, 'a> {
    vulnerable: bool,
    opened: Option<&'p Point<'a>>,
    closed: Option<&'p Point<'a>>,
}

impl<'p, 'a> State<'p, 'a> {
    /// One event at or below the version (`order` is the version against the event), as the
    /// pseudocode's loop body applies it.
    fn apply(
        &mut self,
        point: &'p Point<'a>,
        order: Ordering,
        text: &str,
        steps: &mut Vec<String>,
    ) {
        match point.kind {
            Kind::Introduced => {
                steps.push(step(text, ">=", point));
                self.vulnerable = true;
                self.opened = Some(point);
                self.closed = None;
            }
            Kind::Fixed | Kind::LastAffected => {
                let past = point.kind == Kind::Fixed || order == Ordering::Greater;
                let op = match (point.kind, past) {
                    (Kind::Fixed, _) => ">=",
                    (_, true) => ">",
                    _ => "==",
                };
                steps.push(step(text, op, point));
                if past && self.vulnerable {
                    self.vulnerable = false;
                    self.closed = Some(point);
                }
            }
            Kind::Limit => {}
        }
    }
}

fn step(text: &str, op: &str, point: &Point<'_>) -> String {
    format!("{text} {op} {} {}", point.kind.name(), point.text)
}

fn introduced_text(point: &Point<'_>) -> String {
    match point.bound {
        Bound::Bottom => "introduced 0 (the beginning)".to_owned(),
        _ => format!("introduced {}", point.text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: RangeKind, events: Vec<Event>) -> Affected {
        Affected {
            ranges: vec![Range {
                kind,
                repo: None,
                events,
            }],
            ..Affected::default()
        }
    }

    fn intro(v: &str) -> Event {
        Event::Introduced(v.to_owned())
    }

    fn fix(v: &str) -> Event {
        Event::Fixed(v.to_owned())
    }

    #[test]
    fn walks_several_intervals_in_one_range() {
        // Unsorted on purpose: the walk sorts.
        let a = entry(
            RangeKind::Semver,
            vec![intro("3.0.0"), fix("3.2.5"), intro("1.0.0"), fix("1.0.2")],
        );
        let verdict = |v: &str| evaluate(v, Scheme::Semver, &a).verdict;
        assert_eq!(verdict("0.9.0"), Verdict::NotAffected);
        assert_eq!(verdict("1.0.0"), Verdict::Affected);
        assert_eq!(verdict("1.0.2"), Verdict::Fixed);
        assert_eq!(verdict("2.0.0"), Verdict::Fixed);
        assert_eq!(verdict("3.1.0"), Verdict::Affected);
        assert_eq!(verdict("3.2.5"), Verdict::Fixed);
        let e = evaluate("3.1.0", Scheme::Semver, &a);
        assert_eq!(e.fixed_version.as_deref(), Some("3.2.5"));
        assert_eq!(
            e.steps,
            [
                "range 1 (SEMVER, semver ordering)",
                "3.1.0 >= introduced 1.0.0",
                "3.1.0 >= fixed 1.0.2",
                "3.1.0 >= introduced 3.0.0",
                "3.1.0 < fixed 3.2.5"
            ]
        );
        assert_eq!(
            e.range.as_deref(),
            Some("introduced 3.0.0, fixed 3.2.5, introduced 1.0.0, fixed 1.0.2")
        );
    }

    #[test]
    fn equal_versions_close_the_open_interval_before_opening_the_next() {
        // RUSTSEC-2022-0012's last pair: an empty interval.
        let empty = entry(RangeKind::Semver, vec![fix("1.0.0"), intro("1.0.0")]);
        assert_eq!(
            evaluate("1.0.0", Scheme::Semver, &empty).verdict,
            Verdict::Fixed
        );
        // PYSEC-2022-236's shape: [0, 3.1.1) and [3.1.1, 3.1.3), the second written last.
        let adjacent = entry(
            RangeKind::Ecosystem,
            vec![
                intro("0"),
                fix("3.1.1"),
                intro("3.2.0"),
                fix("3.2.2"),
                intro("3.1.1"),
                fix("3.1.3"),
            ],
        );
        let verdict = |v: &str| evaluate(v, Scheme::Pep440, &adjacent).verdict;
        assert_eq!(verdict("3.1.1"), Verdict::Affected);
        assert_eq!(verdict("3.1.2"), Verdict::Affected);
        assert_eq!(verdict("3.1.3"), Verdict::Fixed);
        assert_eq!(
            evaluate("3.1.1", Scheme::Pep440, &adjacent)
                .fixed_version
                .as_deref(),
            Some("3.1.3")
        );
    }
}
