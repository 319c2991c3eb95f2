//! `vexil vex export|import` end to end: every format valid against its official schema,
//! deterministic, and round-tripped into the same decisions; invalid documents refused naming
//! the field and changing nothing — on SQLite and PostgreSQL.

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use vexil_testdata::data as shared;

use crate::common::{databases, dump, succeed, vexil};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn json(out: &assert_cmd::assert::Assert) -> serde_json::Value {
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

const RULES: &str = r#"
[[rule]]
id = "lodash-template-unused"
kind = "auto"
component = { purl = "pkg:npm/lodash" }
vuln = "^CVE-2021-23337$"
status = "not_affected"
justification = "vulnerable_code_not_in_execute_path"
reason = "We never call _.template."

[[rule]]
id = "django-uploads"
kind = "auto"
component = { name = "^django$" }
vuln = "^CVE-2023-31047$"
status = "affected"
action_statement = "Upgrade to 3.2.19."
reason = "File uploads are enabled."
"#;

/// The example shop scanned as `shop@1`, with (optionally) the two rules applied.
fn shop(url: &str, dir: &Path, rules: bool) {
    succeed(
        url,
        &["feeds", "import", "osv"],
        examples().join("advisories"),
    );
    succeed(
        url,
        &["inventory", "import", "shop@1"],
        examples().join("shop"),
    );
    succeed(url, &["scan", "shop@1"], "--verbose");
    if rules {
        std::fs::create_dir_all(dir.join("rules/auto")).unwrap();
        std::fs::write(dir.join("rules/auto/shop.toml"), RULES).unwrap();
        succeed(url, &["rules", "apply"], dir);
    }
}

#[test]
fn exports_are_valid_deterministic_and_import_back_as_the_same_decisions() {
    let Some(schemas) = shared("../specs/schemas") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for from in databases(dir.path(), "vexsrc") {
        shop(&from, dir.path(), true);
        let want = decided(&from);
        for format in ["openvex", "cyclonedx", "csaf"] {
            let export = || {
                vexil(&from)
                    .args(["vex", "export", "shop@1", "--format", format, "--schemas"])
                    .arg(&schemas)
                    .assert()
                    .success()
                    .get_output()
                    .stdout
                    .clone()
            };
            let first = export();
            assert_eq!(export(), first, "{format}: not deterministic");
            let file = dir.path().join(format!("shop.{format}.json"));
            std::fs::write(&file, &first).unwrap();
            // Fresh stores holding the same release without rules take the decisions over.
            let fresh = tempfile::tempdir().unwrap();
            for to in databases(fresh.path(), "vexdst") {
                shop(&to, fresh.path(), false);
                let out = vexil(&to)
                    .args(["vex", "import", "--format", "json", "--schemas"])
                    .arg(&schemas)
                    .arg(&file)
                    .assert()
                    .success();
                let report = json(&out);
                assert_eq!(report[0]["unmatched"], 0, "{format}: {report}");
                assert_eq!(report[0]["decided"], 5, "{format}: {report}");
                // Undecided findings are stated from their verdict (`affected`) and come back
                // as that decision.
                let back: Vec<String> = decided(&to);
                let expected: Vec<String> = want
                    .iter()
                    .map(|r| r.replace(" - -", " affected -"))
                    .collect();
                assert_eq!(back, expected, "{format} into {to}");
                // Importing the same document again changes nothing.
                let before = dump(&to);
                succeed(&to, &["vex", "import"], &file);
                assert_eq!(dump(&to), before, "{format}: import is not idempotent");
            }
        }
    }
}

/// Every finding's component, vulnerability, decision status and justification, sorted.
fn decided(url: &str) -> Vec<String> {
    let out = vexil(url)
        .args(["findings", "list", "--format", "json"])
        .assert()
        .success();
    let mut rows: Vec<String> = json(&out)
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let d = &f["decision"];
            format!(
                "{} {} {} {}",
                f["name"].as_str().unwrap(),
                f["vuln"].as_str().unwrap(),
                d["status"].as_str().unwrap_or("-"),
                d["justification"].as_str().unwrap_or("-")
            )
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn an_invalid_document_is_refused_naming_the_field_and_changes_nothing() {
    let (Some(schemas), Some(invalid)) = (
        shared("../specs/schemas"),
        shared("vex/openvex/grype/affected.openvex.json"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for url in databases(dir.path(), "vexbad") {
        shop(&url, dir.path(), false);
        let before = dump(&url);
        vexil(&url)
            .args(["vex", "import", "--schemas"])
            .arg(&schemas)
            .arg(&invalid)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("affected.openvex.json"))
            .stderr(predicate::str::contains("/statements/0"));
        assert_eq!(dump(&url), before, "{url}");
        vexil(&url)
            .args(["vex", "export", "nope@1"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("no release nope@1"));
    }
}
