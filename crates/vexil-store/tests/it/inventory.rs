//! Release inventories: import, replace with history, listing, and atomicity — on every backend.

use jiff::Timestamp;
use vexil_core::ingest::Location;
use vexil_core::model::{
    ChangeKind, Component, Dependency, Inventory, Purl, ReleaseId, ScannerFinding, Scope,
};
use vexil_store::NewDocument;

use crate::backends;

fn at(ts: &str) -> Timestamp {
    ts.parse().unwrap()
}

fn component(ty: &str, name: &str, version: &str) -> Component {
    let mut c = Component::from_purl(
        &Purl::package(ty, name, Some(version)),
        Location::file("package-lock.json").field(format!("/packages/node_modules~1{name}")),
    )
    .unwrap();
    c.scope = Some(Scope::Runtime);
    c.direct = Some(true);
    c
}

fn inventory(components: &[(&str, &str)]) -> Inventory {
    let components: Vec<Component> = components
        .iter()
        .map(|(n, v)| component("npm", n, v))
        .collect();
    let dependencies = components
        .windows(2)
        .map(|w| Dependency {
            from: w[0].purl.clone(),
            to: w[1].purl.clone(),
        })
        .collect();
    Inventory {
        components,
        dependencies,
        ..Inventory::default()
    }
}

fn doc<'a>(name: &'a str, inventory: &'a Inventory) -> NewDocument<'a> {
    NewDocument {
        name,
        format: "package-lock",
        digest: "sha256:test",
        components: inventory.components.len(),
        evidence: inventory.evidence.len(),
        warnings: &inventory.warnings,
    }
}

fn finding(package: &str, version: &str) -> ScannerFinding {
    ScannerFinding {
        tool: "npm-audit".into(),
        tool_version: None,
        vuln_id: "GHSA-xxxx-yyyy-zzzz".into(),
        aliases: vec!["CVE-2026-0001".into()],
        purl: Some(format!("pkg:npm/{package}@{version}")),
        package: package.into(),
        version: Some(version.into()),
        fixed_version: Some("9.9.9".into()),
        severity: Some("high".into()),
        status: None,
        location: Location::file("audit.json").field("/vulnerabilities/x"),
    }
}

#[tokio::test]
async fn reimport_replaces_the_inventory_and_records_history() {
    let release: ReleaseId = "web@1.0.0".parse().unwrap();
    for t in backends::all().await {
        let first = inventory(&[("a", "1.0.0"), ("b", "1.0.0"), ("c", "1.0.0")]);
        let report = t
            .store
            .import_inventory(
                &release,
                &[doc("lock", &first)],
                &first,
                at("2026-11-01T00:00:00Z"),
            )
            .await
            .unwrap();
        assert_eq!(
            (report.revision, report.components, report.dependencies),
            (1, 3, 2),
            "{}",
            t.name
        );
        assert!(report.changes.iter().all(|c| c.kind == ChangeKind::Added));

        let mut second = inventory(&[("a", "1.1.0"), ("c", "1.0.0"), ("d", "2.0.0")]);
        second.evidence.push(finding("a", "1.1.0"));
        let report = t
            .store
            .import_inventory(
                &release,
                &[doc("lock", &second)],
                &second,
                at("2026-11-02T00:00:00Z"),
            )
            .await
            .unwrap();
        assert_eq!(report.revision, 2, "{}", t.name);
        let kinds: Vec<(ChangeKind, &str)> = report
            .changes
            .iter()
            .map(|c| (c.kind, c.package.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (ChangeKind::Changed, "pkg:npm/a"),
                (ChangeKind::Removed, "pkg:npm/b"),
                (ChangeKind::Added, "pkg:npm/d")
            ],
            "{}",
            t.name
        );

        let stored = t.store.release(&release).await.unwrap().unwrap();
        assert_eq!(stored.revision, 2);
        let mut expected = second.clone().finish().components;
        expected.sort_by(|a, b| a.purl.cmp(&b.purl));
        assert_eq!(stored.components, expected, "{}", t.name);
        assert_eq!(stored.evidence, second.evidence, "{}", t.name);
        assert_eq!(stored.dependencies.len(), 2);
        assert_eq!(stored.documents.len(), 1);
        // Revision 1 added three packages; revision 2 changed one, removed one, added one.
        let history: Vec<(i64, ChangeKind)> = stored
            .history
            .iter()
            .map(|h| (h.revision, h.change.kind))
            .collect();
        assert_eq!(
            history,
            [
                (1, ChangeKind::Added),
                (1, ChangeKind::Added),
                (1, ChangeKind::Added),
                (2, ChangeKind::Changed),
                (2, ChangeKind::Removed),
                (2, ChangeKind::Added)
            ],
            "{}",
            t.name
        );
        assert_eq!(stored.history[3].imported_at, "2026-11-02T00:00:00Z");

        let listed = t.store.releases(None).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            (listed[0].components, listed[0].evidence),
            (3, 1),
            "{}",
            t.name
        );
        assert!(t.store.releases(Some("other")).await.unwrap().is_empty());
        assert!(
            t.store
                .release(&"web@9".parse().unwrap())
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn documents_of_one_release_merge_by_purl() {
    let release: ReleaseId = "api@2".parse().unwrap();
    for t in backends::all().await {
        let lock = inventory(&[("a", "1.0.0"), ("b", "1.0.0")]);
        let mut sbom = inventory(&[("b", "1.0.0"), ("e", "3.0.0")]);
        sbom.components[0].scope = Some(Scope::Dev);
        let merged = Inventory::union(vec![lock.clone(), sbom.clone()]);
        let report = t
            .store
            .import_inventory(
                &release,
                &[doc("lock", &lock), doc("sbom", &sbom)],
                &merged,
                at("2026-11-01T00:00:00Z"),
            )
            .await
            .unwrap();
        assert_eq!(report.components, 3, "{}", t.name);
        let stored = t.store.release(&release).await.unwrap().unwrap();
        assert_eq!(
            stored
                .documents
                .iter()
                .map(|d| d.components)
                .collect::<Vec<_>>(),
            [2, 2]
        );
    }
}

/// A database error mid-way (after the project, release and components were written) leaves the
/// store exactly as it was.
#[tokio::test]
async fn a_failed_import_changes_nothing() {
    let release: ReleaseId = "web@1.0.0".parse().unwrap();
    for t in backends::all().await {
        let first = inventory(&[("a", "1.0.0")]);
        t.store
            .import_inventory(
                &release,
                &[doc("lock", &first)],
                &first,
                at("2026-11-01T00:00:00Z"),
            )
            .await
            .unwrap();
        fail_evidence_inserts(&t.url).await;
        let before = t.store.dump().await.unwrap();
        let mut second = inventory(&[("a", "2.0.0"), ("z", "1.0.0")]);
        second.evidence.push(finding("a", "2.0.0"));
        let other: ReleaseId = "new-project@1".parse().unwrap();
        for r in [&release, &other] {
            let err = t
                .store
                .import_inventory(
                    r,
                    &[doc("lock", &second)],
                    &second,
                    at("2026-11-02T00:00:00Z"),
                )
                .await
                .unwrap_err();
            assert!(
                err.to_string().contains("scanner evidence"),
                "{}: {err}",
                t.name
            );
        }
        assert_eq!(t.store.dump().await.unwrap(), before, "{}", t.name);
    }
}

/// Makes every insert into `scanner_evidence` fail, as a full disk or a lost connection would.
async fn fail_evidence_inserts(url: &str) {
    backends::execute(
        url,
        &["CREATE TRIGGER boom BEFORE INSERT ON scanner_evidence BEGIN SELECT RAISE(ABORT, 'boom'); END"],
        &[
            "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER boom BEFORE INSERT ON scanner_evidence FOR EACH ROW EXECUTE FUNCTION boom()",
        ],
    )
    .await;
}
