//! `vexil rules check|plan|apply|stale` end to end: diagnostics and exit codes, and plan →
//! apply → re-apply → un-apply on a real backlog (every Cargo.lock of ../shared/data against
//! the RustSec OSV export), on SQLite and PostgreSQL.

use std::path::Path;

use predicates::prelude::*;
use vexil_testdata::data as shared;

use crate::common::{databases, dump, succeed, vexil};

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn json(out: &assert_cmd::assert::Assert) -> serde_json::Value {
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

const AUTO: &str = r#"
[[rule]]
id = "time-localtime-unused"
kind = "auto"
component = { purl = "pkg:cargo/time" }
vuln = "^RUSTSEC-2020-0071$"
status = "not_affected"
justification = "vulnerable_code_not_in_execute_path"
reason = "We never call time's local-offset functions."
expires = 2027-06-30
"#;

const TRIAGE: &str = r#"
[[rule]]
id = "base64-overflow"
vuln = "^CVE-2017-1000430$"
status = "affected"
action_statement = "Update base64 to 0.5.2."
reason = "Reviewed: encode_config_buf is reachable from our API."
issue = "https://git.example.org/isms/issues/42"
owner = "alice"
recheck = 2026-12-15
"#;

#[test]
fn rules_check_reports_every_mistake_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("v.db").display());
    write(dir.path(), "rules/auto/ok.toml", AUTO);
    write(
        dir.path(),
        "rules/triage/bad.toml",
        "[[rule]]\nid = \"x\"\nvuln = \"^(CVE\"\nstatus = \"ignored\"\n",
    );
    let out = vexil(&url)
        .args(["rules", "check"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stdout(predicate::str::contains("error[rule-invalid-regex]"))
        .stdout(predicate::str::contains("--> rules/triage/bad.toml:3:8"))
        .stdout(predicate::str::contains("error[rule-bad-status]"))
        .stdout(predicate::str::contains("error[rule-missing-reason]"))
        .stdout(predicate::str::contains("error[rule-missing-issue]"));
    drop(out);
    let out = vexil(&url)
        .args(["rules", "check", "--format", "json"])
        .arg(dir.path())
        .assert()
        .code(2);
    let report = json(&out);
    assert_eq!(report["errors"], 5, "{report}");
    assert!(
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["line"].as_u64() > Some(0))
    );
    // `rules check` never creates a database.
    assert!(!dir.path().join("v.db").exists());
    std::fs::remove_file(dir.path().join("rules/triage/bad.toml")).unwrap();
    vexil(&url)
        .args(["rules", "check"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1 rules checked: 0 errors, 0 warnings",
        ));
    vexil(&url)
        .args(["rules", "check"])
        .arg(dir.path().join("nowhere"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no `rules/` directory"));
}

#[test]
fn plan_apply_reapply_and_unapply_on_a_real_backlog() {
    let (Some(crates), Some(locks)) = (
        shared("advisories/osv/crates.io"),
        shared("lockfiles/cargo-lock"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "rules/auto/rust.toml", AUTO);
    write(dir.path(), "rules/triage/base64.toml", TRIAGE);
    for url in databases(dir.path(), "rules") {
        succeed(&url, &["feeds", "import", "osv"], &crates);
        let mut releases = 0;
        for entry in std::fs::read_dir(&locks).unwrap() {
            let lock = entry.unwrap().path().join("Cargo.lock");
            if lock.is_file() {
                let name = lock
                    .parent()
                    .unwrap()
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .to_string();
                succeed(&url, &["inventory", "import", &format!("{name}@1")], &lock);
                releases += 1;
            }
        }
        assert!(releases >= 10, "{releases}");
        succeed(&url, &["scan", "--all"], "--verbose");
        let today = ["--today", "2026-11-23"];

        let out = vexil(&url)
            .args(["rules", "plan", "--format", "json"])
            .args(today)
            .arg(dir.path())
            .assert()
            .success();
        let plan = json(&out);
        let changes = plan["changes"].as_array().unwrap();
        let by = |rule: &str| changes.iter().filter(|c| c["rule"] == rule).count();
        assert!(by("time-localtime-unused") >= 1, "{plan}");
        assert_eq!(by("base64-overflow"), 1, "{plan}");
        assert!(changes.iter().all(|c| c["action"] == "apply"), "{plan}");
        vexil(&url)
            .args(["rules", "plan", "--format", "markdown"])
            .args(today)
            .arg(dir.path())
            .assert()
            .success()
            .stdout(predicate::str::contains(
                "#### `base64-overflow` (rules/triage/base64.toml:2)",
            ))
            .stdout(predicate::str::contains(
                "| apply | cargo-audit-support-base64\\_vuln@1 | CVE-2017-1000430 |",
            ));

        let out = vexil(&url)
            .args(["rules", "apply", "--format", "json"])
            .args(today)
            .arg(dir.path())
            .assert()
            .success();
        assert_eq!(json(&out)["applied"].as_u64(), Some(changes.len() as u64));
        // Idempotent: a second apply changes nothing.
        let before = dump(&url);
        let out = vexil(&url)
            .args(["rules", "apply", "--format", "json"])
            .args(today)
            .arg(dir.path())
            .assert()
            .success();
        assert_eq!(json(&out)["applied"], 0);
        assert_eq!(dump(&url), before, "{url}");

        let out = vexil(&url)
            .args([
                "findings",
                "list",
                "--vuln",
                "CVE-2017-1000430",
                "--format",
                "json",
            ])
            .assert()
            .success();
        let list = json(&out);
        assert_eq!(list[0]["decision"]["status"], "affected", "{list}");
        assert_eq!(list[0]["decision"]["source"]["id"], "base64-overflow");
        assert_eq!(
            list[0]["decision"]["issue"],
            "https://git.example.org/isms/issues/42"
        );

        // A rule file with an error applies nothing.
        write(dir.path(), "rules/auto/broken.toml", "[[rule]]\nid = 1\n");
        vexil(&url)
            .args(["rules", "apply"])
            .args(today)
            .arg(dir.path())
            .assert()
            .code(2);
        assert_eq!(dump(&url), before, "{url}");
        std::fs::remove_file(dir.path().join("rules/auto/broken.toml")).unwrap();

        // After the auto rule expires, its decisions are un-applied, each with an event.
        let later = ["--today", "2027-07-01"];
        let out = vexil(&url)
            .args(["rules", "apply", "--format", "json"])
            .args(later)
            .arg(dir.path())
            .assert()
            .success();
        let after = json(&out);
        assert_eq!(
            after["unapplied"].as_u64(),
            Some(by("time-localtime-unused") as u64),
            "{after}"
        );
        let out = vexil(&url)
            .args([
                "findings",
                "list",
                "--vuln",
                "RUSTSEC-2020-0071",
                "--format",
                "json",
            ])
            .assert()
            .success();
        let time = &json(&out)[0];
        assert!(time.get("decision").is_none(), "{time}");
        let shown = vexil(&url)
            .args([
                "findings",
                "show",
                &time["id"].to_string(),
                "--format",
                "json",
            ])
            .assert()
            .success();
        let kinds: Vec<String> = json(&shown)["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            kinds.last().map(String::as_str),
            Some("rule_unapplied"),
            "{kinds:?}"
        );
        assert!(kinds.contains(&"rule_applied".to_owned()), "{kinds:?}");

        // The backlog left clusters into suggestions, each absorbing what it says.
        let out = vexil(&url)
            .args([
                "rules",
                "suggest",
                "--min-findings",
                "2",
                "--format",
                "json",
            ])
            .assert()
            .success();
        let suggestions = json(&out);
        for s in suggestions.as_array().unwrap() {
            assert!(s["findings"].as_u64() >= Some(2), "{s}");
            assert!(s["rule"].as_str().unwrap().contains("[[rule]]"), "{s}");
        }

        // A rule that decides no stored finding is reported unused (a warning: exit 0).
        write(
            dir.path(),
            "rules/auto/unused.toml",
            "[[rule]]\nid = \"nothing\"\nvuln = \"^CVE-1999-\"\nstatus = \"affected\"\nreason = \"r\"\n",
        );
        vexil(&url)
            .args(["rules", "check"])
            .args(today)
            .arg(dir.path())
            .assert()
            .success()
            .stdout(predicate::str::contains(
                "warning[rule-unused]: rule `nothing` decides none",
            ));
        std::fs::remove_file(dir.path().join("rules/auto/unused.toml")).unwrap();

        // The triage rule is stale after its recheck date: exit 1 with owner and issue.
        vexil(&url)
            .args(["rules", "stale", "--today", "2026-12-01"])
            .arg(dir.path())
            .assert()
            .success();
        vexil(&url)
            .args(["rules", "stale", "--today", "2027-01-01"])
            .arg(dir.path())
            .assert()
            .code(1)
            .stdout(predicate::str::contains("base64-overflow"))
            .stdout(predicate::str::contains("alice"));
    }
}

#[test]
fn loop_isms_rule_files_import_into_rules_that_check_clean() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("v.db").display());
    write(
        dir.path(),
        "isms/auto-fire-rules.json",
        r#"[{"id": "headers", "component_regex": "^linux-libc-dev$", "vulnId_regex": "^CVE-",
             "state": "not_affected", "justification": "vulnerable_code_not_present",
             "reason": "headers only", "recheck": "2027-05-01"},
            {"id": "lossy", "component_regex": "^x$", "state": "affected", "reason": "r", "colour": "red"}]"#,
    );
    let out = dir.path().join("rules/auto/imported.toml");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    vexil(&url)
        .args(["rules", "import"])
        .arg(dir.path().join("isms/auto-fire-rules.json"))
        .arg("--output")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not converted: "))
        .stderr(predicate::str::contains("/1 (`lossy`): field `colour`"))
        .stderr(predicate::str::contains(
            "1 rules converted, 1 entries not converted",
        ));
    vexil(&url)
        .args(["rules", "check"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("1 rules checked: 0 errors"));
    vexil(&url)
        .args(["rules", "import"])
        .arg(dir.path().join("isms/auto-fire-rules.json"))
        .args(["--kind", "sometimes"])
        .assert()
        .code(2);
}
