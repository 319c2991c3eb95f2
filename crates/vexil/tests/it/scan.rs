//! `vexil scan`, `findings list|show|compare` and `check --record` end to end: real lockfiles,
//! real advisories and scanner reports, KEV and EPSS — on SQLite and PostgreSQL.

use predicates::prelude::*;
use vexil_testdata::data as shared;

use crate::common::{databases, succeed, vexil};

fn json(out: &assert_cmd::assert::Assert) -> serde_json::Value {
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

/// A KEV catalogue and an EPSS file naming the CVE of RUSTSEC-2017-0004 (base64).
fn enrichment(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let kev = dir.join("kev.json");
    std::fs::write(
        &kev,
        r#"{"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"2026.11.01",
        "dateReleased":"2026-11-01T00:00:00Z","count":1,"vulnerabilities":[{"cveID":"CVE-2017-1000430",
        "vendorProject":"base64","product":"base64","vulnerabilityName":"base64 overflow",
        "dateAdded":"2026-11-01","shortDescription":"-","requiredAction":"Update.","dueDate":"2026-11-22",
        "knownRansomwareCampaignUse":"Unknown","notes":"","cwes":["CWE-120"]}]}"#,
    )
    .unwrap();
    let epss = dir.join("epss.csv");
    std::fs::write(
        &epss,
        "#model_version:v2025.03.14,score_date:2026-11-01T00:00:00+0000\ncve,epss,percentile\nCVE-2017-1000430,0.01234,0.85\n",
    )
    .unwrap();
    (kev, epss)
}

#[test]
fn scan_records_findings_and_rescans_resolve_them() {
    let (Some(vuln), Some(lock), Some(clean)) = (
        shared("advisories/osv/crates.io/RUSTSEC-2017-0004.json"),
        shared("lockfiles/cargo-lock/cargo-audit-support-base64_vuln/Cargo.lock"),
        shared("lockfiles/cargo-lock/cargo-audit-support-no_vulns/Cargo.lock"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (kev, epss) = enrichment(dir.path());
    for url in databases(dir.path(), "scan") {
        succeed(&url, &["feeds", "import", "osv"], &vuln);
        succeed(&url, &["feeds", "import", "kev"], &kev);
        succeed(&url, &["feeds", "import", "epss"], &epss);
        succeed(&url, &["inventory", "import", "svc@1"], &lock);
        vexil(&url)
            .args(["scan", "svc@1"])
            .assert()
            .success()
            .stdout(predicate::str::contains("CVE-2017-1000430"))
            .stdout(predicate::str::contains("1 new, 0 resolved"));
        // A second scan of the same state is news to no one.
        vexil(&url)
            .args(["scan", "--all"])
            .assert()
            .success()
            .stdout(predicate::str::contains(
                "0 new, 0 resolved, 0 reactivated, 0 changed",
            ));

        let out = vexil(&url)
            .args(["findings", "list", "--kev", "--format", "json"])
            .assert()
            .success();
        let list = json(&out);
        assert_eq!(list.as_array().unwrap().len(), 1, "{url}");
        let f = &list[0];
        assert_eq!(
            (f["release"].as_str(), f["state"].as_str()),
            (Some("svc@1"), Some("open"))
        );
        assert_eq!(f["name"], "base64");
        assert_eq!(f["fixed_version"], "0.5.2");
        assert_eq!(f["kev"]["due_date"], "2026-11-22");
        assert_eq!(f["epss"]["score"], 0.01234);
        // RUSTSEC-2017-0004 carries a CVSS v3 vector: OSV's rating decides.
        assert_eq!(
            f["severity"]["authority"], "osv",
            "{url}: {}",
            f["severity"]
        );
        assert_eq!(
            f["severity"]["level"], "critical",
            "{url}: {}",
            f["severity"]
        );
        let id = f["id"].as_i64().unwrap();
        vexil(&url)
            .args(["findings", "show", &format!("F-{id}")])
            .assert()
            .success()
            .stdout(predicate::str::contains(
                "KEV           CVE-2017-1000430 added 2026-11-01, due 2026-11-22",
            ))
            .stdout(predicate::str::contains(
                "RUSTSEC-2017-0004 (osv, osv-ranges): affected",
            ))
            .stdout(predicate::str::contains("new"));

        // The release no longer ships base64 0.5.1: the finding is resolved, with its history.
        succeed(&url, &["inventory", "import", "svc@1"], &clean);
        vexil(&url)
            .args(["scan", "--project", "svc", "--verbose"])
            .assert()
            .success()
            .stdout(predicate::str::contains("0 new, 1 resolved"));
        let out = vexil(&url)
            .args(["findings", "show", &id.to_string(), "--format", "json"])
            .assert()
            .success();
        let shown = json(&out);
        assert_eq!(shown["finding"]["state"], "resolved");
        let kinds: Vec<&str> = shown["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["new", "resolved"], "{url}");
        vexil(&url)
            .args(["findings", "list", "--state", "open"])
            .assert()
            .success()
            .stdout(predicate::str::contains("no findings"));
    }
}

#[test]
fn check_record_imports_and_scans_in_one_step() {
    let (Some(vuln), Some(lock)) = (
        shared("advisories/osv/crates.io/RUSTSEC-2017-0004.json"),
        shared("lockfiles/cargo-lock/cargo-audit-support-base64_vuln/Cargo.lock"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for url in databases(dir.path(), "record") {
        succeed(&url, &["feeds", "import", "osv"], &vuln);
        // Without --record nothing is stored.
        vexil(&url).arg("check").arg(&lock).assert().code(1);
        vexil(&url)
            .args(["inventory", "list"])
            .assert()
            .success()
            .stdout(predicate::str::contains("svc").not());
        let out = vexil(&url)
            .arg("check")
            .arg(&lock)
            .args(["--record", "svc@2", "--format", "json"])
            .assert()
            .code(1);
        let report = json(&out);
        assert_eq!(report["recorded"]["new"], 1, "{url}");
        assert_eq!(report["recorded"]["release"], "svc@2", "{url}");
        vexil(&url)
            .args(["findings", "list", "--release", "svc@2"])
            .assert()
            .success()
            .stdout(predicate::str::contains("CVE-2017-1000430"));
        vexil(&url)
            .args(["inventory", "show", "svc@2"])
            .assert()
            .success()
            .stdout(predicate::str::contains("base64"));
    }
}

#[test]
fn findings_compare_classes_every_scanner_finding() {
    let report = "scanners/cargo-audit/defectdojo-many_findings-2021.json";
    let (Some(report), Some(a), Some(b), Some(c)) = (
        shared(report),
        shared("advisories/osv/crates.io/RUSTSEC-2020-0091.json"),
        shared("advisories/osv/crates.io/RUSTSEC-2021-0020.json"),
        shared("advisories/osv/crates.io/RUSTSEC-2021-0003.json"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for url in databases(dir.path(), "compare") {
        succeed(&url, &["inventory", "import", "audit@1"], &report);
        // With no advisories, every scanner finding is data Vexil lacks.
        let out = vexil(&url)
            .args(["findings", "compare", "audit@1", "--format", "json"])
            .assert()
            .success();
        let before = json(&out);
        // 7 advisories (4 vulnerabilities, 3 informational), 6 yanked-crate warnings.
        let tool = &before["tools"]["cargo-audit"];
        assert_eq!(tool["unknown-to-vexil"], 7, "{url}: {before}");
        assert_eq!(tool["not-an-advisory"], 6, "{url}: {before}");
        vexil(&url)
            .args(["feeds", "import", "osv"])
            .args([&a, &b, &c])
            .assert()
            .success();
        let out = vexil(&url)
            .args(["findings", "compare", "audit@1", "--format", "json"])
            .assert()
            .success();
        let after = json(&out);
        let tool = &after["tools"]["cargo-audit"];
        assert_eq!(tool["agree"], 4, "{url}: {after}");
        // The informational advisories (unmaintained net2, stdweb, cpuid-bool) were not imported.
        assert_eq!(tool["unknown-to-vexil"], 3, "{url}: {after}");
        assert!(tool.get("vexil-only").is_none(), "{url}: {after}");
        vexil(&url)
            .args(["findings", "compare", "audit@1"])
            .assert()
            .success()
            .stdout(predicate::str::contains("cargo-audit: 4 agree"));
    }
}

#[test]
fn bad_requests_exit_2_and_say_what_is_expected() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("v.db").display());
    vexil(&url)
        .args(["scan", "nope@1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no release `nope@1`"));
    vexil(&url)
        .arg("scan")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--all"));
    vexil(&url)
        .args(["findings", "show", "F-x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected `F-12` or `12`"));
    vexil(&url)
        .args(["findings", "show", "F-99"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no finding F-99"));
    vexil(&url)
        .args(["findings", "list", "--severity", "urgent"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "expected critical, high, medium or low",
        ));
    vexil(&url)
        .args(["findings", "compare", "nope@1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no release nope@1"));
}

/// An SBOM that lists a Debian binary without its source: the Packages index in the store names
/// the source (`libappstream2` → `appstream`), whose tracker entry then decides.
#[test]
fn binaries_without_a_source_are_resolved_through_the_packages_index() {
    let Some(packages) = shared("feeds/debian/appstream-generator-chromodoris-main-amd64-Packages")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let tracker = dir.path().join("tracker.json");
    std::fs::write(
        &tracker,
        r#"{"appstream": {"CVE-2026-99999": {"description": "test", "releases": {"bookworm":
        {"status": "resolved", "repositories": {"bookworm": "0.8.1-1"}, "fixed_version": "0.8.1-1",
        "urgency": "medium"}}}}}"#,
    )
    .unwrap();
    let sbom = dir.path().join("bom.cdx.json");
    std::fs::write(
        &sbom,
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
        {"type": "library", "name": "libappstream2", "version": "0.8.0-2",
         "purl": "pkg:deb/debian/libappstream2@0.8.0-2?arch=amd64&distro=debian-12"}]}"#,
    )
    .unwrap();
    for url in databases(dir.path(), "sources") {
        succeed(&url, &["feeds", "import", "debian"], &tracker);
        // Without the index the binary is unknown to the tracker: nothing to report.
        vexil(&url).arg("check").arg(&sbom).assert().success();
        succeed(&url, &["feeds", "import", "debian-packages"], &packages);
        let out = vexil(&url)
            .arg("check")
            .arg(&sbom)
            .args(["--format", "json"])
            .assert()
            .code(1);
        let report = json(&out);
        let f = &report["findings"][0]["finding"];
        assert_eq!(f["vuln"], "CVE-2026-99999", "{url}: {report}");
        assert_eq!(f["fixed_version"], "0.8.1-1", "{url}: {report}");
        let steps = f["matches"][0]["explanation"]["steps"].to_string();
        assert!(
            steps.contains("binary libappstream2 → source appstream"),
            "{url}: {steps}"
        );

        // Recorded, the finding carries the tracker's urgency, which rules' `when` reads: a
        // rule for urgency `low` leaves it alone, one for `medium` decides it.
        vexil(&url)
            .args(["check", "--record", "desk@1"])
            .arg(&sbom)
            .assert()
            .code(1);
        let rules = dir.path().join(format!("repo-{}", url.len()));
        std::fs::create_dir_all(rules.join("rules/auto")).unwrap();
        let rule = |urgency: &str| {
            format!(
                "[[rule]]\nid = \"appstream-{urgency}\"\nkind = \"auto\"\ncomponent = {{ ecosystem = \"Debian\" }}\n\
                 when = {{ debian_urgency = [\"{urgency}\"] }}\nstatus = \"not_affected\"\n\
                 justification = \"vulnerable_code_not_in_execute_path\"\nreason = \"r\"\n"
            )
        };
        std::fs::write(rules.join("rules/auto/debian.toml"), rule("low")).unwrap();
        let plan = |expect: usize| {
            let out = vexil(&url)
                .args(["rules", "plan", "--format", "json"])
                .arg(&rules)
                .assert()
                .success();
            let plan = json(&out);
            assert_eq!(
                plan["changes"].as_array().unwrap().len(),
                expect,
                "{url}: {plan}"
            );
        };
        plan(0);
        std::fs::write(rules.join("rules/auto/debian.toml"), rule("medium")).unwrap();
        plan(1);
    }
}
