//! Golden and bad-input tests of the Trivy, Grype and osv-scanner parsers.

use vexil_core::ingest::IngestError;
use vexil_core::ingest::inventory::{Document, InventoryFormat};
use vexil_core::model::Scope;

use crate::inventory::{golden_tree, read_shared, read_text, warnings};

/// Reads an inline document as the CLI does (detected, or `format` forced).
fn read(text: &str, format: Option<InventoryFormat>) -> Result<Document, IngestError> {
    read_text("bad.json", text, format, &[])
}

fn error(text: &str, format: InventoryFormat) -> String {
    read(text, Some(format)).unwrap_err().to_string()
}

#[test]
fn trivy_reports() {
    let Some((ok, failed)) = golden_tree("scanners/trivy") else {
        return;
    };
    assert_eq!(
        failed,
        [
            // Ignore lists, not reports: refused as not a format Vexil reads.
            "scanners/trivy/trivyignore/.trivyignore",
            "scanners/trivy/trivyignore/.trivyignore.yaml",
        ]
    );
    // 49 reports and 3 SBOMs Trivy wrote (read by the SBOM parsers).
    assert_eq!(ok, 52);
}

#[test]
fn grype_reports() {
    let Some((ok, failed)) = golden_tree("scanners/grype") else {
        return;
    };
    assert!(failed.is_empty(), "{failed:?}");
    // 13 reports and an SBOM Grype wrote (read by the CycloneDX parser).
    assert_eq!(ok, 14);
}

#[test]
fn osv_scanner_reports() {
    let Some((ok, failed)) = golden_tree("scanners/osv-scanner") else {
        return;
    };
    // osv-scanner.toml configurations, not reports: refused as not a format Vexil reads.
    let configs: Vec<String> = [
        "locks-test-ignore-osv-scanner-test.toml",
        "osv-scanner-composite-config.toml",
        "osv-scanner-invalid-regex-config.toml",
        "osv-scanner-partial-ignores-config.toml",
        "osv-scanner-reasonless-ignores-config.toml",
        "testdatainner-osv-scanner.toml",
        "ubuntu20-04-unimportant-config.toml",
    ]
    .iter()
    .map(|f| format!("scanners/osv-scanner/config/{f}"))
    .collect();
    assert_eq!(failed, configs);
    assert_eq!(ok, 8);
}

#[test]
fn trivy_counts_checked_by_hand() {
    let Some(doc) = read_shared("scanners/trivy/npm-with-dev.json") else {
        return;
    };
    let inv = doc.unwrap().inventory;
    // 13 `Packages`, `z-lock` the only `Dev` one, 13 `DependsOn` edges.
    assert_eq!(inv.components.len(), 13);
    let dev: Vec<&str> = inv
        .components
        .iter()
        .filter(|c| c.scope == Some(Scope::Dev))
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(dev, ["z-lock"]);
    assert_eq!(inv.dependencies.len(), 13);

    // The legacy array: 93 findings on 27 distinct Debian 10.8 packages.
    let inv = read_shared("scanners/trivy/defectdojo-legacy_many_vulns.json")
        .unwrap()
        .unwrap()
        .inventory;
    assert_eq!((inv.evidence.len(), inv.components.len()), (93, 27));
    assert!(
        inv.components
            .iter()
            .all(|c| c.ecosystem.as_deref() == Some("Debian:10"))
    );

    // The VEX-suppressed finding is kept, marked as such.
    let inv = read_shared("scanners/trivy/npm-with-suppressed-vex.json")
        .unwrap()
        .unwrap()
        .inventory;
    let statuses: Vec<_> = inv.evidence.iter().map(|f| f.status.as_deref()).collect();
    assert_eq!(statuses, [Some("fixed"), Some("not_affected (vex)")]);
}

#[test]
fn grype_and_osv_scanner_counts_checked_by_hand() {
    let Some(doc) = read_shared("scanners/grype/defectdojo-many_vulns.json") else {
        return;
    };
    // grype 0.7: 1509 matches on 178 distinct artifacts.
    let inv = doc.unwrap().inventory;
    assert_eq!((inv.evidence.len(), inv.components.len()), (1509, 178));

    // 11 packages (one a git checkout, not inventoried) and 37 groups of 66 OSV records.
    let inv = read_shared("scanners/osv-scanner/defectdojo-many_findings.json")
        .unwrap()
        .unwrap()
        .inventory;
    assert_eq!((inv.components.len(), inv.evidence.len()), (10, 37));
    // guzzle 6.3.3 sits in the first of GHSA-25mq-v84q-4j7r's two ranges: fixed in 6.5.8,
    // not in the other range's 7.4.5.
    let first = &inv.evidence[0];
    assert_eq!(
        (first.vuln_id.as_str(), first.fixed_version.as_deref()),
        ("GHSA-25mq-v84q-4j7r", Some("6.5.8"))
    );
}

#[test]
fn truncated_reports_are_refused_with_their_position() {
    let truncated = "{\n  \"SchemaVersion\": 2,\n  \"Results\": [\n    {\"Target\": \"x\"";
    assert_eq!(
        error(truncated, InventoryFormat::Trivy),
        "`bad.json`:4:18: the document ends early (truncated?): EOF while parsing an object"
    );
    assert_eq!(
        error("{\"matches\": [", InventoryFormat::Grype),
        "`bad.json`:1:13: the document ends early (truncated?): EOF while parsing a list"
    );
    assert_eq!(
        error("{\"results\": [{\"source\": {", InventoryFormat::OsvScanner),
        "`bad.json`:1:25: the document ends early (truncated?): EOF while parsing an object"
    );
    // Undetected, it still says where the JSON stops.
    assert!(
        read(truncated, None)
            .unwrap_err()
            .to_string()
            .contains("`bad.json`:4:18: the document ends early (truncated?)")
    );
}

#[test]
fn other_json_is_not_taken_for_a_report() {
    let cyclonedx = r#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": []}"#;
    assert_eq!(
        error(cyclonedx, InventoryFormat::Trivy),
        "`bad.json`: valid JSON but not a Trivy report: no `SchemaVersion`, `Results` or `ClusterName`"
    );
    assert_eq!(
        error(cyclonedx, InventoryFormat::Grype),
        "`bad.json`: valid JSON but not a Grype report: no `matches`"
    );
    assert_eq!(
        error(cyclonedx, InventoryFormat::OsvScanner),
        "`bad.json`: valid JSON but not an osv-scanner report: no `results`"
    );
    assert_eq!(
        error("[1, 2]", InventoryFormat::Trivy),
        "`bad.json`:1:2: unexpected content: invalid type: integer `1`, expected a Trivy result object"
    );
    // None of the three claims another scanner's report.
    let pip_audit = r#"{"dependencies": [], "fixes": []}"#;
    assert_eq!(
        read(pip_audit, None).map(|d| d.format).ok(),
        Some(InventoryFormat::PipAudit)
    );
}

#[test]
fn malformed_entries_name_their_place() {
    let doc = r#"{"SchemaVersion": 2, "Results": [{"Class": "lang-pkgs", "Type": "npm",
      "Packages": [{"ID": "a@1", "Name": "a", "Version": "1", "Epoch": "one"}]}]}"#;
    assert_eq!(
        error(doc, InventoryFormat::Trivy),
        "`bad.json`:2:76: unexpected content: invalid type: string \"one\", expected u32"
    );
    let doc = r#"{"matches": [{"vulnerability": {"id": 7}}], "descriptor": {}}"#;
    assert_eq!(
        error(doc, InventoryFormat::Grype),
        "`bad.json`:1:39: unexpected content: invalid type: integer `7`, expected a string"
    );
    // Entries that lack what a finding needs are left out with a warning naming them.
    let doc = r#"{"SchemaVersion": 2, "ArtifactName": "x", "Results": [{"Class": "lang-pkgs",
      "Type": "npm", "Packages": [{"ID": "a@1", "Name": "a", "Version": "1", "DependsOn": ["b@2"]}],
      "Vulnerabilities": [{"PkgName": "a"}]}]}"#;
    let doc = read(doc, None).unwrap();
    assert_eq!(
        warnings(&doc),
        [
            "`bad.json` field `/Results/0/Packages/0/DependsOn/0`: `DependsOn` names `b@2`, which no package of this result has: edge left out",
            "`bad.json` field `/Results/0/Vulnerabilities/0`: vulnerability without `VulnerabilityID` or `PkgName`: left out",
        ]
    );
}

#[test]
fn invalid_purls_are_rebuilt_with_a_warning() {
    let doc = r#"{"matches": [{"vulnerability": {"id": "CVE-1"},
      "artifact": {"name": "left-pad", "version": "1.0.0", "type": "npm", "purl": "npm:left-pad"}}],
      "descriptor": {"name": "grype", "version": "0.80.0"}}"#;
    let doc = read(doc, None).unwrap();
    assert_eq!(doc.inventory.components[0].purl, "pkg:npm/left-pad@1.0.0");
    let w = warnings(&doc);
    assert_eq!(w.len(), 1);
    assert!(
        w[0].starts_with(
            "`bad.json` field `/matches/0/artifact`: invalid package URL `npm:left-pad`"
        ),
        "{}",
        w[0]
    );
}

#[test]
fn packages_without_purls_get_one_from_type_and_distro() {
    // A Kubernetes report of an old Trivy: no PURL, the distro only in the target.
    let doc = r#"{"ClusterName": "c", "Resources": [{"Kind": "Deployment", "Name": "web",
      "Results": [{"Target": "nginx:1 (alpine 3.18.4)", "Class": "os-pkgs", "Type": "alpine",
        "Vulnerabilities": [{"VulnerabilityID": "CVE-1", "PkgName": "musl", "InstalledVersion": "1.2.4-r1",
          "Severity": "HIGH"}]}]}]}"#;
    let inv = read(doc, None).unwrap().inventory;
    let c = &inv.components[0];
    assert_eq!(c.purl, "pkg:apk/alpine/musl@1.2.4-r1?distro=3.18.4");
    assert_eq!(c.ecosystem.as_deref(), Some("Alpine:v3.18"));
    assert_eq!(inv.evidence[0].severity.as_deref(), Some("high"));
    assert_eq!(
        inv.evidence[0].location.field.as_deref(),
        Some("/Resources/0/Results/0/Vulnerabilities/0")
    );
}

#[test]
fn hostile_reports_are_refused() {
    // Deep nesting where a value is read: serde_json's recursion limit refuses it.
    let deep = format!(
        r#"{{"matches": [{{"artifact": {{"name": "a", "cpes": [{}1{}]}}}}], "descriptor": {{}}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(
        error(&deep, InventoryFormat::Grype).contains("recursion limit exceeded"),
        "{}",
        error(&deep, InventoryFormat::Grype)
    );
    // Where it is skipped, it is skipped without recursion: no crash, nothing read from it.
    let deep = format!(
        r#"{{"SchemaVersion": 2, "Results": [], "Metadata": {}1{}}}"#,
        r#"{"a":"#.repeat(100_000),
        "}".repeat(100_000)
    );
    let inv = read(&deep, Some(InventoryFormat::Trivy)).unwrap().inventory;
    assert!(inv.components.is_empty());
    let huge = r#"{"SchemaVersion": 1e400, "Results": []}"#;
    assert_eq!(
        error(huge, InventoryFormat::Trivy),
        "`bad.json`:1:23: invalid JSON: number out of range"
    );
    let huge = r#"{"SchemaVersion": 2, "Results": [{"Type": "redhat", "Class": "os-pkgs",
      "Packages": [{"Name": "a", "Version": "1", "Epoch": 99999999999999999999999}]}]}"#;
    assert!(
        error(huge, InventoryFormat::Trivy).contains("expected u32"),
        "{}",
        error(huge, InventoryFormat::Trivy)
    );
    // A CVSS score string is parsed, never cast: an absurd one gives no severity.
    let doc = r#"{"results": [{"source": {"path": "p", "type": "lockfile"}, "packages": [
      {"package": {"name": "a", "version": "1.0.0", "ecosystem": "npm"},
       "groups": [{"ids": ["X-1"], "max_severity": "1e999999"}], "vulnerabilities": ["X-1"]}]}]}"#;
    let inv = read(doc, None).unwrap().inventory;
    assert_eq!(inv.evidence.len(), 1);
    assert_eq!(inv.evidence[0].severity, None);
}
