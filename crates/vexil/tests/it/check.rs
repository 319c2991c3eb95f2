//! `vexil check` end to end: real lockfiles against real advisories, on SQLite and PostgreSQL.

use predicates::prelude::*;
use vexil_testdata::data as shared;

use crate::common::{databases, succeed, vexil};

#[test]
fn check_reports_affected_packages_and_exits_1() {
    let (Some(vuln), Some(unmaintained), Some(lock), Some(clean), Some(warned)) = (
        shared("advisories/osv/crates.io/RUSTSEC-2017-0004.json"),
        shared("advisories/osv/crates.io/RUSTSEC-2022-0061.json"),
        shared("lockfiles/cargo-lock/cargo-audit-support-base64_vuln/Cargo.lock"),
        shared("lockfiles/cargo-lock/cargo-audit-support-no_vulns/Cargo.lock"),
        shared("lockfiles/cargo-lock/cargo-audit-support-unmaintained/Cargo.lock"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for url in databases(dir.path(), "check") {
        vexil(&url)
            .args(["feeds", "import", "osv"])
            .arg(&vuln)
            .arg(&unmaintained)
            .assert()
            .success();
        vexil(&url)
            .arg("check")
            .arg(&lock)
            .assert()
            .code(1)
            .stdout(predicate::str::contains("base64"))
            .stdout(predicate::str::contains("CVE-2017-1000430"))
            .stdout(predicate::str::contains("0.5.2"))
            .stdout(predicate::str::contains("1 affected"));
        let out = vexil(&url)
            .arg("check")
            .arg(&lock)
            .args(["--format", "json"])
            .assert()
            .code(1);
        let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        let finding = &report["findings"][0]["finding"];
        assert_eq!(finding["verdict"], "affected");
        assert_eq!(
            finding["matches"][0]["explanation"]["advisory"],
            "RUSTSEC-2017-0004"
        );
        vexil(&url).arg("check").arg(&clean).assert().success();
        vexil(&url)
            .arg("check")
            .arg(&warned)
            .assert()
            .success()
            .stdout(predicate::str::contains("warning: unmaintained"));
    }
}

/// "Am I affected by CVE-X?" across stored releases and ad hoc from files, by any alias.
#[test]
fn affected_answers_per_release_and_for_files() {
    let (Some(vuln), Some(lock), Some(clean)) = (
        shared("advisories/osv/crates.io/RUSTSEC-2017-0004.json"),
        shared("lockfiles/cargo-lock/cargo-audit-support-base64_vuln/Cargo.lock"),
        shared("lockfiles/cargo-lock/trivy-v3/Cargo.lock"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for url in databases(dir.path(), "affected") {
        succeed(&url, &["feeds", "import", "osv"], &vuln);
        succeed(&url, &["inventory", "import", "svc@1"], &lock);
        succeed(&url, &["inventory", "import", "web@2"], &clean);
        let out = vexil(&url)
            .args(["affected", "CVE-2017-1000430", "--format", "json"])
            .assert()
            .code(1);
        let answers: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        let verdicts: Vec<(&str, &str)> = answers
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["release"].as_str().unwrap(),
                    a["verdict"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(verdicts, [("svc@1", "affected"), ("web@2", "not_affected")]);
        vexil(&url)
            .args(["affected", "rustsec-2017-0004", "--project", "web"])
            .assert()
            .success()
            .stdout(predicate::str::contains("0 of 1 affected"));
        vexil(&url)
            .args(["affected", "RUSTSEC-2017-0004", "--inventory"])
            .arg(&lock)
            .assert()
            .code(1)
            .stdout(predicate::str::contains("0.5.2"));
        vexil(&url)
            .args(["explain", "svc@1", "base64", "GHSA-x67x-vg9m-65c3"])
            .assert()
            .success()
            .stdout(predicate::str::contains("deciding: RUSTSEC-2017-0004"))
            .stdout(predicate::str::contains("0.5.1 < fixed 0.5.2"))
            .stdout(predicate::str::contains("Cargo.lock`:3"));
        vexil(&url)
            .args(["explain", "svc@1", "no-such-crate", "CVE-2017-1000430"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("has no component"));
        vexil(&url)
            .args(["affected", "CVE-1999-0000"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("no advisory in the database"));
    }
}

/// README's quick start: the example advisories and the example shop shipped in the repo.
#[test]
fn the_quick_start_example_finds_what_its_readme_says() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let dir = tempfile::tempdir().unwrap();
    for url in databases(dir.path(), "quickstart") {
        vexil(&url)
            .args(["feeds", "import", "osv"])
            .arg(root.join("advisories"))
            .assert()
            .success();
        let out = vexil(&url)
            .arg("check")
            .arg(root.join("shop"))
            .args(["--format", "json"])
            .assert()
            .code(1);
        let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        let mut found: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                let f = &row["finding"];
                format!(
                    "{} {} {} {}{}",
                    row["name"].as_str().unwrap(),
                    f["vuln"].as_str().unwrap(),
                    f["verdict"].as_str().unwrap(),
                    f["fixed_version"].as_str().unwrap_or("-"),
                    if f["malicious"] == true {
                        " malicious"
                    } else {
                        ""
                    }
                )
            })
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                "django CVE-2023-31047 affected 3.2.19",
                "express-cart-utils MAL-EXAMPLE-0005 affected - malicious",
                "lodash CVE-2021-23337 affected 4.17.21",
                "minimist CVE-2021-44906 affected 1.2.6",
                "requests CVE-2024-35195 affected 2.32.0",
            ]
        );
        // The quick start's main job: the shop as a release, scanned, its findings listed.
        vexil(&url)
            .args(["inventory", "import", "shop@1.0"])
            .arg(root.join("shop"))
            .assert()
            .success();
        vexil(&url)
            .args(["scan", "shop@1.0"])
            .assert()
            .success()
            .stdout(predicates::str::contains("5 new"));
        let out = vexil(&url)
            .args(["findings", "list", "--format", "json"])
            .assert()
            .success();
        let list: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        let listed: Vec<String> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{} {} {} by {}",
                    f["name"].as_str().unwrap(),
                    f["state"].as_str().unwrap(),
                    f["severity"]["level"].as_str().unwrap(),
                    f["severity"]["authority"].as_str().unwrap()
                )
            })
            .collect();
        // Most severe first, then by vulnerability id; the malicious record has no rating.
        assert_eq!(
            listed,
            [
                "minimist open critical by ghsa",
                "django open critical by osv",
                "lodash open high by osv",
                "express-cart-utils open high by default",
                "requests open medium by ghsa",
            ]
        );
    }
}

/// Homebrew packages (from an SBOM's `pkg:brew` purls) meet the Homebrew OSV records.
#[test]
fn homebrew_packages_are_matched() {
    let Some(brew) = shared("advisories/osv/homebrew") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bom = dir.path().join("bom.cdx.json");
    std::fs::write(
        &bom,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[
        {"type":"library","name":"unzip","version":"6.0_7","purl":"pkg:brew/unzip@6.0_7"}]}"#,
    )
    .unwrap();
    let url = format!("sqlite://{}", dir.path().join("v.db").display());
    crate::common::succeed(&url, &["feeds", "import", "osv"], &brew);
    let out = vexil(&url)
        .arg("check")
        .arg(&bom)
        .args(["--format", "json"])
        .assert()
        .code(1);
    let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["finding"]["vuln"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"CVE-2019-13232"), "{ids:?}");
    assert_eq!(report["findings"][0]["finding"]["fixed_version"], "6.0_8");
}
