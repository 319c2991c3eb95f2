//! Distro trackers' verdicts: the Debian Security Tracker per (source package, release) and
//! Alpine's secdb per (origin package, branch). Both feeds arrive in the OSV shape (ECOSYSTEM
//! ranges plus a `DistroNote`); this module reads them with dpkg and apk ordering. Pure.
//!
//! A tracker entry speaks only for its own release or branch: a component is judged by the
//! entry of *its* release, never by another release's fix. When the advisory names the package
//! but not the component's release, or the component's release is not known, the answer is
//! `unknown` with the releases it does name — never `not_affected`.

use std::cmp::Ordering;

use vexil_version::{Scheme, Version};

use crate::matching::{Explanation, Match, Verdict};
use crate::model::{Advisory, Affected, Component, DistroNote, Event, RangeKind};

/// Debian codenames and their major versions (the tracker says `bookworm`, OSV and purls `12`).
const DEBIAN_RELEASES: &[(&str, &str)] = &[
    ("woody", "3.0"),
    ("sarge", "3.1"),
    ("etch", "4"),
    ("lenny", "5"),
    ("squeeze", "6"),
    ("wheezy", "7"),
    ("jessie", "8"),
    ("stretch", "9"),
    ("buster", "10"),
    ("bullseye", "11"),
    ("bookworm", "12"),
    ("trixie", "13"),
    ("forky", "14"),
    ("duke", "15"),
];

/// The tracker's codename for a Debian release written as a number (`12`, `12.5`), a codename
/// (`bookworm`, any case) or `unstable`/`sid`; `None` for anything else (`testing`, `experimental`).
pub fn debian_codename(release: &str) -> Option<&'static str> {
    let release = release.trim();
    if release.eq_ignore_ascii_case("sid") || release.eq_ignore_ascii_case("unstable") {
        return Some("sid");
    }
    let major = release.split('.').next().unwrap_or(release);
    let by = |wanted: &str| {
        DEBIAN_RELEASES
            .iter()
            .find(|(name, number)| *number == wanted || name.eq_ignore_ascii_case(wanted))
            .map(|(name, _)| *name)
    };
    // `3.0` is woody, `3.1` sarge; from etch on the major version alone names the release.
    by(release).or_else(|| by(major))
}

/// The major version of a Debian codename (`bookworm` → `12`); `None` for `sid` and unknown names.
pub fn debian_version(codename: &str) -> Option<&'static str> {
    DEBIAN_RELEASES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(codename.trim()))
        .map(|(_, number)| *number)
}

/// A release as compared: the codename when known, else the text as written.
fn debian_release(release: &str) -> &str {
    debian_codename(release).unwrap_or(release.trim())
}

/// Judges a Debian package (`pkg:deb/…`, ecosystem `Debian` or `Debian:<N>`) against a Debian
/// Security Tracker advisory (entries `Debian:<codename>` per source package and release).
///
/// `source` is the source package the caller resolved (dpkg `Source:`, or the archive's
/// Packages index); `None` falls back to `component.source`, then to the binary name. The
/// version compared is the source version when `component.source` states it for that source
/// (tracker fixed versions are source versions; a binNMU `+b1` or a binary versioned apart from
/// its source would otherwise mislead), else the component's own version.
///
/// Only the entry for the component's release decides (the release comes from the ecosystem
/// `Debian:12`, or from a purl `distro=` qualifier such as `sid` or `debian-trixie`):
/// - fixed version `"0"` or status `not-affected` → `not_affected`;
/// - a fixed version → `affected` below it (with it as `fixed_version`), `fixed` at or above;
/// - open without a fix (`<unfixed>`, `<no-dsa>`), or `end-of-life` → `affected`;
/// - `undetermined`, any other status without a fixed version, an unparseable version → `unknown`.
///
/// `None` when the component is not a Debian package, the advisory is withdrawn, or no Debian
/// entry names the package. `unknown` when entries name the package but not the component's
/// release (an end-of-life release, or a package outside the archive), or when the component's
/// release is unknown. Urgency, `nodsa` and its reason are in the steps (`urgency low`,
/// `nodsa: Minor issue`) and the reason. Ubuntu packages are left to the OSV matcher.
pub fn match_debian(
    component: &Component,
    source: Option<&str>,
    advisory: &Advisory,
) -> Option<Match> {
    if advisory.withdrawn.is_some() {
        return None;
    }
    let release = component_release(component, "Debian")?;
    let release = release.map(debian_release).or_else(|| {
        let distro = purl_qualifier(&component.purl, "distro")?;
        let distro = distro.strip_prefix("debian-").unwrap_or(distro);
        debian_codename(distro)
    });
    let component_source = component.source.as_ref();
    let name = source
        .or(component_source.map(|s| s.name.as_str()))
        .unwrap_or(&component.name);
    let version = match component_source {
        Some(s) if s.name == name && s.version.is_some() => s.version.as_deref(),
        _ => component.version.as_deref(),
    };
    let mut context = Vec::new();
    if name != component.name {
        context.push(format!("binary {} → source {name}", component.name));
    }
    let judge = Judge {
        advisory,
        matcher: "debian-tracker",
        scheme: Scheme::Dpkg,
        family: "Debian",
        name,
        version,
        unknown_release: "release unknown (no os-release beside the dpkg database?)",
        context,
    };
    judge.run(release, debian_release)
}

/// Judges an Alpine package (`pkg:apk/alpine/…`, ecosystem `Alpine:v3.X`) against an Alpine
/// secdb advisory (entries `Alpine:v3.X` per origin package). Wolfi, Chainguard and MinimOS
/// packages are judged the same way against their own secdb, which has no branches.
///
/// The package is the origin (`component.source`, apk's `o:`), else the component's name; the
/// version is the origin's (the same as the subpackage's for apk). Only the entry of the
/// component's own branch decides (the secfixes-tracker idea, with the fix scoped to package
/// and branch): below its first fixed version → `affected`; at or past it → `fixed`; listed
/// under `0` → `not_affected`. Versions are compared with apk ordering, which accepts secdb's
/// spellings `6.6.2p1-r0` and `10.2.22.r0`; a version apk refuses → `unknown`.
///
/// Secdb lists only *fixed* ids per branch, so a branch without an entry for a package the
/// advisory names elsewhere has no recorded fix there — which is not the same as not affected:
/// the answer is `unknown`, naming the branches that record a fix. `None` when the component is
/// no apk package of these distros, the advisory is withdrawn, or no entry names the package.
pub fn match_alpine(component: &Component, advisory: &Advisory) -> Option<Match> {
    if advisory.withdrawn.is_some() {
        return None;
    }
    let (family, release) = ["Alpine", "Wolfi", "Chainguard", "MinimOS"]
        .into_iter()
        .find_map(|family| Some((family, component_release(component, family)?)))?;
    let source = component.source.as_ref();
    let name = source.map_or(component.name.as_str(), |s| s.name.as_str());
    let version = source
        .and_then(|s| s.version.as_deref())
        .or(component.version.as_deref());
    let mut context = Vec::new();
    if name != component.name {
        context.push(format!("subpackage {} → origin {name}", component.name));
    }
    let judge = Judge {
        advisory,
        matcher: "alpine-secdb",
        scheme: Scheme::Apk,
        family,
        name,
        version,
        unknown_release: "release unknown (no os-release beside the apk database?)",
        context,
    };
    if family == "Alpine" {
        judge.run(release, |r| r.trim().trim_start_matches('v'))
    } else {
        // Rolling distros: every entry of the family speaks for the one release there is.
        judge.run(Some(""), |_| "")
    }
}

/// `Some(release)` when the component's ecosystem is `family` or `family:release`; `None` when
/// it is another ecosystem.
fn component_release<'c>(component: &'c Component, family: &str) -> Option<Option<&'c str>> {
    let ecosystem = component.ecosystem.as_deref()?;
    let (base, release) = match ecosystem.split_once(':') {
        Some((base, release)) => (base, Some(release.trim()).filter(|r| !r.is_empty())),
        None => (ecosystem, None),
    };
    (base == family).then_some(release)
}

/// The value of a purl qualifier, read from a canonical purl string without parsing it.
fn purl_qualifier<'p>(purl: &'p str, key: &str) -> Option<&'p str> {
    let (_, rest) = purl.split_once('?')?;
    let rest = rest.split('#').next().unwrap_or(rest);
    rest.split('&')
        .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
        .filter(|v| !v.is_empty())
}

/// What one matcher call knows: the advisory, the package and version, how to compare.
struct Judge<'a> {
    advisory: &'a Advisory,
    matcher: &'static str,
    scheme: Scheme,
    /// The ecosystem without its release (`Debian`, `Alpine`, `Wolfi`).
    family: &'static str,
    name: &'a str,
    version: Option<&'a str>,
    unknown_release: &'static str,
    /// Steps that come before any comparison (binary → source).
    context: Vec<String>,
}

/// How one entry (or range) judged the installed version.
#[derive(Clone, Debug)]
enum Judgement {
    Affected { fixed: Option<String> },
    Fixed { fixed: Option<String> },
    NotAffected { never: bool },
    Unknown(String),
}

impl Judgement {
    /// Which of two judgements of one package wins: affected, then unknown, then fixed.
    fn rank(&self) -> u8 {
        match self {
            Judgement::Affected { .. } => 3,
            Judgement::Unknown(_) => 2,
            Judgement::Fixed { .. } => 1,
            Judgement::NotAffected { .. } => 0,
        }
    }

    fn verdict(&self) -> Verdict {
        match self {
            Judgement::Affected { .. } => Verdict::Affected,
            Judgement::Unknown(_) => Verdict::Unknown,
            Judgement::Fixed { .. } => Verdict::Fixed,
            Judgement::NotAffected { .. } => Verdict::NotAffected,
        }
    }
}

fn stronger(a: Option<Judgement>, b: Judgement) -> Judgement {
    match a {
        Some(a) if a.rank() >= b.rank() => a,
        _ => b,
    }
}

impl Judge<'_> {
    /// The entries naming the package, then the ones of `release` (compared after `normalise`).
    fn run(mut self, release: Option<&str>, normalise: fn(&str) -> &str) -> Option<Match> {
        let mut named: Vec<(&str, &Affected)> = Vec::new();
        for affected in &self.advisory.affected {
            let Some(package) = &affected.package else {
                continue;
            };
            if package.name != self.name {
                continue;
            }
            let (base, entry_release) = package
                .ecosystem
                .split_once(':')
                .unwrap_or((package.ecosystem.as_str(), ""));
            if base == self.family {
                named.push((entry_release.trim(), affected));
            }
        }
        if named.is_empty() {
            return None;
        }
        let Some(release) = release else {
            let mut steps = std::mem::take(&mut self.context);
            steps.push(format!("the advisory names {}", releases_of(&named)));
            let package = format!("{}/{}", self.family, self.name);
            return Some(self.finish(
                package,
                None,
                steps,
                Judgement::Unknown(self.unknown_release.to_owned()),
            ));
        };
        let written = release;
        let release = normalise(written);
        // Named as the advisory names releases: the tracker's codename, secdb's `v3.18`.
        let shown = if self.family == "Debian" {
            release
        } else {
            written
        };
        let mine: Vec<&Affected> = named
            .iter()
            .filter(|(r, _)| normalise(r).eq_ignore_ascii_case(release))
            .map(|(_, a)| *a)
            .collect();
        let package = match mine.first().and_then(|a| a.package.as_ref()) {
            Some(p) => format!("{}/{}", p.ecosystem, p.name),
            None if shown.is_empty() => format!("{}/{}", self.family, self.name),
            None => format!("{}:{shown}/{}", self.family, self.name),
        };
        let mut steps = std::mem::take(&mut self.context);
        if mine.is_empty() {
            steps.push(format!("the advisory names {}", releases_of(&named)));
            let reason = format!(
                "the advisory names {} for other releases ({}) but says nothing for {shown}{}",
                self.name,
                release_names(&named),
                if self.scheme == Scheme::Apk {
                    ": secdb records only fixes, so no entry means no fix recorded for this \
                     branch, not that it is unaffected"
                } else {
                    " (an end-of-life release, or a package outside the archive)"
                }
            );
            return Some(self.finish(package, None, steps, Judgement::Unknown(reason)));
        }
        let installed = match self.version {
            None => Err(format!("{} has no version to compare", self.name)),
            Some(v) => self
                .scheme
                .parse(v)
                .map_err(|e| format!("the installed version cannot be compared: {e}")),
        };
        let mut best: Option<Judgement> = None;
        let mut range = Vec::new();
        for entry in &mine {
            let judgement = self.judge_entry(entry, &installed, &mut steps, &mut range);
            best = Some(stronger(best, judgement));
        }
        let judgement = best.unwrap_or(Judgement::NotAffected { never: false });
        let range = (!range.is_empty()).then(|| range.join("; "));
        Some(self.finish(package, range, steps, judgement))
    }

    /// One entry of the component's release: its note first, then its ranges.
    fn judge_entry(
        &self,
        entry: &Affected,
        installed: &Result<Version, String>,
        steps: &mut Vec<String>,
        range: &mut Vec<String>,
    ) -> Judgement {
        let note = entry.distro.as_ref();
        if let Some(note) = note {
            steps.extend(note_steps(note));
        }
        if note.is_some_and(|n| n.never_affected) {
            steps.push("fixed version 0: never affected".to_owned());
            return Judgement::NotAffected { never: true };
        }
        let status = note.and_then(|n| n.status.as_deref()).unwrap_or("");
        if entry.ranges.is_empty() && entry.versions.is_empty() {
            return match status {
                // The tracker's JSON says `open` + urgency `end-of-life`; its lists say
                // `<end-of-life>`: no fix will come for this release.
                "end-of-life" => Judgement::Affected { fixed: None },
                "undetermined" => Judgement::Unknown(format!(
                    "the tracker has not determined whether {} is affected (status undetermined)",
                    self.name
                )),
                "" => Judgement::Unknown(format!(
                    "the advisory names {} without a range or a fixed version",
                    self.name
                )),
                other => Judgement::Unknown(format!(
                    "the tracker's status for {} is `{other}`, with no fixed version",
                    self.name
                )),
            };
        }
        range.extend(entry.ranges.iter().map(|r| render_range(r.kind, &r.events)));
        let installed = match installed {
            Ok(v) => v,
            Err(reason) => return Judgement::Unknown(reason.clone()),
        };
        let shown = self.version.unwrap_or_default();
        let mut best = None;
        for r in &entry.ranges {
            let judgement = if r.kind == RangeKind::Ecosystem {
                judge_events(installed, shown, self.scheme, &r.events, steps)
            } else {
                Judgement::Unknown(format!(
                    "a {} range cannot be read with {} ordering",
                    kind_name(r.kind),
                    self.scheme
                ))
            };
            best = Some(stronger(best, judgement));
        }
        for listed in &entry.versions {
            let equal = self
                .scheme
                .parse(listed)
                .ok()
                .and_then(|v| installed.compare(&v))
                == Some(Ordering::Equal);
            if equal {
                steps.push(format!("{shown} = listed version {listed}"));
                best = Some(stronger(best, Judgement::Affected { fixed: None }));
            }
        }
        best.unwrap_or(Judgement::NotAffected { never: false })
    }

    fn finish(
        &self,
        package: String,
        range: Option<String>,
        steps: Vec<String>,
        judgement: Judgement,
    ) -> Match {
        let reason = self.reason(&judgement, &package, &steps);
        let fixed_version = match &judgement {
            Judgement::Affected { fixed } | Judgement::Fixed { fixed } => fixed.clone(),
            _ => None,
        };
        Match {
            verdict: judgement.verdict(),
            fixed_version,
            malicious: self.advisory.malicious,
            informational: self.advisory.informational.clone(),
            explanation: Explanation {
                advisory: self.advisory.id.clone(),
                feed: self.advisory.feed,
                matcher: self.matcher.to_owned(),
                package,
                version: self.version.map(str::to_owned),
                scheme: Some(self.scheme.name().to_owned()),
                range,
                steps,
                reason,
            },
        }
    }

    /// One sentence, with the tracker's notes (urgency, no DSA) in parentheses.
    fn reason(&self, judgement: &Judgement, package: &str, steps: &[String]) -> String {
        let notes: Vec<&str> = steps
            .iter()
            .filter(|s| s.starts_with("urgency ") || s.starts_with("nodsa"))
            .map(String::as_str)
            .collect();
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join("; "))
        };
        let version = self.version.unwrap_or("?");
        let sentence = match judgement {
            Judgement::Affected { fixed: Some(fixed) } => {
                format!("{package} {version} is before the fixed version {fixed}")
            }
            Judgement::Affected { fixed: None } => {
                format!("{package} has no fix yet: every version is affected")
            }
            Judgement::Fixed { fixed: Some(fixed) } => {
                format!("{package} {version} is at or past the fixed version {fixed}")
            }
            Judgement::Fixed { fixed: None } => {
                format!("{package} {version} is past the last affected version")
            }
            Judgement::NotAffected { never: true } => {
                format!("{package} was never affected (fixed version 0)")
            }
            Judgement::NotAffected { never: false } => {
                format!("{package} {version} is outside every affected range")
            }
            Judgement::Unknown(why) => why.clone(),
        };
        if notes.is_empty() && sentence.ends_with(['.', '?']) {
            sentence
        } else {
            format!("{sentence}{notes}.")
        }
    }
}

/// The tracker's notes a Debian match carries, read back from its steps (written by
/// [`note_steps`], the one place that format is made): urgency (without "(unconfirmed)") and the
/// `nodsa` reason. For rules' `when` conditions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrackerNotes {
    pub urgency: Option<String>,
    pub nodsa: bool,
    pub nodsa_reason: Option<String>,
}

pub fn tracker_notes(m: &Match) -> TrackerNotes {
    let mut notes = TrackerNotes::default();
    if m.explanation.feed != crate::model::Feed::Debian {
        return notes;
    }
    for step in &m.explanation.steps {
        if let Some(u) = step.strip_prefix("urgency ") {
            notes.urgency = Some(u.trim_end_matches(" (unconfirmed)").to_owned());
        } else if step == "nodsa" {
            notes.nodsa = true;
        } else if let Some(r) = step.strip_prefix("nodsa: ") {
            notes.nodsa = true;
            notes.nodsa_reason = Some(r.to_owned());
        }
    }
    notes
}

/// The tracker's notes as steps: `status open`, `urgency low (unconfirmed)`, `nodsa: Minor issue`.
fn note_steps(note: &DistroNote) -> Vec<String> {
    let mut steps = Vec::new();
    if let Some(status) = note.status.as_deref().filter(|s| !s.is_empty()) {
        steps.push(format!("status {status}"));
    }
    if let Some(urgency) = &note.urgency {
        steps.push(if note.urgency_unconfirmed {
            format!("urgency {urgency} (unconfirmed)")
        } else {
            format!("urgency {urgency}")
        });
    }
    if note.nodsa {
        steps.push(match &note.nodsa_reason {
            Some(reason) => format!("nodsa: {reason}"),
            None => "nodsa".to_owned(),
        });
    }
    steps
}

/// `Debian:bookworm, Debian:sid` — every release that names the package, in advisory order.
fn releases_of(named: &[(&str, &Affected)]) -> String {
    let mut out: Vec<String> = Vec::new();
    for (_, affected) in named {
        if let Some(p) = &affected.package {
            let shown = match fixes_of(affected) {
                Some(fixes) => format!("{} (fixed {fixes})", p.ecosystem),
                None => p.ecosystem.clone(),
            };
            if !out.contains(&shown) {
                out.push(shown);
            }
        }
    }
    out.join(", ")
}

fn release_names(named: &[(&str, &Affected)]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for (release, _) in named {
        if !out.contains(release) {
            out.push(release);
        }
    }
    out.join(", ")
}

fn fixes_of(affected: &Affected) -> Option<String> {
    let fixes: Vec<&str> = affected
        .ranges
        .iter()
        .flat_map(|r| &r.events)
        .filter_map(|e| match e {
            Event::Fixed(v) => Some(v.as_str()),
            _ => None,
        })
        .collect();
    (!fixes.is_empty()).then(|| fixes.join(", "))
}

fn kind_name(kind: RangeKind) -> &'static str {
    match kind {
        RangeKind::Semver => "SEMVER",
        RangeKind::Ecosystem => "ECOSYSTEM",
        RangeKind::Git => "GIT",
    }
}

/// `introduced 0, fixed 1.2-3` (prefixed by the type unless ECOSYSTEM).
fn render_range(kind: RangeKind, events: &[Event]) -> String {
    let events: Vec<String> = events
        .iter()
        .map(|e| {
            let (name, version) = event_parts(e);
            format!("{name} {version}")
        })
        .collect();
    match kind {
        RangeKind::Ecosystem => events.join(", "),
        other => format!("{} {}", kind_name(other), events.join(", ")),
    }
}

fn event_parts(event: &Event) -> (&'static str, &str) {
    match event {
        Event::Introduced(v) => ("introduced", v),
        Event::Fixed(v) => ("fixed", v),
        Event::LastAffected(v) => ("last_affected", v),
        Event::Limit(v) => ("limit", v),
    }
}

/// One event, parsed, with how the installed version compares to it.
struct Point<'r> {
    event: &'r Event,
    /// `None` for `introduced: "0"`, which is below every version.
    version: Option<Version>,
    /// installed `cmp` event.
    order: Ordering,
}

impl Point<'_> {
    /// Whether the event applies at the installed version (OSV schema, "Evaluation").
    fn applies(&self) -> bool {
        match self.event {
            Event::Introduced(_) | Event::Fixed(_) => self.order != Ordering::Less,
            Event::LastAffected(_) => self.order == Ordering::Greater,
            Event::Limit(_) => false,
        }
    }

    /// Whether the event ends an affected stretch.
    fn closes(&self) -> bool {
        matches!(self.event, Event::Fixed(_) | Event::LastAffected(_))
    }

    /// Event order: `introduced 0` first, then by version; at one version, closing events last.
    fn after(&self, other: &Point<'_>) -> bool {
        match (&self.version, &other.version) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(a), Some(b)) => match a.compare(b) {
                Some(Ordering::Greater) => true,
                Some(Ordering::Equal) => self.closes() && !other.closes(),
                _ => false,
            },
        }
    }
}

/// OSV's evaluation of one range's events: sorted by version, each event that applies at the
/// installed version sets affected (`introduced`) or not (`fixed`, `last_affected`); the last
/// one decides, and a version at or past every `limit` is outside the range.
fn judge_events(
    installed: &Version,
    shown: &str,
    scheme: Scheme,
    events: &[Event],
    steps: &mut Vec<String>,
) -> Judgement {
    let mut points = Vec::with_capacity(events.len());
    for event in events {
        let (name, text) = event_parts(event);
        if matches!(event, Event::Introduced(v) if v.trim() == "0") {
            steps.push("introduced 0: every version".to_owned());
            points.push(Point {
                event,
                version: None,
                order: Ordering::Greater,
            });
            continue;
        }
        let version = match scheme.parse(text) {
            Ok(v) => v,
            Err(e) => {
                return Judgement::Unknown(format!(
                    "the advisory's {name} version cannot be compared: {e}"
                ));
            }
        };
        let Some(order) = installed.compare(&version) else {
            return Judgement::Unknown(format!(
                "{shown} and {name} {text} are not comparable under {scheme}"
            ));
        };
        let sign = match order {
            Ordering::Less => "<",
            Ordering::Equal => "=",
            Ordering::Greater => ">",
        };
        steps.push(format!("{shown} {sign} {name} {text}"));
        points.push(Point {
            event,
            version: Some(version),
            order,
        });
    }
    let mut last: Option<&Point<'_>> = None;
    for point in points.iter().filter(|p| p.applies()) {
        if last.is_none_or(|l| point.after(l)) {
            last = Some(point);
        }
    }
    let limits: Vec<&Point<'_>> = points
        .iter()
        .filter(|p| matches!(p.event, Event::Limit(_)))
        .collect();
    let within_limits = limits.is_empty() || limits.iter().any(|p| p.order == Ordering::Less);
    match last {
        None => Judgement::NotAffected { never: false },
        Some(p) if !p.closes() && !within_limits => Judgement::NotAffected { never: false },
        Some(p) if !p.closes() => {
            // The fix to name: the smallest `fixed` above the installed version.
            let mut next: Option<&Point<'_>> = None;
            for point in points
                .iter()
                .filter(|p| matches!(p.event, Event::Fixed(_)) && p.order == Ordering::Less)
            {
                if next.is_none_or(|n| n.after(point)) {
                    next = Some(point);
                }
            }
            Judgement::Affected {
                fixed: next.map(|p| event_parts(p.event).1.to_owned()),
            }
        }
        Some(p) => Judgement::Fixed {
            fixed: match p.event {
                Event::Fixed(v) => Some(v.clone()),
                _ => None,
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codenames_and_numbers() {
        assert_eq!(debian_codename("12"), Some("bookworm"));
        assert_eq!(debian_codename("12.5"), Some("bookworm"));
        assert_eq!(debian_codename("Bookworm"), Some("bookworm"));
        assert_eq!(debian_codename("unstable"), Some("sid"));
        assert_eq!(debian_codename("15"), Some("duke"));
        assert_eq!(debian_codename("testing"), None);
        assert_eq!(debian_release("experimental"), "experimental");
    }

    #[test]
    fn purl_qualifiers() {
        let purl = "pkg:deb/debian/curl@7.64.0-4?arch=amd64&distro=trixie#sub";
        assert_eq!(purl_qualifier(purl, "distro"), Some("trixie"));
        assert_eq!(purl_qualifier(purl, "arch"), Some("amd64"));
        assert_eq!(purl_qualifier("pkg:deb/debian/curl@1", "distro"), None);
    }

    fn judge(installed: &str, events: &[Event]) -> Judgement {
        let v = Scheme::Dpkg.parse(installed).unwrap();
        judge_events(&v, installed, Scheme::Dpkg, events, &mut Vec::new())
    }

    #[test]
    fn events_in_any_order() {
        let events = [
            Event::Fixed("2.0-1".into()),
            Event::Introduced("1.5-1".into()),
            Event::Fixed("1.8-1".into()),
            Event::Introduced("1.9-1".into()),
        ];
        assert!(matches!(
            judge("1.4-1", &events),
            Judgement::NotAffected { .. }
        ));
        assert!(
            matches!(judge("1.6-1", &events), Judgement::Affected { fixed: Some(f) } if f == "1.8-1")
        );
        assert!(
            matches!(judge("1.8-1", &events), Judgement::Fixed { fixed: Some(f) } if f == "1.8-1")
        );
        assert!(
            matches!(judge("1.9-1", &events), Judgement::Affected { fixed: Some(f) } if f == "2.0-1")
        );
        assert!(matches!(judge("2.0-1", &events), Judgement::Fixed { .. }));
    }

    #[test]
    fn last_affected_and_limit() {
        let events = [
            Event::Introduced("0".into()),
            Event::LastAffected("1.2-1".into()),
        ];
        assert!(matches!(
            judge("1.2-1", &events),
            Judgement::Affected { fixed: None }
        ));
        assert!(matches!(
            judge("1.2-2", &events),
            Judgement::Fixed { fixed: None }
        ));
        let events = [Event::Introduced("1.0".into()), Event::Limit("2.0".into())];
        assert!(matches!(judge("1.5", &events), Judgement::Affected { .. }));
        assert!(matches!(
            judge("2.0", &events),
            Judgement::NotAffected { .. }
        ));
    }

    #[test]
    fn an_unparseable_event_is_unknown() {
        let events = [Event::Introduced("0".into()), Event::Fixed("1:".into())];
        assert!(matches!(judge("1.0", &events), Judgement::Unknown(_)));
    }
}
