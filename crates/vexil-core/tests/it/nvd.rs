//! Golden tests of the NVD CVE API 2.0 parser on the real pages of `feeds/nvd`, and its errors
//! on each class of bad input.

use std::io::Write;

use serde_json::json;
use vexil_core::ingest::Parsed;
use vexil_core::ingest::advisory::nvd;
use vexil_core::model::Advisory;

use crate::shared;

fn parse_real(rel: &str) -> Option<Parsed<Advisory>> {
    let (bytes, name) = shared::read(rel)?;
    match nvd::parse(&bytes, &name) {
        Ok(parsed) => Some(parsed),
        Err(err) => panic!("{rel}: {err}"),
    }
}

/// The snapshot of a parse: the chosen records and every warning.
fn snapshot(parsed: &Parsed<Advisory>, records: &[&Advisory]) -> serde_json::Value {
    json!({ "records": records, "warnings": parsed.warnings })
}

const EXPECTED: &str = "expected an NVD CVE API 2.0 response \
    (`{\"format\": \"NVD_CVE\", \"vulnerabilities\": [{\"cve\": {…}}]}`), a yearly file with \
    `vulnerabilities` or `cve_items`, or an array of `{\"cve\": {…}}` items";

fn error(input: &str) -> String {
    nvd::parse(input.as_bytes(), "page.json")
        .unwrap_err()
        .to_string()
}

#[test]
fn cve_2024_3094_xz_backdoor() {
    let Some(parsed) = parse_real("feeds/nvd/osv.dev-nvdcve-2.0/CVE-2024-3094.json") else {
        return;
    };
    assert_eq!(parsed.records.len(), 1);
    let xz = &parsed.records[0];
    // Both the CNA's and NVD's CVSS 3.1 scores are kept, each with who gave it.
    assert_eq!(xz.severity.len(), 2);
    assert_eq!(xz.cwes, ["CWE-506"]);
    insta::assert_json_snapshot!(snapshot(&parsed, &[xz]));
}

#[test]
fn cve_2023_4863_libwebp() {
    let Some(parsed) = parse_real("feeds/nvd/osv.dev-nvdcve-2.0/CVE-2023-4863.json") else {
        return;
    };
    assert_eq!(parsed.records.len(), 1);
    insta::assert_json_snapshot!(snapshot(&parsed, &[&parsed.records[0]]));
}

/// The first three CVEs, and the first with an `AND` configuration (application on an OS).
#[test]
fn vunnel_full_page_subset() {
    let Some(parsed) = parse_real("feeds/nvd/vunnel-full-page.json") else {
        return;
    };
    assert_eq!(parsed.records.len(), 38);
    let with_and = parsed
        .records
        .iter()
        .find(|a| {
            a.nvd.as_ref().is_some_and(|n| {
                n.configurations
                    .iter()
                    .any(|c| c.operator.as_deref() == Some("AND"))
            })
        })
        .unwrap();
    assert_eq!(with_and.id, "CVE-2022-22377");
    let mut chosen: Vec<&Advisory> = parsed.records.iter().take(3).collect();
    chosen.push(with_and);
    insta::assert_json_snapshot!(snapshot(&parsed, &chosen));
}

/// The API leaves `vulnerabilities` out of a page with no results.
#[test]
fn empty_response() {
    let Some(parsed) = parse_real("feeds/nvd/vuln-list-update-emptyResp.json") else {
        return;
    };
    insta::assert_json_snapshot!(snapshot(&parsed, &[]));
}

#[test]
fn every_real_file_parses_with_its_count() {
    let mut files: Vec<(String, usize)> = vec![
        ("osv.dev-test.json".into(), 13),
        ("vuln-list-update-emptyResp.json".into(), 0),
        ("vuln-list-update-respPage1.json".into(), 2),
        ("vuln-list-update-respPage2.json".into(), 1),
        ("vuln-list-update-respPageFull.json".into(), 3),
        ("vunnel-full-page.json".into(), 38),
        ("vunnel-single-entry.json".into(), 1),
    ];
    let Some(dir) = shared::data("feeds/nvd/osv.dev-nvdcve-2.0") else {
        return;
    };
    let mut singles: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    singles.sort();
    assert_eq!(singles.len(), 23);
    files.extend(
        singles
            .into_iter()
            .map(|name| (format!("osv.dev-nvdcve-2.0/{name}"), 1)),
    );
    for (name, count) in files {
        let parsed = parse_real(&format!("feeds/nvd/{name}")).unwrap();
        assert_eq!(parsed.records.len(), count, "{name}");
        assert_eq!(parsed.warnings, [], "{name}");
        for advisory in &parsed.records {
            let status = advisory.nvd.as_ref().unwrap().vuln_status.as_deref();
            assert!(status.is_some(), "{name} {}", advisory.id);
            assert!(advisory.details.is_some(), "{name} {}", advisory.id);
            assert!(advisory.withdrawn.is_none(), "{name} {}", advisory.id);
        }
        // A one-CVE response file is named after its CVE.
        if let Some(id) = name.strip_prefix("osv.dev-nvdcve-2.0/") {
            assert_eq!(
                Some(parsed.records[0].id.as_str()),
                id.strip_suffix(".json")
            );
        }
    }
}

/// Paging fields, read without building the CVEs. The fixtures are independent captures: page 2
/// says `startIndex` 3 where the API would say 2, and the full page holds another third CVE.
#[test]
fn paging_fields_of_real_pages() {
    let Some((page1, _)) = shared::read("feeds/nvd/vuln-list-update-respPage1.json") else {
        return;
    };
    let (page2, _) = shared::read("feeds/nvd/vuln-list-update-respPage2.json").unwrap();
    let info1 = nvd::page_info(&page1, "respPage1.json").unwrap();
    let info2 = nvd::page_info(&page2, "respPage2.json").unwrap();
    assert_eq!(
        (
            info1.start_index,
            info1.results_per_page,
            info1.total_results
        ),
        (0, 2, 3)
    );
    assert_eq!(
        (
            info2.start_index,
            info2.results_per_page,
            info2.total_results
        ),
        (3, 1, 3)
    );

    let ids = |rel: &str| -> Vec<String> {
        let parsed = parse_real(rel).unwrap();
        parsed.records.into_iter().map(|a| a.id).collect()
    };
    assert_eq!(
        ids("feeds/nvd/vuln-list-update-respPage1.json"),
        ["CVE-2020-8167", "CVE-2021-22903"]
    );
    assert_eq!(
        ids("feeds/nvd/vuln-list-update-respPage2.json"),
        ["CVE-2024-5732"]
    );
    assert_eq!(
        ids("feeds/nvd/vuln-list-update-respPageFull.json"),
        ["CVE-2020-8167", "CVE-2021-22903", "CVE-2021-3881"]
    );

    let err = nvd::page_info(b"{\"title\": \"CISA\"}", "kev.json").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("`kev.json`:1:17: unexpected content: missing field `resultsPerPage`"),
        "{err}"
    );
}

/// A minimal CVE object with `extra` fields merged in.
fn cve(extra: serde_json::Value) -> serde_json::Value {
    let mut cve = json!({
        "id": "CVE-2024-0001",
        "published": "2024-01-02T03:04:05.678",
        "lastModified": "2024-02-03T04:05:06.789",
        "vulnStatus": "Analyzed",
        "descriptions": [{"lang": "es", "value": "hola"}, {"lang": "en", "value": "hello"}],
        "references": []
    });
    if let (Some(cve), Some(extra)) = (cve.as_object_mut(), extra.as_object()) {
        cve.extend(extra.clone());
    }
    cve
}

fn page(cves: &[serde_json::Value]) -> String {
    let items: Vec<_> = cves.iter().map(|c| json!({ "cve": c })).collect();
    json!({
        "resultsPerPage": items.len(), "startIndex": 0, "totalResults": items.len(),
        "format": "NVD_CVE", "version": "2.0", "timestamp": "2024-03-01T00:00:00.000",
        "vulnerabilities": items
    })
    .to_string()
}

fn parse_str(input: &str) -> Parsed<Advisory> {
    nvd::parse(input.as_bytes(), "page.json").unwrap()
}

#[test]
fn rejected_cve_is_kept_and_withdrawn() {
    let rejected = cve(json!({
        "vulnStatus": "Rejected",
        "descriptions": [{"lang": "en", "value": "** REJECT ** DO NOT USE THIS CANDIDATE NUMBER."}]
    }));
    let parsed = parse_str(&page(&[rejected]));
    let advisory = &parsed.records[0];
    assert_eq!(advisory.withdrawn, advisory.modified);
    assert_eq!(
        advisory.withdrawn.unwrap().to_string(),
        "2024-02-03T04:05:06.789Z"
    );
}

#[test]
fn english_description_and_utc_timestamps() {
    let parsed = parse_str(&page(&[cve(json!({}))]));
    let advisory = &parsed.records[0];
    assert_eq!(advisory.details.as_deref(), Some("hello"));
    assert_eq!(advisory.summary, None);
    assert_eq!(
        advisory.published.unwrap().to_string(),
        "2024-01-02T03:04:05.678Z"
    );
}

/// Yearly mirrors write `cve_items` of bare CVE objects; a bare array of `{"cve": …}` works too.
#[test]
fn yearly_file_and_bare_array_shapes() {
    let yearly = json!({ "timestamp": "2024-03-01T00:00:00", "cve_items": [cve(json!({}))] });
    assert_eq!(parse_str(&yearly.to_string()).records.len(), 1);
    let wrapped = json!({ "vulnerabilities": [{ "cve": cve(json!({})) }] });
    assert_eq!(parse_str(&wrapped.to_string()).records.len(), 1);
    let bare = json!([{ "cve": cve(json!({})) }, { "cve": cve(json!({"id": "CVE-2024-0002"})) }]);
    let ids: Vec<String> = parse_str(&bare.to_string())
        .records
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(ids, ["CVE-2024-0001", "CVE-2024-0002"]);
    assert_eq!(parse_str("[]").records.len(), 0);
}

#[test]
fn gzip_page_is_read() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(page(&[cve(json!({}))]).as_bytes()).unwrap();
    let bytes = gz.finish().unwrap();
    let parsed = nvd::parse(&bytes, "nvdcve-2.0-2024.json.gz").unwrap();
    assert_eq!(parsed.records[0].id, "CVE-2024-0001");
}

#[test]
fn placeholder_cwes_are_skipped_and_odd_values_warned() {
    let weak = cve(json!({ "weaknesses": [
        {"source": "nvd@nist.gov", "type": "Primary", "description": [
            {"lang": "en", "value": "NVD-CWE-Other"}, {"lang": "en", "value": "CWE-79"}]},
        {"source": "cna", "type": "Secondary", "description": [
            {"lang": "en", "value": "NVD-CWE-noinfo"}, {"lang": "en", "value": "CWE-79"},
            {"lang": "en", "value": "XSS"}]}
    ]}));
    let parsed = parse_str(&page(&[weak]));
    assert_eq!(parsed.records[0].cwes, ["CWE-79"]);
    assert_eq!(
        parsed.warnings[0].to_string(),
        "`page.json` field `/vulnerabilities/0/cve/weaknesses/1/description/2/value`: \
         expected a CWE id like `CWE-79`, found `XSS`: skipped"
    );
}

#[test]
fn cvss_vector_of_the_wrong_version_is_skipped_with_a_warning() {
    let metrics = cve(json!({ "metrics": {
        "cvssMetricV31": [{"source": "nvd@nist.gov", "type": "Primary",
            "cvssData": {"version": "3.1", "vectorString": "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}],
        "cvssMetricV2": [{"source": "nvd@nist.gov", "type": "Primary",
            "cvssData": {"version": "2.0", "vectorString": "AV:N/AC:L/Au:N/C:P/I:P/A:P"}}],
        "cvssMetricV50": []
    }}));
    let parsed = parse_str(&page(&[metrics]));
    let severity = &parsed.records[0].severity;
    assert_eq!(severity.len(), 1);
    assert_eq!(severity[0].score, "AV:N/AC:L/Au:N/C:P/I:P/A:P");
    let warnings: Vec<String> = parsed.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        warnings,
        [
            "`page.json` field `/vulnerabilities/0/cve/metrics/cvssMetricV50`: unknown CVSS \
             version: skipped",
            "`page.json` field `/vulnerabilities/0/cve/metrics/cvssMetricV31/0/cvssData/vectorString`: \
             expected a vector with CVSS:3.1/, found `CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`: skipped",
        ]
    );
}

#[test]
fn truncated_page() {
    let full = page(&[cve(json!({}))]);
    let cut = &full[..full.len() / 2];
    assert!(
        error(cut).starts_with("`page.json`:1:")
            && error(cut).contains("the document ends early (truncated?)"),
        "{}",
        error(cut)
    );
}

#[test]
fn invalid_utf8() {
    let mut bytes = page(&[cve(json!({"id": "CVE-2024-0001"}))]).into_bytes();
    let at = bytes.windows(4).position(|w| w == b"hola").unwrap();
    bytes[at] = 0xff;
    let err = nvd::parse(&bytes, "page.json").unwrap_err();
    assert_eq!(err.location.line, Some(1));
    assert!(err.message.contains("invalid JSON"), "{err}");
}

#[test]
fn deeply_nested_json() {
    let deep = format!(
        "{{\"vulnerabilities\": {}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let err = error(&deep);
    assert!(err.contains("recursion limit exceeded"), "{err}");
}

#[test]
fn empty_and_non_json_input() {
    assert_eq!(
        error("  \n"),
        format!("`page.json`: the file is empty; {EXPECTED}")
    );
    let csv =
        "#model_version:v2023.03.01,score_date:2024-01-31T00:00:00+0000\ncve,epss,percentile\n";
    assert!(
        error(csv).starts_with(
            "`page.json`:1:1: not JSON: found text starting with \
             `#model_version:v2023.03.01,score_date:20`; expected an NVD CVE API 2.0 response"
        ),
        "{}",
        error(csv)
    );
}

#[test]
fn wrong_formats_say_what_they_look_like() {
    let osv =
        json!({"schema_version": "1.6.0", "id": "GHSA-xxxx", "modified": "2024-01-01T00:00:00Z"});
    assert!(
        error(&osv.to_string()).starts_with(
            "`page.json`: not an NVD CVE document: this looks like an OSV record; expected"
        ),
        "{}",
        error(&osv.to_string())
    );
    let kev = json!({"title": "CISA Catalog", "catalogVersion": "2024.01.31", "count": 1,
        "vulnerabilities": [{"cveID": "CVE-2021-44228", "dateAdded": "2021-12-10"}]});
    assert!(
        error(&kev.to_string()).starts_with(
            "`page.json` field `/vulnerabilities/0`: not an NVD CVE document: this looks like \
             a CISA KEV entry; expected"
        ),
        "{}",
        error(&kev.to_string())
    );
    let legacy = json!({"CVE_data_type": "CVE", "CVE_data_format": "MITRE", "CVE_Items": []});
    assert!(
        error(&legacy.to_string()).contains("this looks like an NVD JSON 1.1 data feed"),
        "{}",
        error(&legacy.to_string())
    );
    assert_eq!(
        error("\"NVD_CVE\""),
        format!("`page.json`: not an NVD CVE document: found `NVD_CVE`; {EXPECTED}")
    );
    assert!(
        error("{\"a\": 1}").contains("found an object with keys `a`; expected"),
        "{}",
        error("{\"a\": 1}")
    );
    let other_format = json!({"format": "NVD_CPE", "version": "2.0", "products": []});
    assert!(
        error(&other_format.to_string()).starts_with(
            "`page.json` field `/format`: expected `NVD_CVE`, found `NVD_CPE`; expected"
        )
    );
}

#[test]
fn wrong_types_name_the_field() {
    assert_eq!(
        error(&page(&[cve(json!({"id": 2024}))])),
        "`page.json` field `/vulnerabilities/0/cve/id`: expected a string, found `2024`"
    );
    assert_eq!(
        error(r#"{"format": "NVD_CVE", "vulnerabilities": {"cve": {}}}"#),
        "`page.json` field `/vulnerabilities`: expected an array, found an object with keys `cve`"
    );
    let mut no_modified = cve(json!({}));
    no_modified.as_object_mut().unwrap().remove("lastModified");
    assert_eq!(
        error(&page(&[no_modified])),
        "`page.json` field `/vulnerabilities/0/cve/lastModified`: missing (required by the \
         NVD CVE API 2.0 schema)"
    );
}

#[test]
fn bad_timestamp() {
    assert_eq!(
        error(&page(&[cve(json!({"published": "yesterday"}))])),
        "`page.json` field `/vulnerabilities/0/cve/published`: expected a timestamp like \
         `2024-03-29T17:15:21.150`, found `yesterday`"
    );
}

#[test]
fn bad_configuration() {
    let node = |operator: &str, vulnerable: serde_json::Value| {
        cve(
            json!({"configurations": [{"nodes": [{"operator": operator, "negate": false,
            "cpeMatch": [{"vulnerable": vulnerable, "criteria": "cpe:2.3:a:x:y:1.0:*:*:*:*:*:*:*"}]}]}]}),
        )
    };
    assert_eq!(
        error(&page(&[node("XOR", json!(true))])),
        "`page.json` field `/vulnerabilities/0/cve/configurations/0/nodes/0/operator`: expected \
         `AND` or `OR`, found `XOR`"
    );
    assert_eq!(
        error(&page(&[node("OR", json!("yes"))])),
        "`page.json` field `/vulnerabilities/0/cve/configurations/0/nodes/0/cpeMatch/0/vulnerable`: \
         expected `true` or `false`, found `yes`"
    );
}

/// Every strict prefix of a real page is refused, none panics.
#[test]
fn every_truncation_of_a_real_page_is_an_error() {
    let Some((bytes, name)) = shared::read("feeds/nvd/vunnel-single-entry.json") else {
        return;
    };
    let end = bytes.trim_ascii_end().len();
    for cut in 0..end {
        assert!(
            nvd::parse(&bytes[..cut], &name).is_err(),
            "prefix of {cut} bytes"
        );
    }
}
