//! The OSV matcher on the real advisories of `../shared/data/advisories/osv`, and small
//! hand-made cases for what the real data does not show (limits, GIT-only entries, unknown
//! ecosystems, unparseable versions).
//!
//! Boundary method: each SEMVER/ECOSYSTEM range is evaluated alone (its entry's `versions` list
//! left out, so only the range speaks) at versions its own events name: at every `introduced`,
//! `fixed` and `last_affected`, and at a version built just below every `introduced` and just
//! above every `last_affected`. A built version takes the event's leading release numbers and
//! lowers the last non-zero one, filling what follows with 999 (`1.2.3` → `1.2.2`, `1.20.0` →
//! `1.19.999`), or raises the last one (`1.2.3` → `1.2.4`); it is used only when the
//! ecosystem's ordering puts it strictly between the event and its neighbour, else that probe
//! is skipped and counted. The expected verdict comes from a separate timeline model: versions
//! between events take the state after the lower event (not affected before any `introduced`,
//! affected after an `introduced`, fixed after a `fixed` or past a `last_affected` that closed
//! an interval).

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use vexil_core::ingest::Location;
use vexil_core::ingest::advisory::osv;
use vexil_core::matching::Verdict;
use vexil_core::matching::osv::{evaluate, match_advisory};
use vexil_core::matching::package::{PackageKey, keys};
use vexil_core::model::purl::{Purl, purl_type};
use vexil_core::model::{
    Advisory, Affected, Component, DistroNote, Event, Feed, Package, Range, RangeKind,
    SourcePackage,
};
use vexil_version::{Ecosystem, Scheme, Version};

use crate::shared;

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, files);
        } else {
            files.push(path);
        }
    }
}

/// Every record under `advisories/osv/<folder>`, read with the OSV parser.
fn records(folder: &str) -> Option<Vec<Advisory>> {
    let root = shared::data(&format!("advisories/osv/{folder}"))?;
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.to_string_lossy();
        out.extend(osv::parse(&bytes, &name).unwrap().records);
    }
    Some(out)
}

/// The component an inventory would give for this advisory package at `version`: built from
/// its purl as the inventory parsers build it (Go versions with their `v`).
fn component(package: &Package, version: &str) -> Option<Component> {
    let at = Location::file("probe");
    let base = package.ecosystem.split(':').next().unwrap_or_default();
    if base == "AlmaLinux" {
        let release = package.ecosystem.split(':').nth(1)?;
        let purl = Purl::os("rpm", "almalinux", &package.name, Some(version))
            .qualifier("distro", &format!("almalinux-{release}"));
        return Component::from_purl(&purl, at).ok();
    }
    let ty = purl_type(&package.ecosystem)?;
    let version = match ty {
        "golang" if !version.starts_with('v') => format!("v{version}"),
        _ => version.to_owned(),
    };
    let purl = Purl::package(ty, &package.name, Some(&version));
    Component::from_purl(&purl, at).ok()
}

/// The ordering a range's events compare under, as the matcher chooses it.
fn scheme_of(package: &Package) -> Option<Scheme> {
    let base = package.ecosystem.split(':').next()?;
    Some(base.parse::<Ecosystem>().ok()?.scheme())
}

fn range_scheme(scheme: Scheme, kind: RangeKind) -> Scheme {
    match kind {
        RangeKind::Semver if scheme == Scheme::Go => Scheme::Go,
        RangeKind::Semver => Scheme::Semver,
        _ => scheme,
    }
}

/// The leading release numbers of a version (`v1.19.0-0` → 1, 19, 0).
fn release_numbers(v: &str) -> Option<Vec<u64>> {
    let s = v.strip_prefix('v').unwrap_or(v);
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let head = s[..end].trim_end_matches('.');
    if head.is_empty() {
        return None;
    }
    head.split('.').map(|p| p.parse().ok()).collect()
}

fn join(numbers: &[u64]) -> String {
    let parts: Vec<String> = numbers.iter().map(u64::to_string).collect();
    parts.join(".")
}

/// A version just below `v`: the last non-zero release number lowered, the rest 999.
fn below(v: &str, width: usize) -> Option<String> {
    let mut n = release_numbers(v)?;
    n.resize(n.len().max(width), 0);
    let k = n.iter().rposition(|&x| x > 0)?;
    n[k] -= 1;
    for x in &mut n[k + 1..] {
        *x = 999;
    }
    Some(join(&n))
}

/// A version just above `v`: the last release number raised.
fn above(v: &str, width: usize) -> Option<String> {
    let mut n = release_numbers(v)?;
    n.resize(n.len().max(width), 0);
    *n.last_mut()? += 1;
    Some(join(&n))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Introduced,
    LastAffected,
    Fixed,
    Limit,
}

/// A parsed event; `None` is `introduced: "0"`.
struct Point {
    kind: Kind,
    text: String,
    version: Option<Version>,
}

fn cmp_points(a: &Point, b: &Point) -> Option<Ordering> {
    match (&a.version, &b.version) {
        (None, None) => Some(Ordering::Equal),
        (None, _) => Some(Ordering::Less),
        (_, None) => Some(Ordering::Greater),
        (Some(x), Some(y)) => x.compare(y),
    }
}

#[derive(Default)]
struct Stats {
    records: usize,
    entries: usize,
    ranges: usize,
    checks: BTreeMap<&'static str, usize>,
    skipped: BTreeMap<&'static str, usize>,
    failures: Vec<String>,
}

impl Stats {
    fn check(&mut self, label: &'static str, ok: bool, detail: impl FnOnce() -> String) {
        *self.checks.entry(label).or_default() += 1;
        if !ok && self.failures.len() < 50 {
            self.failures.push(format!("{label}: {}", detail()));
        }
    }

    fn skip(&mut self, label: &'static str) {
        *self.skipped.entry(label).or_default() += 1;
    }

    fn total(&self) -> usize {
        self.checks.values().sum()
    }

    fn report(&self, folder: &str) {
        eprintln!(
            "{folder}: {} records, {} entries, {} ranges; {} checks {:?}; skipped {:?}",
            self.records,
            self.entries,
            self.ranges,
            self.total(),
            self.checks,
            self.skipped
        );
        assert!(
            self.failures.is_empty(),
            "{folder}: {} failures:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

/// The timeline model: the state at an event and just after it, given the state before it.
fn at_and_after(kind: Kind, before: Verdict) -> (Verdict, Verdict) {
    let closed = if before == Verdict::Affected {
        Verdict::Fixed
    } else {
        before
    };
    match kind {
        Kind::Introduced => (Verdict::Affected, Verdict::Affected),
        Kind::Fixed => (closed, closed),
        Kind::LastAffected => (before, closed),
        Kind::Limit => (before, before),
    }
}

/// Boundary checks of one range, alone, and of the whole record at each `introduced`.
fn check_range(advisory: &Advisory, affected: &Affected, range: &Range, stats: &mut Stats) {
    let Some(package) = &affected.package else {
        return stats.skip("no package");
    };
    let Some(scheme) = scheme_of(package) else {
        return stats.skip("ecosystem without a scheme");
    };
    let order = range_scheme(scheme, range.kind);
    let width = if matches!(order, Scheme::Semver | Scheme::Go) {
        3
    } else {
        0
    };
    let alone = Affected {
        package: Some(package.clone()),
        ranges: vec![range.clone()],
        ..Affected::default()
    };
    let mut points = Vec::new();
    for event in &range.events {
        let (kind, text) = match event {
            Event::Introduced(v) => (Kind::Introduced, v),
            Event::Fixed(v) => (Kind::Fixed, v),
            Event::LastAffected(v) => (Kind::LastAffected, v),
            Event::Limit(v) => (Kind::Limit, v),
        };
        if kind == Kind::Limit {
            return stats.skip("range with a limit");
        }
        let version = if kind == Kind::Introduced && text == "0" {
            None
        } else {
            match order.parse(text) {
                Ok(v) => Some(v),
                Err(_) => {
                    // An unparseable event makes the range unknown, whatever the version.
                    let e = evaluate("1.0.0", scheme, &alone);
                    stats.check(
                        "unparseable event → unknown",
                        e.verdict == Verdict::Unknown,
                        || format!("{} {text}: {:?}", advisory.id, e.verdict),
                    );
                    return;
                }
            }
        };
        points.push(Point {
            kind,
            text: text.clone(),
            version,
        });
    }
    let mut sortable = true;
    points.sort_by(|a, b| {
        cmp_points(a, b).unwrap_or_else(|| {
            sortable = false;
            Ordering::Equal
        })
    });
    let tie = points
        .windows(2)
        .any(|w| cmp_points(&w[0], &w[1]) != Some(Ordering::Less));
    if !sortable || tie {
        return stats.skip("range with equal or unordered events");
    }
    let probe = |stats: &mut Stats, label: &'static str, version: &str, expected: Verdict| {
        let e = evaluate(version, scheme, &alone);
        stats.check(label, e.verdict == expected, || {
            format!(
                "{} {}/{} at {version}: expected {expected:?}, got {:?} ({})",
                advisory.id, package.ecosystem, package.name, e.verdict, e.reason
            )
        });
        e
    };
    // A built probe, if the ordering puts it strictly between `low` and `high`.
    let between = |built: Option<String>, low: Option<&Point>, high: Option<&Point>| {
        let built = built?;
        let v = order.parse(&built).ok()?;
        let above_low = low.is_none_or(|p| match &p.version {
            None => true,
            Some(l) => v.compare(l) == Some(Ordering::Greater),
        });
        let below_high = high.is_none_or(|p| {
            p.version
                .as_ref()
                .is_some_and(|h| v.compare(h) == Some(Ordering::Less))
        });
        (above_low && below_high).then_some(built)
    };
    let mut before = Verdict::NotAffected;
    for (k, point) in points.iter().enumerate() {
        let (at, after) = at_and_after(point.kind, before);
        let low = k.checked_sub(1).map(|j| &points[j]);
        let high = points.get(k + 1);
        match point.kind {
            Kind::Introduced if point.version.is_none() => {
                // From the beginning: the record affects a version just below the next event.
                let inside = match high {
                    None => Some("1.0.0".to_owned()),
                    Some(next) if next.kind == Kind::LastAffected => Some(next.text.clone()),
                    Some(next) => between(below(&next.text, width), Some(point), Some(next)),
                };
                match inside {
                    Some(v) => check_record_at(advisory, package, &v, stats),
                    None => stats.skip("no version inside [introduced 0, …)"),
                }
            }
            Kind::Introduced => {
                match between(below(&point.text, width), low, Some(point)) {
                    Some(v) => {
                        let label = if before == Verdict::NotAffected {
                            "below introduced → not affected"
                        } else {
                            "below introduced (after a fix) → fixed"
                        };
                        probe(stats, label, &v, before);
                    }
                    None => stats.skip("no version below introduced"),
                }
                let e = probe(stats, "at introduced → affected", &point.text, at);
                if let Some(next) = high.filter(|p| p.kind == Kind::Fixed) {
                    stats.check(
                        "fixed_version at introduced",
                        e.fixed_version.as_deref() == Some(&next.text),
                        || format!("{}: {:?} for {}", advisory.id, e.fixed_version, next.text),
                    );
                }
                check_record_at(advisory, package, &point.text, stats);
            }
            Kind::Fixed => {
                probe(stats, "at fixed → fixed", &point.text, at);
            }
            Kind::LastAffected => {
                probe(stats, "at last_affected → affected", &point.text, at);
                match between(above(&point.text, width), Some(point), high) {
                    Some(v) => {
                        probe(stats, "above last_affected → fixed", &v, after);
                    }
                    None => stats.skip("no version above last_affected"),
                }
            }
            Kind::Limit => {}
        }
        before = after;
    }
}

/// The whole record through `match_advisory`, for the component an inventory would give: the
/// store's keys find the entry, and a version a range affects is affected.
fn check_record_at(advisory: &Advisory, package: &Package, version: &str, stats: &mut Stats) {
    if advisory.withdrawn.is_some() {
        return;
    }
    let Some(c) = component(package, version) else {
        return stats.skip("no purl for the ecosystem");
    };
    stats.check(
        "store keys find the entry",
        keys(&c).contains(&PackageKey::of(package)),
        || {
            format!(
                "{}: {:?} lacks {:?}",
                advisory.id,
                keys(&c),
                PackageKey::of(package)
            )
        },
    );
    let m = match_advisory(&c, advisory);
    stats.check(
        "record inside a range → affected",
        m.as_ref().is_some_and(|m| {
            m.verdict == Verdict::Affected
                && m.explanation.advisory == advisory.id
                && m.malicious == advisory.malicious
                && m.informational == advisory.informational
        }),
        || format!("{} for {}: {m:?}", advisory.id, c.purl),
    );
}

/// Every listed version of every entry, through `match_advisory`: affected.
fn check_listed(advisory: &Advisory, stats: &mut Stats) {
    if advisory.withdrawn.is_some() {
        return;
    }
    for affected in &advisory.affected {
        let Some(package) = &affected.package else {
            continue;
        };
        for version in &affected.versions {
            let Some(c) = component(package, version) else {
                stats.skip("no purl for the ecosystem");
                continue;
            };
            let m = match_advisory(&c, advisory);
            stats.check(
                "listed version → affected",
                m.as_ref().is_some_and(|m| m.verdict == Verdict::Affected),
                || format!("{} {} at {version}: {m:?}", advisory.id, package.name),
            );
        }
    }
}

fn check_folder(folder: &str) -> Option<Stats> {
    let records = records(folder)?;
    let mut stats = Stats::default();
    for advisory in &records {
        stats.records += 1;
        for affected in &advisory.affected {
            stats.entries += 1;
            for range in &affected.ranges {
                if range.kind == RangeKind::Git {
                    stats.skip("GIT range");
                    continue;
                }
                stats.ranges += 1;
                check_range(advisory, affected, range, &mut stats);
            }
        }
        check_listed(advisory, &mut stats);
    }
    Some(stats)
}

#[test]
fn go_records_at_their_own_boundaries() {
    let Some(stats) = check_folder("go") else {
        return;
    };
    stats.report("go");
    assert_eq!((stats.records, stats.entries), (4291, 6125));
    // 7,579 introduced events: 5,146 are `0`, checked inside their first interval through the
    // whole record; 38 pseudo-versions (`0.0.0-2021…`) have no built version below them.
    assert_eq!(
        stats.checks,
        BTreeMap::from([
            ("at fixed → fixed", 5309),
            ("at introduced → affected", 2433),
            ("below introduced (after a fix) → fixed", 1446),
            ("below introduced → not affected", 949),
            ("fixed_version at introduced", 2268),
            ("record inside a range → affected", 7320),
            ("store keys find the entry", 7320),
        ])
    );
}

#[test]
fn crates_io_records_at_their_own_boundaries() {
    let Some(stats) = check_folder("crates.io") else {
        return;
    };
    stats.report("crates.io");
    assert_eq!(stats.records, 1206);
    assert_eq!(stats.checks["at fixed → fixed"], 987);
}

#[test]
fn pypi_records_at_their_own_boundaries_and_listed_versions() {
    let Some(stats) = check_folder("pypi") else {
        return;
    };
    stats.report("pypi");
    assert_eq!(stats.records, 2661);
    assert!(stats.checks["listed version → affected"] > 50_000);
}

#[test]
fn npm_records_at_their_own_boundaries() {
    let Some(stats) = check_folder("npm") else {
        return;
    };
    stats.report("npm");
    assert_eq!(stats.records, 150);
    assert_eq!(stats.checks["at last_affected → affected"], 12);
}

#[test]
fn maven_records_at_their_own_boundaries_and_listed_versions() {
    let Some(stats) = check_folder("maven") else {
        return;
    };
    stats.report("maven");
    assert_eq!(stats.records, 387);
    assert_eq!(stats.checks["at last_affected → affected"], 64);
}

#[test]
fn other_ecosystems_at_their_own_boundaries() {
    for folder in [
        "packagist",
        "bitnami",
        "hackage",
        "cran",
        "homebrew",
        "almalinux",
    ] {
        let Some(stats) = check_folder(folder) else {
            return;
        };
        stats.report(folder);
        assert!(stats.total() > 0, "{folder}");
    }
}

/// One real record, by its path under `advisories/osv`.
fn record(rel: &str) -> Option<Advisory> {
    let (bytes, name) = shared::read(&format!("advisories/osv/{rel}"))?;
    osv::parse(&bytes, &name)
        .unwrap()
        .records
        .into_iter()
        .next()
}

/// The verdict of a record for the component its first entry names, at `version`.
fn verdict_at(advisory: &Advisory, version: &str) -> Option<Verdict> {
    let package = advisory.affected[0].package.as_ref().unwrap();
    match_advisory(&component(package, version).unwrap(), advisory).map(|m| m.verdict)
}

#[test]
fn go_stdlib_record_explains_its_verdict() {
    let Some(advisory) = record("go/GO-2022-0969.json") else {
        return;
    };
    let stdlib = advisory.affected[0].package.as_ref().unwrap();
    let c = component(stdlib, "1.19.0").unwrap();
    assert_eq!(c.purl, "pkg:golang/stdlib@v1.19.0");
    let m = match_advisory(&c, &advisory).unwrap();
    assert_eq!(m.verdict, Verdict::Affected);
    assert_eq!(m.fixed_version.as_deref(), Some("1.19.1"));
    let e = &m.explanation;
    assert_eq!(
        (
            e.advisory.as_str(),
            e.feed,
            e.matcher.as_str(),
            e.package.as_str()
        ),
        ("GO-2022-0969", Feed::Osv, "osv-ranges", "Go/stdlib")
    );
    assert_eq!(
        (e.version.as_deref(), e.scheme.as_deref()),
        (Some("v1.19.0"), Some("go"))
    );
    assert_eq!(
        e.range.as_deref(),
        Some("introduced 0, fixed 1.18.6, introduced 1.19.0-0, fixed 1.19.1")
    );
    assert_eq!(
        e.steps,
        [
            "range 1 (SEMVER, go ordering)",
            "v1.19.0 >= introduced 0",
            "v1.19.0 >= fixed 1.18.6",
            "v1.19.0 >= introduced 1.19.0-0",
            "v1.19.0 < fixed 1.19.1"
        ]
    );
    assert_eq!(
        e.reason,
        "v1.19.0 is at or after introduced 1.19.0-0 and before fixed 1.19.1"
    );
    let verdict = |v: &str| verdict_at(&advisory, v);
    assert_eq!(verdict("1.18.5"), Some(Verdict::Affected));
    assert_eq!(verdict("1.18.6"), Some(Verdict::Fixed));
    assert_eq!(verdict("1.18.99"), Some(Verdict::Fixed));
    assert_eq!(verdict("1.19.1"), Some(Verdict::Fixed));
    // golang.org/x/net at a pseudo-version before and at the fix.
    let net = advisory.affected[1].package.as_ref().unwrap();
    let at = |v: &str| {
        match_advisory(&component(net, v).unwrap(), &advisory)
            .unwrap()
            .verdict
    };
    assert_eq!(at("0.0.0-20220906165145-f3363e06e74c"), Verdict::Affected);
    assert_eq!(at("0.0.0-20220906165146-f3363e06e74c"), Verdict::Fixed);
    assert_eq!(at("0.1.0"), Verdict::Fixed);
    // Another module is not named by the record.
    let other = Package {
        ecosystem: "Go".into(),
        name: "golang.org/x/text".into(),
        purl: None,
    };
    assert!(match_advisory(&component(&other, "0.3.0").unwrap(), &advisory).is_none());
}

/// Ranges whose events share a version, as real records write them.
#[test]
fn real_ranges_with_equal_versions() {
    // [0, 3.1.1), [3.2.0, 3.2.2), [3.1.1, 3.1.3): adjacent intervals, the second written last.
    if let Some(a) = record("pypi/pyspark/PYSEC-2022-236.yaml") {
        assert_eq!(verdict_at(&a, "3.1.0"), Some(Verdict::Affected));
        assert_eq!(verdict_at(&a, "3.1.1"), Some(Verdict::Affected));
        assert_eq!(verdict_at(&a, "3.1.2"), Some(Verdict::Affected));
        assert_eq!(verdict_at(&a, "3.1.3"), Some(Verdict::Fixed));
        assert_eq!(verdict_at(&a, "3.2.1"), Some(Verdict::Affected));
        assert_eq!(verdict_at(&a, "3.2.2"), Some(Verdict::Fixed));
    }
    // `introduced 0.10.0, fixed 0.10.0`: an empty interval at the end.
    if let Some(a) = record("crates.io/RUSTSEC-2022-0012.json") {
        assert_eq!(verdict_at(&a, "0.9.1"), Some(Verdict::Affected));
        assert_eq!(verdict_at(&a, "0.9.2"), Some(Verdict::Fixed));
        assert_eq!(verdict_at(&a, "0.10.0"), Some(Verdict::Fixed));
    }
    // `introduced 5.16.0, last_affected 5.16.0`: exactly one version.
    if let Some(a) = record("bitnami/activemq/BIT-activemq-2021-21346.json") {
        // A first range says [0, 5.15.14).
        assert_eq!(verdict_at(&a, "5.15.13"), Some(Verdict::Affected));
        assert_eq!(verdict_at(&a, "5.15.14"), Some(Verdict::Fixed));
        assert_eq!(verdict_at(&a, "5.16.0"), Some(Verdict::Affected));
        assert_eq!(verdict_at(&a, "5.16.1"), Some(Verdict::Affected));
        assert_eq!(verdict_at(&a, "5.16.2"), Some(Verdict::Fixed));
    }
    if let Some(a) = record("packagist/admin_toolbar/DRUPAL-CONTRIB-2021-025.json") {
        let entry = &a.affected[0];
        let only = entry
            .ranges
            .iter()
            .find(|r| r.events.contains(&Event::LastAffected("3.0.0".into())));
        assert!(only.is_some(), "{:?}", entry.ranges);
        assert_eq!(verdict_at(&a, "3.0.0"), Some(Verdict::Affected));
    }
}

#[test]
fn malicious_records_are_affected_and_flagged() {
    let mut checks = BTreeMap::<&str, usize>::new();
    for folder in [
        "malicious/npm",
        "malicious/pypi",
        "malicious/rubygems",
        "malicious/nuget",
    ] {
        let Some(all) = records(folder) else {
            return;
        };
        for advisory in &all {
            assert!(
                advisory.malicious && advisory.id.starts_with("MAL-"),
                "{}",
                advisory.id
            );
            for affected in &advisory.affected {
                let package = affected.package.as_ref().unwrap();
                let mut versions: Vec<&str> =
                    affected.versions.iter().map(String::as_str).collect();
                // `introduced: "0"`: any version, even one no scheme parses.
                if affected.ranges.iter().any(|r| {
                    r.events
                        .iter()
                        .all(|e| matches!(e, Event::Introduced(v) if v == "0"))
                }) {
                    versions.extend(["1.0.0", "0.0.1-custom build"]);
                }
                for version in versions {
                    let Some(c) = component(package, version) else {
                        *checks.entry("no purl").or_default() += 1;
                        continue;
                    };
                    let m = match_advisory(&c, advisory)
                        .unwrap_or_else(|| panic!("{} does not concern {}", advisory.id, c.purl));
                    assert_eq!(
                        (m.verdict, m.malicious),
                        (Verdict::Affected, true),
                        "{} at {version}: {}",
                        advisory.id,
                        m.explanation.reason
                    );
                    *checks.entry(folder).or_default() += 1;
                }
            }
        }
    }
    eprintln!("malicious: {checks:?}");
    assert_eq!(checks.get("no purl"), None);
    assert!(checks.values().sum::<usize>() > 5000);
}

/// Withdrawn records never match — and would have, but for the withdrawal.
#[test]
fn withdrawn_records_never_match() {
    let mut checked = BTreeMap::<&str, usize>::new();
    for folder in ["go", "crates.io", "pypi", "malicious/withdrawn"] {
        let Some(all) = records(folder) else {
            return;
        };
        for advisory in all.iter().filter(|a| a.withdrawn.is_some()) {
            let mut revived = advisory.clone();
            revived.withdrawn = None;
            // A version the record affects: listed, at an `introduced`, or any when it says
            // none (PYSEC-2022-15 names the package only).
            let (package, version) = advisory
                .affected
                .iter()
                .find_map(|a| {
                    let package = a.package.as_ref()?;
                    let version = a.versions.first().cloned().or_else(|| {
                        a.ranges
                            .iter()
                            .flat_map(|r| &r.events)
                            .find_map(|e| match e {
                                Event::Introduced(v) if v != "0" => Some(v.clone()),
                                _ => None,
                            })
                    });
                    Some((package, version.unwrap_or_else(|| "1.0.0".to_owned())))
                })
                .unwrap_or_else(|| panic!("{}: no package", advisory.id));
            let c = component(package, &version).unwrap();
            assert_eq!(match_advisory(&c, advisory), None, "{}", advisory.id);
            let revived = match_advisory(&c, &revived).map(|m| m.verdict);
            assert!(revived.is_some(), "{}", advisory.id);
            if revived == Some(Verdict::Affected) {
                *checked.entry("would be affected").or_default() += 1;
            }
            *checked.entry(folder).or_default() += 1;
        }
    }
    eprintln!("withdrawn: {checked:?}");
    assert_eq!(
        checked,
        BTreeMap::from([
            ("crates.io", 13),
            ("go", 17),
            ("malicious/withdrawn", 48),
            ("pypi", 10),
            // All but PYSEC-2022-15, which names its package with no range (unknown).
            ("would be affected", 87),
        ])
    );
}

/// RustSec's informational advisories match as warnings of their kind, as cargo-audit shows
/// them apart from vulnerabilities.
#[test]
fn rustsec_informational_records_match_as_warnings() {
    let Some(all) = records("crates.io") else {
        return;
    };
    let mut kinds = BTreeMap::<String, usize>::new();
    for advisory in all.iter().filter(|a| a.withdrawn.is_none()) {
        let Some(kind) = &advisory.informational else {
            continue;
        };
        let affected = &advisory.affected[0];
        let package = affected.package.as_ref().unwrap();
        let Some(Event::Introduced(first)) = affected.ranges[0].events.first() else {
            panic!("{}: no introduced first", advisory.id);
        };
        let m = match_advisory(&component(package, first).unwrap(), advisory).unwrap();
        assert_eq!(
            (m.verdict, m.informational.as_deref(), m.malicious),
            (Verdict::Affected, Some(kind.as_str()), false),
            "{}",
            advisory.id
        );
        *kinds.entry(kind.clone()).or_default() += 1;
    }
    eprintln!("informational: {kinds:?}");
    assert_eq!(
        kinds.values().sum::<usize>(),
        267 + 203 + 6 - withdrawn_informational(&all)
    );
}

fn withdrawn_informational(all: &[Advisory]) -> usize {
    all.iter()
        .filter(|a| a.withdrawn.is_some() && a.informational.is_some())
        .count()
}

// ---------------------------------------------------------------------------------------------
// Hand-made cases
// ---------------------------------------------------------------------------------------------

fn package(ecosystem: &str, name: &str) -> Package {
    Package {
        ecosystem: ecosystem.into(),
        name: name.into(),
        purl: None,
    }
}

fn ranged(kind: RangeKind, events: Vec<Event>) -> Range {
    Range {
        kind,
        repo: None,
        events,
    }
}

fn intro(v: &str) -> Event {
    Event::Introduced(v.into())
}

fn fix(v: &str) -> Event {
    Event::Fixed(v.into())
}

fn entry(package: Package, ranges: Vec<Range>, versions: &[&str]) -> Affected {
    Affected {
        package: Some(package),
        ranges,
        versions: versions.iter().map(|v| (*v).to_owned()).collect(),
        ..Affected::default()
    }
}

fn advisory(id: &str, affected: Vec<Affected>) -> Advisory {
    let mut a = Advisory::new(id, Feed::Osv);
    a.affected = affected;
    a
}

fn lang(ecosystem: &str, name: &str, version: &str) -> Component {
    Component::new(
        format!("pkg:x/{name}@{version}"),
        Some(ecosystem.into()),
        name.into(),
        Some(version.into()),
        Location::file("hand"),
    )
}

#[test]
fn an_unparseable_installed_version_is_unknown_with_the_parse_error() {
    let a = entry(
        package("npm", "left-pad"),
        vec![ranged(
            RangeKind::Semver,
            vec![intro("1.0.0"), fix("2.0.0")],
        )],
        &["not a version"],
    );
    let e = evaluate("1.x.y", Scheme::Semver, &a);
    assert_eq!(e.verdict, Verdict::Unknown);
    let expected = Scheme::Semver.parse("1.x.y").unwrap_err().to_string();
    assert_eq!(e.reason, expected);
    assert!(
        e.reason.contains("is not a valid semver version"),
        "{}",
        e.reason
    );
    // A listed spelling still decides without parsing.
    assert_eq!(
        evaluate("not a version", Scheme::Semver, &a).verdict,
        Verdict::Affected
    );
    // An unparseable event makes only its range unknown.
    let bad_event = entry(
        package("npm", "left-pad"),
        vec![ranged(
            RangeKind::Semver,
            vec![intro("1.0.0"), fix("banana")],
        )],
        &[],
    );
    let e = evaluate("1.5.0", Scheme::Semver, &bad_event);
    assert_eq!(e.verdict, Verdict::Unknown);
    assert!(
        e.reason.starts_with("the range's `fixed` event: `banana`"),
        "{}",
        e.reason
    );
    // A component without a version.
    let mut c = lang("npm", "left-pad", "1.0.0");
    c.version = None;
    let m = match_advisory(&c, &advisory("GHSA-x", vec![a])).unwrap();
    assert_eq!(m.verdict, Verdict::Unknown);
    assert_eq!(
        m.explanation.reason,
        "the component has no version to compare"
    );
}

#[test]
fn git_ranges_count_only_through_listed_versions() {
    let git = ranged(RangeKind::Git, vec![intro("0123abcd"), fix("4567cdef")]);
    let only_git = entry(package("PyPI", "tool"), vec![git.clone()], &[]);
    let e = evaluate("1.2.0", Scheme::Pep440, &only_git);
    assert_eq!(e.verdict, Verdict::Unknown);
    assert!(e.reason.contains("only GIT ranges"), "{}", e.reason);
    // With a list, the list decides, by the scheme's equality too (`v1.2` is `1.2.0`).
    let listed = entry(
        package("PyPI", "tool"),
        vec![git.clone()],
        &["v1.2", "1.3.0"],
    );
    let e = evaluate("1.2.0", Scheme::Pep440, &listed);
    assert_eq!((e.verdict, e.matcher), (Verdict::Affected, "osv-versions"));
    assert_eq!(e.steps[0], "1.2.0 == listed v1.2");
    let e = evaluate("1.4.0", Scheme::Pep440, &listed);
    assert_eq!(e.verdict, Verdict::NotAffected);
    assert_eq!(
        e.reason,
        "1.4.0 is not among the 2 listed affected versions"
    );
    // Beside an ECOSYSTEM range, the ECOSYSTEM range decides and the GIT one is noted.
    let both = entry(
        package("PyPI", "tool"),
        vec![
            git,
            ranged(RangeKind::Ecosystem, vec![intro("0"), fix("1.3")]),
        ],
        &[],
    );
    let e = evaluate("1.3.1", Scheme::Pep440, &both);
    assert_eq!(e.verdict, Verdict::Fixed);
    assert_eq!(
        e.steps.last().map(String::as_str),
        Some("1 GIT range(s) not evaluated: they need the repository's commit graph")
    );
}

#[test]
fn several_entries_combine_affected_unknown_fixed_not_affected() {
    let pkg = || package("crates.io", "smallvec");
    let fixed_entry = entry(
        pkg(),
        vec![ranged(RangeKind::Semver, vec![intro("0"), fix("1.0.0")])],
        &[],
    );
    let affected_entry = entry(
        pkg(),
        vec![ranged(
            RangeKind::Semver,
            vec![intro("1.5.0"), fix("1.6.1")],
        )],
        &[],
    );
    let unknown_entry = entry(
        pkg(),
        vec![ranged(
            RangeKind::Semver,
            vec![intro("1.5.0"), fix("banana")],
        )],
        &[],
    );
    let not_affected_entry = entry(
        pkg(),
        vec![ranged(RangeKind::Semver, vec![intro("2.0.0")])],
        &[],
    );
    let other_package = entry(
        package("crates.io", "other"),
        vec![ranged(RangeKind::Semver, vec![intro("0")])],
        &[],
    );
    let c = lang("crates.io", "smallvec", "1.6.0");
    let verdict = |entries: Vec<Affected>| {
        match_advisory(&c, &advisory("RUSTSEC-x", entries)).map(|m| (m.verdict, m.fixed_version))
    };
    assert_eq!(
        verdict(vec![
            fixed_entry.clone(),
            unknown_entry.clone(),
            affected_entry.clone()
        ]),
        Some((Verdict::Affected, Some("1.6.1".into())))
    );
    assert_eq!(
        verdict(vec![
            fixed_entry.clone(),
            unknown_entry,
            not_affected_entry.clone()
        ])
        .map(|v| v.0),
        Some(Verdict::Unknown)
    );
    assert_eq!(
        verdict(vec![not_affected_entry.clone(), fixed_entry]),
        Some((Verdict::Fixed, Some("1.0.0".into())))
    );
    assert_eq!(
        verdict(vec![not_affected_entry]).map(|v| v.0),
        Some(Verdict::NotAffected)
    );
    assert_eq!(verdict(vec![other_package]), None);
}

#[test]
fn limits_bound_a_range() {
    let limited = |events: Vec<Event>| {
        entry(
            package("npm", "x"),
            vec![ranged(RangeKind::Semver, events)],
            &[],
        )
    };
    let a = limited(vec![intro("1.0.0"), Event::Limit("2.0.0".into())]);
    let verdict = |a: &Affected, v: &str| evaluate(v, Scheme::Semver, a).verdict;
    assert_eq!(verdict(&a, "0.9.0"), Verdict::NotAffected);
    assert_eq!(verdict(&a, "1.0.0"), Verdict::Affected);
    assert_eq!(verdict(&a, "1.9.9"), Verdict::Affected);
    let e = evaluate("2.0.0", Scheme::Semver, &a);
    assert_eq!(e.verdict, Verdict::NotAffected);
    assert_eq!(e.reason, "2.0.0 is at or past every limit of the range");
    // `*` is infinity; several limits: below any one of them is enough.
    let star = limited(vec![intro("1.0.0"), Event::Limit("*".into())]);
    assert_eq!(verdict(&star, "99.0.0"), Verdict::Affected);
    let two = limited(vec![
        intro("1.0.0"),
        Event::Limit("1.5.0".into()),
        Event::Limit("3.0.0".into()),
    ]);
    assert_eq!(verdict(&two, "2.0.0"), Verdict::Affected);
    assert_eq!(verdict(&two, "3.0.0"), Verdict::NotAffected);
    // A fix still closes inside the limits.
    let fixed = limited(vec![
        intro("1.0.0"),
        fix("1.2.0"),
        Event::Limit("2.0.0".into()),
    ]);
    assert_eq!(verdict(&fixed, "1.5.0"), Verdict::Fixed);
}

#[test]
fn last_affected_is_inclusive_and_names_no_fix() {
    let a = entry(
        package("Maven", "org.example:lib"),
        vec![ranged(
            RangeKind::Ecosystem,
            vec![intro("1.0"), Event::LastAffected("1.5".into())],
        )],
        &[],
    );
    let e = evaluate("1.5", Scheme::Maven, &a);
    assert_eq!((e.verdict, e.fixed_version), (Verdict::Affected, None));
    assert_eq!(
        e.reason,
        "1.5 is at or after introduced 1.0 and at or before last_affected 1.5"
    );
    let e = evaluate("1.5.1", Scheme::Maven, &a);
    assert_eq!((e.verdict, e.fixed_version), (Verdict::Fixed, None));
    assert_eq!(
        e.reason,
        "1.5.1 is after last_affected 1.5, past introduced 1.0"
    );
}

#[test]
fn an_ecosystem_without_a_scheme_is_unknown_unless_nothing_needs_ordering() {
    let c = lang("ConanCenter", "zlib", "1.2.11");
    let ranged_entry = entry(
        package("ConanCenter", "zlib"),
        vec![ranged(
            RangeKind::Ecosystem,
            vec![intro("0"), fix("1.2.12")],
        )],
        &[],
    );
    let m = match_advisory(&c, &advisory("OSV-x", vec![ranged_entry])).unwrap();
    assert_eq!(m.verdict, Verdict::Unknown);
    assert_eq!(
        m.explanation.reason,
        "Vexil has no version ordering for ecosystem `ConanCenter`, and `1.2.11` is not among \
         the versions the entry lists"
    );
    let listed = entry(package("ConanCenter", "zlib"), vec![], &["1.2.11"]);
    let m = match_advisory(&c, &advisory("OSV-y", vec![listed])).unwrap();
    assert_eq!(
        (m.verdict, m.explanation.matcher.as_str()),
        (Verdict::Affected, "osv-versions")
    );
    let every = entry(
        package("ConanCenter", "zlib"),
        vec![ranged(RangeKind::Ecosystem, vec![intro("0")])],
        &[],
    );
    let m = match_advisory(&c, &advisory("OSV-z", vec![every])).unwrap();
    assert_eq!(m.verdict, Verdict::Affected);
}

#[test]
fn distro_packages_compare_at_the_source_version() {
    let mut c = Component::new(
        "pkg:deb/debian/libssl3@3.0.11-1%2Bb1?distro=debian-12".into(),
        Some("Debian:12".into()),
        "libssl3".into(),
        Some("3.0.11-1+b1".into()),
        Location::file("hand"),
    );
    c.source = Some(SourcePackage {
        name: "openssl".into(),
        version: Some("3.0.11-1".into()),
    });
    let tracker = |fixed: &str| {
        let mut a = entry(
            package("Debian:bookworm", "openssl"),
            vec![ranged(RangeKind::Ecosystem, vec![intro("0"), fix(fixed)])],
            &[],
        );
        a.distro = Some(DistroNote::default());
        advisory("CVE-2023-5678", vec![a])
    };
    let m = match_advisory(&c, &tracker("3.0.11-1")).unwrap();
    assert_eq!(m.verdict, Verdict::Fixed);
    assert_eq!(
        (
            m.explanation.version.as_deref(),
            m.explanation.scheme.as_deref()
        ),
        (Some("3.0.11-1"), Some("dpkg"))
    );
    assert_eq!(m.explanation.package, "Debian:bookworm/openssl");
    assert_eq!(
        match_advisory(&c, &tracker("3.0.13-1")).unwrap().verdict,
        Verdict::Affected
    );
    // The tracker's `fixed_version "0"` (no range, never affected) and `undetermined`.
    let note = |never: bool, status: &str| {
        let mut a = entry(package("Debian:bookworm", "openssl"), vec![], &[]);
        a.distro = Some(DistroNote {
            never_affected: never,
            status: Some(status.into()),
            ..DistroNote::default()
        });
        advisory("CVE-x", vec![a])
    };
    assert_eq!(
        match_advisory(&c, &note(true, "resolved")).unwrap().verdict,
        Verdict::NotAffected
    );
    assert_eq!(
        match_advisory(&c, &note(false, "undetermined"))
            .unwrap()
            .verdict,
        Verdict::Unknown
    );
    // Another release is not this component's.
    let mut other = tracker("3.0.11-1");
    other.affected[0].package = Some(package("Debian:bullseye", "openssl"));
    assert_eq!(match_advisory(&c, &other), None);
}
