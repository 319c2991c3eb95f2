//! Findings: a scan recorded and diffed against the last one (new, resolved, reactivated,
//! changed), listings and history, atomicity, append-only history, and the lookups scans and
//! `affected` use — on every backend.

use jiff::Timestamp;
use vexil_core::ingest::Location;
use vexil_core::ingest::feed::{self, FeedKind};
use vexil_core::matching::audit::audit;
use vexil_core::matching::rescan::{Context, observe};
use vexil_core::model::finding::{EventKind, FindingState, Observation, SeverityLevel};
use vexil_core::model::{Advisory, Component, Inventory, Purl, ReleaseId};
use vexil_store::{FindingFilter, NewDocument, Store};

use crate::backends;

fn at(ts: &str) -> Timestamp {
    ts.parse().unwrap()
}

fn npm(name: &str, version: &str) -> Component {
    Component::from_purl(
        &Purl::package("npm", name, Some(version)),
        Location::file("package-lock.json"),
    )
    .unwrap()
}

/// An OSV record for npm `package`, fixed in `fixed`, with a GHSA label (aliases optional).
fn osv_json(id: &str, aliases: &[&str], package: &str, fixed: &str, label: &str) -> String {
    format!(
        r#"{{"id":"{id}","aliases":{aliases:?},"database_specific":{{"severity":"{label}"}},
        "affected":[{{"package":{{"ecosystem":"npm","name":"{package}"}},
        "ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"{fixed}"}}]}}]}}]}}"#
    )
}

fn advisory(id: &str, alias: &str, package: &str, fixed: &str, label: &str) -> Advisory {
    let json = osv_json(id, &[alias], package, fixed, label);
    let parsed = vexil_core::ingest::advisory::osv::parse(json.as_bytes(), "t.json").unwrap();
    parsed.records.into_iter().next().unwrap()
}

fn advisories() -> Vec<Advisory> {
    vec![
        advisory(
            "GHSA-aaaa-aaaa-aaaa",
            "CVE-2026-0001",
            "left-pad",
            "1.3.0",
            "HIGH",
        ),
        advisory(
            "GHSA-bbbb-bbbb-bbbb",
            "CVE-2026-0002",
            "lodash",
            "4.17.21",
            "CRITICAL",
        ),
    ]
}

/// What a scan of `components` against `advisories` observes.
fn observed(components: &[Component], advisories: &[Advisory]) -> Vec<Observation> {
    let findings = audit(components, advisories);
    let ctx = Context {
        advisories: advisories.iter().collect(),
        ..Context::default()
    };
    observe(components, findings, &ctx)
}

async fn import(store: &Store, release: &ReleaseId, components: Vec<Component>, now: &str) -> i64 {
    let inventory = Inventory {
        components,
        ..Inventory::default()
    };
    let doc = NewDocument {
        name: "package-lock.json",
        format: "package-lock",
        digest: "sha256:test",
        components: inventory.components.len(),
        evidence: 0,
        warnings: &[],
    };
    store
        .import_inventory(release, &[doc], &inventory, at(now))
        .await
        .unwrap()
        .revision
}

async fn scan(
    store: &Store,
    release: &ReleaseId,
    advisories: &[Advisory],
    now: &str,
) -> vexil_store::ScanReport {
    let (revision, components) = store.components_of(release).await.unwrap().unwrap();
    let observed = observed(&components, advisories);
    store
        .record_scan(
            release,
            revision,
            advisories.len(),
            components.len(),
            &observed,
            at(now),
        )
        .await
        .unwrap()
}

/// left-pad 1.0.0 and lodash 4.17.20: each affected by one of [`advisories`].
fn both() -> Vec<Component> {
    vec![npm("left-pad", "1.0.0"), npm("lodash", "4.17.20")]
}

/// `release` holding [`both`], imported and scanned once.
async fn scanned(store: &Store, release: &ReleaseId) -> vexil_store::ScanReport {
    import(store, release, both(), "2026-11-01T00:00:00Z").await;
    scan(store, release, &advisories(), "2026-11-01T00:00:01Z").await
}

#[tokio::test]
async fn rescans_record_new_resolved_reactivated_and_changed() {
    let release: ReleaseId = "web@1.0.0".parse().unwrap();
    for t in backends::all().await {
        let s = &t.store;
        let first = scanned(s, &release).await;
        assert_eq!(
            (first.new, first.resolved, first.reactivated, first.changed),
            (2, 0, 0, 0),
            "{}",
            t.name
        );
        assert_eq!(
            first.open.get(&SeverityLevel::Critical),
            Some(&1),
            "{}",
            t.name
        );
        assert_eq!(first.open.get(&SeverityLevel::High), Some(&1), "{}", t.name);

        // The same scan again records nothing new, only that the findings were seen.
        let dump = s.dump().await.unwrap();
        let again = scan(s, &release, &advisories(), "2026-11-02T00:00:00Z").await;
        assert_eq!(
            (again.new, again.resolved, again.reactivated, again.changed),
            (0, 0, 0, 0),
            "{}",
            t.name
        );
        assert!(again.events.is_empty(), "{}", t.name);
        let changed_lines: Vec<_> = s
            .dump()
            .await
            .unwrap()
            .into_iter()
            .filter(|l| !dump.contains(l))
            .collect();
        assert!(
            changed_lines
                .iter()
                .all(|l| l.starts_with("scans: ") || l.starts_with("findings: ")),
            "{}: {changed_lines:?}",
            t.name
        );

        // left-pad upgraded: resolved. The lodash advisory re-rated: changed.
        import(
            s,
            &release,
            vec![npm("left-pad", "1.3.0"), npm("lodash", "4.17.20")],
            "2026-11-03T00:00:00Z",
        )
        .await;
        let mut rerated = advisories();
        rerated[1] = advisory(
            "GHSA-bbbb-bbbb-bbbb",
            "CVE-2026-0002",
            "lodash",
            "4.17.21",
            "MODERATE",
        );
        let third = scan(s, &release, &rerated, "2026-11-03T00:00:01Z").await;
        assert_eq!(
            (third.new, third.resolved, third.reactivated, third.changed),
            (0, 1, 0, 1),
            "{}",
            t.name
        );

        // left-pad downgraded again: reactivated. lodash removed: resolved (vanished).
        import(
            s,
            &release,
            vec![npm("left-pad", "1.0.0")],
            "2026-11-04T00:00:00Z",
        )
        .await;
        let fourth = scan(s, &release, &rerated, "2026-11-04T00:00:01Z").await;
        assert_eq!(
            (
                fourth.new,
                fourth.resolved,
                fourth.reactivated,
                fourth.changed
            ),
            (0, 1, 1, 0),
            "{}",
            t.name
        );

        let all = s.findings(&FindingFilter::default()).await.unwrap();
        assert_eq!(all.len(), 2, "{}", t.name);
        let left_pad = all
            .iter()
            .find(|f| f.observation.name == "left-pad")
            .unwrap();
        assert_eq!(left_pad.state, FindingState::Open, "{}", t.name);
        assert_eq!(left_pad.first_seen, "2026-11-01T00:00:01Z", "{}", t.name);
        assert_eq!(left_pad.observation.vuln, "CVE-2026-0001", "{}", t.name);
        assert_eq!(
            left_pad.observation.purl, "pkg:npm/left-pad@1.0.0",
            "{}",
            t.name
        );
        let (_, history) = s.finding(left_pad.id).await.unwrap().unwrap();
        let kinds: Vec<EventKind> = history.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [EventKind::New, EventKind::Resolved, EventKind::Reactivated],
            "{}",
            t.name
        );
        assert!(
            history[1]
                .detail
                .starts_with("affected → fixed: 1.3.0 is at or after fixed 1.3.0"),
            "{}: {}",
            t.name,
            history[1].detail
        );

        let lodash = all.iter().find(|f| f.observation.name == "lodash").unwrap();
        let (_, history) = s.finding(lodash.id).await.unwrap().unwrap();
        let details: Vec<(EventKind, &str)> = history
            .iter()
            .map(|e| (e.kind, e.detail.as_str()))
            .collect();
        assert_eq!(details[1].0, EventKind::Changed, "{}", t.name);
        assert!(
            details[1]
                .1
                .starts_with("severity critical → medium (GHSA-bbbb-bbbb-bbbb labels it MODERATE)"),
            "{}: {details:?}",
            t.name
        );
        assert_eq!(details[2].0, EventKind::Resolved, "{}", t.name);

        // Filters.
        let open = FindingFilter {
            state: Some(FindingState::Open),
            ..FindingFilter::default()
        };
        assert_eq!(s.findings(&open).await.unwrap().len(), 1, "{}", t.name);
        let by_alias = FindingFilter {
            vuln: Some("ghsa-aaaa-aaaa-aaaa".into()),
            ..FindingFilter::default()
        };
        assert_eq!(
            s.findings(&by_alias).await.unwrap()[0].id,
            left_pad.id,
            "{}",
            t.name
        );
        let medium = FindingFilter {
            severity: Some(SeverityLevel::Medium),
            ..FindingFilter::default()
        };
        assert_eq!(
            s.findings(&medium).await.unwrap()[0].id,
            lodash.id,
            "{}",
            t.name
        );
        let other = FindingFilter {
            project: Some("other".into()),
            ..FindingFilter::default()
        };
        assert!(s.findings(&other).await.unwrap().is_empty(), "{}", t.name);
        assert!(s.finding(9999).await.unwrap().is_none(), "{}", t.name);
    }
}

#[tokio::test]
async fn a_failed_scan_changes_nothing_and_history_is_append_only() {
    let release: ReleaseId = "web@1.0.0".parse().unwrap();
    for t in backends::all().await {
        let s = &t.store;
        import(
            s,
            &release,
            vec![npm("left-pad", "1.0.0")],
            "2026-11-01T00:00:00Z",
        )
        .await;
        scan(s, &release, &advisories(), "2026-11-01T00:00:01Z").await;
        import(s, &release, both(), "2026-11-02T00:00:00Z").await;
        let before = s.dump().await.unwrap();
        // The database refuses every history write, as a full disk would, mid-scan.
        backends::execute(&t.url, &[
            "CREATE TRIGGER boom BEFORE INSERT ON finding_events BEGIN SELECT RAISE(ABORT, 'boom'); END",
        ], &[
            "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER boom BEFORE INSERT ON finding_events FOR EACH ROW EXECUTE FUNCTION boom()",
        ]).await;
        let (revision, components) = s.components_of(&release).await.unwrap().unwrap();
        let err = s
            .record_scan(
                &release,
                revision,
                2,
                components.len(),
                &observed(&components, &advisories()),
                at("2026-11-02T00:00:01Z"),
            )
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("recording finding history"),
            "{}: {err}",
            t.name
        );
        assert_eq!(s.dump().await.unwrap(), before, "{}", t.name);

        let url = t.url.clone();
        for sql in [
            "UPDATE finding_events SET detail = 'rewritten'",
            "DELETE FROM finding_events",
        ] {
            let err = backends::try_execute(&url, sql).await.unwrap_err();
            assert!(err.contains("append-only"), "{}: {err}", t.name);
        }
        assert_eq!(s.dump().await.unwrap(), before, "{}", t.name);
    }
}

#[tokio::test]
async fn a_vulnerability_is_found_by_any_id_of_its_group_and_candidates_by_name() {
    for t in backends::all().await {
        let s = &t.store;
        // PYSEC-2026-1 is reached only through GHSA's aliases: the group is closed both ways.
        let documents: Vec<feed::Document> = [
            (
                "ghsa.json",
                osv_json(
                    "GHSA-aaaa-aaaa-aaaa",
                    &["CVE-2026-0001"],
                    "left-pad",
                    "1.3.0",
                    "HIGH",
                ),
            ),
            (
                "pysec.json",
                osv_json(
                    "PYSEC-2026-1",
                    &["GHSA-aaaa-aaaa-aaaa"],
                    "left-pad",
                    "1.3.0",
                    "HIGH",
                ),
            ),
            (
                "other.json",
                osv_json(
                    "GHSA-bbbb-bbbb-bbbb",
                    &["CVE-2026-0002"],
                    "lodash",
                    "4.17.21",
                    "LOW",
                ),
            ),
        ]
        .iter()
        .map(|(name, json)| feed::parse(FeedKind::Osv, json.as_bytes(), name).unwrap())
        .collect();
        s.import(&documents, at("2026-11-01T00:00:00Z"))
            .await
            .unwrap();
        for id in [
            "CVE-2026-0001",
            "cve-2026-0001",
            "GHSA-AAAA-AAAA-AAAA",
            "PYSEC-2026-1",
        ] {
            let group: Vec<String> = s
                .vulnerability(id)
                .await
                .unwrap()
                .into_iter()
                .map(|a| a.id)
                .collect();
            assert_eq!(
                group,
                ["GHSA-aaaa-aaaa-aaaa", "PYSEC-2026-1"],
                "{}: {id}",
                t.name
            );
        }
        assert!(
            s.vulnerability("CVE-1999-0001").await.unwrap().is_empty(),
            "{}",
            t.name
        );

        let a: ReleaseId = "web@1".parse().unwrap();
        let b: ReleaseId = "api@2".parse().unwrap();
        import(
            s,
            &a,
            vec![npm("left-pad", "1.0.0"), npm("lodash", "1.0.0")],
            "2026-11-01T00:00:00Z",
        )
        .await;
        import(
            s,
            &b,
            vec![npm("Left-Pad", "1.2.0")],
            "2026-11-01T00:00:00Z",
        )
        .await;
        let found = s
            .components_named(&["left-pad".into()], false, None)
            .await
            .unwrap();
        let found: Vec<(String, String)> = found
            .into_iter()
            .map(|(r, c)| (r.to_string(), c.purl))
            .collect();
        assert_eq!(
            found,
            [
                // npm purls are lowercase: `Left-Pad` is found as `left-pad`.
                ("api@2".to_owned(), "pkg:npm/left-pad@1.2.0".to_owned()),
                ("web@1".to_owned(), "pkg:npm/left-pad@1.0.0".to_owned()),
            ],
            "{}",
            t.name
        );
        // Components with a CPE are candidates for NVD records whatever their name.
        let mut with_cpe = npm("openssl-wrapper", "1.0.0");
        with_cpe
            .cpes
            .push("cpe:2.3:a:openssl:openssl:1.1.1:*:*:*:*:*:*:*".into());
        import(
            s,
            &"ops@1".parse().unwrap(),
            vec![with_cpe],
            "2026-11-01T00:00:00Z",
        )
        .await;
        let by_cpe: Vec<String> = s
            .components_named(&[], true, None)
            .await
            .unwrap()
            .into_iter()
            .map(|(r, c)| format!("{r} {}", c.purl))
            .collect();
        assert_eq!(
            by_cpe,
            ["ops@1 pkg:npm/openssl-wrapper@1.0.0"],
            "{}",
            t.name
        );
        let web_only = s
            .components_named(&["left-pad".into()], false, Some("web"))
            .await
            .unwrap();
        assert_eq!(web_only.len(), 1, "{}", t.name);
        let releases: Vec<String> = s
            .release_ids(None)
            .await
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(releases, ["api@2", "ops@1", "web@1"], "{}", t.name);
    }
}

#[tokio::test]
async fn decisions_are_recorded_whole_or_not_at_all() {
    use vexil_core::model::decision::{Decision, DecisionSource, RuleRef, VexStatus};
    let release: ReleaseId = "web@1.0.0".parse().unwrap();
    for t in backends::all().await {
        let s = &t.store;
        scanned(s, &release).await;
        let ids: Vec<i64> = s
            .findings(&FindingFilter::default())
            .await
            .unwrap()
            .iter()
            .map(|f| f.id)
            .collect();
        let decision = Decision {
            status: VexStatus::NotAffected,
            justification: None,
            impact_statement: Some("not reachable".into()),
            action_statement: None,
            reason: "test".into(),
            source: DecisionSource::Rule(RuleRef {
                id: "r".into(),
                file: "rules/auto/a.toml".into(),
                line: 1,
            }),
            issue: None,
            recheck: None,
            expires: None,
        };
        let writes: Vec<vexil_store::DecisionWrite<'_>> = ids
            .iter()
            .map(|id| vexil_store::DecisionWrite {
                finding: *id,
                decision: Some(&decision),
                kind: EventKind::RuleApplied,
                detail: "rule r",
            })
            .collect();
        let before = s.dump().await.unwrap();
        // A finding that does not exist spoils the whole batch.
        let mut bad = writes.clone();
        bad.push(vexil_store::DecisionWrite {
            finding: 9999,
            ..writes[0]
        });
        let err = s
            .record_decisions(&bad, at("2026-11-02T00:00:00Z"))
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("not in the store"),
            "{}: {err}",
            t.name
        );
        assert_eq!(s.dump().await.unwrap(), before, "{}", t.name);
        // So does the database refusing the history, as a full disk would.
        backends::execute(&t.url, &[
            "CREATE TRIGGER boom BEFORE INSERT ON finding_events BEGIN SELECT RAISE(ABORT, 'boom'); END",
        ], &[
            "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER boom BEFORE INSERT ON finding_events FOR EACH ROW EXECUTE FUNCTION boom()",
        ]).await;
        assert!(
            s.record_decisions(&writes, at("2026-11-02T00:00:00Z"))
                .await
                .is_err(),
            "{}",
            t.name
        );
        assert_eq!(s.dump().await.unwrap(), before, "{}", t.name);
        backends::execute(
            &t.url,
            &["DROP TRIGGER boom"],
            &["DROP TRIGGER boom ON finding_events"],
        )
        .await;
        s.record_decisions(&writes, at("2026-11-02T00:00:00Z"))
            .await
            .unwrap();
        let decided = s.findings(&FindingFilter::default()).await.unwrap();
        assert!(
            decided
                .iter()
                .all(|f| f.decision.as_ref() == Some(&decision)),
            "{}",
            t.name
        );
    }
}
