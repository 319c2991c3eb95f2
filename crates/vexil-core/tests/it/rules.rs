//! Rules: every diagnostic golden (rendered text and JSON), valid rules read whole, and the
//! precedence that picks the deciding rule.

use jiff::civil::{Date, date};
use vexil_core::matching::audit::audit;
use vexil_core::matching::rescan::{Context, observe};
use vexil_core::model::{Component, Purl};
use vexil_core::rules::RuleKind;
use vexil_core::rules::check::{RuleFile, RuleSet, check};
use vexil_core::rules::evaluate::{Facts, Index, Subject, decide, purl_covers};

const TODAY: Date = date(2026, 11, 23);

fn files(list: &[(&str, &str)]) -> Vec<RuleFile> {
    list.iter()
        .map(|(name, text)| RuleFile {
            name: (*name).to_owned(),
            text: (*text).to_owned(),
            kind: if name.contains("/triage/") {
                Some(RuleKind::Triage)
            } else {
                Some(RuleKind::Auto)
            },
        })
        .collect()
}

fn rendered(set: &RuleSet) -> String {
    set.diagnostics
        .iter()
        .map(|d| d.render())
        .collect::<Vec<_>>()
        .join("\n")
}

/// One file with one mistake of every kind the parser knows, and a second file repeating an id.
const BROKEN: &str = r#"owner = "nobody"

[[rule]]
id = "unknown-key"
kind = "auto"
component = { name = "^libc$", flavour = "x" }
status = "affected"
reason = "r"
colour = "blue"

[[rule]]
id = "bad-regex"
kind = "auto"
component = { name = "^(libc" }
vuln = "CVE-[0-9"
status = "affected"
reason = "r"

[[rule]]
id = "missing-reason"
kind = "auto"
vuln = "^CVE-"
status = "affected"

[[rule]]
id = "bad-values"
kind = "sometimes"
vuln = "^CVE-"
status = "ignored"
justification = "because"
reason = ""
recheck = 2027-13-45
expires = "soon"
priority = "high"
when = { max_severity = "urgent", kev = "yes", epss_below = 3, debian_urgency = [1] }

[[rule]]
id = "not-affected-without-justification"
kind = "auto"
component = { purl = "pkg:deb/debian/linux-libc-dev@6.1" }
status = "not_affected"
reason = "r"

[[rule]]
kind = "auto"
status = "affected"
reason = "matches everything and has no id"

[[rule]]
id = "triage-in-auto"
kind = "triage"
vuln = "^CVE-2026-0001$"
status = "affected"
reason = "r"
"#;

const DUPLICATE: &str = r#"[[rule]]
id = "dup"
vuln = "^CVE-2026-0002$"
status = "affected"
action_statement = "update"
reason = "first"
issue = "https://git.example.org/isms/issues/1"
recheck = 2027-01-01

[[rule]]
id = "dup"
vuln = "^CVE-2026-0003$"
status = "affected"
reason = "second"
issue = "https://git.example.org/isms/issues/2"
recheck = 2026-01-01

[[rule]]
id = "stale"
vuln = "^CVE-2026-0004$"
status = "affected"
reason = "stale"
owner = "alice"
issue = "https://git.example.org/isms/issues/3"
recheck = 2026-06-01

[[rule]]
id = "expired"
vuln = "^CVE-2026-0005$"
status = "affected"
reason = "expired"
issue = "https://git.example.org/isms/issues/4"
recheck = 2027-06-01
expires = 2026-01-01

[[rule]]
id = "no-issue"
vuln = "^CVE-2026-0006$"
status = "affected"
reason = "x"
"#;

#[test]
fn every_mistake_is_one_diagnostic_with_its_place() {
    let set = check(
        &files(&[
            ("rules/auto/broken.toml", BROKEN),
            ("rules/triage/dup.toml", DUPLICATE),
            (
                "rules/triage/more.toml",
                "[[rule]]\nid = \"dup\"\nvuln = \"x\"\nstatus = \"affected\"\nreason = \"again\"\nissue = \"i\"\nrecheck = 2027-01-01\n",
            ),
            ("rules/auto/syntax.toml", "[[rule]\nid = \"x\"\n"),
        ]),
        TODAY,
    );
    insta::assert_snapshot!("diagnostics_text", rendered(&set));
    insta::assert_json_snapshot!("diagnostics_json", set.diagnostics);
    let ids: Vec<&str> = set.rules.iter().map(|r| r.id.as_str()).collect();
    // Only rules without errors survive; the first `dup` keeps the id.
    assert_eq!(ids, ["dup", "stale", "expired"]);
    let codes: std::collections::BTreeSet<&str> = set.diagnostics.iter().map(|d| d.code).collect();
    for code in [
        "rule-unknown-key",
        "rule-invalid-regex",
        "rule-missing-reason",
        "rule-bad-kind",
        "rule-bad-status",
        "rule-bad-justification",
        "rule-bad-date",
        "rule-bad-type",
        "rule-bad-value",
        "rule-bad-purl",
        "rule-missing-justification",
        "rule-missing-field",
        "rule-matches-everything",
        "rule-kind-mismatch",
        "rule-duplicate-id",
        "rule-stale",
        "rule-expired",
        "rule-missing-issue",
        "rule-missing-recheck",
        "rule-parse-error",
    ] {
        assert!(codes.contains(code), "no {code} among {codes:?}");
    }
}

#[test]
fn a_valid_rule_is_read_whole() {
    let text = r#"
[[rule]]
id = "linux-libc-dev-headers-only"
kind = "auto"
component = { name = "^linux-libc-dev$", ecosystem = "Debian" }
vuln = "^CVE-"
project = "^sm-"
when = { debian_urgency = ["unimportant"], max_severity = "high", kev = false, epss_below = 0.5, fix_available = false }
status = "not_affected"
justification = "vulnerable_code_not_present"
reason = "Ships /usr/include/linux/*.h only; no runtime kernel code."
recheck = 2027-05-01
expires = 2027-12-31
priority = 5
"#;
    let set = check(&files(&[("rules/auto/debian.toml", text)]), TODAY);
    assert!(set.diagnostics.is_empty(), "{}", rendered(&set));
    insta::assert_json_snapshot!("valid_rule", set.rules);
}

fn finding(purl: &str, id: &str) -> Facts {
    let c = Component::from_purl(
        &Purl::parse(purl).unwrap(),
        vexil_core::ingest::Location::file("x"),
    )
    .unwrap();
    let json = format!(
        r#"{{"id":"GHSA-x","aliases":["{id}"],"affected":[{{"package":{{"ecosystem":"npm","name":"{}"}},
        "ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"99.0.0"}}]}}]}}]}}"#,
        c.name
    );
    let a = vexil_core::ingest::advisory::osv::parse(json.as_bytes(), "a.json")
        .unwrap()
        .records;
    let components = [c];
    let findings = audit(&components, &a);
    let ctx = Context {
        advisories: a.iter().collect(),
        ..Context::default()
    };
    Facts::of(&observe(&components, findings, &ctx).remove(0))
}

#[test]
fn triage_beats_auto_then_priority_then_file_order_and_expired_rules_decide_nothing() {
    let auto = r#"
[[rule]]
id = "auto-low"
component = { name = "^left-pad$" }
status = "affected"
reason = "a"

[[rule]]
id = "auto-high"
component = { purl = "pkg:npm/left-pad" }
status = "not_affected"
justification = "vulnerable_code_not_in_execute_path"
reason = "b"
priority = 10
"#;
    let triage = r#"
[[rule]]
id = "triage-expired"
vuln = "^GHSA-x$"
status = "fixed"
reason = "c"
issue = "i"
recheck = 2027-01-01
expires = 2026-01-01

[[rule]]
id = "triage-by-alias"
vuln = "^CVE-2026-0001$"
project = "^web$"
status = "under_investigation"
reason = "d"
issue = "i"
recheck = 2027-01-01
"#;
    let set = check(
        &files(&[("rules/auto/a.toml", auto), ("rules/triage/t.toml", triage)]),
        TODAY,
    );
    assert_eq!(set.errors(), 0, "{}", rendered(&set));
    let f = finding("pkg:npm/left-pad@1.0.0", "CVE-2026-0001");
    let pick = |project: &str| {
        decide(
            &set.rules,
            &Subject {
                project,
                finding: &f,
            },
            TODAY,
        )
        .map(|r| r.id.as_str())
    };
    assert_eq!(pick("web"), Some("triage-by-alias"));
    // Another project: the triage rule's project does not match; among auto rules priority wins.
    assert_eq!(pick("api"), Some("auto-high"));
    // The compiled index decides exactly as the rule-by-rule search.
    let index = Index::new(&set.rules, TODAY);
    for project in ["web", "api"] {
        let indexed = index
            .decide(&Subject {
                project,
                finding: &f,
            })
            .map(|r| r.id.as_str());
        assert_eq!(indexed, pick(project), "{project}");
    }
    let other = finding("pkg:npm/right-pad@1.0.0", "CVE-2026-0009");
    assert_eq!(
        index.decide(&Subject {
            project: "api",
            finding: &other
        }),
        None
    );
    assert_eq!(
        decide(
            &set.rules,
            &Subject {
                project: "api",
                finding: &other
            },
            TODAY
        ),
        None
    );
}

#[test]
fn purl_subset_matching() {
    assert!(purl_covers("pkg:npm/left-pad", "pkg:npm/left-pad@1.0.0"));
    assert!(purl_covers(
        "pkg:deb/debian/curl?distro=debian-12",
        "pkg:deb/debian/curl@7.88?arch=amd64&distro=debian-12"
    ));
    assert!(!purl_covers(
        "pkg:deb/debian/curl?distro=debian-11",
        "pkg:deb/debian/curl@7.88?distro=debian-12"
    ));
    assert!(!purl_covers(
        "pkg:deb/ubuntu/curl",
        "pkg:deb/debian/curl@7.88"
    ));
    assert!(!purl_covers("pkg:npm/left-pad", "pkg:npm/left-pads@1.0.0"));
    assert!(!purl_covers("not a purl", "pkg:npm/left-pad@1.0.0"));
}
