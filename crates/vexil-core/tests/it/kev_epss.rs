//! Golden tests of the CISA KEV and FIRST EPSS parsers on the real files of
//! `../shared/data/feeds/{kev,epss}`, and their refusals of bad input.

use std::io::Write;

use serde_json::json;
use vexil_core::ingest::advisory::{epss, kev};

use crate::shared;

const KEV_JSON: &str = "feeds/kev/known_exploited_vulnerabilities.json";
const KEV_CSV: &str = "feeds/kev/known_exploited_vulnerabilities.csv";

fn kev_error(input: &[u8]) -> String {
    kev::parse(input, "kev.json").unwrap_err().to_string()
}

fn epss_error(input: &[u8]) -> String {
    epss::parse(input, "epss.csv").unwrap_err().to_string()
}

/// A one-entry catalogue, with `edit` applied to its entry.
fn catalogue(edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut entry = json!({
        "cveID": "CVE-2021-44228", "vendorProject": "Apache", "product": "Log4j2",
        "vulnerabilityName": "Apache Log4j2 Remote Code Execution Vulnerability",
        "dateAdded": "2021-12-10", "shortDescription": "…", "requiredAction": "Apply updates.",
        "dueDate": "2021-12-24", "knownRansomwareCampaignUse": "Known", "notes": "",
        "cwes": ["CWE-20", "CWE-400", "CWE-502"]
    });
    edit(&mut entry);
    serde_json::to_vec_pretty(&json!({
        "title": "CISA Catalog of Known Exploited Vulnerabilities",
        "catalogVersion": "2021.12.10", "dateReleased": "2021-12-10T15:00:00.000Z",
        "count": 1, "vulnerabilities": [entry]
    }))
    .unwrap()
}

#[test]
fn kev_json_catalogue_has_1404_entries() {
    let Some((bytes, name)) = shared::read(KEV_JSON) else {
        return;
    };
    let catalog = kev::parse_catalog(&bytes, &name).unwrap();
    assert_eq!(catalog.entries.records.len(), 1404);
    assert_eq!(catalog.entries.warnings, []);
    let first_three = catalog.entries.records.get(..3).unwrap();
    let records = &catalog.entries.records;
    let summary = json!({
            "version": catalog.version,
            "released": catalog.released,
            "entries": records.len(),
            "known_ransomware": records.iter()
                .filter(|e| e.known_ransomware_campaign_use == "Known").count(),
            "without_cwes": records.iter().filter(|e| e.cwes.is_empty()).count(),
            "first_3": first_three,
    });
    insta::assert_json_snapshot!("kev_json_first_3", summary);
}

#[test]
fn kev_csv_gives_the_same_entries_as_json() {
    let (Some((json_bytes, json_name)), Some((csv_bytes, csv_name))) =
        (shared::read(KEV_JSON), shared::read(KEV_CSV))
    else {
        return;
    };
    let from_json = kev::parse(&json_bytes, &json_name).unwrap();
    let from_csv = kev::parse_catalog(&csv_bytes, &csv_name).unwrap();
    // The CSV carries no catalogue version or release time.
    assert_eq!((from_csv.version, from_csv.released), (None, None));
    assert_eq!(from_csv.entries.warnings, []);
    assert_eq!(from_csv.entries.records.len(), 1404);
    assert!(from_csv.entries.records == from_json.records);
}

#[test]
fn kev_count_mismatch_is_a_warning() {
    let mut value: serde_json::Value = serde_json::from_slice(&catalogue(|_| {})).unwrap();
    value["count"] = json!(2);
    let parsed = kev::parse(&serde_json::to_vec(&value).unwrap(), "kev.json").unwrap();
    assert_eq!(parsed.records.len(), 1);
    let warnings: Vec<String> = parsed.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["`kev.json` field `count`: the catalogue says `count: 2` but lists 1 entries"]
    );
}

#[test]
fn kev_odd_values_are_warnings_and_the_entry_kept() {
    let input = catalogue(|e| {
        e["cwes"] = json!(["CWE-20", "NVD-CWE-noinfo"]);
        e["knownRansomwareCampaignUse"] = json!("Maybe");
        e.as_object_mut().unwrap().remove("dueDate");
    });
    let parsed = kev::parse(&input, "kev.json").unwrap();
    assert_eq!(parsed.records.len(), 1);
    let entry = parsed.records.first().unwrap();
    assert_eq!(
        (entry.cwes.as_slice(), entry.due_date),
        (&["CWE-20".to_owned()][..], None)
    );
    let warnings: Vec<String> = parsed.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "`kev.json` field `vulnerabilities/0/dueDate`: `CVE-2021-44228` has no due date",
            "`kev.json` field `vulnerabilities/0/knownRansomwareCampaignUse`: `CVE-2021-44228`: \
             expected `Known` or `Unknown`, found `Maybe`; kept as is",
            "`kev.json` field `vulnerabilities/0/cwes`: `CVE-2021-44228`: expected a CWE id like \
             `CWE-79`, found `NVD-CWE-noinfo`; dropped",
        ]
    );
}

#[test]
fn kev_without_ransomware_field_means_unknown() {
    // Catalogues before October 2022 had no `knownRansomwareCampaignUse`.
    let input = catalogue(|e| {
        e.as_object_mut()
            .unwrap()
            .remove("knownRansomwareCampaignUse");
    });
    let parsed = kev::parse(&input, "kev.json").unwrap();
    assert_eq!(parsed.warnings, []);
    assert_eq!(
        parsed
            .records
            .first()
            .unwrap()
            .known_ransomware_campaign_use,
        "Unknown"
    );
}

#[test]
fn kev_duplicate_cve_is_a_warning() {
    let csv = "cveID,vendorProject,product,vulnerabilityName,dateAdded,dueDate\n\
               CVE-2021-44228,Apache,Log4j2,RCE,2021-12-10,2021-12-24\n\
               CVE-2021-44228,Apache,Log4j2,RCE,2021-12-10,2021-12-24\n";
    let parsed = kev::parse(csv.as_bytes(), "kev.csv").unwrap();
    assert_eq!(parsed.records.len(), 2);
    assert_eq!(
        parsed.warnings.first().unwrap().to_string(),
        "`kev.csv`:3 field `cveID`: `CVE-2021-44228` is listed again (first at line 2)"
    );
}

#[test]
fn kev_bad_date_names_the_entry_and_field() {
    let input = catalogue(|e| e["dateAdded"] = json!("yesterday"));
    assert_eq!(
        kev_error(&input),
        "`kev.json` field `vulnerabilities/0/dateAdded`: `CVE-2021-44228`: expected a date like \
         `2024-01-31`, found `yesterday`"
    );
    let input = catalogue(|e| e["dueDate"] = json!("2021-02-30"));
    assert_eq!(
        kev_error(&input),
        "`kev.json` field `vulnerabilities/0/dueDate`: `CVE-2021-44228`: expected a date like \
         `2024-01-31`, found `2021-02-30`"
    );
    let csv = "cveID,vendorProject,product,vulnerabilityName,dateAdded\n\
               CVE-2021-44228,Apache,Log4j2,RCE,2021-12-10\n\
               CVE-2021-45046,Apache,Log4j2,RCE,10/12/2021\n";
    assert_eq!(
        kev::parse(csv.as_bytes(), "kev.csv")
            .unwrap_err()
            .to_string(),
        "`kev.csv`:3 field `dateAdded`: `CVE-2021-45046`: expected a date like `2024-01-31`, \
         found `10/12/2021`"
    );
}

#[test]
fn kev_bad_release_time_is_an_error() {
    let mut value: serde_json::Value = serde_json::from_slice(&catalogue(|_| {})).unwrap();
    value["dateReleased"] = json!("last Monday");
    assert_eq!(
        kev_error(&serde_json::to_vec(&value).unwrap()),
        "`kev.json` field `dateReleased`: expected a date-time like `2025-08-25T17:04:19.9796Z`, \
         found `last Monday`"
    );
}

#[test]
fn kev_wrong_types_name_the_field() {
    let input = catalogue(|e| e["cveID"] = json!(44228));
    assert_eq!(
        kev_error(&input),
        "`kev.json` field `vulnerabilities/0/cveID`: expected a string, found a number"
    );
    let input = catalogue(|e| e["cwes"] = json!("CWE-20"));
    assert_eq!(
        kev_error(&input),
        "`kev.json` field `vulnerabilities/0/cwes`: expected an array of CWE ids, found a string"
    );
    let input = catalogue(|e| *e = json!("CVE-2021-44228"));
    assert_eq!(
        kev_error(&input),
        "`kev.json` field `vulnerabilities/0`: expected an object, found a string"
    );
    let input = catalogue(|e| {
        e.as_object_mut().unwrap().remove("product");
    });
    assert_eq!(
        kev_error(&input),
        "`kev.json` field `vulnerabilities/0/product`: missing; the KEV schema requires it"
    );
    let input = catalogue(|e| e["cveID"] = json!("CVE-21-44228"));
    assert_eq!(
        kev_error(&input),
        "`kev.json` field `vulnerabilities/0/cveID`: expected a CVE id like `CVE-2024-3094`, \
         found `CVE-21-44228`"
    );
    let mut value: serde_json::Value = serde_json::from_slice(&catalogue(|_| {})).unwrap();
    value["count"] = json!("1");
    assert_eq!(
        kev_error(&serde_json::to_vec(&value).unwrap()),
        "`kev.json` field `count`: expected a whole number, found a string"
    );
}

#[test]
fn kev_truncated_json_names_line_and_column() {
    let input = catalogue(|_| {});
    let cut = input.get(..input.len() / 2).unwrap();
    assert_eq!(
        kev_error(cut),
        "`kev.json`:14:26: the document ends early (truncated?): EOF while parsing a string"
    );
}

#[test]
fn kev_truncated_csv_row_is_an_error() {
    let csv = "cveID,vendorProject,product,vulnerabilityName,dateAdded\n\
               CVE-2021-44228,Apache,Log4j2,RCE,2021-12-10\n\
               CVE-2021-45046,Apache,Log";
    assert_eq!(
        kev::parse(csv.as_bytes(), "kev.csv")
            .unwrap_err()
            .to_string(),
        "`kev.csv`:3: expected 5 fields as in the header, found 3 (truncated?)"
    );
}

#[test]
fn kev_csv_without_a_required_column_is_refused() {
    let csv = "cveID,vendorProject,product,vulnerabilityName\nCVE-2021-44228,A,B,C\n";
    let message = kev::parse(csv.as_bytes(), "kev.csv")
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with(
            "`kev.csv`:1 field `dateAdded`: the header has no `dateAdded` column; expected \
             `cveID,vendorProject,product,"
        ),
        "{message}"
    );
}

#[test]
fn kev_invalid_utf8_is_refused() {
    let mut input = catalogue(|e| e["product"] = json!("Log4j2"));
    let at = input.windows(6).position(|w| w == b"Log4j2").unwrap();
    *input.get_mut(at).unwrap() = 0xff;
    assert_eq!(
        kev_error(&input),
        "`kev.json`:18:19: invalid JSON: invalid unicode code point"
    );

    let csv = b"cveID,vendorProject,product,vulnerabilityName,dateAdded\n\
                CVE-2021-44228,Apache,Log\xff,RCE,2021-12-10\n";
    assert_eq!(
        kev::parse(csv, "kev.csv").unwrap_err().to_string(),
        "`kev.csv`:2: invalid UTF-8 in field 3; expected UTF-8 text"
    );
}

#[test]
fn kev_wrong_formats_say_what_they_look_like() {
    let nvd = br#"{"resultsPerPage": 1, "startIndex": 0, "totalResults": 1,
                   "format": "NVD_CVE", "version": "2.0", "vulnerabilities": []}"#;
    assert_eq!(
        kev_error(nvd),
        "`kev.json`: this JSON object has keys `format`, `resultsPerPage`, `startIndex`, \
         `totalResults`, `version`, `vulnerabilities`; expected the CISA KEV catalogue, an object \
         with `catalogVersion`, `dateReleased`, `count` and `vulnerabilities`"
    );
    assert_eq!(
        kev_error(b"[]"),
        "`kev.json`: this looks like JSON; expected the CISA KEV catalogue as JSON \
         (`{\"catalogVersion\": …, \"vulnerabilities\": […]}`) or CSV (header `cveID,vendorProject,\
         product,vulnerabilityName,dateAdded,shortDescription,requiredAction,dueDate,\
         knownRansomwareCampaignUse,notes,cwes`)"
    );
    for (input, looks_like) in [
        (&b""[..], "an empty file"),
        (b"\x1f\x8b\x08\x00", "gzip-compressed data"),
        (b"<!DOCTYPE html>", "HTML or XML"),
        (
            b"cve,epss,percentile\n",
            "text starting `cve,epss,percentile`",
        ),
        (b"\xff\xfe\x00", "binary data (not UTF-8 text)"),
    ] {
        let message = kev_error(input);
        assert!(
            message.starts_with(&format!("`kev.json`: this looks like {looks_like};")),
            "{message}"
        );
    }
}

#[test]
fn kev_deeply_nested_json_is_refused() {
    let mut input = b"{\"catalogVersion\": \"1\", \"notes\": ".to_vec();
    input.extend(std::iter::repeat_n(b'[', 100_000));
    let message = kev_error(&input);
    assert!(message.contains("recursion limit exceeded"), "{message}");
}

fn epss_real(rel: &str) -> Option<vexil_core::ingest::Parsed<vexil_core::model::EpssScore>> {
    let (bytes, name) = shared::read(rel)?;
    Some(epss::parse(&bytes, &name).unwrap())
}

#[test]
fn epss_current_head_has_79_scores() {
    let Some(parsed) = epss_real("feeds/epss/epss_scores-current-head.csv") else {
        return;
    };
    assert_eq!(parsed.records.len(), 79);
    assert_eq!(parsed.warnings, []);
    insta::assert_json_snapshot!(
        "epss_current_head_first_3",
        parsed.records.get(..3).unwrap()
    );
}

#[test]
fn epss_vunnel_example_has_5_scores_with_the_old_date_format() {
    let Some(parsed) = epss_real("feeds/epss/vunnel-example-1.csv") else {
        return;
    };
    assert_eq!(parsed.records.len(), 5);
    assert_eq!(parsed.warnings, []);
    insta::assert_json_snapshot!("epss_vunnel_example_1", parsed.records);
}

#[test]
fn epss_missing_score_date_keeps_the_scores_with_a_warning() {
    let Some(parsed) = epss_real("feeds/epss/vunnel-missing-date.csv") else {
        return;
    };
    assert_eq!(parsed.records.len(), 5);
    assert!(parsed.records.iter().all(|s| s.score_date.is_none()));
    insta::assert_json_snapshot!(
        "epss_vunnel_missing_date",
        json!({ "records": parsed.records, "warnings": parsed.warnings })
    );
}

#[test]
fn epss_invalid_header_names_line_2_and_the_expected_header() {
    let Some((bytes, name)) = shared::read("feeds/epss/vunnel-invalid-header.csv") else {
        return;
    };
    assert_eq!(
        epss::parse(&bytes, &name).unwrap_err().to_string(),
        "`feeds/epss/vunnel-invalid-header.csv`:2: expected the header `cve,epss,percentile`, \
         found `invalid,header,format`"
    );
}

#[test]
fn epss_gzip_parses_like_plain() {
    let Some((bytes, name)) = shared::read("feeds/epss/epss_scores-current-head.csv") else {
        return;
    };
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&bytes).unwrap();
    let gzip = encoder.finish().unwrap();
    assert_eq!(
        epss::parse(&gzip, &name).unwrap(),
        epss::parse(&bytes, &name).unwrap()
    );
    let cut = gzip.get(..gzip.len() / 2).unwrap();
    let message = epss::parse(cut, "epss.csv.gz").unwrap_err().to_string();
    assert!(
        message.starts_with("`epss.csv.gz` entry `epss.csv.gz`: cannot decompress"),
        "{message}"
    );
}

#[test]
fn epss_scores_outside_0_to_1_name_the_line() {
    let head = "#model_version:v2026.06.15,score_date:2026-09-29T12:00:22Z\ncve,epss,percentile\n";
    for (row, expected) in [
        (
            "CVE-1999-0001,1.5,0.9",
            "`epss.csv`:4:15 field `epss`: `CVE-1999-0001`: expected a number from 0 to 1, \
             found `1.5`",
        ),
        (
            "CVE-1999-0001,0.1,-0.2",
            "`epss.csv`:4:19 field `percentile`: `CVE-1999-0001`: expected a number from 0 to 1, \
             found `-0.2`",
        ),
        (
            "CVE-1999-0001,NaN,0.2",
            "`epss.csv`:4:15 field `epss`: `CVE-1999-0001`: expected a number from 0 to 1, \
             found `NaN`",
        ),
        (
            "CVE-1999-0001,0.1",
            "`epss.csv`:4: expected 3 fields `cve,epss,percentile`, found 2: `CVE-1999-0001,0.1`",
        ),
        (
            "CVE-99-1,0.1,0.2",
            "`epss.csv`:4:1 field `cve`: expected a CVE id like `CVE-2024-3094`, found `CVE-99-1`",
        ),
    ] {
        let input = format!("{head}CVE-1999-0002,0.27858,0.98037\n{row}\n");
        assert_eq!(epss_error(input.as_bytes()), expected);
    }
}

#[test]
fn epss_bad_score_date_is_an_error() {
    assert_eq!(
        epss_error(b"#model_version:v1,score_date:tomorrow\ncve,epss,percentile\n"),
        "`epss.csv`:1 field `score_date`: expected a date-time like `2026-09-29T12:00:22Z`, \
         found `tomorrow`"
    );
}

#[test]
fn epss_without_the_model_line_warns_and_keeps_scores() {
    let input = b"cve,epss,percentile\r\nCVE-1999-0001,0.1,0.2\r\n\r\nCVE-1999-0001,0.1,0.2\r\n";
    let parsed = epss::parse(input, "epss.csv").unwrap();
    assert_eq!(parsed.records.len(), 2);
    let warnings: Vec<String> = parsed.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "`epss.csv`:1: no `#model_version:…,score_date:…` line: scores kept without model \
             version or date, so their age cannot be judged",
            "`epss.csv`:4: `CVE-1999-0001` is scored again (first on line 2)",
        ]
    );
}

#[test]
fn epss_wrong_formats_are_refused() {
    assert_eq!(
        epss_error(b""),
        "`epss.csv`:1: the file ends before the header; expected FIRST's EPSS CSV: \
         `#model_version:…,score_date:…`, then `cve,epss,percentile`, then rows (this looks like \
         an empty file)"
    );
    assert_eq!(
        epss_error(b"{\"catalogVersion\": \"2025.08.25\"}"),
        "`epss.csv`:1: this looks like JSON; expected FIRST's EPSS CSV, starting with \
         `#model_version:…,score_date:…` or the header `cve,epss,percentile`"
    );
    assert_eq!(
        epss_error(b"#model_version:v2026.06.15,score_date:2026-09-29T12:00:22Z\n"),
        "`epss.csv`:2: the file ends before the header; expected FIRST's EPSS CSV: \
         `#model_version:…,score_date:…`, then `cve,epss,percentile`, then rows (this looks like \
         text starting `#model_version:v2026.06.15,score_date:2026-09-29T12:00:22Z`)"
    );
    assert_eq!(
        epss_error(b"#model_version:v1,score_date:2025-02-20\ncve,epss,percentile\nCVE-1999-0001,0.\xff,0.2\n"),
        "`epss.csv`:3:17: invalid UTF-8; expected FIRST's EPSS CSV text (this looks like text \
         starting `#model_version:v1,score_date:2025-02-20`)"
    );
}
