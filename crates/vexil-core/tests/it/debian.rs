//! Golden tests of the Debian parsers (Security Tracker JSON, Packages/Sources, distributions)
//! on the real files of `../shared/data/feeds/debian`, plus one inline input per bad-input class.

use std::io::Write;

use serde_json::json;
use vexil_core::ingest::advisory::debian::{
    BinarySource, parse_distributions, parse_packages, parse_tracker,
};
use vexil_core::model::{Advisory, Event};

use crate::shared;

/// Counts, warnings and the chosen advisories of one tracker parse, for a small snapshot.
fn tracker_summary(file: &str, ids: &[&str]) -> Option<serde_json::Value> {
    let (bytes, name) = shared::read(file)?;
    let parsed = parse_tracker(&bytes, &name).unwrap();
    let chosen: Vec<&Advisory> = ids
        .iter()
        .map(|id| parsed.records.iter().find(|a| a.id == *id).unwrap())
        .collect();
    Some(json!({
        "advisories": parsed.records.len(),
        "affected": parsed.records.iter().map(|a| a.affected.len()).sum::<usize>(),
        "ids": parsed.records.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        "warnings": parsed.warnings,
        "subset": chosen,
    }))
}

#[test]
fn tracker_vunnel_subset() {
    // Fixed with an unconfirmed urgency (`high**`), never affected (`"0"`), open vs resolved
    // per release (chromium), and `"releases": []` (chromium-browser).
    let ids = [
        "CVE-2008-7220",
        "CVE-2007-2383",
        "CVE-2022-0456",
        "CVE-2022-0358",
    ];
    let Some(summary) = tracker_summary("feeds/debian/vunnel-tracker-data.json", &ids) else {
        return;
    };
    assert_eq!(summary["advisories"], 7);
    assert_eq!(summary["affected"], 25);
    insta::assert_json_snapshot!(summary);
}

#[test]
fn tracker_osv_dev_mock() {
    let ids = ["CVE-2016-1585"];
    let Some(summary) = tracker_summary("feeds/debian/osv.dev-tracker-mock.json", &ids) else {
        return;
    };
    assert_eq!(summary["advisories"], 3);
    assert_eq!(summary["affected"], 15);
    insta::assert_json_snapshot!(summary);
}

#[test]
fn tracker_gzip_gives_the_same_records() {
    let Some((bytes, name)) = shared::read("feeds/debian/osv.dev-tracker-mock.json") else {
        return;
    };
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bytes).unwrap();
    let gz = gz.finish().unwrap();
    assert_eq!(
        parse_tracker(&gz, &name).unwrap(),
        parse_tracker(&bytes, &name).unwrap()
    );
}

#[test]
fn tracker_statuses_and_merge() {
    // One id under two source packages merges into one advisory; `<unfixed>` (open, no fixed
    // version) is every version; `undetermined` has no range; `nodsa` counts when present.
    let input = br#"{
      "linux": {"CVE-2024-1": {"description": "first", "debianbug": 1, "releases": {
        "bookworm": {"status": "open", "urgency": "low", "nodsa": "Minor issue",
                     "nodsa_reason": "postponed", "repositories": {"bookworm": "6.1.1-1"}},
        "trixie": {"status": "undetermined", "urgency": "not yet assigned"}}}},
      "linux-signed": {"CVE-2024-1": {"description": "second", "debianbug": "1", "releases": {
        "sid": {"status": "resolved", "fixed_version": "6.2-1", "nodsa": null}}},
        "TEMP-0000000-ABCDEF": {"releases": {"sid": {"status": "resolved"}}},
        "DSA-1234-1": {"releases": {}}}
    }"#;
    let parsed = parse_tracker(input, "inline.json").unwrap();
    let ids: Vec<&str> = parsed.records.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["CVE-2024-1", "TEMP-0000000-ABCDEF", "DSA-1234-1"]);
    let cve = &parsed.records[0];
    assert_eq!(cve.details.as_deref(), Some("first"));
    assert_eq!(cve.references.len(), 2, "tracker page and one bug, not two");
    let [open, undetermined, fixed] = cve.affected.as_slice() else {
        panic!("expected 3 affected, got {:?}", cve.affected);
    };
    assert_eq!(open.ranges[0].events, [Event::Introduced("0".into())]);
    let note = open.distro.as_ref().unwrap();
    assert!(note.nodsa && note.nodsa_reason.as_deref() == Some("postponed"));
    assert!(undetermined.ranges.is_empty());
    assert_eq!(
        undetermined.distro.as_ref().unwrap().status.as_deref(),
        Some("undetermined")
    );
    assert_eq!(fixed.package.as_ref().unwrap().name, "linux-signed");
    assert_eq!(fixed.package.as_ref().unwrap().ecosystem, "Debian:sid");
    assert!(
        fixed.distro.as_ref().unwrap().nodsa,
        "`nodsa: null` is still present"
    );
    let warnings: Vec<String> = parsed.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        warnings,
        [
            "`inline.json` field `/linux-signed/TEMP-0000000-ABCDEF`: release `sid` has status \
             `resolved` but no `fixed_version`; kept without a range (matching answers unknown)",
            "`inline.json` field `/linux-signed/DSA-1234-1`: id `DSA-1234-1` is neither `CVE-…` \
             nor `TEMP-…`; kept",
        ]
    );
}

fn tracker_error(input: &[u8]) -> String {
    parse_tracker(input, "t.json").unwrap_err().to_string()
}

#[test]
fn tracker_truncated() {
    let Some((bytes, name)) = shared::read("feeds/debian/vunnel-tracker-data.json") else {
        return;
    };
    let err = parse_tracker(&bytes[..700], &name).unwrap_err();
    assert_eq!(
        err.location.field.as_deref(),
        Some("/prototypejs/CVE-2008-7220")
    );
    assert_eq!(
        err.to_string(),
        "`feeds/debian/vunnel-tracker-data.json`:22:23 field `/prototypejs/CVE-2008-7220`: the \
         document ends early (truncated?): EOF while parsing a string"
    );
}

#[test]
fn tracker_wrong_format_nvd_page() {
    let Some((bytes, name)) = shared::read("feeds/nvd/vunnel-single-entry.json") else {
        return;
    };
    let err = parse_tracker(&bytes, &name).unwrap_err();
    assert!(
        err.message
            .contains("looks like an NVD API page; expected the Debian Security Tracker JSON"),
        "{err}"
    );
    assert_eq!(
        tracker_error(br#"{"resultsPerPage": 1, "vulnerabilities": []}"#),
        "`t.json`:1:17: unexpected content: top-level key `resultsPerPage` looks like an NVD API \
         page; expected the Debian Security Tracker JSON `{source-package: {CVE-or-TEMP-id: \
         {description, releases: {codename: {status, …}}}}}`"
    );
}

#[test]
fn tracker_wrong_shapes() {
    assert_eq!(
        tracker_error(b"[1, 2]"),
        "`t.json`:1:0: unexpected content: invalid type: sequence, expected the Debian Security \
         Tracker JSON `{source-package: {CVE-or-TEMP-id: {description, releases: {codename: \
         {status, …}}}}}`"
    );
    assert_eq!(
        tracker_error(br#"{"openssl": ["CVE-2024-1"]}"#),
        "`t.json`:1:12 field `/openssl`: unexpected content: invalid type: sequence, expected an \
         object mapping CVE/TEMP ids to tracker entries"
    );
    assert_eq!(
        tracker_error(br#"{"openssl": {"CVE-2024-1": {"releases": {"sid": {"urgency": "low"}}}}}"#),
        "`t.json`:1:66 field `/openssl/CVE-2024-1`: unexpected content: missing field `status`"
    );
    assert_eq!(
        tracker_error(br#"{"openssl": {"CVE-2024-1": {"releases": ["sid"]}}}"#),
        "`t.json`:1:47 field `/openssl/CVE-2024-1`: unexpected content: invalid type: sequence, \
         expected an object keyed by release codename"
    );
    assert_eq!(
        tracker_error(br##"{"openssl": {"CVE-2024-1": {"debianbug": "#12"}}}"##),
        "`t.json`:1:46 field `/openssl/CVE-2024-1`: unexpected content: invalid value: string \
         \"#12\", expected a Debian bug number like `555217`"
    );
    assert_eq!(
        tracker_error(b"{} trailing"),
        "`t.json`:1:4: invalid JSON: trailing characters"
    );
    assert_eq!(
        tracker_error(b"  \n"),
        "`t.json`: the file is empty; expected the Debian Security Tracker JSON \
         `{source-package: {CVE-or-TEMP-id: {description, releases: {codename: {status, …}}}}}`"
    );
}

#[test]
fn tracker_invalid_utf8_and_deep_nesting() {
    assert_eq!(
        tracker_error(b"{\"p\": {\n \"CVE-1\": {\"description\": \"caf\xe9\"}}}"),
        "`t.json`:2:31: invalid UTF-8 (byte `0xe9`); expected UTF-8 text"
    );
    // Unknown keys are skipped by serde_json's iterative `ignore_value`: deep nesting there
    // neither overflows the stack nor fails; where a typed value is expected it fails at once.
    let deep = |inner: &str| {
        let (open, close) = ("[".repeat(100_000), "]".repeat(100_000));
        format!("{{\"p\": {{\"CVE-1\": {{{inner}: {open}{close}}}}}}}")
    };
    assert_eq!(
        parse_tracker(deep("\"x\"").as_bytes(), "t.json")
            .unwrap()
            .records
            .len(),
        1
    );
    assert_eq!(
        tracker_error(deep("\"releases\"").as_bytes()),
        "`t.json`:1:200029 field `/p/CVE-1`: unexpected content: invalid type: sequence, expected \
         an object keyed by release codename"
    );
}

// ---------------------------------------------------------------------------------------------

#[test]
fn distributions() {
    let Some((bytes, name)) = shared::read("feeds/debian/vuln-list-update-distributions.json")
    else {
        return;
    };
    let parsed = parse_distributions(&bytes, &name).unwrap();
    assert!(parsed.warnings.is_empty());
    insta::assert_json_snapshot!(parsed.records);
}

// ---------------------------------------------------------------------------------------------

#[test]
fn packages_plain_and_gz() {
    let Some((plain, name)) =
        shared::read("feeds/debian/appstream-generator-chromodoris-main-amd64-Packages")
    else {
        return;
    };
    let Some((gz, gz_name)) =
        shared::read("feeds/debian/appstream-generator-chromodoris-main-amd64-Packages.gz")
    else {
        return;
    };
    let parsed = parse_packages(&plain, &name).unwrap();
    assert_eq!(parsed.records.len(), 12);
    assert!(parsed.warnings.is_empty());
    assert_eq!(
        parse_packages(&gz, &gz_name).unwrap().records,
        parsed.records
    );
    // The first three, and the three built from `Source: appstream`.
    let subset: Vec<&BinarySource> = parsed
        .records
        .iter()
        .take(3)
        .chain(parsed.records.iter().filter(|r| r.source != r.binary))
        .collect();
    insta::assert_json_snapshot!(json!({
        "records": parsed.records.len(),
        "binaries": parsed.records.iter().map(|r| r.binary.as_str()).collect::<Vec<_>>(),
        "subset": subset,
    }));
}

#[test]
fn sources() {
    let Some((bytes, name)) = shared::read("feeds/debian/vuln-list-update-buster-main-Sources.txt")
    else {
        return;
    };
    let parsed = parse_packages(&bytes, &name).unwrap();
    assert_eq!(parsed.records.len(), 3);
    insta::assert_json_snapshot!(parsed.records);
}

#[test]
fn packages_source_forms_and_folded_binary() {
    let input =
        b"Package: libfoo1\nSource: foo (1.0-1)\nVersion: 1.0-1+b1\nArchitecture: amd64\n\n\
        # a comment\nPackage: foo\r\nBinary: foo-a,\r\n foo-b ,\r\n\tfoo-c\r\nVersion: 1:2.0-3\r\n\
        Package-List:\n foo-a deb net optional arch=any\n foo-c deb net optional arch=all\n";
    let parsed = parse_packages(input, "inline").unwrap();
    let got: Vec<_> = parsed
        .records
        .iter()
        .map(|r| {
            (
                r.binary.as_str(),
                r.source.as_str(),
                r.effective_source_version(),
                r.architecture.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("libfoo1", "foo", "1.0-1", Some("amd64")),
            ("foo-a", "foo", "1:2.0-3", Some("any")),
            ("foo-b", "foo", "1:2.0-3", None),
            ("foo-c", "foo", "1:2.0-3", Some("all")),
        ]
    );
}

fn packages_error(input: &[u8]) -> String {
    parse_packages(input, "Packages").unwrap_err().to_string()
}

#[test]
fn packages_bad_input() {
    assert_eq!(
        packages_error(b"Package: a\nVersion: 1\n\nPackage: b\nArchitecture: all\n"),
        "`Packages`:4: paragraph `Package: b` has no `Version` field; expected a Packages or \
         Sources stanza with `Package` and `Version`"
    );
    assert_eq!(
        packages_error(b"Version: 1\nArchitecture: all\n"),
        "`Packages`:1: paragraph has no `Package` field; expected a Packages or Sources stanza \
         with `Package` and `Version`"
    );
    assert_eq!(
        packages_error(b" continued\n"),
        "`Packages`:1: a continuation line (starting with a space) with no field before it; \
         expected `Field: value`"
    );
    assert_eq!(
        packages_error(b"Package: a\nVersion: 1\nVersion: 2\n"),
        "`Packages`:3: field `Version` appears twice in one paragraph"
    );
    assert_eq!(
        packages_error(b"Package: a\nVersion: 1 2\n"),
        "`Packages`:2: field `Version` must be one word, found `1 2`"
    );
    assert_eq!(
        packages_error(b"Package: a\nSource: b (1\nVersion: 1\n"),
        "`Packages`:2: field `Source` must be `name` or `name (version)`, found `b (1`"
    );
    assert_eq!(
        packages_error(b"Package: a\nBinary: ,\nVersion: 1\n"),
        "`Packages`:2: field `Binary` of source `a` lists no binary package"
    );
    assert_eq!(
        packages_error(b"Package: a\nDescription: caf\xc3\n"),
        "`Packages`:2:17: invalid UTF-8 (byte `0xc3`); expected UTF-8 text"
    );
    assert!(parse_packages(b"", "Packages").unwrap().records.is_empty());
}

#[test]
fn packages_wrong_format_and_truncated_gzip() {
    let Some((json, name)) = shared::read("feeds/debian/osv.dev-tracker-mock.json") else {
        return;
    };
    assert_eq!(
        parse_packages(&json, &name).unwrap_err().to_string(),
        "`feeds/debian/osv.dev-tracker-mock.json`:1: expected a `Field: value` line of a Debian \
         Packages or Sources index, found `{`"
    );
    let Some((gz, name)) =
        shared::read("feeds/debian/appstream-generator-chromodoris-main-amd64-Packages.gz")
    else {
        return;
    };
    let err = parse_packages(&gz[..gz.len() / 2], &name).unwrap_err();
    assert!(
        err.message
            .starts_with("cannot decompress (truncated or corrupt archive?)"),
        "{err}"
    );
}

mod lists {
    use vexil_core::ingest::advisory::debian_list;
    use vexil_core::model::Event;

    use crate::shared;

    #[test]
    fn the_cve_list_gives_per_release_states() {
        let Some((bytes, name)) = shared::read("feeds/debian/vuln-list-update-CVE-list.txt") else {
            return;
        };
        let parsed = debian_list::parse(&bytes, &name).unwrap();
        let ids: Vec<_> = parsed.records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "CVE-2021-36980",
                "CVE-2021-36383",
                "CVE-2021-36373",
                "CVE-2021-36367"
            ]
        );
        assert_eq!(
            parsed.warnings.len(),
            2,
            "two CVE-2023-XXXX placeholders are skipped"
        );
        let putty = &parsed.records[3];
        let sid = &putty.affected[0];
        assert_eq!(sid.package.as_ref().unwrap().ecosystem, "Debian:sid");
        assert_eq!(sid.ranges[0].events[1], Event::Fixed("0.75-3".into()));
        assert_eq!(sid.distro.as_ref().unwrap().urgency.as_deref(), Some("low"));
        let bullseye = putty.affected[1].distro.as_ref().unwrap();
        assert!(bullseye.nodsa);
        assert_eq!(bullseye.nodsa_reason.as_deref(), Some("Minor issue"));
        let ant = &parsed.records[2].affected[0];
        assert_eq!(
            ant.ranges[0].events,
            [Event::Introduced("0".into())],
            "<unfixed>"
        );
        assert_eq!(
            ant.distro.as_ref().unwrap().urgency.as_deref(),
            Some("unimportant")
        );
    }

    #[test]
    fn dsa_lists_give_advisories_aliased_to_their_cves() {
        let Some((bytes, name)) = shared::read("feeds/debian/vunnel-DSA-list.txt") else {
            return;
        };
        let parsed = debian_list::parse(&bytes, &name).unwrap();
        assert_eq!(parsed.records.len(), 10);
        let libpng = parsed.records.iter().find(|r| r.id == "DSA-140").unwrap();
        assert_eq!(libpng.aliases, ["CVE-2002-0660", "CVE-2002-0728"]);
        assert_eq!(libpng.affected.len(), 2);
        assert_eq!(libpng.summary.as_deref(), Some("libpng - buffer overflow"));
        assert_eq!(
            libpng.published.unwrap().to_string(),
            "2002-08-05T00:00:00Z"
        );
        let Some((bytes, name)) = shared::read("feeds/debian/vuln-list-update-DSA-list.txt") else {
            return;
        };
        let redis = &debian_list::parse(&bytes, &name).unwrap().records[0];
        assert_eq!(redis.id, "DSA-4480-1");
        assert_eq!(
            redis.affected[1].ranges[0].events[1],
            Event::Fixed("5:5.0.3-4+deb10u1".into())
        );
    }

    #[test]
    fn a_malformed_dla_header_is_refused_with_its_line() {
        let Some((bytes, name)) = shared::read("feeds/debian/vuln-list-update-DLA-list.txt") else {
            return;
        };
        let err = debian_list::parse(&bytes, &name).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`feeds/debian/vuln-list-update-DLA-list.txt`:4:1: expected an entry header like \
             `[11 Jul 2019] DSA-4480-1 redis - security update`, found `MALFORMED HEADER`"
        );
    }

    #[test]
    fn other_text_is_not_a_tracker_list() {
        let err = debian_list::parse(b"Package: libc6\n", "x.txt").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("`x.txt`:1:1: expected a Debian Security Tracker list")
        );
    }
}
