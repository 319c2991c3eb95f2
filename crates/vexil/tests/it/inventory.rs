//! `vexil inventory import|list|show` end to end, on SQLite and (when configured) PostgreSQL:
//! one real file of every format, replacement with history, directory walks, and bad input that
//! leaves the database exactly as before.

use std::path::Path;

use predicates::prelude::*;
use vexil_testdata::data as shared;

use crate::common::{databases, dump, succeed, vexil};

/// One real document per format Vexil reads (its name as `inventory import` prints it).
const EVERY_FORMAT: &[(&str, &str)] = &[
    (
        "in-toto",
        "sbom/cyclonedx/trivy/centos-7-cyclonedx.intoto.jsonl",
    ),
    (
        "cyclonedx-json",
        "sbom/cyclonedx/bom-examples/laravel-7.12.0.bom.1.4.json",
    ),
    (
        "cyclonedx-xml",
        "sbom/cyclonedx/bom-examples/dropwizard-1.3.15.bom.xml",
    ),
    (
        "spdx-json",
        "sbom/spdx/spdx-spec/SPDXJSONExample-v2.3.spdx.json",
    ),
    (
        "spdx-yaml",
        "sbom/spdx/spdx-spec/SPDXYAMLExample-2.3.spdx.yaml",
    ),
    (
        "spdx-tag-value",
        "sbom/spdx/spdx-spec/SPDXTagExample-v2.3.spdx",
    ),
    ("trivy", "scanners/trivy/debian-buster.json"),
    ("grype", "scanners/grype/presenter-image.json"),
    (
        "osv-scanner",
        "scanners/osv-scanner/test-vuln-results-a.json",
    ),
    (
        "govulncheck",
        "scanners/govulncheck/golang-vuln-source_call_json.json",
    ),
    (
        "pip-audit",
        "scanners/pip-audit/xai-blockchain-xai.pip-audit.json",
    ),
    (
        "npm-audit",
        "scanners/npm-audit/npm-audit-report-fixture-gatsby.json",
    ),
    (
        "cargo-audit",
        "scanners/cargo-audit/generated-cargo-audit-0.22.2/cargo-audit-support-base64_vuln.cargo-audit.json",
    ),
    (
        "package-lock",
        "lockfiles/package-lock/trivy-v3/package-lock.json",
    ),
    ("yarn-v1", "lockfiles/yarn-v1/trivy-happy/yarn.lock"),
    (
        "yarn-berry",
        "lockfiles/yarn-berry/trivy-v2-happy/yarn.lock",
    ),
    ("pnpm-lock", "lockfiles/pnpm-lock/trivy-v9/pnpm-lock.yaml"),
    ("bun-lock", "lockfiles/bun-lock/trivy-happy/bun.lock"),
    ("cargo-lock", "lockfiles/cargo-lock/trivy-v3/Cargo.lock"),
    (
        "poetry-lock",
        "lockfiles/poetry-lock/trivy-v2-flask/poetry.lock",
    ),
    ("uv-lock", "lockfiles/uv-lock/trivy-normal/uv.lock"),
    ("pylock-toml", "lockfiles/pylock-toml/trivy/pylock.toml"),
    (
        "pipfile-lock",
        "lockfiles/pipfile-lock/trivy-django/Pipfile.lock",
    ),
    (
        "requirements-txt",
        "lockfiles/requirements-txt/trivy-hash/requirements.txt",
    ),
    ("go-mod", "lockfiles/go-mod/trivy-normal/go.mod"),
    (
        "gemfile-lock",
        "lockfiles/gemfile-lock/trivy-normal/Gemfile.lock",
    ),
    (
        "composer-lock",
        "lockfiles/composer-lock/trivy-happy/composer.lock",
    ),
    (
        "gradle-lockfile",
        "lockfiles/gradle-lockfile/trivy-happy/gradle.lockfile",
    ),
    ("maven-pom", "lockfiles/maven-pom/trivy-happy/pom.xml"),
    (
        "dpkg-status",
        "os-packages/dpkg/syft-image-dpkg/var/lib/dpkg/status",
    ),
    (
        "apk-installed",
        "os-packages/apk/osv-scalibr-alpine-3.18/installed",
    ),
    (
        "rpm-qa-json",
        "os-packages/rpm/rpm-qa-json/rpm-4.16-ubi9.json",
    ),
    ("rpm-qa", "os-packages/rpm/rpm-qa-tsv/centos7_plain.tsv"),
];

fn import_json(url: &str, release: &str, paths: &[&Path]) -> serde_json::Value {
    let out = vexil(url)
        .args(["inventory", "import", release])
        .args(paths)
        .args(["--output", "json"])
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

fn show_json(url: &str, release: &str) -> serde_json::Value {
    let out = vexil(url)
        .args(["inventory", "show", release, "--format", "json"])
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

/// Every format, recognised from content, imports into both databases and reads back whole.
#[test]
fn every_format_imports_and_reads_back() {
    let Some(root) = shared("") else { return };
    let names: Vec<&str> = EVERY_FORMAT.iter().map(|(f, _)| *f).collect();
    let all: Vec<&str> = vexil_core::ingest::inventory::InventoryFormat::ALL
        .iter()
        .map(|f| f.name())
        .collect();
    assert_eq!(
        names, all,
        "EVERY_FORMAT must list each format once, in table order"
    );
    let dir = tempfile::tempdir().unwrap();
    for url in databases(dir.path(), "every") {
        for (format, rel) in EVERY_FORMAT {
            let release = format!("fmt-{format}@1");
            let report = import_json(&url, &release, &[&root.join(rel)]);
            assert_eq!(report["documents"][0]["format"], *format, "{rel}");
            let components = report["components"].as_u64().unwrap();
            assert!(components > 0, "{rel}: no components");
            let shown = show_json(&url, &release);
            assert_eq!(
                shown["components"].as_array().unwrap().len() as u64,
                components,
                "{rel}"
            );
            let purls = vexil(&url)
                .args(["inventory", "show", &release, "--format", "purl"])
                .assert()
                .success();
            let purls = String::from_utf8(purls.get_output().stdout.clone()).unwrap();
            assert_eq!(purls.lines().count() as u64, components);
            assert!(purls.lines().all(|l| l.starts_with("pkg:")), "{rel}");
            if rel.starts_with("scanners/") {
                assert!(
                    report["evidence"].as_u64().unwrap() > 0,
                    "{rel}: no scanner evidence"
                );
            }
        }
        let out = vexil(&url)
            .args(["inventory", "list", "--format", "json"])
            .assert()
            .success();
        let listed: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        assert_eq!(listed.as_array().unwrap().len(), EVERY_FORMAT.len());
    }
}

/// A second import replaces the inventory and the history says what changed: here the lock
/// after an upgrade of body-parser (1.18.3 → 1.20.1) and the removal of asap.
#[test]
fn reimport_replaces_and_keeps_history() {
    let Some(before) = shared("lockfiles/package-lock/trivy-v3/package-lock.json") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&before).unwrap();
    let upgraded = text.replacen("\"version\": \"1.18.3\"", "\"version\": \"1.20.1\"", 1);
    let (head, rest) = upgraded.split_once("    \"node_modules/asap\": {").unwrap();
    let (_, tail) = rest.split_once("},\n").unwrap();
    let after = dir.path().join("package-lock.json");
    std::fs::write(&after, format!("{head}{tail}")).unwrap();
    for url in databases(dir.path(), "history") {
        let first = import_json(&url, "web@1.0.0", &[&before]);
        assert_eq!(first["revision"], 1);
        vexil(&url)
            .args(["inventory", "import", "web@1.0.0"])
            .arg(&after)
            .assert()
            .success()
            .stdout(predicate::str::contains("web@1.0.0 revision 2"))
            .stdout(predicate::str::contains(
                "changes since revision 1: 0 added, 1 removed, 1 changed",
            ));
        let shown = show_json(&url, "web@1.0.0");
        let latest: Vec<String> = shown["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["revision"] == 2)
            .map(|h| {
                format!(
                    "{} {} {} {}",
                    h["kind"].as_str().unwrap(),
                    h["package"].as_str().unwrap(),
                    h["old_version"].as_str().unwrap_or("-"),
                    h["new_version"].as_str().unwrap_or("-")
                )
            })
            .collect();
        assert_eq!(
            latest,
            [
                "removed pkg:npm/asap 2.0.6 -",
                "changed pkg:npm/body-parser 1.18.3 1.20.1"
            ]
        );
        vexil(&url)
            .args(["inventory", "show", "web@1.0.0", "--history"])
            .assert()
            .success()
            .stdout(predicate::str::contains("REVISION"))
            .stdout(predicate::str::contains("pkg:npm/body-parser"));
        vexil(&url)
            .args(["inventory", "list", "--project", "web"])
            .assert()
            .success()
            .stdout(predicate::str::contains("web@1.0.0"));
    }
}

/// A directory is walked; what is not an inventory is skipped with its reason, and a companion
/// file says which document read it.
#[test]
fn directories_are_walked_and_skips_explained() {
    let (Some(gomod), Some(rootfs)) = (
        shared("lockfiles/go-mod/trivy-normal"),
        shared("os-packages/dpkg/syft-image-dpkg"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url = &databases(dir.path(), "walk")[0];
    vexil(url)
        .args(["inventory", "import", "svc@1"])
        .arg(&gomod)
        .assert()
        .success()
        .stdout(predicate::str::contains("go-mod"))
        .stdout(predicate::str::contains("go.sum: read with"));
    let out = import_json(url, "host@2026-11-23", &[&rootfs]);
    assert_eq!(out["documents"][0]["format"], "dpkg-status");
    let skipped = out["skipped"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|s| s["path"].as_str().unwrap().ends_with("etc/os-release")
                && s["reason"].as_str().unwrap().starts_with("read with")),
        "{skipped:?}"
    );
    let shown = show_json(url, "host@2026-11-23");
    let first = &shown["components"][0];
    assert!(
        first["ecosystem"].as_str().unwrap().starts_with("Debian:"),
        "{first}"
    );
}

/// Bad input: the error names the file, the place and what was expected, exits 2, and the
/// release is exactly as before — even when the bad file comes after good ones.
#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let Some(good) = shared("lockfiles/cargo-lock/trivy-v3/Cargo.lock") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let cases: Vec<(std::path::PathBuf, &str)> = vec![
        (
            write("truncated.json", br#"{"lockfileVersion": 3, "packages": {"": {"name": "x"#),
            "truncated.json",
        ),
        (write("notes.txt", b"just some notes\nnothing here\n"), "not a format Vexil reads"),
        (
            write("bom.json", br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": {"oops": 1}}"#),
            "bom.json",
        ),
        (write("deep.json", nested.as_bytes()), "deep.json"),
        (write("latin1.txt", b"requests==2.0\ncaf\xe9==1.0\n"), "invalid UTF-8"),
        (
            write(
                "bomb.xml",
                br#"<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component type="library"><name>&b;</name></component></components></bom>"#,
            ),
            "bomb.xml",
        ),
    ];
    // A gigabyte-class document is refused from its size, before a byte is read (sparse file).
    let huge = dir.path().join("huge.cdx.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(300 << 20)
        .unwrap();
    let cases: Vec<(std::path::PathBuf, &str)> = cases
        .into_iter()
        .chain([(huge, "inventory documents over 256 MiB are refused")])
        .collect();
    for url in databases(dir.path(), "bad") {
        succeed(&url, &["inventory", "import", "svc@1"], &good);
        let before = dump(&url);
        for (bad, needle) in &cases {
            vexil(&url)
                .args(["inventory", "import", "svc@1"])
                .arg(&good)
                .arg(bad)
                .assert()
                .code(2)
                .stderr(predicate::str::contains(*needle))
                .stderr(predicate::str::contains("nothing was imported"));
            assert_eq!(dump(&url), before, "{}", bad.display());
        }
        vexil(&url)
            .args(["inventory", "import", "svc@1"])
            .arg(&good)
            .args(["--format", "no-such-format"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("unknown format"));
        vexil(&url)
            .args(["inventory", "import", "svc"])
            .arg(&good)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("PROJECT@VERSION"));
        assert_eq!(dump(&url), before);
    }
}
