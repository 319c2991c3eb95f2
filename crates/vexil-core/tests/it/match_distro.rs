//! The distro and NVD matchers on the real feeds of `../shared/data/feeds`: every Debian tracker
//! entry and every Alpine secfix checked mechanically at and just below its fixed version, real
//! NVD configurations, and hand-made cases for what the data lacks (undetermined, negate, AND
//! platforms, not comparable, rejected).

use vexil_core::ingest::Location;
use vexil_core::ingest::advisory::{alpine, debian, debian_list, nvd};
use vexil_core::matching::distro::{debian_version, match_alpine, match_debian};
use vexil_core::matching::nvd::match_cpe;
use vexil_core::matching::{Match, Verdict};
use vexil_core::model::purl::Purl;
use vexil_core::model::{
    Advisory, Affected, Component, CpeConfiguration, CpeMatch, CpeNode, DistroNote, Event, Feed,
    NvdData, Package, Range, RangeKind, SourcePackage,
};
use vexil_version::apk;

use crate::shared;

// --- helpers --------------------------------------------------------------------------------

/// A dpkg component as the dpkg inventory parser builds it: `distro=debian-12` (ecosystem
/// `Debian:12`), or a codename qualifier (`sid`) that leaves the ecosystem without a release.
fn deb(name: &str, version: &str, distro: Option<&str>) -> Component {
    let mut purl = Purl::os("deb", "debian", name, Some(version));
    if let Some(distro) = distro {
        purl = purl.qualifier("distro", distro);
    }
    Component::from_purl(&purl, Location::file("status")).unwrap()
}

/// The purl `distro` qualifier for a tracker codename.
fn deb_distro(codename: &str) -> Option<String> {
    match debian_version(codename) {
        Some(major) => Some(format!("debian-{major}")),
        None if codename == "sid" => Some("sid".to_owned()),
        None => None,
    }
}

/// An apk component on `ecosystem` (`Alpine:v3.8`, `Alpine:edge`, `Wolfi`).
fn apk(name: &str, version: &str, ecosystem: &str) -> Component {
    let vendor = ecosystem
        .split(':')
        .next()
        .unwrap_or("alpine")
        .to_ascii_lowercase();
    let purl = Purl::os("apk", &vendor, name, Some(version));
    let mut c = Component::from_purl(&purl, Location::file("installed")).unwrap();
    c.ecosystem = Some(ecosystem.to_owned());
    c
}

fn read_all(files: &[&str], parse: fn(&[u8], &str) -> Advisories) -> Option<Vec<Advisory>> {
    let mut out = Vec::new();
    for file in files {
        let (bytes, name) = shared::read(file)?;
        out.extend(parse(&bytes, &name));
    }
    Some(out)
}

type Advisories = Vec<Advisory>;

fn fixed_events(affected: &Affected) -> Vec<&str> {
    affected
        .ranges
        .iter()
        .flat_map(|r| &r.events)
        .filter_map(|e| match e {
            Event::Fixed(v) => Some(v.as_str()),
            _ => None,
        })
        .collect()
}

fn verdict_of(m: &Option<Match>) -> Option<Verdict> {
    m.as_ref().map(|m| m.verdict)
}

fn steps(m: &Match) -> Vec<&str> {
    m.explanation.steps.iter().map(String::as_str).collect()
}

// --- Debian ---------------------------------------------------------------------------------

const TRACKER_FILES: &[&str] = &[
    "feeds/debian/vunnel-tracker-data.json",
    "feeds/debian/osv.dev-tracker-mock.json",
];

const LIST_FILES: &[&str] = &[
    "feeds/debian/vuln-list-update-CVE-list.txt",
    "feeds/debian/vuln-list-update-DSA-list.txt",
    "feeds/debian/vunnel-DSA-list.txt",
];

fn debian_advisories() -> Option<Vec<Advisory>> {
    let mut all = read_all(TRACKER_FILES, |b, n| {
        debian::parse_tracker(b, n).unwrap().records
    })?;
    all.extend(read_all(LIST_FILES, |b, n| {
        debian_list::parse(b, n).unwrap().records
    })?);
    Some(all)
}

/// Every (source, release, id) of the real tracker data, judged at and around its state.
#[test]
fn debian_every_tracker_entry() {
    let Some(advisories) = debian_advisories() else {
        return;
    };
    let (mut fixed, mut open, mut never, mut no_range, mut skipped) = (0, 0, 0, 0, 0);
    for advisory in &advisories {
        for entry in &advisory.affected {
            let package = entry.package.as_ref().unwrap();
            let codename = package.ecosystem.strip_prefix("Debian:").unwrap();
            let Some(distro) = deb_distro(codename) else {
                skipped += 1;
                continue;
            };
            let note = entry.distro.as_ref().unwrap();
            let at = |version: &str| {
                let mut c = deb(&package.name, version, Some(&distro));
                if distro.contains('.') {
                    // woody (3.0) and sarge (3.1): a purl's major version cannot tell them apart.
                    c.ecosystem = Some(package.ecosystem.clone());
                }
                let m = match_debian(&c, None, advisory).unwrap();
                assert_eq!(m.explanation.matcher, "debian-tracker");
                assert_eq!(m.explanation.advisory, advisory.id);
                assert_eq!(m.explanation.scheme.as_deref(), Some("dpkg"));
                if let Some(urgency) = &note.urgency {
                    let shown = steps(&m);
                    assert!(
                        shown
                            .iter()
                            .any(|s| s.starts_with(&format!("urgency {urgency}"))),
                        "{} {}: {shown:?}",
                        advisory.id,
                        package.name
                    );
                }
                m
            };
            let fixes = fixed_events(entry);
            if note.never_affected {
                never += 1;
                assert_eq!(at("1:99.0-1").verdict, Verdict::NotAffected);
            } else if let [fix] = fixes.as_slice() {
                fixed += 1;
                let m = at(fix);
                assert_eq!(
                    m.verdict,
                    Verdict::Fixed,
                    "{} {}",
                    advisory.id,
                    package.name
                );
                assert_eq!(m.fixed_version.as_deref(), Some(*fix));
                // `~` sorts before everything in dpkg, even the end: just below the fix.
                let m = at(&format!("{fix}~"));
                assert_eq!(
                    m.verdict,
                    Verdict::Affected,
                    "{} {}",
                    advisory.id,
                    package.name
                );
                assert_eq!(m.fixed_version.as_deref(), Some(*fix));
                assert_eq!(
                    m.explanation.range.as_deref(),
                    Some(&*format!("introduced 0, fixed {fix}"))
                );
            } else if !entry.ranges.is_empty() {
                open += 1;
                let m = at("1:99.0-1");
                assert_eq!(m.verdict, Verdict::Affected);
                assert_eq!(m.fixed_version, None);
            } else {
                no_range += 1;
                let expected = match note.status.as_deref() {
                    Some("end-of-life") => Verdict::Affected,
                    _ => Verdict::Unknown,
                };
                assert_eq!(at("1.0-1").verdict, expected);
            }
        }
    }
    // The JSON's 40 release entries (26 fixed, 5 open, 9 never affected), the CVE list's
    // 1 fixed + 3 open (`<unfixed>`, `<no-dsa>`) and the DSA lists' 11 fixed (woody to buster).
    assert_eq!(
        (fixed, open, never, no_range, skipped),
        (38, 8, 9, 0, 0),
        "fixed/open/never/no-range/skipped"
    );
}

fn tracker_advisory(file: &str, id: &str) -> Option<Advisory> {
    let (bytes, name) = shared::read(file)?;
    let parsed = debian::parse_tracker(&bytes, &name).unwrap();
    Some(parsed.records.into_iter().find(|a| a.id == id).unwrap())
}

#[test]
fn debian_real_cases() {
    let mock = "feeds/debian/osv.dev-tracker-mock.json";
    let (Some(resolved), Some(open), Some(never)) = (
        tracker_advisory(mock, "CVE-2017-6507"),
        tracker_advisory(mock, "CVE-2016-1585"),
        tracker_advisory(mock, "CVE-2014-1424"),
    ) else {
        return;
    };
    // bookworm ships apparmor 3.0.8-3, past the fix 2.11.0-3.
    let m = match_debian(
        &deb("apparmor", "3.0.8-3", Some("debian-12")),
        None,
        &resolved,
    )
    .unwrap();
    assert_eq!(m.verdict, Verdict::Fixed);
    assert_eq!(m.explanation.package, "Debian:bookworm/apparmor");
    assert_eq!(
        steps(&m),
        [
            "status resolved",
            "urgency not yet assigned",
            "introduced 0: every version",
            "3.0.8-3 > fixed 2.11.0-3"
        ]
    );
    assert_eq!(
        m.explanation.reason,
        "Debian:bookworm/apparmor 3.0.8-3 is at or past the fixed version 2.11.0-3 (urgency not yet assigned)."
    );
    // Open in bookworm (unimportant), fixed in trixie at 3.0.12-1: each release by its own entry.
    let m = match_debian(&deb("apparmor", "3.0.8-3", Some("debian-12")), None, &open).unwrap();
    assert_eq!(
        (m.verdict, m.fixed_version.as_deref()),
        (Verdict::Affected, None)
    );
    assert!(steps(&m).contains(&"urgency unimportant"));
    assert_eq!(
        m.explanation.reason,
        "Debian:bookworm/apparmor has no fix yet: every version is affected (urgency unimportant)."
    );
    let m = match_debian(&deb("apparmor", "3.0.8-3", Some("debian-13")), None, &open).unwrap();
    assert_eq!(
        (m.verdict, m.fixed_version.as_deref()),
        (Verdict::Affected, Some("3.0.12-1"))
    );
    let m = match_debian(&deb("apparmor", "3.0.12-1", Some("sid")), None, &open).unwrap();
    assert_eq!(m.verdict, Verdict::Fixed);
    assert_eq!(m.explanation.package, "Debian:sid/apparmor");
    // `fixed_version "0"`: never affected, whatever the version.
    let m = match_debian(
        &deb("apparmor", "2.13.6-10", Some("debian-11")),
        None,
        &never,
    )
    .unwrap();
    assert_eq!(m.verdict, Verdict::NotAffected);
    assert!(steps(&m).contains(&"fixed version 0: never affected"));
    // A binary package judged through its source: dpkg's `Source:` field...
    let mut lib = deb("libapparmor1", "3.0.8-3", Some("debian-12"));
    lib.source = Some(SourcePackage {
        name: "apparmor".into(),
        version: Some("3.0.8-3".into()),
    });
    let m = match_debian(&lib, None, &open).unwrap();
    assert_eq!(m.verdict, Verdict::Affected);
    assert_eq!(steps(&m)[0], "binary libapparmor1 → source apparmor");
    // ...or the caller's resolution, and no match under the binary's own name.
    let bare = deb("libapparmor1", "3.0.8-3", Some("debian-12"));
    assert!(match_debian(&bare, None, &open).is_none());
    assert_eq!(
        verdict_of(&match_debian(&bare, Some("apparmor"), &open)),
        Some(Verdict::Affected)
    );
    // Release unknown (a dpkg database without os-release).
    let m = match_debian(&deb("apparmor", "3.0.8-3", None), None, &open).unwrap();
    assert_eq!(m.verdict, Verdict::Unknown);
    assert_eq!(
        m.explanation.reason,
        "release unknown (no os-release beside the dpkg database?)."
    );
    // A release the advisory does not name (stretch is not in this entry): unknown, not fixed.
    let m = match_debian(&deb("apparmor", "2.11.0-3", Some("debian-9")), None, &open).unwrap();
    assert_eq!(m.verdict, Verdict::Unknown);
    assert!(
        m.explanation.reason.contains("says nothing for stretch"),
        "{}",
        m.explanation.reason
    );
    // Not a Debian component, or a withdrawn advisory: no match.
    assert!(match_debian(&apk("apparmor", "3.0.8-r3", "Alpine:v3.18"), None, &open).is_none());
    let mut withdrawn = open.clone();
    withdrawn.withdrawn = Some("2024-01-01T00:00:00Z".parse().unwrap());
    assert!(
        match_debian(
            &deb("apparmor", "3.0.8-3", Some("debian-12")),
            None,
            &withdrawn
        )
        .is_none()
    );
}

#[test]
fn debian_vunnel_urgency_eol_and_backports() {
    let file = "feeds/debian/vunnel-tracker-data.json";
    let (Some(chromium), Some(prototype)) = (
        tracker_advisory(file, "CVE-2022-0456"),
        tracker_advisory(file, "CVE-2008-7220"),
    ) else {
        return;
    };
    // buster: `open` with urgency `end-of-life`; bullseye fixed in the security archive.
    let m = match_debian(
        &deb("chromium", "90.0.4430.212-1~deb10u1", Some("debian-10")),
        None,
        &chromium,
    )
    .unwrap();
    assert_eq!(m.verdict, Verdict::Affected);
    assert!(steps(&m).contains(&"urgency end-of-life"));
    let m = match_debian(
        &deb("chromium", "90.0.4430.212-1", Some("debian-11")),
        None,
        &chromium,
    )
    .unwrap();
    assert_eq!(
        (m.verdict, m.fixed_version.as_deref()),
        (Verdict::Affected, Some("98.0.4758.80-1~deb11u1"))
    );
    let m = match_debian(
        &deb("chromium", "98.0.4758.102-1~deb11u1", Some("debian-11")),
        None,
        &chromium,
    )
    .unwrap();
    assert_eq!(m.verdict, Verdict::Fixed);
    // `high**`: an urgency copied from NVD and not yet reviewed.
    let m = match_debian(
        &deb("prototypejs", "1.6.0.1-1", Some("debian-10")),
        None,
        &prototype,
    )
    .unwrap();
    assert_eq!(m.verdict, Verdict::Affected);
    assert!(steps(&m).contains(&"urgency high (unconfirmed)"));
    assert!(
        m.explanation
            .reason
            .ends_with("(urgency high (unconfirmed))."),
        "{}",
        m.explanation.reason
    );
}

#[test]
fn debian_lists_nodsa_and_packages_index() {
    let (Some(advisories), Some((packages, name))) = (
        debian_advisories(),
        shared::read("feeds/debian/appstream-generator-chromodoris-main-amd64-Packages"),
    ) else {
        return;
    };
    let putty = advisories
        .iter()
        .find(|a| a.id == "CVE-2021-36367")
        .unwrap();
    let m = match_debian(&deb("putty", "0.74-1", Some("debian-11")), None, putty).unwrap();
    assert_eq!(m.verdict, Verdict::Affected);
    assert!(steps(&m).contains(&"nodsa: Minor issue"), "{:?}", steps(&m));
    assert!(m.explanation.reason.contains("nodsa: Minor issue"));
    // sid has the fix 0.75-3; the release comes from the purl's `distro=sid`.
    let m = match_debian(&deb("putty", "0.75-3", Some("sid")), None, putty).unwrap();
    assert_eq!(m.verdict, Verdict::Fixed);
    // The Packages index says which source a binary comes from (`Source: appstream`).
    let index = debian::parse_packages(&packages, &name).unwrap().records;
    let resolved: Vec<_> = index.iter().filter(|b| b.source != b.binary).collect();
    assert!(!resolved.is_empty());
    let binary = resolved[0];
    let mut advisory = Advisory::new("CVE-2099-0001", Feed::Debian);
    advisory.affected.push(tracker_entry(
        &binary.source,
        "bookworm",
        "resolved",
        Some("9.9-1"),
        None,
    ));
    let c = deb(&binary.binary, &binary.version, Some("debian-12"));
    let m = match_debian(&c, Some(&binary.source), &advisory).unwrap();
    assert_eq!(m.verdict, Verdict::Affected, "{m:?}");
    assert_eq!(
        m.explanation.package,
        format!("Debian:bookworm/{}", binary.source)
    );
}

/// A tracker entry as `parse_tracker` builds it.
fn tracker_entry(
    package: &str,
    release: &str,
    status: &str,
    fixed: Option<&str>,
    urgency: Option<&str>,
) -> Affected {
    let mut events = vec![Event::Introduced("0".into())];
    events.extend(fixed.map(|f| Event::Fixed(f.into())));
    Affected {
        package: Some(Package {
            ecosystem: format!("Debian:{release}"),
            name: package.into(),
            purl: None,
        }),
        ranges: if status == "undetermined" {
            Vec::new()
        } else {
            vec![Range {
                kind: RangeKind::Ecosystem,
                repo: None,
                events,
            }]
        },
        distro: Some(DistroNote {
            release: Some(release.into()),
            status: Some(status.into()),
            urgency: urgency.map(str::to_owned),
            ..DistroNote::default()
        }),
        ..Affected::default()
    }
}

#[test]
fn debian_undetermined_and_bad_versions() {
    // The tracker JSON with an `undetermined` release, read by the real parser.
    let input = br#"{"openssl": {"CVE-2024-9": {"description": "x", "releases": {
        "bookworm": {"status": "undetermined", "urgency": "not yet assigned"},
        "trixie": {"status": "resolved", "fixed_version": "3.3.2-1", "urgency": "low",
                   "nodsa": "", "nodsa_reason": "postponed"}}}}}"#;
    let advisory = debian::parse_tracker(input, "t.json")
        .unwrap()
        .records
        .remove(0);
    let m = match_debian(
        &deb("openssl", "3.0.14-1~deb12u2", Some("debian-12")),
        None,
        &advisory,
    )
    .unwrap();
    assert_eq!(m.verdict, Verdict::Unknown);
    assert!(m.explanation.reason.contains("status undetermined"));
    let m = match_debian(
        &deb("openssl", "3.3.1-1", Some("debian-13")),
        None,
        &advisory,
    )
    .unwrap();
    assert_eq!(m.verdict, Verdict::Affected);
    assert!(steps(&m).contains(&"nodsa: postponed"), "{:?}", steps(&m));
    // An installed version dpkg refuses: unknown with dpkg's reason, never not-affected.
    let m = match_debian(&deb("openssl", "3.0-", Some("debian-13")), None, &advisory).unwrap();
    assert_eq!(m.verdict, Verdict::Unknown);
    assert!(
        m.explanation.reason.contains("cannot be compared"),
        "{}",
        m.explanation.reason
    );
    // The tracker's text list: `<end-of-life>` (no fix will come) and `<undetermined>`.
    let list = b"CVE-2020-1234 (x)\n\t- foo 1.2-1\n\t[buster] - foo <end-of-life> (EOL in buster LTS)\n\t[bullseye] - foo <undetermined>\n";
    let advisory = debian_list::parse(list, "list").unwrap().records.remove(0);
    let at = |distro: &str| {
        verdict_of(&match_debian(
            &deb("foo", "1.1-1", Some(distro)),
            None,
            &advisory,
        ))
    };
    assert_eq!(at("debian-10"), Some(Verdict::Affected));
    assert_eq!(at("debian-11"), Some(Verdict::Unknown));
    assert_eq!(at("sid"), Some(Verdict::Affected));
    // An entry ecosystem written with the number (OSV's Debian records) is the same release.
    let mut numbered = Advisory::new("DSA-1-1", Feed::Osv);
    numbered.affected.push(tracker_entry(
        "openssl",
        "12",
        "resolved",
        Some("3.0.15-1~deb12u1"),
        None,
    ));
    let m = match_debian(
        &deb("openssl", "3.0.14-1~deb12u2", Some("debian-12")),
        None,
        &numbered,
    )
    .unwrap();
    assert_eq!(m.verdict, Verdict::Affected);
}

// --- Alpine ---------------------------------------------------------------------------------

/// Every secdb file whose packages carry a branch, or a rolling apk distro.
fn secdb_files() -> Vec<String> {
    let mut files = Vec::new();
    for branch in ["3", "4", "5", "6", "7", "8", "9", "10", "11"] {
        for repo in ["main", "community"] {
            files.push(format!(
                "feeds/alpine/secdb-yaml/alpine-secdb/v3.{branch}/{repo}.yaml"
            ));
        }
    }
    for rest in [
        "secdb-yaml/vunnel/v3.15/main.yaml",
        "secdb-yaml/vunnel/v3.15/community.yaml",
        "secdb-json/vuln-list-update-311-main.json",
        "secdb-json/vuln-list-update-312-main.json",
        "secdb-json/vuln-list-update-edge-main.json",
        "secdb-json/vunnel-wolfi-security.json",
        "secdb-json/vunnel-chainguard-security.json",
        "secdb-json/vunnel-minimos-security.json",
    ] {
        files.push(format!("feeds/alpine/{rest}"));
    }
    files
}

fn secdb(file: &str) -> Option<Vec<Advisory>> {
    let (bytes, name) = shared::read(file)?;
    Some(alpine::parse_secdb(&bytes, &name).unwrap().records)
}

/// A version apk orders just below `version`: one revision less, else a pre-release of it.
fn apk_below(version: &str) -> Option<String> {
    let parsed = vexil_version::apk::ApkVersion::parse(version).ok()?;
    let candidate = match parsed.revision_number() {
        Some(n) if n > 0 => format!("{}-r{}", parsed.without_revision(), n - 1),
        _ => format!("{}_alpha-r0", parsed.without_revision()),
    };
    let ok = vexil_version::apk::ApkVersion::parse(&candidate).is_ok()
        && apk::compare_str(&candidate, version) == std::cmp::Ordering::Less;
    Some(if ok { candidate } else { "0".to_owned() })
}

/// Every secfix of every real secdb file: at the fix → fixed, just below the first → affected,
/// under `0` → not affected; a version apk refuses → unknown.
#[test]
fn alpine_every_secfix() {
    let (mut at_fix, mut below, mut never, mut invalid, mut files) = (0, 0, 0, 0, 0);
    for file in secdb_files() {
        let Some(advisories) = secdb(&file) else {
            return;
        };
        files += 1;
        for advisory in &advisories {
            for entry in &advisory.affected {
                let package = entry.package.as_ref().unwrap();
                let judge = |version: &str| {
                    let c = apk(&package.name, version, &package.ecosystem);
                    let m = match_alpine(&c, advisory).unwrap();
                    assert_eq!(m.explanation.matcher, "alpine-secdb");
                    assert_eq!(
                        m.explanation.package,
                        format!("{}/{}", package.ecosystem, package.name)
                    );
                    m
                };
                if entry.distro.as_ref().is_some_and(|n| n.never_affected) {
                    never += 1;
                    assert_eq!(judge("1.0-r0").verdict, Verdict::NotAffected);
                    continue;
                }
                let fixes = fixed_events(entry);
                if fixes
                    .iter()
                    .any(|f| vexil_version::apk::ApkVersion::parse(f).is_err())
                {
                    invalid += 1;
                    assert_eq!(
                        judge("1.0-r0").verdict,
                        Verdict::Unknown,
                        "{file} {}",
                        advisory.id
                    );
                    continue;
                }
                for fix in &fixes {
                    at_fix += 1;
                    let m = judge(fix);
                    assert_eq!(
                        (m.verdict, m.fixed_version.as_deref()),
                        (Verdict::Fixed, Some(*fix)),
                        "{file} {} {}",
                        advisory.id,
                        package.name
                    );
                }
                let first = fixes[0];
                let lower = apk_below(first).unwrap();
                below += 1;
                let m = judge(&lower);
                assert_eq!(
                    (m.verdict, m.fixed_version.as_deref()),
                    (Verdict::Affected, Some(first)),
                    "{file} {} {} at {lower}",
                    advisory.id,
                    package.name
                );
            }
        }
    }
    assert_eq!(files, 26);
    // 12,867 package entries with valid fixes (12,991 fixed versions), 36 under `0`, and 36
    // whose fixed version apk refuses (the parser's warnings: `2.15.r-r1`, …).
    assert_eq!(
        (at_fix, below, never, invalid),
        (12991, 12867, 36, 36),
        "at fix / below / never / invalid"
    );
}

/// The secfixes-tracker bug, fixed: one id fixed at different versions on two branches. A
/// component is judged by its own branch only, and a branch without an entry is unknown.
#[test]
fn alpine_fix_is_scoped_to_the_branch() {
    let (Some(v37), Some(v38)) = (
        secdb("feeds/alpine/secdb-yaml/alpine-secdb/v3.7/main.yaml"),
        secdb("feeds/alpine/secdb-yaml/alpine-secdb/v3.8/main.yaml"),
    ) else {
        return;
    };
    let (mut differing, mut unscoped_would_err) = (0, 0);
    for a in &v37 {
        let Some(b) = v38.iter().find(|b| b.id == a.id) else {
            continue;
        };
        let mut merged = a.clone();
        merged.affected.extend(b.affected.iter().cloned());
        for ea in &a.affected {
            let name = &ea.package.as_ref().unwrap().name;
            let Some(eb) = b
                .affected
                .iter()
                .find(|e| &e.package.as_ref().unwrap().name == name)
            else {
                continue;
            };
            let (fa, fb) = (fixed_events(ea), fixed_events(eb));
            let (Some(fa), Some(fb)) = (fa.first(), fb.first()) else {
                continue;
            };
            let valid = |v: &str| vexil_version::apk::ApkVersion::parse(v).is_ok();
            if fa == fb || !valid(fa) || !valid(fb) {
                continue;
            }
            differing += 1;
            // v3.7 at its own fix is fixed, whatever v3.8 says.
            let m = match_alpine(&apk(name, fa, "Alpine:v3.7"), &merged).unwrap();
            assert_eq!(m.verdict, Verdict::Fixed, "{} {name}", a.id);
            assert_eq!(m.explanation.package, format!("Alpine:v3.7/{name}"));
            let m = match_alpine(&apk(name, fb, "Alpine:v3.8"), &merged).unwrap();
            assert_eq!(m.verdict, Verdict::Fixed, "{} {name}", a.id);
            // An unscoped tracker would compare v3.7's fix with v3.8's.
            if apk::compare_str(fa, fb) == std::cmp::Ordering::Less {
                unscoped_would_err += 1;
            }
            // v3.6 is named by neither entry: no recorded fix there, so unknown.
            let m = match_alpine(&apk(name, fa, "Alpine:v3.6"), &merged).unwrap();
            assert_eq!(m.verdict, Verdict::Unknown);
            assert!(
                m.explanation.reason.contains("no fix recorded"),
                "{}",
                m.explanation.reason
            );
            assert!(m.explanation.reason.contains("says nothing for v3.6"));
            assert_eq!(m.explanation.package, format!("Alpine:v3.6/{name}"));
        }
    }
    // 287 (id, package) pairs fixed at different versions on v3.7 and v3.8; for 280 of them
    // v3.8's fix is the higher, so a fix not scoped to the branch would call a patched v3.7
    // package affected.
    assert_eq!((differing, unscoped_would_err), (287, 280));
}

#[test]
fn alpine_origin_release_and_rolling_distros() {
    let (Some(v38), Some(wolfi)) = (
        secdb("feeds/alpine/secdb-yaml/alpine-secdb/v3.8/main.yaml"),
        secdb("feeds/alpine/secdb-json/vunnel-wolfi-security.json"),
    ) else {
        return;
    };
    // A subpackage is judged through its origin.
    let advisory = v38
        .iter()
        .find(|a| {
            a.affected
                .iter()
                .any(|e| e.package.as_ref().unwrap().name == "openssl")
        })
        .unwrap();
    let entry = advisory
        .affected
        .iter()
        .find(|e| e.package.as_ref().unwrap().name == "openssl")
        .unwrap();
    let fix = fixed_events(entry)[0];
    let mut lib = apk("libcrypto1.0", fix, "Alpine:v3.8");
    lib.source = Some(SourcePackage {
        name: "openssl".into(),
        version: Some(fix.to_owned()),
    });
    let m = match_alpine(&lib, advisory).unwrap();
    assert_eq!(m.verdict, Verdict::Fixed);
    assert_eq!(steps(&m)[0], "subpackage libcrypto1.0 → origin openssl");
    // No release known: unknown with the reason.
    let m = match_alpine(&apk("openssl", fix, "Alpine"), advisory).unwrap();
    assert_eq!(m.verdict, Verdict::Unknown);
    assert_eq!(
        m.explanation.reason,
        "release unknown (no os-release beside the apk database?)."
    );
    // Another package, another family: no match.
    assert!(match_alpine(&apk("zlib", fix, "Alpine:v3.8"), advisory).is_none());
    assert!(match_alpine(&deb("openssl", fix, Some("debian-12")), advisory).is_none());
    // Wolfi has no branches: every Wolfi entry speaks for it.
    let w = &wolfi[0];
    let e = &w.affected[0];
    let name = &e.package.as_ref().unwrap().name;
    let fix = fixed_events(e)[0];
    let m = match_alpine(&apk(name, fix, "Wolfi"), w).unwrap();
    assert_eq!(
        (m.verdict, m.explanation.package.clone()),
        (Verdict::Fixed, format!("Wolfi/{name}"))
    );
    assert!(match_alpine(&apk(name, fix, "Alpine:v3.18"), w).is_none());
}

#[test]
fn alpine_secdb_spellings() {
    // `p1` straight after a number and `.r0` revisions, as secdb writes them.
    let input = br#"{"distroversion": "v3.8", "reponame": "main", "packages": [
        {"pkg": {"name": "openssh", "secfixes": {"7.7_p1-r4": ["CVE-2018-15473"]}}},
        {"pkg": {"name": "lighttpd", "secfixes": {"1.4.49.r0": ["CVE-2018-19052"],
                                                  "0": ["CVE-2018-0001"]}}}]}"#;
    let advisories = alpine::parse_secdb(input, "t.json").unwrap().records;
    let ssh = advisories
        .iter()
        .find(|a| a.id == "CVE-2018-15473")
        .unwrap();
    let at =
        |name: &str, v: &str, a: &Advisory| match_alpine(&apk(name, v, "Alpine:v3.8"), a).unwrap();
    assert_eq!(at("openssh", "7.7_p1-r3", ssh).verdict, Verdict::Affected);
    assert_eq!(at("openssh", "7.7_p1-r4", ssh).verdict, Verdict::Fixed);
    let lighttpd = advisories
        .iter()
        .find(|a| a.id == "CVE-2018-19052")
        .unwrap();
    assert_eq!(
        at("lighttpd", "1.4.48-r0", lighttpd).verdict,
        Verdict::Affected
    );
    assert_eq!(
        at("lighttpd", "1.4.49-r0", lighttpd).verdict,
        Verdict::Fixed
    );
    let never = advisories.iter().find(|a| a.id == "CVE-2018-0001").unwrap();
    assert_eq!(
        at("lighttpd", "1.0-r0", never).verdict,
        Verdict::NotAffected
    );
    // An installed version apk refuses is unknown.
    assert_eq!(at("openssh", "7.7 p1", ssh).verdict, Verdict::Unknown);
}

// --- NVD ------------------------------------------------------------------------------------

const NVD_FILES: &[&str] = &[
    "feeds/nvd/osv.dev-test.json",
    "feeds/nvd/vunnel-full-page.json",
    "feeds/nvd/vunnel-single-entry.json",
    "feeds/nvd/vuln-list-update-respPageFull.json",
];

fn nvd_advisories() -> Option<Vec<Advisory>> {
    let mut all = read_all(NVD_FILES, |b, n| nvd::parse(b, n).unwrap().records)?;
    let dir = shared::data("feeds/nvd/osv.dev-nvdcve-2.0")?;
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    for name in names {
        let rel = format!("feeds/nvd/osv.dev-nvdcve-2.0/{name}");
        let (bytes, name) = shared::read(&rel)?;
        all.extend(nvd::parse(&bytes, &name).unwrap().records);
    }
    Some(all)
}

fn cpe_component(version: Option<&str>, cpes: &[&str]) -> Component {
    let mut c = Component::new(
        "pkg:generic/x@1".into(),
        None,
        "x".into(),
        version.map(str::to_owned),
        Location::file("sbom"),
    );
    c.cpes = cpes.iter().map(|s| (*s).to_owned()).collect();
    c
}

fn find<'a>(all: &'a [Advisory], id: &str) -> &'a Advisory {
    all.iter().find(|a| a.id == id).unwrap()
}

#[test]
fn nvd_real_configurations() {
    let Some(all) = nvd_advisories() else {
        return;
    };
    let busybox = "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*";
    let at = |id: &str, version: &str, cpes: &[&str]| {
        match_cpe(&cpe_component(Some(version), cpes), find(&all, id))
    };
    // versionEndExcluding 1.32.0.
    let m = at("CVE-2018-1000500", "1.31.1", &[busybox]).unwrap();
    assert_eq!(
        (m.verdict, m.fixed_version.as_deref()),
        (Verdict::Affected, Some("1.32.0"))
    );
    assert_eq!(m.explanation.matcher, "nvd-cpe");
    assert_eq!(m.explanation.package, "cpe:2.3:a:busybox:busybox");
    assert_eq!(steps(&m), ["1.31.1 < 1.32.0"]);
    let m = at("CVE-2018-1000500", "1.32.0", &[busybox]).unwrap();
    assert_eq!(
        (m.verdict, m.fixed_version.as_deref()),
        (Verdict::Fixed, Some("1.32.0"))
    );
    // Another product: no match at all.
    assert!(
        at(
            "CVE-2018-1000500",
            "1.0",
            &["cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*"]
        )
        .is_none()
    );
    // Two ranges of samba.
    let samba = "cpe:2.3:a:samba:samba:*:*:*:*:*:*:*:*";
    let m = at("CVE-2022-32746", "4.15.3", &[samba]).unwrap();
    assert_eq!(
        (m.verdict, m.fixed_version.as_deref()),
        (Verdict::Affected, Some("4.15.9"))
    );
    assert_eq!(
        verdict_of(&at("CVE-2022-32746", "4.14.14", &[samba])),
        Some(Verdict::Fixed)
    );
    assert_eq!(
        verdict_of(&at("CVE-2022-32746", "4.2.0", &[samba])),
        Some(Verdict::NotAffected)
    );
    // Exact versions (xz 5.6.0 and 5.6.1).
    let xz = "cpe:2.3:a:tukaani:xz:*:*:*:*:*:*:*:*";
    assert_eq!(
        verdict_of(&at("CVE-2024-3094", "5.6.1", &[xz])),
        Some(Verdict::Affected)
    );
    assert_eq!(
        verdict_of(&at("CVE-2024-3094", "5.4.6", &[xz])),
        Some(Verdict::NotAffected)
    );
    // The version taken from the component's CPE when the component has none.
    let c = cpe_component(None, &["cpe:2.3:a:tukaani:xz:5.6.0:*:*:*:*:*:*:*"]);
    assert_eq!(
        verdict_of(&match_cpe(&c, find(&all, "CVE-2024-3094"))),
        Some(Verdict::Affected)
    );
    // An update field: open62541 `1.3:rc1`.
    let o = "cpe:2.3:a:open62541:open62541:*:*:*:*:*:*:*:*";
    assert_eq!(
        verdict_of(&at("CVE-2022-25761", "1.3-rc1", &[o])),
        Some(Verdict::Affected)
    );
    assert_eq!(
        verdict_of(&at("CVE-2022-25761", "1.2.4", &[o])),
        Some(Verdict::Affected)
    );
    // Past the first range's end (1.2.5) and none of the 1.3 pre-releases.
    assert_eq!(
        verdict_of(&at("CVE-2022-25761", "1.3.1", &[o])),
        Some(Verdict::Fixed)
    );
    assert_eq!(
        verdict_of(&at("CVE-2022-25761", "1.3-rc3", &[o])),
        Some(Verdict::Fixed)
    );
    // target_sw: a node.js criterion, a component that says python is another product.
    let smoothie = "cpe:2.3:a:smoothiecharts:smoothie_charts:*:*:*:*:*:node.js:*:*";
    assert_eq!(
        verdict_of(&at("CVE-2022-25929", "1.35.0", &[smoothie])),
        Some(Verdict::Affected)
    );
    let py = "cpe:2.3:a:smoothiecharts:smoothie_charts:*:*:*:*:*:python:*:*";
    assert!(at("CVE-2022-25929", "1.35.0", &[py]).is_none());
    // An escaped `&` in the product.
    let wp = r"cpe:2.3:a:themeisle:wp_maintenance_mode_\&_coming_soon:*:*:*:*:*:wordpress:*:*";
    assert_eq!(
        verdict_of(&at("CVE-2022-1576", "2.4.4", &[wp])),
        Some(Verdict::Affected)
    );
    // A criterion with version `-` (no version): cannot be compared with 1.0.
    let noxen = "cpe:2.3:a:noxen_project:noxen:*:*:*:*:*:*:*:*";
    let m = at("CVE-2022-2956", "1.0", &[noxen]).unwrap();
    assert_eq!(m.verdict, Verdict::Unknown);
    assert!(
        m.explanation.reason.contains("names no version"),
        "{}",
        m.explanation.reason
    );
}

#[test]
fn nvd_and_configurations_need_the_platform() {
    let Some(all) = nvd_advisories() else {
        return;
    };
    // esp-idf 4.0.0..=4.2 AND running on the esp32 hardware (not vulnerable itself).
    let idf = "cpe:2.3:a:espressif:esp-idf:*:*:*:*:*:*:*:*";
    let esp32 = "cpe:2.3:h:espressif:esp32:-:*:*:*:*:*:*:*";
    let advisory = find(&all, "CVE-2020-13595");
    let m = match_cpe(&cpe_component(Some("4.1"), &[idf]), advisory).unwrap();
    assert_eq!(m.verdict, Verdict::Unknown);
    assert!(
        m.explanation.reason.contains(esp32),
        "{}",
        m.explanation.reason
    );
    let m = match_cpe(&cpe_component(Some("4.1"), &[idf, esp32]), advisory).unwrap();
    assert_eq!(m.verdict, Verdict::Affected);
    // Past versionEndIncluding: fixed without a named version.
    let m = match_cpe(&cpe_component(Some("4.2.1"), &[idf]), advisory).unwrap();
    assert_eq!(
        (m.verdict, m.fixed_version.as_deref()),
        (Verdict::Fixed, None)
    );
    assert_eq!(
        verdict_of(&match_cpe(&cpe_component(Some("3.3"), &[idf]), advisory)),
        Some(Verdict::NotAffected)
    );
    // The platform alone does not make the hardware vulnerable.
    assert!(match_cpe(&cpe_component(Some("-"), &[esp32]), advisory).is_none());
    // IBM's product on macOS or Windows.
    let ibm = "cpe:2.3:a:ibm:security_verify_privilege_on-premises:*:*:*:*:*:*:*:*";
    let windows = "cpe:2.3:o:microsoft:windows:10:*:*:*:*:*:*:*";
    let advisory = find(&all, "CVE-2022-22377");
    let m = match_cpe(&cpe_component(Some("11.4"), &[ibm]), advisory).unwrap();
    assert_eq!(m.verdict, Verdict::Unknown);
    assert_eq!(
        m.explanation.reason,
        "cpe:2.3:a:ibm:security_verify_privilege_on-premises 11.4: the configuration also needs \
         one of cpe:2.3:o:apple:macos:-:*:*:*:*:*:*:*, cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*, \
         which the component's CPEs do not show."
    );
    assert_eq!(
        verdict_of(&match_cpe(
            &cpe_component(Some("11.4"), &[ibm, windows]),
            advisory
        )),
        Some(Verdict::Affected)
    );
    assert_eq!(
        verdict_of(&match_cpe(
            &cpe_component(Some("11.5"), &[ibm, windows]),
            advisory
        )),
        Some(Verdict::Fixed)
    );
}

/// Every bounded vulnerable criterion of the real pages, mechanically, for a component whose
/// CPE is the criterion's product: at a start-including or end-including bound → affected
/// (or unknown when the configuration ANDs a platform the component does not show); at an
/// end-excluding bound → fixed, unless another range of the product covers it.
#[test]
fn nvd_every_bounded_criterion() {
    let Some(all) = nvd_advisories() else {
        return;
    };
    let (mut inside, mut ends, mut fixed_at_end, mut configs) = (0, 0, 0, 0);
    for advisory in &all {
        let Some(data) = &advisory.nvd else { continue };
        for configuration in &data.configurations {
            configs += 1;
            let and = configuration.operator.as_deref() == Some("AND");
            for m in configuration
                .nodes
                .iter()
                .flat_map(|n| &n.cpe_match)
                .filter(|m| m.vulnerable)
            {
                // The criterion with its version made ANY: the component's product.
                let parts: Vec<&str> = m.criteria.splitn(7, ':').collect();
                let cpe = format!(
                    "cpe:2.3:{}:{}:{}:*:{}",
                    parts[2], parts[3], parts[4], parts[6]
                );
                let judge = |version: &str| {
                    verdict_of(&match_cpe(&cpe_component(Some(version), &[&cpe]), advisory))
                };
                for bound in [&m.version_start_including, &m.version_end_including]
                    .into_iter()
                    .flatten()
                {
                    inside += 1;
                    let got = judge(bound);
                    let ok =
                        got == Some(Verdict::Affected) || (and && got == Some(Verdict::Unknown));
                    assert!(ok, "{} {} at {bound}: {got:?}", advisory.id, m.criteria);
                }
                if let Some(end) = &m.version_end_excluding {
                    ends += 1;
                    let got = judge(end);
                    let ok = matches!(got, Some(Verdict::Fixed | Verdict::Affected))
                        || (and && got == Some(Verdict::Unknown));
                    assert!(ok, "{} {} at {end}: {got:?}", advisory.id, m.criteria);
                    fixed_at_end += usize::from(got == Some(Verdict::Fixed));
                }
            }
        }
    }
    // 88 configurations; 34 inclusive bounds; 67 exclusive ends, 66 of them fixed there (the
    // other is inside a further range of the same product).
    assert_eq!(
        (configs, inside, ends, fixed_at_end),
        (88, 34, 67, 66),
        "configurations / inside / end-excluding / fixed there"
    );
}

// --- NVD, hand-made -------------------------------------------------------------------------

fn criterion(criteria: &str, vulnerable: bool) -> CpeMatch {
    CpeMatch {
        vulnerable,
        criteria: criteria.into(),
        ..CpeMatch::default()
    }
}

fn nvd_advisory(configurations: Vec<CpeConfiguration>) -> Advisory {
    let mut a = Advisory::new("CVE-2099-1", Feed::Nvd);
    a.nvd = Some(NvdData {
        vuln_status: Some("Analyzed".into()),
        configurations,
    });
    a
}

#[test]
fn nvd_negate_not_comparable_and_rejected() {
    let app = "cpe:2.3:a:acme:widget:*:*:*:*:*:*:*:*";
    let mut ranged = criterion(app, true);
    ranged.version_start_including = Some("2.4.1.el8".into());
    ranged.version_end_excluding = Some("2.5".into());
    let advisory = nvd_advisory(vec![CpeConfiguration {
        operator: None,
        negate: false,
        nodes: vec![CpeNode {
            operator: "OR".into(),
            negate: false,
            cpe_match: vec![ranged],
        }],
    }]);
    // `el8` against `fc34`: the comparator cannot order them.
    let m = match_cpe(&cpe_component(Some("2.4.1.fc34"), &[app]), &advisory).unwrap();
    assert_eq!(m.verdict, Verdict::Unknown);
    assert!(
        m.explanation.reason.contains("not comparable"),
        "{}",
        m.explanation.reason
    );
    assert_eq!(
        verdict_of(&match_cpe(&cpe_component(Some("2.4.2"), &[app]), &advisory)),
        Some(Verdict::Affected)
    );
    // Rejected or withdrawn: never matches.
    let mut rejected = advisory.clone();
    rejected.nvd.as_mut().unwrap().vuln_status = Some("Rejected".into());
    assert!(match_cpe(&cpe_component(Some("2.4.2"), &[app]), &rejected).is_none());
    // A component without CPEs is not for this matcher.
    assert!(match_cpe(&cpe_component(Some("2.4.2"), &[]), &advisory).is_none());

    // The app, AND NOT running on a patched platform.
    let platform = "cpe:2.3:o:acme:os:2.0:*:*:*:*:*:*:*";
    let negated = nvd_advisory(vec![CpeConfiguration {
        operator: Some("AND".into()),
        negate: false,
        nodes: vec![
            CpeNode {
                operator: "OR".into(),
                negate: false,
                cpe_match: vec![criterion(app, true)],
            },
            CpeNode {
                operator: "OR".into(),
                negate: true,
                cpe_match: vec![criterion(platform, false)],
            },
        ],
    }]);
    let on = |cpes: &[&str]| verdict_of(&match_cpe(&cpe_component(Some("1.0"), cpes), &negated));
    assert_eq!(on(&[app, platform]), Some(Verdict::NotAffected));
    assert_eq!(
        on(&[app, "cpe:2.3:o:acme:os:1.0:*:*:*:*:*:*:*"]),
        Some(Verdict::Affected)
    );
    assert_eq!(on(&[app]), Some(Verdict::Unknown));
}
