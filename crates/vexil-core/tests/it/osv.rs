//! Golden tests of the OSV parser on the real records of `../shared/data/advisories/osv`, and
//! its refusals of bad input.

use std::io::Write;
use std::path::Path;

use vexil_core::ingest::advisory::osv;
use vexil_core::ingest::archive::Limits;
use vexil_core::model::{Advisory, Event};

use crate::shared;

fn parse_real(rel: &str) -> Option<Vec<Advisory>> {
    let (bytes, name) = shared::read(rel)?;
    Some(osv::parse(&bytes, &name).unwrap().records)
}

fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, files);
        } else {
            files.push(path);
        }
    }
}

/// Every record under advisories/osv parses; counts per folder match the data README.
#[test]
fn every_real_osv_file_parses() {
    let Some(root) = shared::data("advisories/osv") else {
        return;
    };
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let mut per_folder = std::collections::BTreeMap::<String, (usize, usize, usize)>::new();
    for path in &files {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let folder = rel.split('/').next().unwrap().to_owned();
        let bytes = std::fs::read(path).unwrap();
        let parsed = osv::parse(&bytes, &rel).unwrap_or_else(|e| panic!("{e}"));
        let counts = per_folder.entry(folder).or_default();
        counts.0 += 1;
        counts.1 += parsed.records.len();
        counts.2 += parsed.warnings.len();
    }
    insta::assert_json_snapshot!("osv_folder_counts", per_folder);
}

#[test]
fn go_record_keeps_semver_ranges_and_imports() {
    let Some(records) = parse_real("advisories/osv/go/GO-2022-0969.json") else {
        return;
    };
    insta::assert_json_snapshot!("go_2022_0969", records);
}

#[test]
fn rustsec_informational_records_say_so() {
    let Some(dir) = shared::data("advisories/osv/crates.io") else {
        return;
    };
    let mut informational = std::collections::BTreeMap::<String, usize>::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for record in osv::parse(&bytes, "x").unwrap().records {
            if let Some(kind) = record.informational {
                *informational.entry(kind).or_default() += 1;
            }
        }
    }
    insta::assert_json_snapshot!("rustsec_informational_kinds", informational);
}

#[test]
fn pypa_yaml_records_parse_like_json() {
    let Some(records) = parse_real("advisories/osv/pypi/jinja2/PYSEC-2019-217.yaml") else {
        return;
    };
    insta::assert_json_snapshot!("pysec_2019_217", records);
}

#[test]
fn ghsa_records_carry_their_severity_label_and_cwes() {
    let Some(dir) = shared::data("advisories/osv/ghsa/PyPI") else {
        return;
    };
    let first = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .min()
        .unwrap();
    let records = osv::parse(&std::fs::read(&first).unwrap(), "ghsa")
        .unwrap()
        .records;
    insta::assert_json_snapshot!("ghsa_pypi_first", records);
}

#[test]
fn malicious_records_are_flagged_and_withdrawn_ones_kept() {
    let Some(dir) = shared::data("advisories/osv/malicious") else {
        return;
    };
    let mut files = Vec::new();
    walk(&dir, &mut files);
    let (mut malicious, mut withdrawn, mut total) = (0, 0, 0);
    for path in files {
        for record in osv::parse(&std::fs::read(&path).unwrap(), "mal")
            .unwrap()
            .records
        {
            total += 1;
            malicious += usize::from(record.malicious);
            withdrawn += usize::from(record.withdrawn.is_some());
        }
    }
    assert_eq!(malicious, total, "every MAL-* record is flagged");
    assert!(
        withdrawn > 0,
        "the withdrawn folder holds withdrawn records"
    );
}

#[test]
fn unknown_ecosystems_are_kept_with_a_warning() {
    let text = br#"{"id":"X-1","modified":"2024-01-01T00:00:00Z",
        "affected":[{"package":{"ecosystem":"Cobol","name":"payroll"},"versions":["1"]}]}"#;
    let parsed = osv::parse(text, "x.json").unwrap();
    assert_eq!(parsed.records.len(), 1);
    assert_eq!(parsed.warnings.len(), 1);
    assert_eq!(
        parsed.warnings[0].to_string(),
        "`x.json` field `affected/0/package/ecosystem`: unknown ecosystem `Cobol`: kept, but Vexil cannot order its versions"
    );
}

#[test]
fn timestamps_without_a_zone_are_utc() {
    let text = br#"{"id":"X-1","modified":"2024-01-01T10:00:00"}"#;
    let record = &osv::parse(text, "x.json").unwrap().records[0];
    assert_eq!(record.modified.unwrap().to_string(), "2024-01-01T10:00:00Z");
}

#[test]
fn events_keep_their_kind_and_order() {
    let text = br#"{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":
        {"ecosystem":"PyPI","name":"a"},"ranges":[{"type":"ECOSYSTEM","events":[
        {"introduced":"0"},{"fixed":"1.0"},{"introduced":"2.0"},{"last_affected":"2.5"},
        {"limit":"3.0"}]}]}]}"#;
    let record = &osv::parse(text, "x.json").unwrap().records[0];
    let events = &record.affected[0].ranges[0].events;
    assert_eq!(events[0], Event::Introduced("0".into()));
    assert_eq!(events[3], Event::LastAffected("2.5".into()));
    assert_eq!(events[4], Event::Limit("3.0".into()));
}

fn error(bytes: &[u8]) -> String {
    osv::parse(bytes, "bad.json").unwrap_err().to_string()
}

#[test]
fn bad_input_is_refused_with_file_place_and_expectation() {
    assert_eq!(
        error(br#"{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"#),
        "`bad.json`:1:59: the document ends early (truncated?): EOF while parsing an object"
    );
    assert_eq!(
        error(b"{\"id\":\"X-\xff\"}"),
        "`bad.json`: not UTF-8 text: invalid byte at offset 9"
    );
    assert_eq!(
        error(br#"{"modified":"2024-01-01T00:00:00Z"}"#),
        "`bad.json` field `id`: expected an OSV record, which has an `id`; is this an OSV file?"
    );
    assert_eq!(
        error(br#"{"id":"X","modified":"last week"}"#),
        "`bad.json` field `modified`: expected an RFC 3339 timestamp like `2024-01-31T12:00:00Z`, found `last week`"
    );
    assert_eq!(
        error(br#"{"id":"X","affected":[{"ranges":[{"type":"SEMVER","events":[{"fixd":"1"}]}]}]}"#),
        "`bad.json` field `affected/0/ranges/0/events/0`: expected `introduced`, `fixed`, `last_affected` or `limit`, found `fixd`"
    );
    assert_eq!(
        error(br#"{"id":"X","affected":[{"ranges":[{"type":"RANGE","events":[]}]}]}"#),
        "`bad.json` field `affected/0/ranges/0/type`: expected `SEMVER`, `ECOSYSTEM` or `GIT`, found `RANGE`"
    );
    assert_eq!(
        error(b"   "),
        "`bad.json`: empty file; expected an OSV record"
    );
    let deep = format!(
        r#"{{"id":"X","database_specific":{}1{}}}"#,
        r#"{"a":"#.repeat(10_000),
        "}".repeat(10_000)
    );
    assert!(
        error(deep.as_bytes()).contains("recursion limit exceeded"),
        "{}",
        error(deep.as_bytes())
    );
}

#[test]
fn a_document_of_another_format_says_what_was_expected() {
    // A CISA KEV catalogue is JSON, but not an OSV record.
    let kev = br#"{"title":"CISA Catalog","vulnerabilities":[]}"#;
    assert_eq!(
        error(kev),
        "`bad.json` field `id`: expected an OSV record, which has an `id`; is this an OSV file?"
    );
    let text = b"Package: libc6\nVersion: 2.36\n";
    assert_eq!(
        error(text),
        "`bad.json` field `id`: expected an OSV record, which has an `id`; is this an OSV file?"
    );
    let text = b"just some words";
    assert!(
        error(text).starts_with("`bad.json`: not an OSV record in JSON or YAML"),
        "{}",
        error(text)
    );
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    for (name, bytes) in entries {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

#[test]
fn all_zip_archives_parse_entry_by_entry() {
    let a = br#"{"id":"A-1","modified":"2024-01-01T00:00:00Z"}"#;
    let b = br#"{"id":"B-1","modified":"2024-01-01T00:00:00Z"}"#;
    let archive = zip_of(&[("A-1.json", a), ("B-1.json", b), ("README", b"hi")]);
    let parsed = osv::parse(&archive, "all.zip").unwrap();
    let ids: Vec<_> = parsed.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["A-1", "B-1"]);
    assert_eq!(
        parsed.warnings[0].to_string(),
        "`all.zip` entry `README`: skipped: not a `.json` or `.yaml` OSV record"
    );
}

#[test]
fn hostile_archives_are_refused() {
    let record = br#"{"id":"A-1","modified":"2024-01-01T00:00:00Z"}"#;
    let traversal = zip_of(&[("../../etc/A-1.json", record)]);
    assert_eq!(
        osv::parse(&traversal, "all.zip").unwrap_err().to_string(),
        "`all.zip` entry `../../etc/A-1.json`: archive entry name has a `..` component; expected a relative path inside the archive"
    );
    let absolute = zip_of(&[("/A-1.json", record)]);
    assert!(
        osv::parse(&absolute, "all.zip")
            .unwrap_err()
            .to_string()
            .contains("an absolute path")
    );
    let bomb = zip_of(&[("bomb.json", &vec![b' '; 8 << 20])]);
    let err = osv::parse(&bomb, "all.zip").unwrap_err().to_string();
    assert!(err.contains("refusing a possible zip bomb"), "{err}");
    let small_cap = Limits {
        max_entry_bytes: 10,
        ..Limits::default()
    };
    let err = osv::parse_zip(&zip_of(&[("A-1.json", record)]), "all.zip", small_cap).unwrap_err();
    assert!(err.to_string().contains("expands past 10 bytes"), "{err}");
    let good = zip_of(&[("A-1.json", record)]);
    let err = osv::parse(&good[..good.len() / 2], "all.zip")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("`all.zip`: not a readable zip archive"),
        "{err}"
    );
}
