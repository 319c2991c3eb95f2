//! Golden and bad-input tests of the govulncheck, pip-audit, npm audit and cargo-audit parsers.

use vexil_core::ingest::IngestError;
use vexil_core::ingest::inventory::{Document, InventoryFormat, Source};
use vexil_core::model::{Inventory, ScannerFinding, Scope};

use crate::inventory::{golden_tree, read_shared, read_text};

/// Reads `text` as the CLI does (detected from its content).
fn read(name: &str, text: &str) -> Result<Document, IngestError> {
    read_text(name, text, None, &[])
}

/// Parses `text` as `format` (as `--format` does), without detection.
fn parse_as(format: InventoryFormat, text: &str) -> Result<Inventory, IngestError> {
    format.parse(&Source::new("t.json", text))
}

fn error(result: Result<Inventory, IngestError>) -> IngestError {
    result.expect_err("the input is refused")
}

fn shared(rel: &str) -> Option<Document> {
    Some(read_shared(rel)?.unwrap())
}

fn evidence<'a>(doc: &'a Document, id: &str) -> Vec<&'a ScannerFinding> {
    doc.inventory
        .evidence
        .iter()
        .filter(|f| f.vuln_id == id)
        .collect()
}

/// 10,000 nested arrays, far past serde_json's recursion limit (128).
fn nested() -> String {
    format!("{}{}", "[".repeat(10_000), "]".repeat(10_000))
}

// ---------------------------------------------------------------- golden trees

#[test]
fn govulncheck_golden() {
    let Some((ok, failed)) = golden_tree("scanners/govulncheck") else {
        return;
    };
    // SARIF names no module versions: refused with a hint to run `-json`.
    assert_eq!(
        failed,
        ["scanners/govulncheck/defectdojo-issue_15033.sarif.json"]
    );
    assert_eq!(ok, 16);
}

#[test]
fn pip_audit_golden() {
    let Some((ok, failed)) = golden_tree("scanners/pip-audit") else {
        return;
    };
    // `[]` says nothing about its format; `--format pip-audit` reads it.
    assert_eq!(failed, ["scanners/pip-audit/defectdojo-empty.json"]);
    assert_eq!(ok, 8);
}

#[test]
fn npm_audit_golden() {
    let Some((ok, failed)) = golden_tree("scanners/npm-audit") else {
        return;
    };
    // npm's `{"error": …}` object instead of a report.
    assert_eq!(
        failed,
        ["scanners/npm-audit/defectdojo-npm6-legacy-empty_with_error.json"]
    );
    assert_eq!(ok, 18);
}

#[test]
fn cargo_audit_golden() {
    let Some((ok, failed)) = golden_tree("scanners/cargo-audit") else {
        return;
    };
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(ok, 14);
}

// ---------------------------------------------------------------- hand-checked counts

#[test]
fn govulncheck_sbom_modules_and_merged_findings() {
    let Some(doc) = shared("scanners/govulncheck/defectdojo-issue_14642.json") else {
        return;
    };
    let inv = &doc.inventory;
    // 56 SBOM modules, less the main module (no version).
    assert_eq!(inv.components.len(), 55);
    assert!(
        inv.components
            .iter()
            .any(|c| c.purl == "pkg:golang/stdlib@v1.24.4")
    );
    // 116 finding messages are 40 (vulnerability, module) pairs at their deepest level.
    let count = |s: &str| {
        inv.evidence
            .iter()
            .filter(|f| f.status.as_deref() == Some(s))
            .count()
    };
    assert_eq!(
        (
            inv.evidence.len(),
            count("called"),
            count("imported"),
            count("required")
        ),
        (40, 22, 8, 10)
    );
    let no_fix = evidence(&doc, "GO-2026-4771");
    assert_eq!(no_fix[0].fixed_version, None);
    assert_eq!(no_fix[0].tool_version.as_deref(), Some("v1.1.4"));
}

#[test]
fn govulncheck_legacy_fixed_version_from_osv_ranges() {
    let Some(doc) = shared("scanners/govulncheck/defectdojo-many_vulns-legacy-pre-v1.json") else {
        return;
    };
    // stdlib v1.19.0 sits in [1.19.0, 1.19.4) of GO-2022-1144, not in [0, 1.18.9).
    let f = evidence(&doc, "GO-2022-1144");
    assert_eq!(f.len(), 1, "five vulnerable symbols, one finding");
    assert_eq!(
        (f[0].fixed_version.as_deref(), f[0].status.as_deref()),
        (Some("v1.19.4"), Some("called"))
    );
    assert_eq!(
        doc.inventory.components.len(),
        3,
        "4 modules, less the main module"
    );
}

#[test]
fn pip_audit_counts() {
    let Some(doc) = shared("scanners/pip-audit/defectdojo-many_vulns_new.json") else {
        return;
    };
    assert_eq!(
        (doc.inventory.components.len(), doc.inventory.evidence.len()),
        (6, 7)
    );
    assert!(
        doc.inventory.warnings[0]
            .message
            .contains("skipped `azure-devops`")
    );
    let django = evidence(&doc, "PYSEC-2021-439");
    assert_eq!(
        django[0].fixed_version.as_deref(),
        Some("2.2.25, 3.1.14, 3.2.10")
    );
    let Some(doc) = shared("scanners/pip-audit/steveant-mgit.pip-audit.json") else {
        return;
    };
    assert_eq!(
        doc.inventory.components.len(),
        87,
        "88 dependencies, one skipped"
    );
}

#[test]
fn npm_audit_v2_counts() {
    let Some(doc) = shared("scanners/npm-audit/brainstem-org-django-jet-reboot.npm-audit.json")
    else {
        return;
    };
    let inv = &doc.inventory;
    assert_eq!((inv.components.len(), inv.evidence.len()), (39, 38));
    assert_eq!(
        inv.components
            .iter()
            .filter(|c| c.direct == Some(true))
            .count(),
        10
    );
    assert!(inv.components.iter().all(|c| c.version.is_none()));
    // `fixAvailable` names jquery itself; for lodash.template it names gulp-postcss.
    assert_eq!(
        evidence(&doc, "GHSA-rmxg-73gg-4p98")[0]
            .fixed_version
            .as_deref(),
        Some("3.7.1")
    );
    let template = inv
        .evidence
        .iter()
        .find(|f| f.package == "lodash.template")
        .unwrap();
    assert_eq!(template.fixed_version, None);
}

#[test]
fn npm_audit_v1_finding_versions_and_scope() {
    let Some(doc) = shared("scanners/npm-audit/defectdojo-npm6-legacy-one_vuln.json") else {
        return;
    };
    let growl = &doc.inventory.components[0];
    assert_eq!(
        (growl.purl.as_str(), growl.scope, growl.direct),
        ("pkg:npm/growl@1.9.2", Some(Scope::Dev), Some(false))
    );
    let f = &doc.inventory.evidence[0];
    assert_eq!(
        (f.vuln_id.as_str(), f.fixed_version.as_deref()),
        ("npm:146", Some(">=1.10.2"))
    );
}

#[test]
fn cargo_audit_counts() {
    let Some(doc) = shared("scanners/cargo-audit/defectdojo-many_findings-2021.json") else {
        return;
    };
    let count = |s: &str| {
        doc.inventory
            .evidence
            .iter()
            .filter(|f| f.status.as_deref() == Some(s))
            .count()
    };
    assert_eq!(
        (count("vulnerable"), count("unmaintained"), count("yanked")),
        (4, 3, 6)
    );
    assert_eq!(evidence(&doc, "yanked:bytecount@0.6.1").len(), 1);
    let hyper = evidence(&doc, "RUSTSEC-2021-0020");
    assert_eq!(
        hyper[0].fixed_version.as_deref(),
        Some(">=0.14.3 || >=0.13.10, <0.14.0 || >=0.12.36, <0.13.0")
    );
    assert_eq!(doc.inventory.dependencies.len(), 30);
}

// ---------------------------------------------------------------- govulncheck bad input

const CONFIG: &str =
    "{\n  \"config\": {\"scanner_name\": \"govulncheck\", \"scanner_version\": \"v1.1.4\"}\n}\n";

#[test]
fn govulncheck_findings_merge_to_the_deepest_level() {
    let text = format!(
        "{CONFIG}{{\"finding\": {{\"osv\": \"GO-1\", \"trace\": [{{\"module\": \"m.io/x\", \"version\": \"v1.0.0\"}}]}}}}\n\
         {{\"finding\": {{\"osv\": \"GO-1\", \"fixed_version\": \"v1.0.1\", \"trace\": [{{\"module\": \"m.io/x\", \"version\": \"v1.0.0\", \"package\": \"m.io/x\", \"function\": \"F\"}}, {{\"module\": \"main.io/app\", \"package\": \"main.io/app\", \"function\": \"main\"}}]}}}}\n\
         {{\"finding\": {{\"osv\": \"GO-1\", \"trace\": [{{\"module\": \"m.io/x\", \"version\": \"v1.0.0\", \"package\": \"m.io/x\"}}]}}}}"
    );
    let doc = read("govulncheck.json", &text).unwrap();
    let inv = &doc.inventory;
    assert_eq!(
        inv.components.len(),
        1,
        "the main module (no version) is not a component"
    );
    assert_eq!(inv.evidence.len(), 1);
    let f = &inv.evidence[0];
    assert_eq!(
        (
            f.status.as_deref(),
            f.fixed_version.as_deref(),
            f.location.line
        ),
        (Some("called"), Some("v1.0.1"), Some(5))
    );
}

#[test]
fn govulncheck_truncated_stream_names_its_line() {
    let text = format!("{CONFIG}{{\"finding\": {{\"osv\": \"GO-1\", \"trace\": [");
    let e = read("g.json", &text).unwrap_err();
    assert_eq!(e.location.line, Some(4));
    assert!(e.message.contains("ends early"), "{e}");
}

#[test]
fn govulncheck_malformed_message_names_line_and_column() {
    let text = format!("{CONFIG}{{\"finding\": {{\"osv\": 5}}}}");
    let e = error(parse_as(InventoryFormat::Govulncheck, &text));
    assert_eq!((e.location.line, e.location.column), (Some(4), Some(21)));
    assert!(e.message.contains("expected a string"), "{e}");
    let e = error(parse_as(
        InventoryFormat::Govulncheck,
        "{\"config\": {}} xyz",
    ));
    assert_eq!((e.location.line, e.location.column), (Some(1), Some(16)));
}

#[test]
fn govulncheck_array_wrapped_stream() {
    let text = "[\n{\"config\": {\"scanner_version\": \"v1.0.0\"}},\n{\"finding\": {\"osv\": \"GO-1\", \"trace\": [{\"module\": \"stdlib\", \"version\": \"v1.20.1\"}]}}\n]";
    let doc = read("g.json", text).unwrap();
    assert_eq!(
        doc.inventory.components[0].purl,
        "pkg:golang/stdlib@v1.20.1"
    );
    assert_eq!(
        doc.inventory.evidence[0].location.field.as_deref(),
        Some("/1/finding/trace/0")
    );
    // Invalid JSON is not recognised, so these are read with the format forced.
    let e = error(parse_as(
        InventoryFormat::Govulncheck,
        "[{\"config\": {}} {\"progress\": {}}]",
    ));
    assert!(e.message.contains("expected `,` or `]`"), "{e}");
    let e = error(parse_as(InventoryFormat::Govulncheck, "[{\"config\": {}},"));
    assert!(e.message.contains("ends early"), "{e}");
}

#[test]
fn govulncheck_refuses_what_is_not_a_stream() {
    let e = error(parse_as(InventoryFormat::Govulncheck, "{\"foo\": 1}"));
    assert!(e.message.contains("not a govulncheck -json stream"), "{e}");
    let sarif = r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "govulncheck"}}}]}"#;
    let e = read("g.sarif", sarif).unwrap_err();
    assert!(e.message.contains("run `govulncheck -json`"), "{e}");
}

#[test]
fn govulncheck_hostile_input_is_an_error() {
    // A sink id past u64 in the pre-1.0 format.
    let legacy = r#"{"Modules": [], "Vulns": [{"OSV": {"id": "GO-1"}, "ModPath": "m", "CallSink": 99999999999999999999999}]}"#;
    let e = read("g.json", legacy).unwrap_err();
    assert_eq!(e.location.line, Some(1), "{e}");
}

// ---------------------------------------------------------------- pip-audit bad input

#[test]
fn pip_audit_forced_on_an_empty_array_and_on_other_json() {
    let inv = parse_as(InventoryFormat::PipAudit, "[\n]").unwrap();
    assert!(inv.components.is_empty());
    let e = error(parse_as(InventoryFormat::PipAudit, "{\"foo\": []}"));
    assert!(e.message.contains("not a pip-audit report"), "{e}");
}

#[test]
fn pip_audit_is_not_claimed_for_package_json() {
    let e = read(
        "package.json",
        "{\"dependencies\": {\"left-pad\": \"1.0.0\"}}",
    )
    .unwrap_err();
    assert!(e.message.contains("not a format Vexil reads"), "{e}");
}

#[test]
fn pip_audit_malformed_entry_and_truncation() {
    let e = read(
        "p.json",
        "{\"dependencies\": [\n{\"name\": \"a\", \"version\": 1}]}",
    )
    .unwrap_err();
    assert_eq!(e.location.line, Some(2));
    assert!(e.message.contains("expected a string"), "{e}");
    let e = error(parse_as(
        InventoryFormat::PipAudit,
        "[{\"name\": \"a\", \"version\": \"1\"",
    ));
    assert!(e.message.contains("ends early"), "{e}");
}

#[test]
fn pip_audit_dependency_without_version_is_a_warning() {
    let doc = read(
        "p.json",
        r#"[{"name": "Foo_Bar", "version": "1.0", "vulns": []}, {"name": "x", "vulns": []}]"#,
    )
    .unwrap();
    assert_eq!(doc.inventory.components[0].purl, "pkg:pypi/foo-bar@1.0");
    assert!(
        doc.inventory.warnings[0]
            .message
            .contains("`x` has no version")
    );
}

// ---------------------------------------------------------------- npm audit bad input

#[test]
fn npm_audit_error_object_is_refused_quoting_npm() {
    let text = r#"{"error": {"code": "ENOLOCK", "summary": "This command requires an existing lockfile.", "detail": "Try creating one first with: npm i --package-lock-only"}}"#;
    let e = read("audit.json", text).unwrap_err();
    assert_eq!(
        e.message,
        "npm audit failed (ENOLOCK) and wrote no report: This command requires an existing \
         lockfile. (Try creating one first with: npm i --package-lock-only)"
    );
    // Some other tool's error object is not claimed.
    let e = read("x.json", r#"{"error": "boom"}"#).unwrap_err();
    assert!(e.message.contains("not a format Vexil reads"), "{e}");
}

#[test]
fn npm_audit_unknown_report_version_and_other_json() {
    let e = read(
        "a.json",
        r#"{"auditReportVersion": 3, "vulnerabilities": {}}"#,
    )
    .unwrap_err();
    assert!(e.message.contains("report version 3"), "{e}");
    let e = error(parse_as(InventoryFormat::NpmAudit, r#"{"x": 1}"#));
    assert!(e.message.contains("not an npm audit report"), "{e}");
}

#[test]
fn npm_audit_malformed_entry_names_its_line() {
    let text = "{\"auditReportVersion\": 2, \"vulnerabilities\": {\n\"a\": {\"via\": 7}}}";
    let e = read("a.json", text).unwrap_err();
    assert_eq!(e.location.line, Some(2));
}

#[test]
fn npm_audit_ids_counts_and_edges() {
    let text = r#"{"auditReportVersion": 2, "vulnerabilities": {
      "@s/a": {"name": "@s/a", "isDirect": true, "via": ["b"], "range": "*", "nodes": []},
      "b": {"name": "b", "via": [
        {"source": 1, "url": "https://github.com/advisories/GHSA-aaaa-bbbb-cccc", "severity": "HIGH"},
        {"source": 2, "url": "https://example.com/2"}], "range": "<2", "fixAvailable": {"name": "b", "version": "2.0.0"}}},
      "metadata": {"vulnerabilities": {"total": 3}}}"#;
    let doc = read("a.json", text).unwrap();
    let inv = &doc.inventory;
    let ids: Vec<&str> = inv.evidence.iter().map(|f| f.vuln_id.as_str()).collect();
    assert_eq!(ids, ["GHSA-aaaa-bbbb-cccc", "npm:2"]);
    assert_eq!(inv.evidence[0].severity.as_deref(), Some("high"));
    assert_eq!(inv.evidence[0].fixed_version.as_deref(), Some("2.0.0"));
    assert_eq!(
        (
            inv.dependencies[0].from.as_str(),
            inv.dependencies[0].to.as_str()
        ),
        ("pkg:npm/%40s/a", "pkg:npm/b")
    );
    assert!(inv.warnings.iter().any(|w| {
        w.message
            .contains("counts 3 vulnerable packages but the report lists 2")
    }));
}

// ---------------------------------------------------------------- cargo-audit bad input

#[test]
fn cargo_audit_refuses_other_json_and_bad_types() {
    let e = error(parse_as(InventoryFormat::CargoAudit, r#"{"database": {}}"#));
    assert!(e.message.contains("not a cargo-audit report"), "{e}");
    let text = "{\"database\": {}, \"lockfile\": {}, \"vulnerabilities\": {\"list\": [\n{\"advisory\": {\"id\": \"R\"}, \"package\": {\"name\": \"a\", \"version\": 1}}]}}";
    let e = read("c.json", text).unwrap_err();
    assert_eq!(e.location.line, Some(2));
    assert!(e.message.contains("expected a string"), "{e}");
    let e = error(parse_as(InventoryFormat::CargoAudit, &text[..60]));
    assert!(e.message.contains("ends early"), "{e}");
}

#[test]
fn cargo_audit_sources_and_count_mismatch() {
    let text = r#"{"database": {}, "lockfile": {}, "vulnerabilities": {"found": true, "count": 2, "list": [
      {"advisory": {"id": "RUSTSEC-1", "aliases": []}, "versions": {"patched": []},
       "package": {"name": "g", "version": "0.1.0", "source": "git+https://github.com/o/g?branch=main#0123abc",
                   "dependencies": [{"name": "r", "version": "1.0.0", "source": "sparse+https://my.example/index/"}]}}]},
      "warnings": {"yanked": [{"kind": "yanked", "package": {"name": "y", "version": "1.0.0"}, "advisory": null}]}}"#;
    let doc = read("c.json", text).unwrap();
    let purls: Vec<&str> = doc
        .inventory
        .components
        .iter()
        .map(|c| c.purl.as_str())
        .collect();
    assert_eq!(
        purls,
        [
            "pkg:cargo/g@0.1.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fo%2Fg%400123abc",
            "pkg:cargo/r@1.0.0?repository_url=https:%2F%2Fmy.example%2Findex%2F",
            "pkg:cargo/y@1.0.0",
        ]
    );
    assert_eq!(
        doc.inventory.evidence[0].fixed_version, None,
        "nothing patched"
    );
    assert_eq!(doc.inventory.evidence[1].vuln_id, "yanked:y@1.0.0");
    assert!(doc.inventory.warnings[0].message.contains("`count` says 2"));
}

// ---------------------------------------------------------------- hostile nesting

#[test]
fn deep_nesting_is_skipped_where_unread_and_refused_where_read() {
    let deep = nested();
    // Values no parser reads are skipped without recursion.
    let skipped = [
        format!("{{\"progress\": {deep}}}"),
        format!("{{\"dependencies\": [], \"fixes\": {deep}}}"),
        format!("{{\"database\": {deep}, \"lockfile\": {{}}, \"vulnerabilities\": {{}}}}"),
    ];
    for text in &skipped {
        let doc = read("deep.json", text).unwrap();
        assert!(doc.inventory.components.is_empty());
    }
    // Where a value is read, nesting stops at serde_json's limit or at the first wrong type.
    let npm = format!(
        "{{\"auditReportVersion\": 2, \"vulnerabilities\": {{\"a\": {{\"fixAvailable\": {deep}}}}}}}"
    );
    let e = read("deep.json", &npm).unwrap_err();
    assert!(e.message.contains("recursion limit"), "{e}");
    let e = read("deep.json", &format!("{{\"finding\": {deep}}}")).unwrap_err();
    assert!(e.message.contains("invalid type: sequence"), "{e}");
}
