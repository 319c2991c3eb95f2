//! Golden tests of the Alpine parsers: secdb (JSON and the legacy YAML) and APKINDEX, on the
//! real files of `../shared/data/feeds/alpine`, plus one hand-made input per bad-input class.

use std::io::Write;

use serde_json::json;
use vexil_core::ingest::IngestError;
use vexil_core::ingest::advisory::alpine::parse_secdb;
use vexil_core::ingest::advisory::apkindex::parse_apkindex;
use vexil_core::model::Advisory;

use crate::shared;

fn secdb(rel: &str) -> Option<vexil_core::ingest::Parsed<Advisory>> {
    let (bytes, name) = shared::read(rel)?;
    Some(parse_secdb(&bytes, &name).unwrap())
}

fn secdb_err(input: &str) -> IngestError {
    parse_secdb(input.as_bytes(), "t/secdb").unwrap_err()
}

fn pick<'a>(advisories: &'a [Advisory], ids: &[&str]) -> Vec<&'a Advisory> {
    ids.iter()
        .map(|id| advisories.iter().find(|a| a.id == *id).unwrap())
        .collect()
}

// --- secdb: every real file -----------------------------------------------------------------

/// (file, advisories, affected packages, warnings) for every secdb file of the shared data.
const SECDB_COUNTS: &[(&str, usize, usize, usize)] = &[
    ("secdb-json/trivy-db-vuln-list-ansible.json", 8, 8, 2),
    ("secdb-json/vuln-list-update-311-community.json", 0, 0, 0),
    ("secdb-json/vuln-list-update-311-main.json", 2, 2, 0),
    ("secdb-json/vuln-list-update-312-community.json", 0, 0, 0),
    ("secdb-json/vuln-list-update-312-main.json", 1, 1, 1),
    ("secdb-json/vuln-list-update-edge-community.json", 0, 0, 0),
    ("secdb-json/vuln-list-update-edge-main.json", 2, 2, 0),
    ("secdb-json/vunnel-chainguard-security.json", 189, 197, 0),
    ("secdb-json/vunnel-minimos-security.json", 59, 59, 0),
    ("secdb-json/vunnel-wolfi-security.json", 59, 59, 0),
    ("secdb-yaml/alpine-secdb/v3.10/community.yaml", 692, 712, 2),
    ("secdb-yaml/alpine-secdb/v3.10/main.yaml", 1200, 1248, 30),
    ("secdb-yaml/alpine-secdb/v3.11/community.yaml", 829, 886, 3),
    ("secdb-yaml/alpine-secdb/v3.11/main.yaml", 1220, 1276, 32),
    ("secdb-yaml/alpine-secdb/v3.3/community.yaml", 0, 0, 0),
    ("secdb-yaml/alpine-secdb/v3.3/main.yaml", 486, 489, 2),
    ("secdb-yaml/alpine-secdb/v3.4/community.yaml", 14, 14, 0),
    ("secdb-yaml/alpine-secdb/v3.4/main.yaml", 724, 727, 4),
    ("secdb-yaml/alpine-secdb/v3.5/community.yaml", 98, 101, 0),
    ("secdb-yaml/alpine-secdb/v3.5/main.yaml", 887, 909, 4),
    ("secdb-yaml/alpine-secdb/v3.6/community.yaml", 195, 214, 2),
    ("secdb-yaml/alpine-secdb/v3.6/main.yaml", 962, 985, 5),
    ("secdb-yaml/alpine-secdb/v3.7/community.yaml", 378, 401, 2),
    ("secdb-yaml/alpine-secdb/v3.7/main.yaml", 1128, 1164, 3),
    ("secdb-yaml/alpine-secdb/v3.8/community.yaml", 462, 476, 2),
    ("secdb-yaml/alpine-secdb/v3.8/main.yaml", 1177, 1217, 4),
    ("secdb-yaml/alpine-secdb/v3.9/community.yaml", 575, 593, 2),
    ("secdb-yaml/alpine-secdb/v3.9/main.yaml", 1149, 1191, 16),
    ("secdb-yaml/vunnel/v3.15/community.yaml", 3, 3, 0),
    ("secdb-yaml/vunnel/v3.15/main.yaml", 13, 13, 0),
];

#[test]
fn secdb_every_real_file_parses_with_known_counts() {
    for &(rel, advisories, affected, warnings) in SECDB_COUNTS {
        let Some(parsed) = secdb(&format!("feeds/alpine/{rel}")) else {
            return;
        };
        let got_affected: usize = parsed.records.iter().map(|a| a.affected.len()).sum();
        assert_eq!(
            (parsed.records.len(), got_affected, parsed.warnings.len()),
            (advisories, affected, warnings),
            "{rel}: {:#?}",
            parsed.warnings
        );
        // Every advisory of a file names its branch, and every id appears once.
        let mut ids: Vec<&str> = parsed.records.iter().map(|a| a.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(
            ids.len(),
            parsed.records.len(),
            "{rel}: duplicate advisory ids"
        );
    }
}

#[test]
fn secdb_json_edge_main() {
    let Some(parsed) = secdb("feeds/alpine/secdb-json/vuln-list-update-edge-main.json") else {
        return;
    };
    insta::assert_json_snapshot!(json!({
        "advisories": parsed.records,
        "warnings": parsed.warnings,
    }));
}

/// vuln-list's one-package flattening, with notes after ids and a GHSA alias.
#[test]
fn secdb_json_vuln_list_flattened() {
    let Some(parsed) = secdb("feeds/alpine/secdb-json/trivy-db-vuln-list-ansible.json") else {
        return;
    };
    insta::assert_json_snapshot!(json!({
        "advisories": parsed.records,
        "warnings": parsed.warnings,
    }));
}

/// `"packages": {}` for an empty repository, and `"2.8.0-r0": {}` for a version without ids.
#[test]
fn secdb_json_empty_objects() {
    let Some(parsed) = secdb("feeds/alpine/secdb-json/vuln-list-update-312-main.json") else {
        return;
    };
    assert_eq!(parsed.records.len(), 1);
    assert_eq!(
        parsed.warnings[0].to_string(),
        "`feeds/alpine/secdb-json/vuln-list-update-312-main.json` field \
         `packages/0/pkg/secfixes/2.8.0-r0`: package `ansible`, fixed version `2.8.0-r0`: \
         expected a list of ids, found a mapping; nothing recorded"
    );
}

/// Wolfi's secdb has no `distroversion`: the ecosystem comes from `urlprefix`.
#[test]
fn secdb_json_wolfi() {
    let Some(parsed) = secdb("feeds/alpine/secdb-json/vunnel-wolfi-security.json") else {
        return;
    };
    let never: Vec<&str> = parsed
        .records
        .iter()
        .filter(|a| {
            a.affected
                .iter()
                .any(|p| p.distro.as_ref().is_some_and(|d| d.never_affected))
        })
        .map(|a| a.id.as_str())
        .collect();
    insta::assert_json_snapshot!(json!({
        "count": parsed.records.len(),
        "first": &parsed.records[..3],
        "never_affected": never,
    }));
}

#[test]
fn secdb_yaml_vunnel_v3_15_main() {
    let Some(parsed) = secdb("feeds/alpine/secdb-yaml/vunnel/v3.15/main.yaml") else {
        return;
    };
    insta::assert_json_snapshot!(json!({
        "count": parsed.records.len(),
        "first": &parsed.records[..3],
    }));
}

/// Xen's ids: `CVE-2017-8904 XSA-214` are aliases; XSA-201 names four CVEs and XSA-254 three
/// (on one line, with the word `XPTI`), so they are only related; the lowest of two fixed
/// versions of one package comes first.
#[test]
fn secdb_yaml_v3_7_main_relations() {
    let Some(parsed) = secdb("feeds/alpine/secdb-yaml/alpine-secdb/v3.7/main.yaml") else {
        return;
    };
    insta::assert_json_snapshot!(json!({
        "count": parsed.records.len(),
        "selected": pick(&parsed.records, &[
            "CVE-2017-8904", "XSA-214", "CVE-2016-9815", "XSA-201", "CVE-2017-5753", "XSA-254",
            "CVE-2017-3738",
        ]),
        "warnings": parsed.warnings,
    }));
}

/// tcpdump's notes after ids and rsync's `CVE-2017-17434-1`/`-2` (v3.10), `CVE 2018-16859`
/// (v3.9).
#[test]
fn secdb_yaml_notes_and_repairs() {
    let Some(v3_10) = secdb("feeds/alpine/secdb-yaml/alpine-secdb/v3.10/main.yaml") else {
        return;
    };
    let Some(v3_9) = secdb("feeds/alpine/secdb-yaml/alpine-secdb/v3.9/main.yaml") else {
        return;
    };
    insta::assert_json_snapshot!(json!({
        "v3.10": pick(&v3_10.records, &["CVE-2018-10103", "CVE-2018-14879", "CVE-2017-17434"]),
        "v3.10 warnings": v3_10.warnings,
        "v3.9": pick(&v3_9.records, &["CVE-2018-16859"]),
    }));
}

// --- secdb: bad input ------------------------------------------------------------------------

#[test]
fn secdb_truncated_json() {
    let err = secdb_err("{\"distroversion\": \"v3.20\", \"packages\": [{\"pkg\": {\"name\": \"a\"");
    assert_eq!(
        (err.location.line, err.location.column),
        (Some(1), Some(60))
    );
    assert!(
        err.message
            .starts_with("the document ends early (truncated?)"),
        "{err}"
    );
}

#[test]
fn secdb_truncated_yaml() {
    let err = secdb_err("distroversion: v3.20\npackages:\n  - pkg:\n      name: \"ans");
    assert_eq!(
        err.to_string(),
        "`t/secdb`:4:13: invalid secdb YAML: unclosed quote"
    );
}

#[test]
fn secdb_invalid_utf8() {
    let err = parse_secdb(
        b"distroversion: v3.20\npackages:\n- pkg: {name: \xff}\n",
        "t/secdb",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`t/secdb`:3:15: invalid UTF-8 (byte 0xff); expected UTF-8 text"
    );
}

#[test]
fn secdb_wrong_format_names_what_it_found() {
    let err = secdb_err(r#"{"resultsPerPage": 1, "vulnerabilities": []}"#);
    assert_eq!(
        err.to_string(),
        "`t/secdb` field `packages`: no `packages` list: found a mapping with keys \
         `resultsPerPage`, `vulnerabilities`; expected an Alpine secdb document \
         `{distroversion, reponame, packages: [{pkg: {name, secfixes}}]}`"
    );
    assert_eq!(
        secdb_err("\n[1, 2]").to_string(),
        "`t/secdb`:2:1: found a JSON array; expected an Alpine secdb document \
         `{distroversion, reponame, packages: [{pkg: {name, secfixes}}]}`"
    );
    assert_eq!(
        secdb_err("- a\n- b\n").to_string(),
        "`t/secdb`:1:1: invalid secdb YAML: expected mapping start"
    );
    let err = secdb_err("   \n");
    assert!(err.message.starts_with("the file is empty"), "{err}");
}

#[test]
fn secdb_wrong_types() {
    let err = secdb_err(
        r#"{"distroversion": "v3.20", "packages": [{"pkg": {"name": "a", "secfixes": [1]}}]}"#,
    );
    assert_eq!(
        (err.location.line, err.location.column),
        (Some(1), Some(75))
    );
    assert!(
        err.message
            .contains("expected a mapping from fixed version to a list of ids"),
        "{err}"
    );
    let err = secdb_err("distroversion: v3.20\npackages:\n- pkg: {secfixes: {}}\n");
    assert!(err.message.contains("missing field `name`"), "{err}");
    let err = secdb_err(r#"{"distroversion": "v3.20", "packages": {"a": 1}}"#);
    assert!(err.message.contains("expected a list of packages"), "{err}");
}

#[test]
fn secdb_without_branch_from_an_unknown_host() {
    let err = secdb_err(r#"{"urlprefix": "https://example.org/apk", "packages": []}"#);
    assert_eq!(err.location.field.as_deref(), Some("distroversion"));
    assert!(
        err.message.contains("found `https://example.org/apk`"),
        "{err}"
    );
}

#[test]
fn secdb_deep_nesting_and_alias_bombs_are_refused_or_skipped() {
    let deep = format!(
        "distroversion: v1\npackages: []\narchs: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let err = parse_secdb(deep.as_bytes(), "t/secdb").unwrap_err();
    assert!(err.message.contains("recursion limit exceeded"), "{err}");
    // Deep nesting where an id belongs: serde_json skips it without recursing; a warning.
    let deep = format!(
        r#"{{"distroversion": "v1", "packages": [{{"pkg": {{"name": "a", "secfixes": {{"1": [{}{}]}}}}}}]}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let parsed = parse_secdb(deep.as_bytes(), "t/secdb").unwrap();
    assert_eq!(
        parsed.warnings[0].to_string(),
        "`t/secdb` field `packages/0/pkg/secfixes/1/0`: package `a`: expected an id such as \
         `CVE-2024-1234`, found a list; skipped"
    );
    let mut bomb =
        String::from("distroversion: v1\npackages: []\na0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let j = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{j}, *a{j}, *a{j}, *a{j}, *a{j}, *a{j}, *a{j}, *a{j}, *a{j}]\n"
        ));
    }
    let err = parse_secdb(bomb.as_bytes(), "t/secdb").unwrap_err();
    assert!(err.message.contains("budget breached"), "{err}");
}

/// Problems inside a record are warnings with their place; what can be kept is kept.
#[test]
fn secdb_record_level_problems_are_warnings() {
    let input = r#"
distroversion: v3.20
reponame: main
packages:
  - pkg:
      name: demo
      secfixes:
        "0":
          - CVE-2020-0001
        1.2-r0:
          - CVE-2020-0001
          - CVE_2020-0002 (fix incomplete)
          - XPTI
          - 42
        1.3.-r0:
          - CVE-2020-0003 GHSA-h5c8-rqwp-cp95
        1.4-r0: ~
"#;
    let parsed = parse_secdb(input.as_bytes(), "t/secdb").unwrap();
    insta::assert_json_snapshot!(json!({
        "advisories": parsed.records,
        "warnings": parsed.warnings,
    }));
}

// --- APKINDEX --------------------------------------------------------------------------------

#[test]
fn apkindex_real_index_text_and_tar_gz_agree() {
    let Some((text, text_name)) = shared::read("feeds/alpine/apkindex/alpine-x86-APKINDEX") else {
        return;
    };
    let Some((tgz, tgz_name)) = shared::read("feeds/alpine/apkindex/alpine-x86-APKINDEX.tar.gz")
    else {
        return;
    };
    let from_text = parse_apkindex(&text, &text_name).unwrap();
    let from_tgz = parse_apkindex(&tgz, &tgz_name).unwrap();
    assert_eq!(from_text.records.len(), 4464);
    assert_eq!(from_text.records, from_tgz.records);
    assert_eq!(from_tgz.warnings.len(), 9);
    insta::assert_json_snapshot!(json!({
        "count": from_tgz.records.len(),
        "first": &from_tgz.records[..3],
        "first_warning": from_tgz.warnings[0],
        "origin_is_name": from_tgz.records.iter().filter(|e| e.origin == e.name).count(),
    }));
}

#[test]
fn apkindex_installed_databases() {
    for (rel, count) in [
        ("feeds/alpine/apkindex/apk-tools-query-installed.data", 39),
        ("feeds/alpine/apkindex/osv-scalibr-apk-installed", 15),
    ] {
        let Some((bytes, name)) = shared::read(rel) else {
            return;
        };
        let parsed = parse_apkindex(&bytes, &name).unwrap();
        assert_eq!(
            (parsed.records.len(), parsed.warnings.len()),
            (count, 0),
            "{rel}"
        );
    }
    let Some((bytes, name)) = shared::read("feeds/alpine/apkindex/osv-scalibr-apk-installed")
    else {
        return;
    };
    let parsed = parse_apkindex(&bytes, &name).unwrap();
    insta::assert_json_snapshot!(&parsed.records[..2]);
}

/// apk-tools' solver fixtures: tiny indexes, some without a trailing newline, repeated `p:`.
#[test]
fn apkindex_solver_fixtures() {
    let Some(dir) = shared::data("feeds/alpine/apkindex/apk-tools-solver") else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut total = 0;
    for path in &files {
        let name = path.display().to_string();
        let parsed = parse_apkindex(&std::fs::read(path).unwrap(), &name).unwrap();
        assert!(parsed.warnings.is_empty(), "{name}: {:?}", parsed.warnings);
        assert!(!parsed.records.is_empty(), "{name}");
        total += parsed.records.len();
    }
    assert_eq!((files.len(), total), (49, 172));
    let provides = files.iter().find(|p| p.ends_with("provides.repo")).unwrap();
    let parsed = parse_apkindex(&std::fs::read(provides).unwrap(), "provides.repo").unwrap();
    let selfconflicting = parsed
        .records
        .iter()
        .find(|e| e.name == "selfconflicting")
        .unwrap();
    assert_eq!(
        selfconflicting.provides,
        ["selfprovided=2", "selfprovided=3"]
    );
}

// --- APKINDEX: bad input ---------------------------------------------------------------------

fn index_err(input: &[u8]) -> String {
    parse_apkindex(input, "t/APKINDEX").unwrap_err().to_string()
}

#[test]
fn apkindex_crlf_and_no_trailing_newline() {
    let parsed = parse_apkindex(
        b"C:Q1x=\r\nP:a\r\nV:1.0-r0\r\nt:notatime\r\n\r\nP:b\r\nV:2\r\no:bsrc",
        "t/APKINDEX",
    )
    .unwrap();
    let names: Vec<(&str, &str, &str, usize)> = parsed
        .records
        .iter()
        .map(|e| {
            (
                e.name.as_str(),
                e.version.as_str(),
                e.origin.as_str(),
                e.line,
            )
        })
        .collect();
    assert_eq!(names, [("a", "1.0-r0", "a", 1), ("b", "2", "bsrc", 6)]);
    assert_eq!(
        parsed.warnings[0].to_string(),
        "`t/APKINDEX`:4: package `a`: `t:` expected seconds since the epoch, found `notatime`; ignored"
    );
}

#[test]
fn apkindex_record_missing_version_or_name() {
    assert_eq!(
        index_err(b"P:a\nV:1\n\nC:Q1x=\nP:b\nA:x86\n"),
        "`t/APKINDEX`:4: the record of `b` that starts at line 4 has no `V:` (version); every \
         record needs `P:` and `V:`"
    );
    assert_eq!(
        index_err(b"P:a\nV:1\n\n\nV:2\nA:x86"),
        "`t/APKINDEX`:5: the record that starts at line 5 has no `P:` (package name); every \
         record needs `P:` and `V:`"
    );
}

#[test]
fn apkindex_records_run_together() {
    assert_eq!(
        index_err(b"C:Q1=\nP:a\nV:1\nC:Q2=\nP:b\nV:2\n"),
        "`t/APKINDEX`:5: a second `P:` in the record that starts at line 1 (the first is at \
         line 2); expected a blank line between records"
    );
}

#[test]
fn apkindex_wrong_format_and_bad_lines() {
    assert_eq!(
        index_err(b"{\"packages\": []}\n"),
        "`t/APKINDEX`:1:1: expected a `K:value` line (a one-letter key, `:`, the value), found \
         `{\"packages\": []}`; this does not look like an APKINDEX"
    );
    assert_eq!(
        index_err(b"P:a\nV:1\n  indented\n"),
        "`t/APKINDEX`:3:1: expected a `K:value` line (a one-letter key, `:`, the value), found \
         `  indented`"
    );
    assert_eq!(
        index_err(b"P:a\nV:1\x80\n"),
        "`t/APKINDEX`:2:4: invalid UTF-8 (byte 0x80); expected UTF-8 text"
    );
}

fn tar_gz(entries: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut tar = Vec::new();
    {
        let mut builder = tar::Builder::new(&mut tar);
        for (name, data) in entries {
            // Written by hand: `Header::set_path` would refuse the hostile names tested here.
            let mut header = tar::Header::new_gnu();
            header.as_gnu_mut().unwrap().name[..name.len()].copy_from_slice(name);
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            header.set_cksum();
            builder.append(&header, *data).unwrap();
        }
        builder.finish().unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar).unwrap();
    gz.finish().unwrap()
}

#[test]
fn apkindex_tar_gz_problems() {
    let good = tar_gz(&[(b"DESCRIPTION", b"v3.20"), (b"APKINDEX", b"P:a\nV:1\n")]);
    let parsed = parse_apkindex(&good, "t/APKINDEX.tar.gz").unwrap();
    assert_eq!(parsed.records.len(), 1);
    assert_eq!(
        index_err(&tar_gz(&[(b"../APKINDEX", b"P:a\nV:1\n")])),
        "`t/APKINDEX` entry `../APKINDEX`: archive entry name has a `..` component; expected a \
         relative path inside the archive"
    );
    assert_eq!(
        index_err(&tar_gz(&[(b"DESCRIPTION", b"v3.20")])),
        "`t/APKINDEX`: no `APKINDEX` entry in the archive (found `DESCRIPTION`); expected an \
         APKINDEX.tar.gz"
    );
    let err = index_err(&good[..good.len() / 2]);
    assert!(err.contains("truncated or corrupt"), "{err}");
    assert_eq!(
        index_err(&tar_gz(&[(b"APKINDEX", b"P:a\n")])),
        "`t/APKINDEX` entry `APKINDEX`:1: the record of `a` that starts at line 1 has no `V:` \
         (version); every record needs `P:` and `V:`"
    );
}
