//! Importing feeds: counts, re-import rules, atomicity, listing — on every backend.

use jiff::Timestamp;
use vexil_core::ingest::feed::{self, Document, FeedKind};

use crate::{backends, shared};

fn now() -> Timestamp {
    "2026-11-23T12:00:00Z".parse().unwrap()
}

fn doc(kind: FeedKind, name: &str, bytes: &[u8]) -> Document {
    feed::parse(kind, bytes, name).unwrap()
}

/// An OSV document holding one PyPI record.
fn osv_doc(name: &str, id: &str, modified: &str, summary: &str) -> Document {
    doc(FeedKind::Osv, name, &osv(id, modified, summary))
}

/// Imports one document on its own, which must succeed.
async fn import_one(store: &vexil_store::Store, document: &Document) -> vexil_store::ImportReport {
    store
        .import(std::slice::from_ref(document), now())
        .await
        .unwrap()
}

fn osv(id: &str, modified: &str, summary: &str) -> Vec<u8> {
    format!(
        r#"{{"id":"{id}","modified":"{modified}","summary":"{summary}","aliases":["CVE-{id}"],
        "affected":[{{"package":{{"ecosystem":"PyPI","name":"demo"}},"versions":["1.0"]}}]}}"#
    )
    .into_bytes()
}

#[tokio::test]
async fn real_feeds_import_with_their_record_counts() {
    let files = [
        (
            FeedKind::Osv,
            "advisories/osv/crates.io/RUSTSEC-2016-0001.json",
            1,
        ),
        (FeedKind::Nvd, "feeds/nvd/vunnel-full-page.json", 38),
        (FeedKind::Debian, "feeds/debian/vunnel-tracker-data.json", 7),
        (
            FeedKind::Kev,
            "feeds/kev/known_exploited_vulnerabilities.json",
            1404,
        ),
        (
            FeedKind::Epss,
            "feeds/epss/epss_scores-current-head.csv",
            79,
        ),
        (
            FeedKind::DebianPackages,
            "feeds/debian/appstream-generator-chromodoris-main-amd64-Packages",
            12,
        ),
    ];
    let mut docs = Vec::new();
    for (kind, rel, _) in files {
        let Some((bytes, name)) = shared::read(rel) else {
            return;
        };
        docs.push(doc(kind, &name, &bytes));
    }
    for backend in backends::all().await {
        let report = backend.store.import(&docs, now()).await.unwrap();
        for (source, (_, rel, count)) in report.sources.iter().zip(files) {
            assert_eq!(source.records, count, "{}: {rel}", backend.name);
            assert_eq!(source.changed, count, "{}: {rel}", backend.name);
        }
        let feeds = backend.store.feeds().await.unwrap();
        let kev = feeds.iter().find(|f| f.feed == "kev").unwrap();
        assert_eq!(kev.records, 1404, "{}", backend.name);
        assert_eq!(
            kev.newest_modified.as_deref(),
            Some("2025-08-25"),
            "{}",
            backend.name
        );
        assert_eq!(kev.imported_at.as_deref(), Some("2026-11-23T12:00:00Z"));
        assert!(kev.digest.as_deref().unwrap().starts_with("sha256:"));
        let nvd = feeds.iter().find(|f| f.feed == "nvd").unwrap();
        assert_eq!(nvd.records, 38, "{}", backend.name);
    }
}

#[tokio::test]
async fn importing_identical_content_twice_is_a_no_op() {
    let a = osv_doc("a.json", "PYSEC-1", "2024-01-01T00:00:00Z", "first");
    for backend in backends::all().await {
        import_one(&backend.store, &a).await;
        let before = backend.store.dump().await.unwrap();
        assert!(
            backend
                .store
                .is_imported(FeedKind::Osv, &a.digest)
                .await
                .unwrap()
        );
        let later: Timestamp = "2026-11-24T00:00:00Z".parse().unwrap();
        let report = backend
            .store
            .import(std::slice::from_ref(&a), later)
            .await
            .unwrap();
        assert!(report.sources[0].unchanged_document, "{}", backend.name);
        assert_eq!(
            backend.store.dump().await.unwrap(),
            before,
            "{}",
            backend.name
        );
    }
}

#[tokio::test]
async fn a_newer_modified_replaces_and_an_older_one_does_not() {
    let v1 = osv_doc("v1.json", "PYSEC-1", "2024-01-01T00:00:00Z", "first");
    let v2 = osv_doc("v2.json", "PYSEC-1", "2024-06-01T00:00:00Z", "second");
    let v0 = osv_doc("v0.json", "PYSEC-1", "2023-01-01T00:00:00Z", "older");
    for backend in backends::all().await {
        let store = &backend.store;
        import_one(store, &v1).await;
        let report = import_one(store, &v2).await;
        assert_eq!(report.sources[0].changed, 1, "{}", backend.name);
        let report = import_one(store, &v0).await;
        assert_eq!(report.sources[0].changed, 0, "{}", backend.name);
        let dump = store.dump().await.unwrap();
        let bodies: Vec<_> = dump
            .iter()
            .filter(|l| l.starts_with("advisories: "))
            .collect();
        assert_eq!(bodies.len(), 1, "{}", backend.name);
        assert!(
            bodies[0].contains("\"summary\":\"second\""),
            "{}: {}",
            backend.name,
            bodies[0]
        );
        let aliases: Vec<_> = dump.iter().filter(|l| l.starts_with("aliases: ")).collect();
        assert_eq!(
            aliases.len(),
            1,
            "{}: replaced records keep one alias row",
            backend.name
        );
    }
}

fn secdb(branch: &str, package: &str, fixed: &str) -> Vec<u8> {
    format!(
        r#"{{"distroversion":"{branch}","reponame":"main","urlprefix":"https://dl-cdn.alpinelinux.org/alpine",
        "packages":[{{"pkg":{{"name":"{package}","secfixes":{{"{fixed}":["CVE-2024-0001"]}}}}}}]}}"#
    )
    .into_bytes()
}

#[tokio::test]
async fn alpine_branches_merge_into_one_advisory_and_re_import_replaces_its_own_entries() {
    let b19 = doc(
        FeedKind::Alpine,
        "v3.19/main.json",
        &secdb("v3.19", "openssl", "3.1.4-r1"),
    );
    let b20 = doc(
        FeedKind::Alpine,
        "v3.20/main.json",
        &secdb("v3.20", "openssl", "3.3.1-r0"),
    );
    let b20_fixed = doc(
        FeedKind::Alpine,
        "v3.20/main.json",
        &secdb("v3.20", "openssl", "3.3.2-r0"),
    );
    for backend in backends::all().await {
        let store = &backend.store;
        store
            .import(&[b19.clone(), b20.clone()], now())
            .await
            .unwrap();
        import_one(store, &b20_fixed).await;
        let dump = store.dump().await.unwrap();
        let body = dump
            .iter()
            .find(|l| l.starts_with("advisories: alpine|CVE-2024-0001"))
            .unwrap();
        assert!(
            body.contains("3.1.4-r1"),
            "{}: v3.19 kept: {body}",
            backend.name
        );
        assert!(
            body.contains("3.3.2-r0") && !body.contains("3.3.1-r0"),
            "{}: v3.20 replaced: {body}",
            backend.name
        );
        let packages = dump
            .iter()
            .filter(|l| l.starts_with("advisory_packages: alpine|CVE-2024-0001"))
            .count();
        assert_eq!(packages, 2, "{}", backend.name);
    }
}

/// A database error in the middle of an import (a trigger refusing one record, after others
/// were written) leaves the store exactly as before.
#[tokio::test]
async fn a_database_error_mid_import_leaves_the_store_unchanged() {
    let first = osv_doc("first.json", "PYSEC-1", "2024-01-01T00:00:00Z", "ok");
    let good = osv_doc("good.json", "PYSEC-2", "2024-01-01T00:00:00Z", "ok");
    let boom = osv_doc("boom.json", "BOOM-1", "2024-01-01T00:00:00Z", "boom");
    for backend in backends::all().await {
        let store = &backend.store;
        import_one(store, &first).await;
        install_failing_trigger(&backend).await;
        let before = store.dump().await.unwrap();
        let err = store
            .import(&[good.clone(), boom.clone()], now())
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("writing advisories"),
            "{}: {err}",
            backend.name
        );
        assert_eq!(store.dump().await.unwrap(), before, "{}", backend.name);
        assert!(
            !store
                .is_imported(FeedKind::Osv, &good.digest)
                .await
                .unwrap()
        );
    }
}

/// Installs, through a connection of its own, a trigger that refuses the record `BOOM-1`.
/// The first import into an empty store rebuilds the indexes it dropped for speed; when it fails,
/// they are back too.
#[tokio::test]
async fn a_failed_first_import_keeps_the_indexes() {
    let good = osv_doc("good.json", "PYSEC-2", "2024-01-01T00:00:00Z", "ok");
    let boom = osv_doc("boom.json", "BOOM-1", "2024-01-01T00:00:00Z", "boom");
    for backend in backends::all().await {
        install_failing_trigger(&backend).await;
        let before = backend.store.dump().await.unwrap();
        let indexes = before.iter().filter(|l| l.starts_with("index: ")).count();
        assert!(indexes >= 5, "{}: {before:?}", backend.name);
        backend
            .store
            .import(&[good.clone(), boom.clone()], now())
            .await
            .unwrap_err();
        assert_eq!(
            backend.store.dump().await.unwrap(),
            before,
            "{}",
            backend.name
        );
        import_one(&backend.store, &good).await;
        let after = backend.store.dump().await.unwrap();
        assert_eq!(
            after.iter().filter(|l| l.starts_with("index: ")).count(),
            indexes,
            "{}",
            backend.name
        );
    }
}

async fn install_failing_trigger(backend: &backends::TestStore) {
    let statements: &[&str] = if backend.name == "sqlite" {
        &[
            "CREATE TRIGGER boom BEFORE INSERT ON advisories WHEN NEW.id = 'BOOM-1' \
           BEGIN SELECT RAISE(ABORT, 'boom'); END",
        ]
    } else {
        &[
            "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN \
             IF NEW.id = 'BOOM-1' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER boom BEFORE INSERT ON advisories FOR EACH ROW EXECUTE FUNCTION boom()",
        ]
    };
    if backend.name == "sqlite" {
        let pool = sqlx::SqlitePool::connect(&backend.url).await.unwrap();
        for sql in statements {
            sqlx::query(*sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(&backend.url).await.unwrap();
        for sql in statements {
            sqlx::query(*sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
    }
}

/// Advisories are found by a component's normalised package name, whatever spelling the feed
/// used (PyPI `Demo_Pkg` is `demo-pkg`), each once.
#[tokio::test]
async fn advisories_are_looked_up_by_normalised_name() {
    for t in backends::all().await {
        let record = br#"{"id":"PYSEC-1","modified":"2026-01-01T00:00:00Z","affected":[
            {"package":{"ecosystem":"PyPI","name":"Demo_Pkg"},"versions":["1.0"]},
            {"package":{"ecosystem":"PyPI","name":"demo.pkg"},"versions":["2.0"]}]}"#;
        import_one(&t.store, &doc(FeedKind::Osv, "pysec.json", record)).await;
        import_one(
            &t.store,
            &osv_doc("other.json", "GHSA-1", "2026-01-01T00:00:00Z", "x"),
        )
        .await;
        let found = t
            .store
            .advisories_named(&["demo-pkg".to_owned(), "nothing".to_owned()], &[])
            .await
            .unwrap();
        let ids: Vec<&str> = found.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["PYSEC-1"], "{}", t.name);
        // Narrowed to ecosystems: the name in another ecosystem finds nothing.
        let names = ["demo-pkg".to_owned()];
        let in_npm = t
            .store
            .advisories_named(&names, &["npm".to_owned()])
            .await
            .unwrap();
        assert!(in_npm.is_empty(), "{}", t.name);
        let in_pypi = t
            .store
            .advisories_named(&names, &["PyPI".to_owned()])
            .await
            .unwrap();
        assert_eq!(in_pypi.len(), 1, "{}", t.name);
        let found = t
            .store
            .advisories_named(&["demo".to_owned()], &[])
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "{}", t.name);
        assert_eq!(found[0].id, "GHSA-1");
    }
}
