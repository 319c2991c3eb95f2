//! `vexil gate` end to end on the quick-start example: pass, fail, deferred, expired deferral,
//! KEV, malicious, suppressed by a rule, `--public-log`, JUnit, and bad input — on SQLite and
//! PostgreSQL.

use std::path::{Path, PathBuf};

use predicates::prelude::*;

use crate::common::{databases, succeed, vexil};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn deferred(dir: &Path, entries: &[(&str, &str, &str)]) -> PathBuf {
    let text: String = entries
        .iter()
        .map(|(vuln, package, resolve_by)| {
            format!(
                "[[deferred]]\nvuln = \"{vuln}\"\npackage = \"{package}\"\nacknowledged = 2026-11-01\n\
                 reason = \"accepted for this release\"\nresolve_by = {resolve_by}\n\n"
            )
        })
        .collect();
    let path = dir.join("deferred.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_gate_passes_fails_defers_and_always_fails_kev_and_malware() {
    let dir = tempfile::tempdir().unwrap();
    let shop = examples().join("shop");
    for url in databases(dir.path(), "gate") {
        succeed(
            &url,
            &["feeds", "import", "osv"],
            examples().join("advisories"),
        );
        // shop@2: the Python half (django critical, requests medium); shop@1: all of it.
        succeed(
            &url,
            &["inventory", "import", "shop@2"],
            shop.join("requirements.txt"),
        );
        succeed(&url, &["inventory", "import", "shop@1"], &shop);
        vexil(&url)
            .args(["gate", "shop@2"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("never scanned"));
        succeed(&url, &["scan", "--all"], "--verbose");
        let gate = |release: &str, extra: &[&str]| {
            let mut cmd = vexil(&url);
            cmd.args(["gate", release, "--today", "2026-11-23"])
                .args(extra);
            cmd.assert()
        };
        let none = dir.path().join("none.toml");
        std::fs::write(&none, "").unwrap();
        let no_list = ["--deferred", none.to_str().unwrap()];
        gate("shop@2", &no_list)
            .code(1)
            .stdout(predicate::str::contains("FAIL: 2 of 2 findings fail"))
            .stdout(predicate::str::contains("django"));

        // Both acknowledged and deferred: the release may ship.
        let list = deferred(
            dir.path(),
            &[
                ("CVE-2023-31047", "pkg:pypi/django", "2027-01-31"),
                ("EXAMPLE-2024-0004", "requests", "2027-01-31"),
            ],
        );
        let with_list = ["--deferred", list.to_str().unwrap()];
        // "Am I affected?" says so too, with the deferral beside vexil.toml.
        let config = dir.path().join("vexil.toml");
        std::fs::write(&config, "").unwrap();
        let out = vexil(&url)
            .arg("--config")
            .arg(&config)
            .args([
                "affected",
                "CVE-2023-31047",
                "--project",
                "shop",
                "--format",
                "json",
            ])
            .assert()
            .code(1);
        let answers: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        let django = answers
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["release"] == "shop@2")
            .map(|a| &a["components"][0])
            .unwrap();
        assert_eq!(django["deferred"]["resolve_by"], "2027-01-31", "{answers}");
        gate("shop@2", &with_list)
            .success()
            .stdout(predicate::str::contains("PASS"))
            .stdout(predicate::str::contains("2 deferred"));
        // After resolve_by the entries fail the gate, and say so.
        vexil(&url)
            .args(["gate", "shop@2", "--today", "2027-02-01"])
            .args(with_list)
            .assert()
            .code(1)
            .stdout(predicate::str::contains("expired"));
        // The public log keeps the verdict and counts, and names nothing.
        let out = gate("shop@2", &[no_list[0], no_list[1], "--public-log"]).code(1);
        let public = String::from_utf8_lossy(&out.get_output().stdout).to_string();
        assert!(public.contains("FAIL"), "{public}");
        for secret in ["django", "requests", "CVE-", "3.2.0", "pypi"] {
            assert!(!public.contains(secret), "{secret} in {public}");
        }
        gate("shop@2", &[no_list[0], no_list[1], "--format", "junit"])
            .code(1)
            .stdout(predicate::str::starts_with("<?xml"))
            .stdout(predicate::str::contains("<testsuite"));

        // SLA: critical django is due three business days after it was first seen; long after,
        // it is overdue (requests, medium, is due "next release" and never overdue by date).
        let out = vexil(&url)
            .args([
                "findings",
                "list",
                "--release",
                "shop@2",
                "--overdue",
                "--today",
                "2030-01-01",
                "--format",
                "json",
            ])
            .assert()
            .success();
        let overdue: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        let names: Vec<&str> = overdue
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["django"], "{overdue}");
        assert_eq!(overdue[0]["overdue"], true);

        // Malware fails even when deferred.
        let list = deferred(
            dir.path(),
            &[
                ("MAL-EXAMPLE-0005", "express-cart-utils", "2027-01-31"),
                ("CVE-2023-31047", "django", "2027-01-31"),
                ("CVE-2024-35195", "requests", "2027-01-31"),
                ("CVE-2021-23337", "lodash", "2027-01-31"),
                ("CVE-2021-44906", "minimist", "2027-01-31"),
            ],
        );
        gate("shop@1", &["--deferred", list.to_str().unwrap()])
            .code(1)
            .stdout(predicate::str::contains("FAIL: 1 of 5"))
            .stdout(predicate::str::contains("malicious"));

        // A KEV entry fails even when deferred (KEV is attached at scan time).
        let kev = dir.path().join("kev.json");
        std::fs::write(
            &kev,
            r#"{"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"2026.11.01",
            "dateReleased":"2026-11-01T00:00:00Z","count":1,"vulnerabilities":[{"cveID":"CVE-2023-31047",
            "vendorProject":"Django","product":"Django","vulnerabilityName":"upload bypass","dateAdded":"2026-11-01",
            "shortDescription":"-","requiredAction":"Update.","dueDate":"2026-11-22",
            "knownRansomwareCampaignUse":"Unknown","notes":"","cwes":[]}]}"#,
        )
        .unwrap();
        succeed(&url, &["feeds", "import", "kev"], &kev);
        succeed(&url, &["scan", "shop@2"], "--verbose");
        let list = deferred(
            dir.path(),
            &[
                ("CVE-2023-31047", "django", "2027-01-31"),
                ("CVE-2024-35195", "requests", "2027-01-31"),
            ],
        );
        gate("shop@2", &["--deferred", list.to_str().unwrap()])
            .code(1)
            .stdout(predicate::str::contains("KEV"));
    }
}

#[test]
fn an_invalid_deferred_list_stops_the_gate_with_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("v.db").display());
    let list = dir.path().join("deferred.toml");
    std::fs::write(
        &list,
        "[[deferred]]\nvuln = \"CVE-2026-1\"\npackage = \"pkg:npm/x@1.0\"\nacknowledged = 2026-13-01\nreasn = \"typo\"\n",
    )
    .unwrap();
    vexil(&url)
        .args(["gate", "shop@1", "--deferred"])
        .arg(&list)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("deferred.toml:"))
        .stderr(predicate::str::contains("reason"))
        .stderr(predicate::str::contains("the gate did not run"));
}
