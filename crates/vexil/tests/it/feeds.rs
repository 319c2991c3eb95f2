//! `vexil feeds import|list` end to end, on SQLite and (when configured) PostgreSQL: counts,
//! no-op re-imports, and a failed import that leaves the database exactly as before.

use std::path::Path;

use vexil_testdata::data as shared;

use assert_cmd::Command;

use crate::common::{databases, dump, succeed, vexil};
use predicates::prelude::*;

/// `vexil feeds import FEED PATH` must exit 2 with `needle` in its error.
fn refused(url: &str, feed: &str, path: &Path, needle: &str) {
    vexil(url)
        .args(["feeds", "import", feed])
        .arg(path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(needle));
}

fn listed(url: &str) -> serde_json::Value {
    let out = vexil(url)
        .args(["feeds", "list", "--format", "json"])
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

#[test]
fn real_feeds_import_and_list() {
    let (Some(go), Some(kev), Some(secdb)) = (
        shared("advisories/osv/go"),
        shared("feeds/kev/known_exploited_vulnerabilities.json"),
        shared("feeds/alpine/secdb-json"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for url in databases(dir.path(), "real") {
        vexil(&url)
            .args(["feeds", "import", "osv"])
            .arg(&go)
            .assert()
            .success()
            .stdout(predicate::str::contains(
                ": 4291 records, 4291 new or changed",
            ));
        succeed(&url, &["feeds", "import", "kev"], &kev);
        succeed(&url, &["feeds", "import", "alpine"], &secdb);
        let feeds = listed(&url);
        let records = |name: &str| {
            feeds
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["feed"] == name)
                .unwrap()["records"]
                .clone()
        };
        assert_eq!(records("osv"), 4291, "{url}");
        assert_eq!(records("kev"), 1404, "{url}");
        assert!(records("alpine").as_i64().unwrap() > 0, "{url}");
        // The same content again changes nothing.
        let before = dump(&url);
        vexil(&url)
            .args(["feeds", "import", "osv"])
            .arg(&go)
            .assert()
            .success()
            .stdout(predicate::str::contains(
                "unchanged since a previous import",
            ));
        assert_eq!(dump(&url), before, "{url}");
    }
}

#[test]
fn a_bad_file_anywhere_imports_nothing_and_names_the_problem() {
    let Some(good) = shared("feeds/epss/epss_scores-current-head.csv") else {
        return;
    };
    let Some(bad) = shared("feeds/epss/vunnel-invalid-header.csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for url in databases(dir.path(), "bad") {
        vexil(&url).args(["feeds", "list"]).assert().success();
        let before = dump(&url);
        vexil(&url)
            .args(["feeds", "import", "epss"])
            .arg(&good)
            .arg(&bad)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "vunnel-invalid-header.csv`:2: expected the header `cve,epss,percentile`, found `invalid,header,format`",
            ));
        assert_eq!(
            dump(&url),
            before,
            "{url}: the good file must not land either"
        );
    }
}

#[test]
fn hostile_and_missing_inputs_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let truncated = dir.path().join("truncated.json");
    std::fs::write(
        &truncated,
        br#"{"id":"GHSA-1","modified":"2024-01-01T00:00:00Z","affected":[{"#,
    )
    .unwrap();
    let not_utf8 = dir.path().join("latin1.json");
    std::fs::write(&not_utf8, b"{\"id\":\"X\xe9\"}").unwrap();
    for url in databases(dir.path(), "hostile") {
        vexil(&url).args(["feeds", "list"]).assert().success();
        let before = dump(&url);
        refused(
            &url,
            "osv",
            &truncated,
            "truncated.json`:1:62: the document ends early (truncated?): EOF while parsing an object\n",
        );
        refused(
            &url,
            "osv",
            &not_utf8,
            "latin1.json`: not UTF-8 text: invalid byte at offset 8",
        );
        vexil(&url)
            .args(["feeds", "import", "osv", "/nonexistent/feed.json"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "`/nonexistent/feed.json` does not exist",
            ));
        assert_eq!(dump(&url), before, "{url}");
    }
}

#[test]
fn an_unknown_feed_and_an_unreachable_database_have_distinct_exit_codes() {
    Command::cargo_bin("vexil")
        .unwrap()
        .args(["feeds", "import", "cobol", "x.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'cobol'"));
    Command::cargo_bin("vexil")
        .unwrap()
        .args(["--database", "mysql://localhost/x", "feeds", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is not a database URL Vexil can use",
        ));
}

/// Serves `body` to every request on a loopback port until the test ends (bounded: 8 requests).
fn serve(body: Vec<u8>) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for (served, stream) in listener.incoming().take(8).enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let n = stream.read(&mut request).unwrap_or(0);
            let request = String::from_utf8_lossy(&request[..n]).to_ascii_lowercase();
            if request.contains("if-none-match: \"v1\"") {
                let _ = stream.write_all(
                    b"HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nConnection: close\r\n\r\n",
                );
                continue;
            }
            // Only the first request gets the real body: a client that does not send back the
            // ETag it was given gets garbage, which fails the import.
            let body: &[u8] = if served == 0 { &body } else { b"not a feed" };
            let head = format!(
                "HTTP/1.1 200 OK\r\nETag: \"v1\"\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body);
        }
    });
    format!("http://{addr}/known_exploited_vulnerabilities.json")
}

#[test]
fn feeds_import_by_url() {
    let Some(kev) = shared("feeds/kev/known_exploited_vulnerabilities.json") else {
        return;
    };
    let url = serve(std::fs::read(kev).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("vexil.db").display());
    vexil(&db)
        .args(["feeds", "import", "kev", &url])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "kev {url}: 1404 records, 1404 new or changed"
        )));
    // The second import sends back the ETag and gets a 304: nothing is downloaded or written
    // (the server would answer anything else with a body that is not a feed).
    let before = dump(&db);
    vexil(&db)
        .args(["feeds", "import", "kev", &url])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "kev {url}: unchanged since a previous import"
        )));
    assert_eq!(dump(&db), before);
    vexil(&db)
        .args(["feeds", "import", "kev", "ftp://example.org/kev.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`ftp://` is not supported"));
    // A closed port: a runtime failure (exit 3) that names the URL.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    vexil(&db)
        .args([
            "feeds",
            "import",
            "kev",
            &format!("http://{closed}/kev.json"),
        ])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!(
            "http://{closed}/kev.json"
        )));
}

#[test]
fn a_zip_bomb_or_a_path_traversal_entry_is_refused_and_nothing_lands() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let zip_of = |name: &str, bytes: &[u8]| {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
        zip.finish().unwrap();
        out.into_inner()
    };
    let bomb = dir.path().join("bomb.zip");
    std::fs::write(&bomb, zip_of("x.json", &vec![b' '; 16 << 20])).unwrap();
    let traversal = dir.path().join("traversal.zip");
    let record = br#"{"id":"GHSA-1","modified":"2024-01-01T00:00:00Z"}"#;
    std::fs::write(&traversal, zip_of("../../etc/GHSA-1.json", record)).unwrap();
    for url in databases(dir.path(), "zip") {
        vexil(&url).args(["feeds", "list"]).assert().success();
        let before = dump(&url);
        refused(&url, "osv", &bomb, "refusing a possible zip bomb");
        refused(
            &url,
            "osv",
            &traversal,
            "entry `../../etc/GHSA-1.json`: archive entry name has a `..` component",
        );
        assert_eq!(dump(&url), before, "{url}");
    }
}
