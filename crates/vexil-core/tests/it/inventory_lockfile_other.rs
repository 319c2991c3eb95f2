//! Golden and bad-input tests of the Cargo, Python and Ruby lockfile parsers.

use crate::inventory::{golden_tree, purls, read_text, warnings};

#[test]
fn cargo_lock_golden() {
    let Some((ok, failed)) = golden_tree("lockfiles/cargo-lock") else {
        return;
    };
    assert_eq!((ok, failed), (13, Vec::<String>::new()));
}

#[test]
fn poetry_lock_golden() {
    let Some((ok, failed)) = golden_tree("lockfiles/poetry-lock") else {
        return;
    };
    assert_eq!(
        (ok, failed),
        (
            3,
            vec!["lockfiles/poetry-lock/osv.dev-root/pyproject.toml".to_owned()]
        )
    );
}

#[test]
fn uv_lock_golden() {
    let Some((ok, failed)) = golden_tree("lockfiles/uv-lock") else {
        return;
    };
    assert_eq!((ok, failed), (4, Vec::<String>::new()));
}

#[test]
fn pylock_toml_golden() {
    let Some((ok, failed)) = golden_tree("lockfiles/pylock-toml") else {
        return;
    };
    assert_eq!((ok, failed), (1, Vec::<String>::new()));
}

#[test]
fn pipfile_lock_golden() {
    let Some((ok, failed)) = golden_tree("lockfiles/pipfile-lock") else {
        return;
    };
    assert_eq!((ok, failed), (2, Vec::<String>::new()));
}

#[test]
fn requirements_txt_golden() {
    let Some((ok, failed)) = golden_tree("lockfiles/requirements-txt") else {
        return;
    };
    assert_eq!((ok, failed), (6, Vec::<String>::new()));
}

#[test]
fn gemfile_lock_golden() {
    let Some((ok, failed)) = golden_tree("lockfiles/gemfile-lock") else {
        return;
    };
    assert_eq!(
        (ok, failed),
        (
            3,
            vec!["lockfiles/gemfile-lock/trivy-malformed/Gemfile.lock".to_owned()]
        )
    );
}

/// Counts checked by hand against the files (with Python's `tomllib` for the TOML ones).
#[test]
fn real_files_spot_counts() {
    let count = |rel: &str, f: &dyn Fn(&vexil_core::model::Component) -> bool| {
        crate::inventory::read_shared(rel).map(|r| {
            let doc = r.unwrap();
            (
                doc.inventory.components.len(),
                doc.inventory.components.iter().filter(|c| f(c)).count(),
                doc.inventory.dependencies.len(),
            )
        })
    };
    let direct = |c: &vexil_core::model::Component| c.direct == Some(true);
    let dev = |c: &vexil_core::model::Component| c.scope == Some(Scope::Dev);
    let hashes = |c: &vexil_core::model::Component| !c.hashes.is_empty();
    // 421 packages, 9 workspace members; 32 crates the members use; 1252 `dependencies` entries.
    let Some(cargo) = count(
        "lockfiles/cargo-lock/rustsec-workspace-v4/Cargo.lock",
        &direct,
    ) else {
        return;
    };
    assert_eq!(cargo, (412, 32, 1252));
    // 20 names in pyproject.toml (13 project + 7 dev group), all locked; 17 only in `dev`.
    assert_eq!(
        count("lockfiles/poetry-lock/osv.dev-root/poetry.lock", &direct).map(|c| c.1),
        Some(20)
    );
    assert_eq!(
        count("lockfiles/poetry-lock/osv.dev-root/poetry.lock", &dev).map(|c| c.1),
        Some(17)
    );
    assert_eq!(
        count("lockfiles/poetry-lock/trivy-v1-flask/poetry.lock", &dev).map(|c| c.1),
        Some(7)
    );
    // 102 packages minus the editable project: 44 reached at run time, 57 only from dev groups.
    assert_eq!(
        count("lockfiles/uv-lock/vunnel/uv.lock", &dev),
        Some((101, 57, 158))
    );
    // 44 pins, each with hashes; only `poetry` is `# via -r requirements.in`.
    assert_eq!(
        count(
            "lockfiles/requirements-txt/osv.dev-pip-compile-hashes/requirements.txt",
            &hashes
        ),
        Some((44, 44, 58))
    );
    assert_eq!(
        count(
            "lockfiles/requirements-txt/osv.dev-pip-compile-hashes/requirements.txt",
            &direct
        )
        .map(|c| c.1),
        Some(1)
    );
    // 51 specs; 16 DEPENDENCIES of which tzinfo, tzinfo-data and wdm are not locked (Windows).
    assert_eq!(
        count(
            "lockfiles/gemfile-lock/osv-scanner-docs/Gemfile.lock",
            &direct
        ),
        Some((51, 13, 59))
    );
    assert_eq!(
        count("lockfiles/pipfile-lock/trivy-many/Pipfile.lock", &hashes),
        Some((24, 24, 0))
    );
}

// ---------------------------------------------------------------------------------------------
// Hand-made inputs: formats' corners the real files do not have, and bad input.

use vexil_core::ingest::IngestError;
use vexil_core::ingest::inventory::{Document, InventoryFormat};
use vexil_core::model::Scope;

/// Reads `text` as the CLI would, detecting the format; `companions` are the files beside it.
fn read_with(name: &str, text: &str, companions: &[(&str, &str)]) -> Result<Document, IngestError> {
    read_text(name, text, None, companions)
}

fn read(name: &str, text: &str) -> Result<Document, IngestError> {
    read_with(name, text, &[])
}

/// Reads `text` forced to `format`, as `--format` does.
fn read_as(format: InventoryFormat, name: &str, text: &str) -> Result<Document, IngestError> {
    read_text(name, text, Some(format), &[])
}

fn edges(doc: &Document) -> Vec<String> {
    doc.inventory
        .dependencies
        .iter()
        .map(|d| format!("{} -> {}", d.from, d.to))
        .collect()
}

fn scope_of(doc: &Document, purl: &str) -> (Option<Scope>, Option<bool>) {
    let c = doc
        .inventory
        .components
        .iter()
        .find(|c| c.purl == purl)
        .unwrap_or_else(|| panic!("no {purl} in {:?}", purls(doc)));
    (c.scope, c.direct)
}

fn error(result: Result<Document, IngestError>) -> String {
    result.map(|d| purls(&d).join(" ")).unwrap_err().to_string()
}

// --- Cargo.lock ---

/// v2 (no `version` key, checksums per package, short references), a git crate, a crate from
/// another registry, a path dependency and a reference that names nothing.
const CARGO_V2: &str = r#"[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "local-helper",
 "memchr 2.5.0",
 "private",
 "regex",
 "serde",
]

[[package]]
name = "local-helper"
version = "0.2.0"
dependencies = [
 "memchr 1.0.2",
]

[[package]]
name = "memchr"
version = "1.0.2"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "148fab2e51b4f1cfc66da2a7c32981d1d3c083a803978268bb11fe4b86925e7a"

[[package]]
name = "memchr"
version = "2.5.0"
source = "sparse+https://index.crates.io/"

[[package]]
name = "private"
version = "1.0.0"
source = "sparse+https://my.registry.example/index/"

[[package]]
name = "regex"
version = "1.7.3"
source = "git+https://github.com/rust-lang/regex?branch=main#0123456789abcdef"
dependencies = [
 "memchr",
]
"#;

#[test]
fn cargo_v2_git_registry_path_and_dangling() {
    let doc = read("Cargo.lock", CARGO_V2).unwrap();
    assert_eq!(doc.format, InventoryFormat::CargoLock);
    assert_eq!(
        purls(&doc),
        [
            "pkg:cargo/memchr@1.0.2",
            "pkg:cargo/memchr@2.5.0",
            "pkg:cargo/private@1.0.0?repository_url=https:%2F%2Fmy.registry.example%2Findex%2F",
            "pkg:cargo/regex@1.7.3?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Frust-lang%2Fregex%400123456789abcdef",
        ]
    );
    // Direct: what a workspace member (no `source`) depends on, the path dependency included.
    let direct: Vec<Option<bool>> = doc.inventory.components.iter().map(|c| c.direct).collect();
    assert_eq!(direct, [Some(true), Some(true), Some(true), Some(true)]);
    assert_eq!(doc.inventory.components[0].hashes.len(), 1);
    assert_eq!(
        warnings(&doc),
        [
            "`Cargo.lock`:1 field `dependencies`: `app` depends on `serde`, which is not in the \
             lockfile: edge dropped",
            "`Cargo.lock`:35 field `dependencies`: `regex` depends on `memchr`, which names 2 \
             entries (1.0.2, 2.5.0): expected a version and source that tell them apart; edge \
             dropped",
        ]
    );
    assert!(edges(&doc).contains(&"pkg:cargo/app@0.1.0 -> pkg:cargo/local-helper@0.2.0".into()));
}

#[test]
fn cargo_bad_input_names_line_and_column() {
    let truncated = "[[package]]\nname = \"a\"\nversion = \"1";
    assert_eq!(
        error(read_as(InventoryFormat::CargoLock, "Cargo.lock", truncated)),
        "`Cargo.lock`:3:13: invalid TOML: invalid basic string, expected `\"`"
    );
    let wrong_type = "# This file is automatically @generated by Cargo.\n[[package]]\nname = \"a\"\nversion = 3\n";
    assert_eq!(
        error(read("Cargo.lock", wrong_type)),
        "`Cargo.lock`:4:11: valid TOML but not a Cargo.lock: invalid type: integer `3`, \
         expected a string"
    );
    let huge =
        "# This file is automatically @generated by Cargo.\nversion = 99999999999999999999\n";
    assert_eq!(
        error(read("Cargo.lock", huge)),
        "`Cargo.lock`:2:11: valid TOML but not a Cargo.lock: invalid type: integer \
         `99999999999999999999` as i128, expected i64"
    );
    let future = "# This file is automatically @generated by Cargo.\nversion = 5\n";
    assert_eq!(
        warnings(&read("Cargo.lock", future).unwrap()),
        [
            "`Cargo.lock`:2 field `version`: Cargo.lock `version = 5`: expected 1 to 4; read as version 4"
        ]
    );
    let doc = read_as(
        InventoryFormat::CargoLock,
        "Cargo.lock",
        "[[package]]\nname = \"a\"\n",
    )
    .unwrap();
    assert_eq!(
        warnings(&doc),
        ["`Cargo.lock`:1: `[[package]]` without `name` or `version`: expected both; entry skipped"]
    );
}

#[test]
fn toml_hostile_nesting_is_refused() {
    let arrays = format!("a = {}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(
        error(read_as(InventoryFormat::CargoLock, "Cargo.lock", &arrays))
            .contains("max recursion depth met")
    );
    let dotted = format!("[{}a]\nx = 1\n", "a.".repeat(100_000));
    assert!(
        error(read_as(InventoryFormat::UvLock, "uv.lock", &dotted)).contains("recursion limit")
    );
    let tables = format!("x = {}1{}", "{b = ".repeat(100_000), "}".repeat(100_000));
    assert!(
        error(read_as(InventoryFormat::PoetryLock, "poetry.lock", &tables))
            .contains("max recursion depth met")
    );
}

// --- poetry.lock ---

const POETRY: &str = r#"# This file is automatically @generated by Poetry 2.1.0 and should not be changed by hand.

[[package]]
name = "Flask"
version = "3.0.0"
optional = false
groups = ["main"]
files = [{file = "flask-3.0.0.tar.gz", hash = "sha256:aa"}]

[package.dependencies]
Werkzeug = ">=3"
importlib-metadata = {version = ">=3.6", markers = "python_version < \"3.10\""}
missing = "*"

[[package]]
name = "werkzeug"
version = "3.0.1"
optional = true
groups = ["main"]

[[package]]
name = "pytest"
version = "8.0.0"
optional = false
groups = ["dev", "test"]

[[package]]
name = "mylib"
version = "0.1.0"
groups = ["main"]

[package.source]
type = "directory"
url = "libs/mylib"

[[package]]
name = "private-pkg"
version = "2.0.0"
groups = ["main"]

[package.source]
type = "git"
url = "https://github.com/example/private-pkg.git"
reference = "main"
resolved_reference = "abc123"

[metadata]
lock-version = "2.1"
python-versions = ">=3.9"
content-hash = "00"
"#;

const PYPROJECT: &str = r#"[project]
name = "app"
dependencies = ["flask[async]>=3 ; python_version >= '3.9'"]

[tool.poetry.group.dev.dependencies]
pytest = "*"
"#;

#[test]
fn poetry_groups_sources_and_pyproject() {
    let doc = read_with("app/poetry.lock", POETRY, &[("pyproject.toml", PYPROJECT)]).unwrap();
    assert_eq!(
        purls(&doc),
        [
            "pkg:pypi/flask@3.0.0",
            "pkg:pypi/werkzeug@3.0.1",
            "pkg:pypi/pytest@8.0.0",
            "pkg:pypi/private-pkg@2.0.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fexample%2Fprivate-pkg.git%40abc123",
        ]
    );
    assert_eq!(
        scope_of(&doc, "pkg:pypi/flask@3.0.0"),
        (Some(Scope::Runtime), Some(true))
    );
    assert_eq!(
        scope_of(&doc, "pkg:pypi/werkzeug@3.0.1"),
        (Some(Scope::Optional), Some(false))
    );
    assert_eq!(
        scope_of(&doc, "pkg:pypi/pytest@8.0.0"),
        (Some(Scope::Dev), Some(true))
    );
    assert_eq!(doc.inventory.components[0].hashes[0].value, "aa");
    // The marker-bound dependency that poetry did not lock is not worth a warning.
    assert_eq!(
        warnings(&doc),
        [
            "`app/poetry.lock`:27: `mylib` comes from a local directory (`libs/mylib`), not a \
             published release: not inventoried",
            "`app/poetry.lock`:3 field `dependencies`: `flask` depends on `missing`, which is \
             not in the lockfile: edge dropped",
        ]
    );
    assert_eq!(
        edges(&doc),
        ["pkg:pypi/flask@3.0.0 -> pkg:pypi/werkzeug@3.0.1"]
    );
    // Without pyproject.toml nothing says what is direct.
    let alone = read("app/poetry.lock", POETRY).unwrap();
    assert_eq!(
        scope_of(&alone, "pkg:pypi/flask@3.0.0"),
        (Some(Scope::Runtime), None)
    );
}

#[test]
fn poetry_unreadable_pyproject_is_a_warning() {
    let doc = read_with(
        "app/poetry.lock",
        POETRY,
        &[("pyproject.toml", "[project\n")],
    )
    .unwrap();
    assert!(
        warnings(&doc)[0].starts_with("`app/pyproject.toml`:1:9: invalid TOML:"),
        "{:?}",
        warnings(&doc)
    );
}

#[test]
fn pyproject_alone_is_refused() {
    assert_eq!(
        error(read("pyproject.toml", PYPROJECT)),
        "`pyproject.toml`: this is a pyproject.toml file, not an inventory: pyproject.toml is \
         read beside poetry.lock, not on its own; import the lockfile next to it (poetry.lock, \
         uv.lock or pylock.toml)"
    );
    assert_eq!(
        error(read_as(
            InventoryFormat::PoetryLock,
            "pyproject.toml",
            PYPROJECT
        )),
        "`pyproject.toml`: this is a pyproject.toml file, not a poetry.lock: pyproject.toml is \
         read beside poetry.lock, not on its own; import the lockfile next to it (poetry.lock, \
         uv.lock or pylock.toml)"
    );
}

// --- uv.lock ---

const UV: &str = r#"version = 1
revision = 3
requires-python = ">=3.12"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "numpy", version = "2.0.0", source = { registry = "https://pypi.org/simple" } },
    { name = "tool", extra = ["cli"] },
    { name = "vendored" },
]

[package.optional-dependencies]
plot = [{ name = "numpy", version = "1.26.0", source = { registry = "https://download.example/simple" } }]

[package.dev-dependencies]
dev = [{ name = "numpy" }]

[[package]]
name = "numpy"
version = "2.0.0"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://x/numpy-2.0.0.tar.gz", hash = "sha256:01" }

[[package]]
name = "numpy"
version = "1.26.0"
source = { registry = "https://download.example/simple" }

[[package]]
name = "tool"
version = "1.0"
source = { git = "https://github.com/example/tool?rev=v1#cafe" }

[package.optional-dependencies]
cli = [{ name = "click" }]
gui = [{ name = "qt" }]

[[package]]
name = "click"
version = "8.1.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "qt"
version = "6.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "vendored"
version = "0.0.1"
source = { directory = "vendor/vendored" }
"#;

#[test]
fn uv_sources_extras_and_ambiguous_names() {
    let doc = read("uv.lock", UV).unwrap();
    assert_eq!(doc.format, InventoryFormat::UvLock);
    assert_eq!(
        purls(&doc),
        [
            "pkg:pypi/numpy@2.0.0",
            "pkg:pypi/numpy@1.26.0?repository_url=https:%2F%2Fdownload.example%2Fsimple",
            "pkg:pypi/tool@1.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fexample%2Ftool%40cafe",
            "pkg:pypi/click@8.1.0",
            "pkg:pypi/qt@6.0",
        ]
    );
    assert_eq!(
        scope_of(&doc, "pkg:pypi/numpy@2.0.0"),
        (Some(Scope::Runtime), Some(true))
    );
    assert_eq!(
        scope_of(
            &doc,
            "pkg:pypi/numpy@1.26.0?repository_url=https:%2F%2Fdownload.example%2Fsimple"
        ),
        (Some(Scope::Optional), Some(true))
    );
    // `tool[cli]` turns on click; nothing turns on tool's `gui` extra.
    assert_eq!(
        scope_of(&doc, "pkg:pypi/click@8.1.0"),
        (Some(Scope::Runtime), Some(false))
    );
    assert_eq!(scope_of(&doc, "pkg:pypi/qt@6.0"), (None, Some(false)));
    assert_eq!(
        warnings(&doc),
        [
            "`uv.lock`:5 field `dev-dependencies`: `app` depends on `numpy`, which names 2 \
             entries (2.0.0, 1.26.0): expected a version and source that tell them apart; edge \
             dropped",
            "`uv.lock`:51: `vendored` comes from a local directory (`vendor/vendored`), not a \
             published release: not inventoried",
        ]
    );
    assert_eq!(doc.inventory.components[0].hashes[0].value, "01");
}

// --- pylock.toml ---

#[test]
fn pylock_vcs_directory_and_versionless() {
    let text = r#"lock-version = "1.0"
created-by = "pdm"

[[packages]]
name = "Tool"
version = "1.0"
vcs = { type = "git", url = "https://github.com/example/tool", commit-id = "beef" }
dependencies = [{ name = "dep" }]

[[packages]]
name = "dep"
vcs = { type = "git", url = "https://github.com/example/dep", commit-id = "f00d" }

[[packages]]
name = "local"
directory = { path = "./local", editable = true }

[[packages]]
name = "wheel-only"
version = "2.0"
archive = { url = "https://x/wheel_only-2.0.tar.gz", hashes = { SHA256 = "ab" } }
"#;
    let doc = read("pylock.toml", text).unwrap();
    assert_eq!(doc.format, InventoryFormat::PylockToml);
    assert_eq!(
        purls(&doc),
        [
            "pkg:pypi/tool@1.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fexample%2Ftool%40beef",
            "pkg:pypi/wheel-only@2.0?download_url=https:%2F%2Fx%2Fwheel_only-2.0.tar.gz",
        ]
    );
    assert_eq!(doc.inventory.components[1].hashes[0].algorithm, "sha256");
    assert_eq!(
        warnings(&doc),
        [
            "`pylock.toml`:10: `dep` has no `version`: not inventoriable",
            "`pylock.toml`:14: `local` comes from a local directory (`./local`), not a \
             published release: not inventoried",
        ]
    );
    assert_eq!(
        edges(&doc),
        [
            "pkg:pypi/tool@1.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fexample%2Ftool%40beef -> pkg:pypi/dep?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fexample%2Fdep%40f00d"
        ]
    );
}

// --- Pipfile.lock ---

#[test]
fn pipfile_develop_git_path_and_unpinned() {
    let text = r#"{
  "_meta": {"pipfile-spec": 6},
  "default": {
    "requests": {"version": "==2.31.0", "hashes": ["sha256:aa", "sha256:bb"]},
    "tool": {"git": "https://github.com/example/tool.git", "ref": "cafe"},
    "mine": {"path": ".", "editable": true},
    "loose": {"version": "*"}
  },
  "develop": {
    "pytest": {"version": "==8.0.0"},
    "requests": {"version": "==2.31.0"},
    "a/b": {"version": "==1"}
  }
}"#;
    let doc = read("Pipfile.lock", text).unwrap();
    assert_eq!(doc.format, InventoryFormat::PipfileLock);
    assert_eq!(
        purls(&doc),
        [
            "pkg:pypi/requests@2.31.0",
            "pkg:pypi/a%2Fb@1",
            "pkg:pypi/pytest@8.0.0"
        ]
    );
    // Listed in both sections: the runtime listing wins.
    assert_eq!(
        scope_of(&doc, "pkg:pypi/requests@2.31.0"),
        (Some(Scope::Runtime), None)
    );
    assert_eq!(
        scope_of(&doc, "pkg:pypi/pytest@8.0.0"),
        (Some(Scope::Dev), None)
    );
    assert_eq!(doc.inventory.components[0].hashes.len(), 2);
    assert_eq!(
        doc.inventory.components[1].location.field.as_deref(),
        Some("/develop/a~1b")
    );
    assert_eq!(
        warnings(&doc),
        [
            "`Pipfile.lock` field `/default/loose`: `loose` not inventoriable: not pinned to one \
             version (`*`)",
            "`Pipfile.lock` field `/default/mine`: `mine` not inventoriable: a local path (`.`), \
             not a published release",
            "`Pipfile.lock` field `/default/tool`: `tool` not inventoriable: a git checkout \
             (`https://github.com/example/tool.git`) without a pinned version",
        ]
    );
}

#[test]
fn pipfile_bad_input() {
    assert_eq!(
        error(read_as(
            InventoryFormat::PipfileLock,
            "Pipfile.lock",
            "{\"_meta\": {}, \"default\": {\"a\": {\"version\": "
        )),
        "`Pipfile.lock`:1:43: the document ends early (truncated?): EOF while parsing a value"
    );
    assert_eq!(
        error(read_as(
            InventoryFormat::PipfileLock,
            "Pipfile.lock",
            "{\"packages\": {}}"
        )),
        "`Pipfile.lock`: valid JSON but not a Pipfile.lock: expected `_meta` and `default` or \
         `develop`"
    );
    assert_eq!(
        error(read(
            "Pipfile.lock",
            "{\"_meta\": {}, \"default\": {\"a\": {\"version\": 3}}}"
        )),
        "`Pipfile.lock`:1:44: unexpected content: invalid type: integer `3`, expected a string"
    );
    // serde_json skips ignored values without recursing: deep nesting there is harmless.
    let deep = format!(
        "{{\"default\": {{}}, \"_meta\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let doc = read_as(InventoryFormat::PipfileLock, "Pipfile.lock", &deep).unwrap();
    assert!(doc.inventory.components.is_empty());
}

// --- requirements.txt ---

#[test]
fn requirements_options_includes_and_unpinned() {
    let text = "\
--index-url https://pypi.example/simple
-r base.txt
--constraint=constraints.txt
-e ./src/mypkg
./wheels/thing-1.0-py3-none-any.whl
thing @ https://x/thing-1.0.tar.gz
requests[security]==2.31.0 ; python_version >= '3.8' \\
    --hash=sha256:aa \\
    --hash sha256:bb
Django===4.2.1
tool==2.*
this is not a requirement
";
    let doc = read("requirements.txt", text).unwrap();
    assert_eq!(doc.format, InventoryFormat::Requirements);
    assert_eq!(
        purls(&doc),
        ["pkg:pypi/requests@2.31.0", "pkg:pypi/django@4.2.1"]
    );
    assert_eq!(doc.inventory.components[0].hashes.len(), 2);
    assert_eq!(doc.inventory.includes, ["base.txt", "constraints.txt"]);
    assert_eq!(
        warnings(&doc),
        [
            "`requirements.txt`:4: not inventoriable: an editable install, not a pinned version \
             (`-e ./src/mypkg`)",
            "`requirements.txt`:5: not inventoriable: a URL or local path, not a pinned version \
             (`./wheels/thing-1.0-py3-none-any.whl`)",
            "`requirements.txt`:6: not inventoriable: a URL, not a pinned version (`thing @ \
             https://x/thing-1.0.tar.gz`)",
            "`requirements.txt`:11: not inventoriable: not pinned to one version (`tool==2.*`)",
            "`requirements.txt`:12: not a requirement: expected `name==version`, a pip option \
             such as `-r file`, or a comment; found `this is not a requirement`",
        ]
    );
}

#[test]
fn requirements_pip_compile_via_comments() {
    let text = "\
#    pip-compile requirements.in
certifi==2024.1.1
    # via requests
requests==2.31.0 \\
    --hash=sha256:aa
    # via
    #   -r requirements.in
    #   other-app (pyproject.toml)
urllib3==2.0.0
    # via
    #   requests
    #   ghost
";
    let doc = read("requirements.txt", text).unwrap();
    let direct: Vec<Option<bool>> = doc.inventory.components.iter().map(|c| c.direct).collect();
    assert_eq!(direct, [Some(false), Some(true), Some(false)]);
    assert_eq!(
        edges(&doc),
        [
            "pkg:pypi/requests@2.31.0 -> pkg:pypi/certifi@2024.1.1",
            "pkg:pypi/requests@2.31.0 -> pkg:pypi/urllib3@2.0.0",
        ]
    );
    assert_eq!(
        warnings(&doc),
        [
            "`requirements.txt`:9: `# via ghost` names a package this file does not pin: edge dropped"
        ]
    );
}

#[test]
fn requirements_detection_is_careful() {
    for text in [
        "hello\nworld\n",
        "- item one\n- item two\n",
        "CVE-2021-44228\n# a comment\nCVE-2022-0001\n",
        "1.0 < 1.1\n2.0 > 1.0\n",
        "Install it with pip:\nnumpy>=1\nthen run the tests.\n",
    ] {
        assert!(read("notes.txt", text).is_err(), "claimed: {text:?}");
    }
    // A very long line is read once, not rescanned.
    let long = format!("a=={}\n", "1".repeat(1_000_000));
    assert_eq!(
        read("requirements.txt", &long)
            .unwrap()
            .inventory
            .components
            .len(),
        1
    );
}

// --- Gemfile.lock ---

const GEMFILE: &str = "\
GIT
  remote: https://github.com/example/forked.git
  revision: 0123abcd
  branch: main
  specs:
    forked (1.2.0)
      rack

PATH
  remote: .
  specs:
    myapp (0.1.0)
      forked
      nokogiri (>= 1.15)

PATH
  remote: vendor/local_gem
  specs:
    local_gem (0.0.1)

GEM
  remote: https://rubygems.org/
  specs:
    nokogiri (1.15.0-arm64-darwin)
      racc (~> 1.4)
    nokogiri (1.15.0-x86_64-linux)
      racc (~> 1.4)
    rack (3.0.8)
    racc (1.7.1)
    broken spec line
      orphan

PLATFORMS
  arm64-darwin
  x86_64-linux

DEPENDENCIES
  forked!
  myapp!
  rack

CHECKSUMS
  rack (3.0.8) sha256=abcd
  nokogiri (1.15.0-x86_64-linux) sha256=ef01

BUNDLED WITH
   2.5.3
";

#[test]
fn gemfile_git_path_platforms_and_checksums() {
    let doc = read("Gemfile.lock", GEMFILE).unwrap();
    assert_eq!(doc.format, InventoryFormat::GemfileLock);
    assert_eq!(
        purls(&doc),
        [
            "pkg:gem/forked@1.2.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fexample%2Fforked.git%400123abcd",
            "pkg:gem/nokogiri@1.15.0?platform=arm64-darwin",
            "pkg:gem/nokogiri@1.15.0?platform=x86_64-linux",
            "pkg:gem/rack@3.0.8",
            "pkg:gem/racc@1.7.1",
        ]
    );
    let direct: Vec<Option<bool>> = doc.inventory.components.iter().map(|c| c.direct).collect();
    // nokogiri is direct through the project's own gemspec (`PATH remote: .`).
    assert_eq!(
        direct,
        [Some(true), Some(true), Some(true), Some(true), Some(false)]
    );
    let hashes: Vec<usize> = doc
        .inventory
        .components
        .iter()
        .map(|c| c.hashes.len())
        .collect();
    assert_eq!(hashes, [0, 0, 1, 1, 0]);
    assert_eq!(
        warnings(&doc),
        [
            "`Gemfile.lock`:30: gem spec `broken spec line`: expected `name (version)`; skipped",
            "`Gemfile.lock`:31: dependency line `orphan` outside a gem spec: skipped",
            "`Gemfile.lock`:19: `local_gem` comes from a local path (`vendor/local_gem`), not a \
             published release: not inventoried",
        ]
    );
    assert!(edges(&doc).contains(
        &"pkg:gem/myapp@0.1.0 -> pkg:gem/nokogiri@1.15.0?platform=x86_64-linux".to_owned()
    ));
}

#[test]
fn gemfile_malformed_is_refused() {
    let Some(result) =
        crate::inventory::read_shared("lockfiles/gemfile-lock/trivy-malformed/Gemfile.lock")
    else {
        return;
    };
    assert!(
        error(result).contains("not a format Vexil reads: it looks like text starting `malformed`")
    );
    assert_eq!(
        error(read_as(
            InventoryFormat::GemfileLock,
            "Gemfile.lock",
            "malformed"
        )),
        "`Gemfile.lock`: not a Gemfile.lock: expected sections such as `GEM` (with `remote:` and \
         `specs:`) and `DEPENDENCIES` at the start of lines"
    );
}
