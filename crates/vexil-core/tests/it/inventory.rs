//! The golden-test harness for inventory documents: every real file under a folder of
//! `../shared/data` is read exactly as `vexil inventory import` reads it (detected from its
//! content, companions beside it), and the result — the inventory, or the error — is snapshotted
//! in a compact form: one JSON line per component, dependency and finding.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use vexil_core::ingest::IngestError;
use vexil_core::ingest::inventory::{self, Document, InventoryFormat};

use crate::shared;

/// Renders a read for a snapshot: stable, one record per line.
pub(crate) fn render(result: &Result<Document, IngestError>) -> String {
    let mut out = String::new();
    match result {
        Err(e) => {
            writeln!(out, "error: {e}").unwrap();
        }
        Ok(doc) => {
            let inv = &doc.inventory;
            writeln!(out, "format: {}", doc.format).unwrap();
            writeln!(out, "components: {}", inv.components.len()).unwrap();
            for c in &inv.components {
                writeln!(out, "  {}", serde_json::to_string(c).unwrap()).unwrap();
            }
            if !inv.dependencies.is_empty() {
                writeln!(out, "dependencies: {}", inv.dependencies.len()).unwrap();
                for d in &inv.dependencies {
                    writeln!(out, "  {} -> {}", d.from, d.to).unwrap();
                }
            }
            if !inv.evidence.is_empty() {
                writeln!(out, "evidence: {}", inv.evidence.len()).unwrap();
                for f in &inv.evidence {
                    writeln!(out, "  {}", serde_json::to_string(f).unwrap()).unwrap();
                }
            }
            if !inv.includes.is_empty() {
                writeln!(out, "includes: {}", inv.includes.join(", ")).unwrap();
            }
            if !inv.warnings.is_empty() {
                writeln!(out, "warnings: {}", inv.warnings.len()).unwrap();
                for w in &inv.warnings {
                    writeln!(out, "  {w}").unwrap();
                }
            }
        }
    }
    out
}

/// Reads one file as the CLI does: display name `rel` (relative to `../shared/data`),
/// companions looked up beside it.
pub(crate) fn read_path(
    path: &Path,
    rel: &str,
    format: Option<InventoryFormat>,
) -> Result<Document, IngestError> {
    let bytes = std::fs::read(path).unwrap();
    let dir = path.parent().unwrap().to_path_buf();
    inventory::read(rel, &bytes, format, |p| std::fs::read(dir.join(p)).ok())
}

/// Reads a hand-made document `text` named `name` as the CLI would (`format` forced or
/// detected); `companions` are the files beside it, by the relative path the format asks for.
pub(crate) fn read_text(
    name: &str,
    text: &str,
    format: Option<InventoryFormat>,
    companions: &[(&str, &str)],
) -> Result<Document, IngestError> {
    inventory::read(name, text.as_bytes(), format, |path| {
        companions
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, t)| t.as_bytes().to_vec())
    })
}

/// A document's warnings, as printed.
pub(crate) fn warnings(doc: &Document) -> Vec<String> {
    doc.inventory
        .warnings
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// A document's component purls, in order.
pub(crate) fn purls(doc: &Document) -> Vec<&str> {
    doc.inventory
        .components
        .iter()
        .map(|c| c.purl.as_str())
        .collect()
}

/// Reads `../shared/data/<rel>` (or `None`, after a notice, when ../shared is absent).
pub(crate) fn read_shared(rel: &str) -> Option<Result<Document, IngestError>> {
    let path = shared::data(rel)?;
    Some(read_path(&path, rel, None))
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

/// Snapshots every file under `../shared/data/<dir>`; returns how many were read into an
/// inventory and the names of those that were not (so a test can assert which fail on purpose).
pub(crate) fn golden_tree(dir: &str) -> Option<(usize, Vec<String>)> {
    let root = shared::data(dir)?;
    let data_root = shared::data("")?;
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let mut ok = 0;
    let mut failed = Vec::new();
    for path in files {
        let rel = path
            .strip_prefix(&data_root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let result = read_path(&path, &rel, None);
        match &result {
            Ok(_) => ok += 1,
            Err(_) => failed.push(rel.clone()),
        }
        let name = rel.replace('/', "__");
        insta::with_settings!({
            snapshot_path => "snapshots/inventory",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => rel.as_str(),
        }, {
            insta::assert_snapshot!(name, render(&result));
        });
    }
    Some((ok, failed))
}

/// Every folder of real inventory documents has a golden test: a new folder in ../shared/data
/// fails here until a `golden_tree` call covers it.
#[test]
fn every_inventory_folder_has_a_golden_test() {
    const COVERED: &[&str] = &[
        "lockfiles/bun-lock",
        "lockfiles/cargo-lock",
        "lockfiles/composer-lock",
        "lockfiles/gemfile-lock",
        "lockfiles/go-mod",
        "lockfiles/gradle-lockfile",
        "lockfiles/maven-pom",
        "lockfiles/package-lock",
        "lockfiles/pipfile-lock",
        "lockfiles/pnpm-lock",
        "lockfiles/poetry-lock",
        "lockfiles/pylock-toml",
        "lockfiles/requirements-txt",
        "lockfiles/uv-lock",
        "lockfiles/yarn-berry",
        "lockfiles/yarn-v1",
        "os-packages/apk",
        "os-packages/dpkg",
        "os-packages/rpm",
        "sbom/cyclonedx",
        "sbom/spdx",
        "scanners/cargo-audit",
        "scanners/govulncheck",
        "scanners/grype",
        "scanners/npm-audit",
        "scanners/osv-scanner",
        "scanners/pip-audit",
        "scanners/trivy",
    ];
    let Some(root) = shared::data("") else {
        return;
    };
    let mut found = Vec::new();
    for family in ["lockfiles", "os-packages", "sbom", "scanners"] {
        for entry in std::fs::read_dir(root.join(family)).unwrap() {
            let entry = entry.unwrap();
            if entry.path().is_dir() {
                found.push(format!("{family}/{}", entry.file_name().to_string_lossy()));
            }
        }
    }
    found.sort();
    assert_eq!(found, COVERED);
    // And each listed folder is walked by some test file of this suite.
    let sources: String = [
        "inventory_lockfile_js.rs",
        "inventory_lockfile_other.rs",
        "inventory_lockfile_go_java.rs",
        "inventory_os.rs",
        "inventory_sbom.rs",
        "inventory_scanner.rs",
        "inventory_scanner_small.rs",
    ]
    .iter()
    .map(|f| {
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/it")
                .join(f),
        )
        .unwrap()
    })
    .collect();
    for folder in COVERED {
        assert!(
            sources.contains(&format!("golden_tree(\"{folder}\")")),
            "{folder} has no golden_tree test"
        );
    }
}
