//! `vexil version compare|check`: output, exit codes and error messages.

use assert_cmd::Command;
use predicates::prelude::*;

fn vexil() -> Command {
    Command::cargo_bin("vexil").unwrap()
}

fn shared_versions(file: &str) -> Option<std::path::PathBuf> {
    vexil_testdata::data(&format!("versions/{file}"))
}

#[test]
fn compare_prints_the_ordering_with_each_ecosystems_rules() {
    let cases = [
        ("npm", "1.0.0-rc.1", "1.0.0", "<"),
        ("crates.io", "1.2.3+build", "1.2.3", "="),
        ("Go", "v2.0.0+incompatible", "v1.9.9", ">"),
        ("Pub", "1.0.0", "1.0.0+1", "<"),
        ("nvd", "5.0 update 3", "5.0", ">"),
        ("NVD", "2.4.1.fc34", "2.4.1.el8", "?"),
        ("semver", "1", "1.0.0", "="),
    ];
    for (eco, a, b, expected) in cases {
        vexil()
            .args(["version", "compare", "--ecosystem", eco, a, b])
            .assert()
            .success()
            .stdout(format!("{expected}\n"));
    }
}

#[test]
fn compare_accepts_release_suffixes_and_any_case() {
    vexil()
        .args([
            "version",
            "compare",
            "--ecosystem",
            "GO:whatever",
            "v1.2.3",
            "1.2.3",
        ])
        .assert()
        .success()
        .stdout("=\n");
}

#[test]
fn compare_refuses_an_invalid_version_with_exit_2() {
    vexil()
        .args([
            "version",
            "compare",
            "--ecosystem",
            "npm",
            "1.0.0",
            "one.two",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "error: `one.two` is not a valid semver version: expected a number first",
        ));
}

#[test]
fn compare_refuses_an_unknown_ecosystem_naming_the_known_ones() {
    vexil()
        .args(["version", "compare", "--ecosystem", "Cobol", "1", "2"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("unknown ecosystem `Cobol`")
                .and(predicate::str::contains("PyPI")),
        );
}

#[test]
fn compare_json_is_one_document() {
    let out = vexil()
        .args([
            "version",
            "compare",
            "--ecosystem",
            "npm",
            "--format",
            "json",
            "1.0.0",
            "2.0.0",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["result"], "less");
    assert_eq!(doc["scheme"], "semver");
}

#[test]
fn check_reports_failing_lines_and_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vectors.txt");
    std::fs::write(
        &file,
        "# npm\n1.0.0 < 2.0.0\n\n2.0.0 < 1.0.0\n1.0.0-rc.1 = 1.0.0\n",
    )
    .unwrap();
    vexil()
        .args(["version", "check", "--ecosystem", "npm", "--file"])
        .arg(&file)
        .assert()
        .code(1)
        .stdout(
            "line 4: expected 2.0.0 < 1.0.0, got >\n\
             line 5: expected 1.0.0-rc.1 = 1.0.0, got <\n\
             1 passed, 2 failed\n",
        );
}

#[test]
fn check_stops_at_a_malformed_line_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vectors.txt");
    std::fs::write(&file, "1.0.0 < 2.0.0\n1.0.0 2.0.0\n").unwrap();
    vexil()
        .args(["version", "check", "--ecosystem", "npm", "--file"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 2: `1.0.0 2.0.0`: expected"));
}

#[test]
fn check_names_a_missing_file() {
    vexil()
        .args([
            "version",
            "check",
            "--ecosystem",
            "npm",
            "--file",
            "/nonexistent/v.txt",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read `/nonexistent/v.txt`"));
}

#[test]
fn check_passes_a_real_vector_file() {
    let Some(file) = shared_versions("semver-osv-scalibr.txt") else {
        return;
    };
    vexil()
        .args(["version", "check", "--ecosystem", "npm", "--file"])
        .arg(&file)
        .assert()
        .success()
        .stdout("86 passed, 0 failed\n");
}

#[test]
fn help_teaches_with_examples_and_exit_codes() {
    vexil()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes:"));
    vexil()
        .args(["version", "compare", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:").and(predicate::str::contains("--ecosystem")));
}
