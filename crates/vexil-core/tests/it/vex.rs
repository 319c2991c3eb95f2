//! VEX out and in: every exported document (OpenVEX, CycloneDX 1.6, CSAF 2.0) is valid against
//! its official schema in `../shared/specs/schemas`, deterministic, and reads back as the same
//! statements; every real document of `../shared/data/vex` is read (golden snapshots), and bad
//! documents are refused naming the field.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use jiff::Timestamp;
use serde_json::{Value, json};
use vexil_core::ingest::{IngestError, Parsed};
use vexil_core::matching::Verdict;
use vexil_core::model::ReleaseId;
use vexil_core::model::decision::{Decision, DecisionSource, Justification, RuleRef, VexStatus};
use vexil_core::output::vex::{
    self, ExportInput, ExportStatement, SchemaTexts, VexDocument, VexFormat, VexSchemas,
    csaf::render_csaf, cyclonedx::render_cyclonedx, openvex::render_openvex,
};

use crate::shared;

/// The schemas of `../shared/specs/schemas`, compiled once for the whole suite.
fn schemas() -> Option<&'static VexSchemas> {
    static SCHEMAS: OnceLock<Option<VexSchemas>> = OnceLock::new();
    SCHEMAS.get_or_init(compile_schemas).as_ref()
}

fn compile_schemas() -> Option<VexSchemas> {
    let dir = shared::data("../specs/schemas")?;
    let text = |rel: &str| std::fs::read_to_string(dir.join(rel)).unwrap();
    let openvex = text("openvex/openvex_json_schema.json");
    let boms: Vec<(&str, String)> = ["1.5", "1.6", "1.7"]
        .into_iter()
        .map(|v| (v, text(&format!("cyclonedx/bom-{v}.schema.json"))))
        .collect();
    let bom_refs: Vec<(&str, String)> = [
        "spdx.schema.json",
        "jsf-0.82.schema.json",
        "cryptography-defs.schema.json",
    ]
    .into_iter()
    .map(|n| (n, text(&format!("cyclonedx/{n}"))))
    .collect();
    let csaf = text("csaf-2.0/csaf_json_schema.json");
    let cvss: Vec<(&str, String)> = ["cvss-v2.0.json", "cvss-v3.0.json", "cvss-v3.1.json"]
        .into_iter()
        .map(|n| (n, text(&format!("csaf-2.0/{n}"))))
        .collect();
    let boms: Vec<(&str, &str)> = boms.iter().map(|(v, t)| (*v, t.as_str())).collect();
    let bom_refs: Vec<(&str, &str)> = bom_refs.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let cvss: Vec<(&str, &str)> = cvss.iter().map(|(n, t)| (*n, t.as_str())).collect();
    Some(
        VexSchemas::compile(&SchemaTexts {
            openvex: &openvex,
            cyclonedx: &boms,
            cyclonedx_refs: &bom_refs,
            csaf: &csaf,
            csaf_refs: &cvss,
        })
        .unwrap(),
    )
}

fn rule_decision(status: VexStatus) -> Decision {
    Decision {
        status,
        justification: None,
        impact_statement: None,
        action_statement: None,
        reason: "Reviewed by the platform team".to_owned(),
        source: DecisionSource::Rule(RuleRef {
            id: "R-7".to_owned(),
            file: "rules/triage/openssl.toml".to_owned(),
            line: 14,
        }),
        issue: None,
        recheck: None,
        expires: None,
    }
}

fn finding(purl: &str, vuln: &str, aliases: &[&str], verdict: Verdict) -> ExportStatement {
    let mut ids: Vec<String> = aliases.iter().map(|a| (*a).to_owned()).collect();
    ids.push(vuln.to_owned());
    ExportStatement {
        purl: purl.to_owned(),
        vuln: vuln.to_owned(),
        ids,
        verdict,
        fixed_version: None,
        decision: None,
    }
}

/// Every verdict without a decision, and decisions of every status, with and without their
/// statements; a GHSA-only group; a purl with qualifiers; a component in two findings.
fn sample() -> ExportInput {
    let lodash = "pkg:npm/lodash@4.17.20";
    let openssl = "pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12";
    let mut statements = vec![
        ExportStatement {
            fixed_version: Some("4.17.21".to_owned()),
            ..finding(
                lodash,
                "CVE-2021-23337",
                &["GHSA-35jh-r3h4-6jhm"],
                Verdict::Affected,
            )
        },
        finding(
            lodash,
            "CVE-2019-10744",
            &["GHSA-jf85-cpcp-j695"],
            Verdict::Fixed,
        ),
        finding(
            "pkg:pypi/jinja2@3.1.2",
            "GHSA-h5c8-rqwp-cp95",
            &[],
            Verdict::Unknown,
        ),
        finding(
            "pkg:cargo/base64@0.5.1",
            "CVE-2017-1000430",
            &["RUSTSEC-2017-0004"],
            Verdict::Affected,
        ),
        finding(
            "pkg:golang/golang.org/x/net@0.7.0",
            "CVE-2023-3978",
            &["GO-2023-1988"],
            Verdict::NotAffected,
        ),
    ];
    let mut not_affected = rule_decision(VexStatus::NotAffected);
    not_affected.justification = Some(Justification::VulnerableCodeNotInExecutePath);
    not_affected.impact_statement = Some("TLS renegotiation is disabled".to_owned());
    statements.push(ExportStatement {
        decision: Some(not_affected),
        ..finding(openssl, "CVE-2023-5678", &[], Verdict::Affected)
    });
    // A not_affected decision with neither justification nor impact: the reason becomes one.
    statements.push(ExportStatement {
        decision: Some(rule_decision(VexStatus::NotAffected)),
        ..finding(openssl, "CVE-2024-0727", &[], Verdict::Affected)
    });
    let mut affected = rule_decision(VexStatus::Affected);
    affected.action_statement = Some("Rebuild the image with the patched base".to_owned());
    statements.push(ExportStatement {
        decision: Some(affected),
        ..finding(openssl, "CVE-2023-6129", &[], Verdict::Unknown)
    });
    let mut from_vex = rule_decision(VexStatus::UnderInvestigation);
    from_vex.source = DecisionSource::Vex {
        document: "vendor.openvex.json".to_owned(),
        format: "openvex".to_owned(),
        digest: "sha256:00".to_owned(),
    };
    statements.push(ExportStatement {
        decision: Some(from_vex),
        ..finding(openssl, "CVE-2023-6237", &[], Verdict::Affected)
    });
    statements.push(ExportStatement {
        decision: Some(rule_decision(VexStatus::Fixed)),
        ..finding(openssl, "CVE-2024-2511", &[], Verdict::Affected)
    });
    ExportInput {
        release: "billing-api@2.4.1".parse::<ReleaseId>().unwrap(),
        product_purl: None,
        product_name: None,
        timestamp: "2026-11-23T19:44:54Z".parse::<Timestamp>().unwrap(),
        statements,
    }
}

type Render = fn(&ExportInput) -> Result<Vec<u8>, vex::ExportError>;

const RENDERERS: [(VexFormat, Render); 3] = [
    (VexFormat::OpenVex, render_openvex),
    (VexFormat::CycloneDx, render_cyclonedx),
    (VexFormat::Csaf, render_csaf),
];

#[test]
fn exported_documents_are_valid_against_the_official_schemas() {
    let Some(schemas) = schemas() else {
        return;
    };
    let mut with_product = sample();
    with_product.product_purl = Some("pkg:oci/billing-api@sha256%3Aabc?tag=2.4.1".to_owned());
    with_product.product_name = Some("Billing API".to_owned());
    for input in [sample(), with_product] {
        for (format, render) in RENDERERS {
            let bytes = render(&input).unwrap();
            assert!(
                bytes.ends_with(b"}\n"),
                "{format}: pretty JSON with a newline"
            );
            let value: Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(schemas.validate(format, &value), Ok(true), "{format}");
        }
    }
}

#[test]
fn a_broken_export_is_caught_by_the_schema_naming_the_field() {
    let Some(schemas) = schemas() else {
        return;
    };
    let bytes = render_openvex(&sample()).unwrap();
    let mut value: Value = serde_json::from_slice(&bytes).unwrap();
    value["statements"][2]
        .as_object_mut()
        .unwrap()
        .remove("action_statement");
    value["statements"][2]["status"] = json!("affected");
    let violation = schemas.validate(VexFormat::OpenVex, &value).unwrap_err();
    assert_eq!(violation.pointer, "/statements/2");
    assert!(
        violation.message.contains("action_statement"),
        "{violation}"
    );
}

#[test]
fn exports_are_deterministic_and_ids_follow_the_content() {
    let input = sample();
    let mut shuffled = sample();
    shuffled.statements.reverse();
    shuffled.statements.swap(0, 3);
    for (format, render) in RENDERERS {
        let first = render(&input).unwrap();
        assert_eq!(
            first,
            render(&input).unwrap(),
            "{format}: same input, same bytes"
        );
        assert_eq!(
            first,
            render(&shuffled).unwrap(),
            "{format}: order does not matter"
        );
    }
    let mut changed = sample();
    changed.statements[0].fixed_version = Some("4.17.22".to_owned());
    let id = |bytes: Vec<u8>, pointer: &str| {
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        v.pointer(pointer).unwrap().as_str().unwrap().to_owned()
    };
    assert_ne!(
        id(render_openvex(&input).unwrap(), "/@id"),
        id(render_openvex(&changed).unwrap(), "/@id")
    );
    assert_ne!(
        id(render_cyclonedx(&input).unwrap(), "/serialNumber"),
        id(render_cyclonedx(&changed).unwrap(), "/serialNumber")
    );
    assert_ne!(
        id(render_csaf(&input).unwrap(), "/document/tracking/id"),
        id(render_csaf(&changed).unwrap(), "/document/tracking/id")
    );
}

/// What a decision made from a statement holds, per component: the comparison of a round trip.
fn decisions(doc: &VexDocument) -> Vec<Value> {
    let mut out: Vec<Value> = doc
        .statements
        .iter()
        .flat_map(|s| {
            s.subjects().map(move |subject| {
                json!({
                    "vuln": s.vulnerability, "aliases": s.aliases, "subject": subject,
                    "status": s.status, "justification": s.justification,
                    "impact": s.impact_statement, "action": s.action_statement,
                })
            })
        })
        .collect();
    out.sort_by_key(ToString::to_string);
    out
}

#[test]
fn export_then_read_gives_the_same_decisions_in_every_format() {
    let Some(schemas) = schemas() else {
        return;
    };
    let mut per_format = Vec::new();
    for (format, render) in RENDERERS {
        let bytes = render(&sample()).unwrap();
        let parsed = vex::read(&bytes, "export.json", Some(schemas)).unwrap();
        assert_eq!(parsed.warnings, [], "{format}");
        let doc = &parsed.records[0];
        assert_eq!((doc.format, doc.schema_checked), (format, true));
        assert_eq!(doc.timestamp, Some(sample().timestamp));
        for s in &doc.statements {
            let product = &s.products[0].id;
            assert_eq!(product, "pkg:generic/billing-api@2.4.1", "{format}");
        }
        per_format.push(decisions(doc));
    }
    assert_eq!(per_format[0], per_format[1], "OpenVEX and CycloneDX agree");
    assert_eq!(per_format[0], per_format[2], "OpenVEX and CSAF agree");
    insta::assert_json_snapshot!("vex_round_trip_decisions", per_format[0]);
}

#[test]
fn the_sample_export_in_each_format() {
    for (format, render) in RENDERERS {
        let text = String::from_utf8(render(&sample()).unwrap()).unwrap();
        insta::assert_snapshot!(format!("vex_export_{format}"), text);
    }
}

#[test]
fn nothing_to_state_is_an_error() {
    let mut input = sample();
    input.statements.clear();
    for (_, render) in RENDERERS {
        assert_eq!(
            render(&input).unwrap_err().to_string(),
            "`billing-api@2.4.1` has no findings to state: a VEX document needs at least one \
             statement"
        );
    }
}

#[test]
fn ten_thousand_findings_render_and_validate() {
    let Some(schemas) = schemas() else {
        return;
    };
    let mut input = sample();
    input.statements = (0..10_000)
        .map(|i| {
            let verdict = [Verdict::Affected, Verdict::Fixed, Verdict::NotAffected][i % 3];
            finding(
                &format!("pkg:npm/package-{}@1.0.{i}", i % 700),
                &format!("CVE-2026-{:05}", i / 3),
                &[],
                verdict,
            )
        })
        .collect();
    for (format, render) in RENDERERS {
        let value: Value = serde_json::from_slice(&render(&input).unwrap()).unwrap();
        assert_eq!(schemas.validate(format, &value), Ok(true), "{format}");
    }
}

fn read_error(text: &str) -> String {
    let schemas = schemas().unwrap();
    vex::read(text.as_bytes(), "bad.json", Some(schemas))
        .unwrap_err()
        .to_string()
}

#[test]
fn invalid_documents_are_refused_naming_the_field() {
    if schemas().is_none() {
        return;
    }
    let openvex = |statement: Value| {
        json!({
            "@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1",
            "author": "Example", "timestamp": "2026-01-01T00:00:00Z", "version": 1,
            "statements": [statement],
        })
        .to_string()
    };
    let errors = [
        read_error(&openvex(json!({
            "vulnerability": {"name": "CVE-2024-1"}, "products": [{"@id": "pkg:npm/a@1"}],
            "status": "exploitable"}))),
        read_error(&openvex(json!({
            "vulnerability": {"name": "CVE-2024-1"}, "products": [{"@id": "pkg:npm/a@1"}],
            "status": "affected"}))),
        read_error(&openvex(json!({
            "vulnerability": "CVE-2024-1", "products": ["pkg:npm/a@1"], "status": "fixed"}))),
        read_error(
            &json!({"@context": "https://openvex.dev/ns", "statements": [{
            "vulnerability": "CVE-2024-1", "products": ["pkg:npm/a@1"], "status": "broken"}]})
            .to_string(),
        ),
        read_error(
            &json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "vulnerabilities": [{"id": "CVE-2024-1", "analysis": {"state": "fine"}}]})
            .to_string(),
        ),
        read_error(
            &json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "components": []})
            .to_string(),
        ),
        read_error(
            &json!({"document": {"csaf_version": "2.0", "category": "csaf_vex"}}).to_string(),
        ),
        read_error(&json!({"document": {"csaf_version": "2.1"}}).to_string()),
        read_error(r#"["not", "a", "document"]"#),
        read_error(r#"{"statements": []}"#),
        read_error(r#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"#),
    ];
    insta::assert_snapshot!("vex_read_errors", errors.join("\n"));
}

/// A read for a snapshot: the document's identity, its statements one JSON line each (long
/// product lists cut to their first 5), and the warnings.
fn render_read(result: &Result<Parsed<VexDocument>, IngestError>) -> String {
    let mut out = String::new();
    let doc = match result {
        Err(e) => return format!("error: {e}\n"),
        Ok(parsed) => {
            let doc = &parsed.records[0];
            writeln!(
                out,
                "{} {} id={} author={} timestamp={} schema_checked={}",
                doc.format,
                doc.spec_version,
                doc.id.as_deref().unwrap_or("-"),
                doc.author.as_deref().unwrap_or("-"),
                doc.timestamp.map(|t| t.to_string()).unwrap_or("-".into()),
                doc.schema_checked
            )
            .unwrap();
            if !parsed.warnings.is_empty() {
                writeln!(out, "warnings: {}", parsed.warnings.len()).unwrap();
                for w in &parsed.warnings {
                    writeln!(out, "  {w}").unwrap();
                }
            }
            doc
        }
    };
    writeln!(out, "statements: {}", doc.statements.len()).unwrap();
    for s in &doc.statements {
        let mut s = s.clone();
        let products = s.products.len();
        s.products.truncate(5);
        for p in &mut s.products {
            let n = p.components.len();
            p.components.truncate(5);
            if n > 5 {
                p.components.push(format!("… {} more", n - 5));
            }
        }
        let mut line = serde_json::to_value(&s).unwrap();
        if products > 5 {
            line["more_products"] = json!(products - 5);
        }
        writeln!(out, "  {line}").unwrap();
    }
    out
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, files);
        } else {
            files.push(path);
        }
    }
}

/// The documents of `../shared/data/vex` that are refused, and why (the snapshots show each
/// message).
const REFUSED: &[&str] = &[
    // CSAF 2.1: a different schema and model; Vexil reads CSAF 2.0.
    "vex/csaf/oasis/csaf_2.1/2022-evd-uc-01-na-001.json",
    // A CSAF provider-metadata.json, not a CSAF document.
    "vex/csaf/oasis/provider-metadata/example-01-provider-metadata.json",
    // CycloneDX SBOMs without vulnerabilities (the BOMs the VEX examples link into).
    "vex/cyclonedx/bom-examples/CISA-Use-Cases_Case-7_bom-1.json",
    "vex/cyclonedx/bom-examples/CISA-Use-Cases_Case-7_bom-2.json",
    "vex/cyclonedx/bom-examples/CISA-Use-Cases_Case-8_bom-1.json",
    "vex/cyclonedx/bom-examples/CISA-Use-Cases_Case-8_bom-2.json",
    "vex/cyclonedx/bom-examples/Use-Cases_Case-13_bom-1.json",
    "vex/cyclonedx/bom-examples/Use-Cases_Case-13_bom-2.json",
    "vex/cyclonedx/bom-examples/Use-Cases_Case-13_bom-3.json",
    "vex/cyclonedx/bom-examples/Use-Cases_Case-6_bom-1.json",
    "vex/cyclonedx/bom-examples/Use-Cases_Case-6_bom-2.json",
    "vex/cyclonedx/bom-examples/Use-Cases_Case-6_bom-3.json",
    "vex/cyclonedx/bom-examples/Use-Cases_Case-9_bom-1.json",
    "vex/cyclonedx/bom-examples/Use-Cases_Case-9_bom-2.json",
    "vex/cyclonedx/bom-examples/Use-Cases_Case-9_bom-3.json",
    "vex/cyclonedx/bom-examples/bom.json",
    // Not VEX: a JSON array, and go-vex's pre-OpenVEX YAML attestation.
    "vex/openvex/defectdojo/openvex_not_a_document.json",
    "vex/openvex/go-vex/legacy-vex-attestation.yaml",
];

/// The published documents that break their official schema: refused, and read when schema
/// validation is off (the snapshots show both).
const SCHEMA_REFUSED: &[&str] = &[
    // A branch with both `branches` and `product` (CSAF `branches_t` maxProperties 3).
    "vex/csaf/go-vex/csaf.json",
    // Red Hat's template: empty `cpe` helpers and an empty `tracking.id`.
    "vex/csaf/redhat/security-data-guidelines-csaf-vex.json",
    // Chainguard: a top-level `supplier` (additionalProperties false).
    "vex/openvex/chainguard/joblib.openvex.json",
    "vex/openvex/chainguard/spring-security-web.openvex.json",
    "vex/openvex/chainguard/urllib3.openvex.json",
    // 0.0.1-style string products in a 0.2.0 document.
    "vex/openvex/defectdojo/openvex_many_vuln.json",
    // `statements` is empty (minItems 1).
    "vex/openvex/defectdojo/openvex_no_vuln.json",
    // No `timestamp`.
    "vex/openvex/go-vex/v020-1.vex.json",
    "vex/openvex/go-vex/v020-2.vex.json",
    // `affected` without `action_statement`.
    "vex/openvex/grype/affected.openvex.json",
    // `@id`s that are not IRIs (`CVE-2022-23628`, `aquasecurity/trivy:…`).
    "vex/openvex/trivy/integration-fixture-openvex.json",
    // No document `@id`.
    "vex/openvex/trivy/testdata-openvex-nested.json",
    "vex/openvex/trivy/testdata-openvex-oci.json",
    "vex/openvex/trivy/testdata-openvex.json",
    "vex/openvex/trivy/trivy.openvex.json",
    // A `statement` key vexctl's SARIF examples carry (additionalProperties false).
    "vex/openvex/vexctl/sample-1statement.openvex.json",
    "vex/openvex/vexctl/sample-2vulns.openvex.json",
    "vex/openvex/vexctl/sample-history.openvex.json",
];

#[test]
fn every_vex_document_of_shared_data_is_read_or_refused_as_listed() {
    let (Some(schemas), Some(root), Some(data_root)) =
        (schemas(), shared::data("vex"), shared::data(""))
    else {
        return;
    };
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let mut refused = Vec::new();
    let mut schema_refused = Vec::new();
    for path in files {
        let rel = path
            .strip_prefix(&data_root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(&path).unwrap();
        let result = vex::read(&bytes, &rel, Some(schemas));
        let mut text = render_read(&result);
        if let Err(e) = &result {
            if e.message.starts_with("not valid against the") {
                // What is read when schema validation is off: every one of these reads.
                let lenient = vex::read(&bytes, &rel, None);
                assert!(lenient.is_ok(), "{rel}: {lenient:?}");
                text.push_str("\nwithout schema validation:\n");
                text.push_str(&render_read(&lenient));
                schema_refused.push(rel.clone());
            } else {
                refused.push(rel.clone());
            }
        }
        insta::with_settings!({
            snapshot_path => "snapshots/vex",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => rel.as_str(),
        }, {
            insta::assert_snapshot!(rel.replace('/', "__"), text);
        });
    }
    assert_eq!(refused, REFUSED);
    assert_eq!(schema_refused, SCHEMA_REFUSED);
}
