//! Golden and bad-input tests of the SBOM inventory parsers (CycloneDX JSON/XML, SPDX JSON/YAML/
//! tag-value, in-toto/DSSE envelopes).

use std::fmt::Write as _;

use vexil_core::ingest::IngestError;
use vexil_core::ingest::inventory::{self, Document, Family, InventoryFormat};
use vexil_core::model::Scope;

use crate::inventory::{golden_tree, read_shared, read_text, warnings};
use crate::shared;

/// Reads an inline document as the CLI would (detected, or with `--format`).
fn read(name: &str, text: &str, format: Option<InventoryFormat>) -> Result<Document, IngestError> {
    read_text(name, text, format, &[])
}

fn error(name: &str, text: &str, format: Option<InventoryFormat>) -> String {
    match read(name, text, format) {
        Ok(doc) => panic!("{name} was read: {:?}", doc.inventory),
        Err(e) => e.to_string(),
    }
}

/// Snapshots a hand-made case beside the golden ones (`snapshots/inventory/sbom__inline__…`).
fn snapshot(name: &str, out: &str) {
    insta::with_settings!({
        snapshot_path => "snapshots/inventory",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(format!("sbom__inline__{name}"), out);
    });
}

#[test]
fn cyclonedx_golden() {
    let Some((ok, failed)) = golden_tree("sbom/cyclonedx") else {
        return;
    };
    // The spec-invalid files that break the schema only in a field Vexil checks cheaply are
    // read with a warning; a `bomFormat` that is not CycloneDX is refused.
    assert_eq!(
        (ok, failed),
        (
            68,
            vec!["sbom/cyclonedx/spec-invalid/invalid-bomformat-1.6.json".to_owned()]
        )
    );
}

#[test]
fn spdx_golden() {
    let Some((ok, failed)) = golden_tree("sbom/spdx") else {
        return;
    };
    assert_eq!(
        (ok, failed),
        (
            33,
            vec![
                "sbom/spdx/spdx-examples/example11-sbom.spdx3.json".to_owned(),
                "sbom/spdx/syft/spdx-3.0-identify.spdx3.json".to_owned(),
            ]
        )
    );
}

/// SBOMs among the scanner reports parse here; their snapshots belong to the scanner tests.
#[test]
fn scanner_folders_sboms_parse() {
    for (rel, format, components, evidence) in [
        (
            "scanners/trivy/conda-spdx.spdx.json",
            InventoryFormat::SpdxJson,
            3,
            0,
        ),
        (
            "scanners/trivy/pom-cyclonedx.cdx.json",
            InventoryFormat::CycloneDxJson,
            3,
            2,
        ),
        (
            "scanners/trivy/npm-cyclonedx.cdx.json",
            InventoryFormat::CycloneDxJson,
            13,
            1,
        ),
        (
            "scanners/grype/presenter-dir.cdx.json",
            InventoryFormat::CycloneDxJson,
            2,
            2,
        ),
    ] {
        let Some(result) = read_shared(rel) else {
            return;
        };
        let doc = result.unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(doc.format, format, "{rel}");
        assert_eq!(
            (doc.inventory.components.len(), doc.inventory.evidence.len()),
            (components, evidence),
            "{rel}"
        );
    }
}

/// The SBOM detectors claim no lockfile, OS database or scanner report (they come first in the
/// detection order, so a loose one would hide those formats).
#[test]
fn sbom_detection_claims_no_other_family() {
    let sboms = [
        "scanners/trivy/conda-spdx.spdx.json",
        "scanners/trivy/pom-cyclonedx.cdx.json",
        "scanners/trivy/npm-cyclonedx.cdx.json",
        "scanners/grype/presenter-dir.cdx.json",
    ];
    let mut claimed = Vec::new();
    for folder in ["scanners", "lockfiles", "os-packages"] {
        let Some(root) = shared::data(folder) else {
            return;
        };
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let rel = path.to_string_lossy().replace('\\', "/");
                let Ok(text) = inventory::decode(&rel, &std::fs::read(&path).unwrap()) else {
                    continue;
                };
                if let Ok(format) = inventory::detect(&rel, &text)
                    && format.family() == Family::Sbom
                    && !sboms.iter().any(|s| rel.ends_with(s))
                {
                    claimed.push(format!("{rel}: {format}"));
                }
            }
        }
    }
    assert!(claimed.is_empty(), "{claimed:#?}");
}

#[test]
fn cyclonedx_counts_checked_by_hand() {
    let Some(juice) =
        read_shared("sbom/cyclonedx/bom-examples/juice-shop.via_npm.flat.bom.1.4.json")
    else {
        return;
    };
    let juice = juice.unwrap().inventory;
    // 1,115 listings of 978 distinct purls (npm's nested copies), 76 of them `optional`.
    assert_eq!(juice.components.len(), 978);
    let optional = juice
        .components
        .iter()
        .filter(|c| c.scope == Some(Scope::Optional))
        .count();
    assert!(optional > 0 && optional <= 76, "{optional}");

    let Some(json) = read_shared("sbom/cyclonedx/bom-examples/dropwizard-1.3.15.bom.json") else {
        return;
    };
    let Some(xml) = read_shared("sbom/cyclonedx/bom-examples/dropwizard-1.3.15.bom.xml") else {
        return;
    };
    let (json, xml) = (json.unwrap().inventory, xml.unwrap().inventory);
    // The same BOM in both encodings: the same 167 components and dependency edges.
    let purls = |i: &vexil_core::model::Inventory| -> Vec<String> {
        i.components.iter().map(|c| c.purl.clone()).collect()
    };
    assert_eq!(purls(&json), purls(&xml));
    assert_eq!(json.components.len(), 167);
    assert_eq!(json.dependencies, xml.dependencies);

    let Some(fluentd) = read_shared("sbom/cyclonedx/trivy/fluentd-multiple-lockfiles.cdx.json")
    else {
        return;
    };
    let fluentd = fluentd.unwrap().inventory;
    let count = |prefix: &str| {
        fluentd
            .components
            .iter()
            .filter(|c| c.purl.starts_with(prefix))
            .count()
    };
    // 105 Debian packages, 55 gems and the OS itself.
    assert_eq!(
        (
            count("pkg:deb/"),
            count("pkg:gem/"),
            fluentd.components.len()
        ),
        (105, 55, 161)
    );
    let bsdutils = fluentd
        .components
        .iter()
        .find(|c| c.name == "bsdutils")
        .unwrap();
    assert_eq!(
        bsdutils.source.as_ref().map(|s| s.name.as_str()),
        Some("util-linux")
    );
}

#[test]
fn intoto_envelope_reads_like_the_bom_inside() {
    let Some(wrapped) = read_shared("sbom/cyclonedx/trivy/centos-7-cyclonedx.intoto.jsonl") else {
        return;
    };
    let Some(plain) = read_shared("sbom/cyclonedx/trivy/centos-7-cyclonedx.json") else {
        return;
    };
    let (wrapped, plain) = (wrapped.unwrap(), plain.unwrap());
    assert_eq!(wrapped.format, InventoryFormat::InToto);
    let purls = |d: &Document| -> Vec<String> {
        d.inventory
            .components
            .iter()
            .map(|c| c.purl.clone())
            .collect()
    };
    assert_eq!(purls(&wrapped), purls(&plain));
    let at = &wrapped.inventory.components[0].location;
    assert_eq!(
        (at.entry.as_deref(), at.field.as_deref()),
        (Some("payload"), Some("/predicate/components/0"))
    );
}

#[test]
fn spdx_scope_from_relationships_and_lines_from_yaml_and_tag_value() {
    let Some(maven) = read_shared("sbom/spdx/spdx-examples/example8-examplemaven-0.0.1.spdx.json")
    else {
        return;
    };
    let maven = maven.unwrap().inventory;
    let junit = maven.components.iter().find(|c| c.name == "JUnit").unwrap();
    assert_eq!(junit.scope, Some(Scope::Dev), "TEST_DEPENDENCY_OF");

    let Some(yaml) = read_shared("sbom/spdx/spdx-spec/SPDXYAMLExample-2.3.spdx.yaml") else {
        return;
    };
    let Some(tag) = read_shared("sbom/spdx/spdx-spec/SPDXTagExample-v2.3.spdx") else {
        return;
    };
    let Some(json) = read_shared("sbom/spdx/spdx-spec/SPDXJSONExample-v2.3.spdx.json") else {
        return;
    };
    let (yaml, tag, json) = (yaml.unwrap(), tag.unwrap(), json.unwrap());
    // The three encodings of the spec's example give the same packages and edges.
    for other in [&yaml, &tag] {
        assert_eq!(
            other
                .inventory
                .components
                .iter()
                .map(|c| (&c.purl, &c.hashes, &c.cpes))
                .collect::<Vec<_>>(),
            json.inventory
                .components
                .iter()
                .map(|c| (&c.purl, &c.hashes, &c.cpes))
                .collect::<Vec<_>>()
        );
        assert_eq!(other.inventory.dependencies, json.inventory.dependencies);
    }
    // glibc's `- SPDXID:` line in the YAML, its `PackageName:` line in tag-value.
    assert_eq!(yaml.inventory.components[0].location.line, Some(148));
    assert_eq!(tag.inventory.components[0].location.line, Some(71));
}

// ---- bad input, CycloneDX ----

#[test]
fn cyclonedx_json_bad_input() {
    let truncated = r#"{"bomFormat": "CycloneDX", "specVersion": "1.5",
  "components": [{"type": "library", "name": "a""#;
    let e = error("t.cdx.json", truncated, None);
    assert!(
        e.contains(":2:") && e.contains("ends early (truncated?)"),
        "{e}"
    );

    let e = error(
        "x.json",
        r#"{"foo": 1}"#,
        Some(InventoryFormat::CycloneDxJson),
    );
    assert!(
        e.contains("valid JSON but not a CycloneDX BOM: no `bomFormat`"),
        "{e}"
    );

    let e = error("x.json", "[1, 2]", Some(InventoryFormat::CycloneDxJson));
    assert!(
        e.contains("not a CycloneDX BOM: the top level is an array"),
        "{e}"
    );

    let malformed = "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\",\n\"components\": [\n  {\"type\": \"library\", \"name\": 7}]}";
    let e = error("m.cdx.json", malformed, None);
    assert!(
        e.contains("`m.cdx.json`:3:") && e.contains("expected a string"),
        "{e}"
    );

    // Nesting past serde_json's recursion limit, or past the component depth cap: an error.
    let mut deep =
        String::from(r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": "#);
    for _ in 0..200 {
        deep.push_str(r#"[{"type": "library", "name": "x", "components": "#);
    }
    deep.push_str("[]");
    for _ in 0..200 {
        deep.push_str("}]");
    }
    deep.push('}');
    let e = error("deep.cdx.json", &deep, None);
    assert!(
        e.contains("recursion limit") || e.contains("nested deeper"),
        "{e}"
    );

    // A number too big for any integer type in a field Vexil skips: read.
    let huge = r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1e999999999,
        "components": [{"type": "library", "name": "a", "version": "1", "purl": "pkg:npm/a@1"}]}"#;
    match read("huge.cdx.json", huge, None) {
        Ok(doc) => assert_eq!(doc.inventory.components.len(), 1),
        Err(e) => assert!(e.to_string().contains("number"), "{e}"),
    }
}

#[test]
fn cyclonedx_graph_and_vulnerability_problems_are_warnings() {
    let bom = r#"{"bomFormat": "CycloneDX", "specVersion": "1.6",
      "metadata": {"tools": [{"vendor": "acme", "name": "scanner", "version": "2"}],
                   "component": {"bom-ref": "app", "type": "application", "name": "app", "version": "1"}},
      "components": [
        {"bom-ref": "a", "type": "library", "name": "a", "version": "1", "purl": "pkg:npm/a@1", "scope": "optional",
         "components": [{"bom-ref": "b", "type": "library", "name": "b", "version": "2", "purl": "pkg:npm/b@2"}]},
        {"bom-ref": "a", "type": "library", "name": "a2", "version": "1", "purl": "pkg:npm/a2@1"}
      ],
      "dependencies": [{"ref": "app", "dependsOn": ["a", "ghost"]}, {"ref": "a", "dependsOn": ["urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#b"]}],
      "vulnerabilities": [
        {"id": "CVE-2024-0001", "source": {"name": "nvd"},
         "ratings": [{"source": {"name": "other"}, "severity": "low"}, {"source": {"name": "nvd"}, "severity": "HIGH"}],
         "references": [{"id": "GHSA-xxxx-yyyy-zzzz"}, {"id": "CVE-2024-0001"}],
         "recommendation": "Upgrade a to version 1.0.1", "analysis": {"state": "exploitable"},
         "affects": [{"ref": "a"}, {"ref": "nobody"}]}
      ]}"#;
    let doc = read("g.cdx.json", bom, None).unwrap();
    let mut out = String::new();
    for d in &doc.inventory.dependencies {
        writeln!(out, "{} -> {}", d.from, d.to).unwrap();
    }
    for f in &doc.inventory.evidence {
        writeln!(out, "{}", serde_json::to_string(f).unwrap()).unwrap();
    }
    for w in warnings(&doc) {
        writeln!(out, "{w}").unwrap();
    }
    snapshot("cyclonedx_graph_and_vulnerabilities", &out);
}

#[test]
fn cyclonedx_xml_hostile_and_broken_input() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE bom [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component type="library"><name>&lol2;</name></component></components></bom>"#;
    let e = error("laughs.cdx.xml", laughs, None);
    assert!(
        e.contains(":2:1") && e.contains("declares XML entities; refused"),
        "{e}"
    );

    let custom = r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component type="library"><name>&ext;</name></component></components></bom>"#;
    let e = error("custom.cdx.xml", custom, None);
    assert!(
        e.contains("`&ext;` is not one of the predefined ones"),
        "{e}"
    );

    let mut deep = String::from(r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.4">"#);
    deep.push_str(&"<x>".repeat(1000));
    deep.push_str(&"</x>".repeat(1000));
    deep.push_str("</bom>");
    let e = error("deep.cdx.xml", &deep, None);
    assert!(e.contains("nested deeper than 256 elements"), "{e}");

    let truncated = "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.4\">\n  <components>\n    <component type=\"library\"><name>a</name>";
    let e = error("t.cdx.xml", truncated, None);
    assert!(
        e.contains("`t.cdx.xml`:3:5") && e.contains("never closed"),
        "{e}"
    );

    let pom = r#"<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion></project>"#;
    let e = error("pom.xml", pom, Some(InventoryFormat::CycloneDxXml));
    assert!(
        e.contains("not a CycloneDX BOM: the root element is <project>"),
        "{e}"
    );

    let escaped = r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components>
  <component type="library" bom-ref="a&amp;b"><name>a&#x26;b</name><version>1</version><purl>pkg:npm/a@1?x=1&amp;y=2</purl></component>
</components></bom>"#;
    let doc = read("ok.cdx.xml", escaped, None).unwrap();
    let c = &doc.inventory.components[0];
    assert_eq!(
        (c.purl.as_str(), c.location.line),
        ("pkg:npm/a@1?x=1&y=2", Some(2))
    );
}

// ---- bad input, SPDX ----

#[test]
fn spdx_bad_input() {
    let e = error(
        "x.json",
        r#"{"SPDXID": "SPDXRef-DOCUMENT"}"#,
        Some(InventoryFormat::SpdxJson),
    );
    assert!(
        e.contains("not an SPDX 2 document: no `spdxVersion`"),
        "{e}"
    );

    let e = error(
        "v.spdx.json",
        r#"{"spdxVersion": "SPDX-1.2", "packages": []}"#,
        None,
    );
    assert!(e.contains("Vexil reads `SPDX-2.2` and `SPDX-2.3`"), "{e}");

    let unterminated = "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nPackageName: a\nPackageComment: <text>never\nclosed\n";
    let e = error("u.spdx", unterminated, None);
    assert!(
        e.contains("`u.spdx`:4:1") && e.contains("never closed by `</text>`"),
        "{e}"
    );

    let stray = "SPDXVersion: SPDX-2.3\nPackageName: a\nthis is not a tag line\n";
    let e = error("s.spdx", stray, None);
    assert!(
        e.contains("`s.spdx`:3:1") && e.contains("expected a `Tag: value` line"),
        "{e}"
    );

    let malformed = "{\"spdxVersion\": \"SPDX-2.3\",\n \"packages\": [{\"SPDXID\": \"SPDXRef-a\", \"name\": [1]}]}";
    let e = error("m.spdx.json", malformed, None);
    assert!(
        e.contains("`m.spdx.json`:2:") && e.contains("expected a string"),
        "{e}"
    );

    // A YAML alias bomb is stopped by serde-saphyr's budget.
    let mut bomb = String::from("spdxVersion: SPDX-2.3\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let mut prev = 'a';
    for name in 'b'..='p' {
        writeln!(bomb, "{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]").unwrap();
        prev = name;
    }
    let e = error("bomb.spdx.yaml", &bomb, None);
    assert!(e.contains("invalid SPDX YAML"), "{e}");
}

#[test]
fn spdx_purls_from_other_package_manager_references_and_broken_ids() {
    let doc = r#"{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT",
      "packages": [
        {"SPDXID": "SPDXRef-app", "name": "app", "versionInfo": "1", "primaryPackagePurpose": "APPLICATION"},
        {"SPDXID": "SPDXRef-log", "name": "log4j-core", "versionInfo": "NOASSERTION",
         "externalRefs": [{"referenceCategory": "PACKAGE_MANAGER", "referenceType": "maven-central", "referenceLocator": "org.apache.logging.log4j:log4j-core:2.14.1"}]},
        {"SPDXID": "SPDXRef-babel", "name": "babel",
         "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "npm", "referenceLocator": "@babel/core@7.22.0"}],
         "checksums": [{"algorithm": "SHA256", "checksumValue": "not-hex"}]},
        {"SPDXID": "SPDXRef-log", "name": "log4j-api", "versionInfo": "2.14.1",
         "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1"}]}
      ],
      "relationships": [
        {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-app"},
        {"spdxElementId": "SPDXRef-app", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-log"},
        {"spdxElementId": "SPDXRef-babel", "relationshipType": "DEV_DEPENDENCY_OF", "relatedSpdxElement": "SPDXRef-app"},
        {"spdxElementId": "SPDXRef-app", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-gone"}
      ]}"#;
    let doc = read("p.spdx.json", doc, None).unwrap();
    let mut out = String::new();
    for c in &doc.inventory.components {
        writeln!(out, "{}", serde_json::to_string(c).unwrap()).unwrap();
    }
    for d in &doc.inventory.dependencies {
        writeln!(out, "{} -> {}", d.from, d.to).unwrap();
    }
    for w in warnings(&doc) {
        writeln!(out, "{w}").unwrap();
    }
    snapshot("spdx_package_manager_references", &out);
}

// ---- in-toto ----

fn envelope(statement: &str, payload_type: &str) -> String {
    use base64::Engine as _;
    let payload = base64::engine::general_purpose::STANDARD.encode(statement);
    format!(r#"{{"payloadType": "{payload_type}", "payload": "{payload}", "signatures": []}}"#)
}

const CDX_STATEMENT: &str = r#"{"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://cyclonedx.org/bom/v1.5",
  "subject": [], "predicate": {"bomFormat": "CycloneDX", "specVersion": "1.5",
  "components": [{"type": "library", "name": "a", "version": "1", "purl": "pkg:npm/a@1"}]}}"#;

const SPDX_STATEMENT: &str = r#"{"_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://spdx.dev/Document",
  "subject": [], "predicate": {"spdxVersion": "SPDX-2.3",
  "packages": [{"SPDXID": "SPDXRef-b", "name": "b", "versionInfo": "2",
    "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:pypi/b@2"}]}]}}"#;

#[test]
fn intoto_statements_envelopes_and_json_lines() {
    let bare = read("s.intoto.json", CDX_STATEMENT, None).unwrap();
    assert_eq!(bare.format, InventoryFormat::InToto);
    let at = &bare.inventory.components[0].location;
    assert_eq!(
        (at.entry.as_deref(), at.field.as_deref()),
        (None, Some("/predicate/components/0"))
    );

    let lines = format!(
        "{}\n{}\n",
        envelope(CDX_STATEMENT, "application/vnd.in-toto+json"),
        envelope(SPDX_STATEMENT, "application/vnd.in-toto+json")
    );
    let doc = read("two.intoto.jsonl", &lines, None).unwrap();
    let got: Vec<(&str, Option<&str>)> = doc
        .inventory
        .components
        .iter()
        .map(|c| (c.purl.as_str(), c.location.entry.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("pkg:npm/a@1", Some("line 1 payload")),
            ("pkg:pypi/b@2", Some("line 2 payload"))
        ]
    );
}

#[test]
fn intoto_bad_input() {
    let e = error("t.json", &envelope(CDX_STATEMENT, "text/plain"), None);
    assert!(e.contains("DSSE `payloadType` is `text/plain`"), "{e}");

    let e = error(
        "b.json",
        r#"{"payloadType": "application/vnd.in-toto+json", "payload": "%%% not base64 %%%"}"#,
        None,
    );
    assert!(
        e.contains("field `/payload`") && e.contains("not base64"),
        "{e}"
    );

    let slsa = r#"{"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://slsa.dev/provenance/v1", "predicate": {}}"#;
    let e = error(
        "p.json",
        &envelope(slsa, "application/vnd.in-toto+json"),
        None,
    );
    assert!(
        e.contains("entry `payload`")
            && e.contains("`https://slsa.dev/provenance/v1`, not an SBOM"),
        "{e}"
    );

    let broken_inside = envelope(
        r#"{"_type": "https://in-toto.io/Statement/v1", "predicate"#,
        "application/vnd.in-toto+json",
    );
    let e = error("i.json", &broken_inside, None);
    assert!(
        e.contains("entry `payload`:1:") && e.contains("truncated"),
        "{e}"
    );

    let truncated = r#"{"payloadType": "application/vnd.in-toto+json", "payload": "eyJ"#;
    let e = error("t.intoto.json", truncated, None);
    assert!(e.contains("ends early (truncated?)"), "{e}");
}

// ---- large documents (speed is measured by scripts/bench-inventory.py, not here) ----

/// 10,000 CycloneDX components with hashes, licences and a dependency each all arrive, with
/// their edges.
#[test]
fn ten_thousand_cyclonedx_components_all_arrive() {
    let mut bom =
        String::from(r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": ["#);
    for i in 0..10_000 {
        if i > 0 {
            bom.push(',');
        }
        write!(
            bom,
            r#"{{"bom-ref": "pkg:npm/p{i}@1.0.{i}", "type": "library", "name": "p{i}", "version": "1.0.{i}",
               "purl": "pkg:npm/p{i}@1.0.{i}", "scope": "required",
               "hashes": [{{"alg": "SHA-256", "content": "{:064x}"}}],
               "licenses": [{{"license": {{"id": "MIT"}}}}]}}"#,
            i
        )
        .unwrap();
    }
    bom.push_str(r#"], "dependencies": ["#);
    for i in 1..10_000 {
        if i > 1 {
            bom.push(',');
        }
        write!(
            bom,
            r#"{{"ref": "pkg:npm/p{i}@1.0.{i}", "dependsOn": ["pkg:npm/p{}@1.0.{}"]}}"#,
            i - 1,
            i - 1
        )
        .unwrap();
    }
    bom.push_str("]}");
    let doc = read("big.cdx.json", &bom, None).unwrap();
    assert_eq!(
        (
            doc.inventory.components.len(),
            doc.inventory.dependencies.len()
        ),
        (10_000, 9_999)
    );
}

/// A minified XML BOM is one long line: every component still gets its exact column.
#[test]
fn ten_thousand_components_on_one_xml_line_keep_their_columns() {
    let mut bom = String::from(r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components>"#);
    for i in 0..10_000 {
        write!(
            bom,
            r#"<component type="library" bom-ref="c{i}"><name>p{i}</name><version>1.0.{i}</version><purl>pkg:npm/p{i}@1.0.{i}</purl></component>"#
        )
        .unwrap();
    }
    bom.push_str("</components></bom>");
    let doc = read("one-line.cdx.xml", &bom, None).unwrap();
    let last = doc.inventory.components.last().unwrap();
    assert_eq!(
        (doc.inventory.components.len(), last.location.line),
        (10_000, Some(1))
    );
    assert_eq!(
        last.location.column,
        bom.rfind("<component ").map(|at| at + 1)
    );
}
