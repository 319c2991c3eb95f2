//! Golden and bad-input tests of the JavaScript lockfile parsers: package-lock (v1–v3), yarn v1,
//! yarn berry, pnpm-lock (5.x, 6.x, 9.x) and bun.lock, on every real file of
//! `../shared/data/lockfiles/{package-lock,yarn-v1,yarn-berry,pnpm-lock,bun-lock}`, plus
//! hand-made broken and hostile inputs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use vexil_core::ingest::IngestError;
use vexil_core::ingest::inventory::{self, Document, InventoryFormat};
use vexil_core::model::{Component, Inventory, Scope};

use crate::inventory::{golden_tree, read_shared, read_text};
use crate::shared;

const JS_FORMATS: &[InventoryFormat] = &[
    InventoryFormat::PackageLock,
    InventoryFormat::YarnV1,
    InventoryFormat::YarnBerry,
    InventoryFormat::PnpmLock,
    InventoryFormat::BunLock,
];

fn shared_inventory(rel: &str) -> Option<Inventory> {
    Some(read_shared(rel)?.unwrap().inventory)
}

/// Reads hand-made text as `name`, detected from its content (or forced to `format`).
fn read(name: &str, text: &str, format: Option<InventoryFormat>) -> Result<Document, IngestError> {
    read_text(name, text, format, &[])
}

fn ok(name: &str, text: &str) -> Inventory {
    read(name, text, None).unwrap().inventory
}

fn err(name: &str, text: &str, format: InventoryFormat) -> String {
    read(name, text, Some(format)).unwrap_err().to_string()
}

fn find<'a>(inv: &'a Inventory, purl: &str) -> &'a Component {
    inv.components.iter().find(|c| c.purl == purl).unwrap()
}

fn purls(inv: &Inventory) -> BTreeSet<&str> {
    inv.components.iter().map(|c| c.purl.as_str()).collect()
}

fn count(inv: &Inventory, scope: Scope) -> usize {
    inv.components
        .iter()
        .filter(|c| c.scope == Some(scope))
        .count()
}

fn direct(inv: &Inventory) -> usize {
    inv.components
        .iter()
        .filter(|c| c.direct == Some(true))
        .count()
}

// --- every real file ------------------------------------------------------------------------

#[test]
fn package_lock_golden() {
    let Some((ok, failed)) = golden_tree("lockfiles/package-lock") else {
        return;
    };
    // A manifest beside its lockfile is not a lockfile: "not a format Vexil reads".
    assert_eq!(
        failed,
        ["lockfiles/package-lock/v3-brainstem-org-django-jet-reboot/package.json"]
    );
    assert_eq!(ok, 9);
}

#[test]
fn yarn_v1_golden() {
    let Some((ok, failed)) = golden_tree("lockfiles/yarn-v1") else {
        return;
    };
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(ok, 4);
}

#[test]
fn yarn_berry_golden() {
    let Some((ok, failed)) = golden_tree("lockfiles/yarn-berry") else {
        return;
    };
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(ok, 4);
}

#[test]
fn pnpm_lock_golden() {
    let Some((ok, failed)) = golden_tree("lockfiles/pnpm-lock") else {
        return;
    };
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(ok, 7);
}

#[test]
fn bun_lock_golden() {
    let Some((ok, failed)) = golden_tree("lockfiles/bun-lock") else {
        return;
    };
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(ok, 1);
}

/// The JS detectors claim exactly the JS lockfiles among every inventory document of the
/// shared data, and each of those gets the right format.
#[test]
fn detection_claims_only_js_lockfiles() {
    let Some(root) = shared::data("") else {
        return;
    };
    let expected = [
        ("lockfiles/package-lock/", InventoryFormat::PackageLock),
        ("lockfiles/yarn-v1/", InventoryFormat::YarnV1),
        ("lockfiles/yarn-berry/", InventoryFormat::YarnBerry),
        ("lockfiles/pnpm-lock/", InventoryFormat::PnpmLock),
        ("lockfiles/bun-lock/", InventoryFormat::BunLock),
    ];
    let mut files = Vec::new();
    for dir in ["sbom", "lockfiles", "os-packages", "scanners"] {
        walk(&root.join(dir), &mut files);
    }
    let mut checked = 0;
    for path in files {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Ok(text) = inventory::decode(&rel, &std::fs::read(&path).unwrap()) else {
            continue;
        };
        let detected = inventory::detect(&rel, &text).ok();
        let want = expected
            .iter()
            .find(|(prefix, _)| rel.starts_with(prefix) && !rel.ends_with("package.json"))
            .map(|(_, f)| *f);
        match want {
            Some(f) => assert_eq!(detected, Some(f), "{rel}"),
            None => assert!(
                !detected.is_some_and(|f| JS_FORMATS.contains(&f)),
                "{rel} detected as {detected:?}"
            ),
        }
        checked += 1;
    }
    assert!(checked > 300, "{checked}");
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

// --- counts checked by hand against the files ------------------------------------------------

#[test]
fn package_lock_v1_and_v3_of_one_project_agree() {
    let (Some(v1), Some(v3)) = (
        shared_inventory("lockfiles/package-lock/trivy-v1/package-lock.json"),
        shared_inventory("lockfiles/package-lock/trivy-v3/package-lock.json"),
    ) else {
        return;
    };
    assert_eq!(purls(&v1), purls(&v3));
    assert_eq!(v1.dependencies, v3.dependencies);
    assert_eq!(v3.components.len(), 31);
    // `dev`: debug@2.5.2 and its nested ms@0.7.2; `optional`: promise and asap.
    assert_eq!(
        (count(&v3, Scope::Dev), count(&v3, Scope::Optional)),
        (2, 2)
    );
    assert_eq!(find(&v3, "pkg:npm/ms@0.7.2").scope, Some(Scope::Dev));
    // The root entry lists 4 dependencies, 1 dev and 1 optional; v1 has no root entry.
    assert_eq!(direct(&v3), 6);
    assert!(v1.components.iter().all(|c| c.direct.is_none()));
    let babel = find(&v3, "pkg:npm/%40babel/helper-string-parser@7.19.4");
    assert_eq!(babel.hashes[0].algorithm, "sha512");
    assert_eq!(
        babel.location.field.as_deref(),
        Some("/packages/node_modules~1@babel~1helper-string-parser")
    );
}

#[test]
fn package_lock_workspaces_and_broken_links() {
    let (Some(ws), Some(broken)) = (
        shared_inventory("lockfiles/package-lock/trivy-v3-workspace/package-lock.json"),
        shared_inventory("lockfiles/package-lock/trivy-v3-broken-link/package-lock.json"),
    ) else {
        return;
    };
    // The workspaces are the project: only the 4 installed packages are components. The nested
    // workspace's own debug@2.6.9 (under functions/nested_func/node_modules) is its direct dep.
    assert_eq!(ws.components.len(), 4);
    assert_eq!(find(&ws, "pkg:npm/debug@2.6.9").direct, Some(true));
    assert_eq!(find(&ws, "pkg:npm/ms@2.0.0").direct, Some(false));
    assert!(
        ws.dependencies
            .iter()
            .any(|d| d.from == "pkg:npm/debug@2.6.9" && d.to == "pkg:npm/ms@2.0.0")
    );
    assert!(broken.components.is_empty());
    assert!(broken.warnings[0].message.contains("empty `resolved`"));
}

#[test]
fn package_lock_real_projects() {
    let (Some(aws), Some(jet)) = (
        shared_inventory(
            "lockfiles/package-lock/v3-aws-samples-cdk-integ-tests-sample/package-lock.json",
        ),
        shared_inventory(
            "lockfiles/package-lock/v3-brainstem-org-django-jet-reboot/package-lock.json",
        ),
    ) else {
        return;
    };
    // Distinct (name, version) among the `node_modules/` entries; the root lists 23 and 25.
    assert_eq!((aws.components.len(), direct(&aws)), (599, 23));
    assert_eq!((jet.components.len(), direct(&jet)), (572, 25));
    // django-jet-reboot's package.json has devDependencies only.
    assert_eq!(count(&jet, Scope::Dev), 572);
    assert!(aws.warnings.is_empty() && jet.warnings.is_empty());
}

#[test]
fn yarn_counts() {
    let (Some(dojo), Some(git), Some(berry)) = (
        shared_inventory("lockfiles/yarn-v1/defectdojo-components/yarn.lock"),
        shared_inventory("lockfiles/yarn-v1/trivy-with-git/yarn.lock"),
        shared_inventory("lockfiles/yarn-berry/syft-yarn-berry/yarn.lock"),
    ) else {
        return;
    };
    // 167 entry lines; 4 are GitHub tarballs and 1 a GitHub repository, kept as pkg:generic
    // with their URL.
    assert_eq!(dojo.components.len(), 167);
    let generic: Vec<&str> = dojo
        .components
        .iter()
        .filter(|c| c.ecosystem.is_none())
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        generic,
        [
            "JUMFlot",
            "chosen-bootstrap",
            "flot",
            "jquery.hotkeys",
            "morris.js"
        ]
    );
    let chosen = find(
        &dojo,
        "pkg:generic/chosen-bootstrap@0.0.0?vcs_url=https:%2F%2Fgithub.com%2Fdbtek%2Fchosen-bootstrap%2312dcd363d1482c54c740ed9fe0e92549d81e9176",
    );
    assert!(chosen.hashes.is_empty());
    assert!(dojo.warnings.is_empty());
    // A git dependency: its fragment is a commit, not a digest.
    assert!(
        git.components[0]
            .purl
            .starts_with("pkg:generic/mapbox-gl-feature-drag-and-drop@1.1.1?vcs_url=")
    );
    assert!(git.components[0].hashes.is_empty());
    // The fixture repeats `@types/qs@npm:6.9.4`; the workspace at the end lists 6 of the 8.
    assert_eq!(berry.components.len(), 8);
    assert_eq!(direct(&berry), 6);
    assert!(
        berry.warnings[0]
            .message
            .contains("listed again (first at line 24)")
    );
}

#[test]
fn yarn_berry_workspaces_and_patches() {
    let (Some(mono), Some(happy)) = (
        shared_inventory("lockfiles/yarn-berry/trivy-monorepo/yarn.lock"),
        shared_inventory("lockfiles/yarn-berry/trivy-v2-happy/yarn.lock"),
    ) else {
        return;
    };
    // 5 workspaces (not components) and 11 packages; the workspaces name 6 of them.
    assert_eq!(mono.components.len(), 11);
    assert_eq!(direct(&mono), 6);
    // `fsevents@patch:fsevents@~2.1.2#builtin<compat/fsevents>` is fsevents 2.1.3.
    let fsevents = find(&happy, "pkg:npm/fsevents@2.1.3");
    assert_eq!(fsevents.location.line, Some(95));
}

#[test]
fn pnpm_counts() {
    let (Some(v5), Some(v9), Some(docs), Some(cyclic)) = (
        shared_inventory("lockfiles/pnpm-lock/trivy-many/pnpm-lock.yaml"),
        shared_inventory("lockfiles/pnpm-lock/trivy-v9/pnpm-lock.yaml"),
        shared_inventory("lockfiles/pnpm-lock/trivy-v9_multiple_documents/pnpm-lock.yaml"),
        shared_inventory("lockfiles/pnpm-lock/trivy-v9_cyclic_import/pnpm-lock.yaml"),
    ) else {
        return;
    };
    // 134 `/name/version` keys, 78 of them `dev: true`; 6 dependencies + 1 devDependency.
    assert_eq!(v5.components.len(), 134);
    assert_eq!((count(&v5, Scope::Dev), direct(&v5)), (78, 7));
    // 9.x: scope from the importers. jquery is a devDependency, asap only optional, ms@2.0.0
    // both a devDependency and under finalhandler → debug (runtime wins).
    assert_eq!(find(&v9, "pkg:npm/jquery@3.6.0").scope, Some(Scope::Dev));
    assert_eq!(find(&v9, "pkg:npm/asap@2.0.6").scope, Some(Scope::Optional));
    assert_eq!(find(&v9, "pkg:npm/ms@2.0.0").scope, Some(Scope::Runtime));
    assert_eq!(find(&v9, "pkg:npm/sleep-utils@1.0.3").direct, Some(true));
    assert_eq!(v9.warnings.len(), 2, "{:?}", v9.warnings);
    // The first document is pnpm's own environment; the project's lock is the second.
    assert_eq!(purls(&docs), BTreeSet::from(["pkg:npm/is-number@7.0.0"]));
    assert_eq!(cyclic.components.len(), 7);
    assert!(cyclic.dependencies.iter().any(|d| {
        d.from == "pkg:npm/browserslist@4.23.0" && d.to == "pkg:npm/update-browserslist-db@1.0.16"
    }));
}

#[test]
fn bun_scopes_from_workspace_sections() {
    let Some(bun) = shared_inventory("lockfiles/bun-lock/trivy-happy/bun.lock") else {
        return;
    };
    // @types/bun is a devDependency, zod optional, typescript a peer; undici-types is reached
    // from zod (optional) and from @types/node (dev): optional is the more deployed.
    let scope = |p: &str| find(&bun, p).scope;
    assert_eq!(scope("pkg:npm/%40types/node@22.15.18"), Some(Scope::Dev));
    assert_eq!(scope("pkg:npm/undici-types@6.21.0"), Some(Scope::Optional));
    assert_eq!(scope("pkg:npm/typescript@5.8.3"), Some(Scope::Runtime));
    assert_eq!(direct(&bun), 3);
}

// --- hand-made inputs ------------------------------------------------------------------------

#[test]
fn package_lock_aliases_and_nested_lookup() {
    let inv = ok(
        "package-lock.json",
        r#"{"lockfileVersion": 3, "packages": {
            "": {"dependencies": {"foo": "npm:bar@^1", "a": "1"}},
            "node_modules/foo": {"name": "bar", "version": "1.2.3"},
            "node_modules/a": {"version": "1.0.0", "dependencies": {"b": "2"}},
            "node_modules/a/node_modules/b": {"version": "2.0.0", "dependencies": {"foo": "1"}},
            "node_modules/b": {"version": "1.0.0", "devOptional": true}
        }}"#,
    );
    assert_eq!(find(&inv, "pkg:npm/bar@1.2.3").direct, Some(true));
    assert_eq!(find(&inv, "pkg:npm/b@1.0.0").scope, Some(Scope::Optional));
    let edges: Vec<(&str, &str)> = inv
        .dependencies
        .iter()
        .map(|d| (d.from.as_str(), d.to.as_str()))
        .collect();
    // a's b is its nested copy; the nested b finds foo (= bar) two levels up.
    assert_eq!(
        edges,
        [
            ("pkg:npm/a@1.0.0", "pkg:npm/b@2.0.0"),
            ("pkg:npm/b@2.0.0", "pkg:npm/bar@1.2.3")
        ]
    );
    let v1 = ok(
        "package-lock.json",
        r#"{"lockfileVersion": 1, "dependencies": {
            "foo": {"version": "npm:@s/bar@1.2.3", "requires": {"x": "1"}},
            "loc": {"version": "file:../loc"},
            "gone": {"version": "1.0.0", "requires": {"missing": "1"}}
        }}"#,
    );
    assert_eq!(v1.components.len(), 2);
    assert!(purls(&v1).contains("pkg:npm/%40s/bar@1.2.3"));
    let messages: Vec<&str> = v1.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages[0].contains("local path `file:../loc`"));
    assert!(messages[1].contains("`x`, which `foo` requires, is not in the lockfile"));
}

#[test]
fn package_lock_bad_inputs() {
    let f = InventoryFormat::PackageLock;
    let e = err(
        "p.json",
        "{\"lockfileVersion\": 3, \"packages\": {\"\": {",
        f,
    );
    assert!(e.contains(":1:") && e.contains("ends early"), "{e}");
    let e = err("p.json", "lockfileVersion: 3\n", f);
    assert!(e.contains("invalid JSON"), "{e}");
    let e = err("p.json", r#"{"name": "x", "dependencies": {}}"#, f);
    assert!(
        e.contains("not an npm package-lock: no `lockfileVersion`"),
        "{e}"
    );
    let e = err("p.json", "[1, 2]", f);
    assert!(
        e.contains("not an npm package-lock: the top level is not an object"),
        "{e}"
    );
    // A malformed entry stops the parse at its line and column.
    let e = err(
        "p.json",
        "{\"lockfileVersion\": 3, \"packages\": {\n\"node_modules/a\": {\"version\": \"1\", \"dev\": \"yes\"}}}",
        f,
    );
    assert!(e.contains(":2:") && e.contains("expected a boolean"), "{e}");
    let e = err(
        "p.json",
        r#"{"lockfileVersion": 1e400, "dependencies": {}}"#,
        f,
    );
    assert!(e.contains("number out of range"), "{e}");
    let e = err("p.json", r#"{"lockfileVersion": 184467440737095516150}"#, f);
    assert!(e.contains("expected u64"), "{e}");
    let newer = ok("p.json", r#"{"lockfileVersion": 4, "packages": {}}"#);
    assert!(newer.warnings[0].message.contains("newer"));
}

#[test]
fn package_lock_deep_nesting_is_refused() {
    // v1 nests `dependencies`: serde_json stops at 128 levels, so no recursion runs away.
    let depth = 10_000;
    let mut text = String::from(r#"{"lockfileVersion": 1, "dependencies": "#);
    for _ in 0..depth {
        text.push_str(r#"{"a": {"version": "1.0.0", "dependencies": "#);
    }
    text.push_str("{}");
    for _ in 0..depth {
        text.push_str("}}");
    }
    text.push('}');
    let e = err("p.json", &text, InventoryFormat::PackageLock);
    assert!(e.contains("recursion limit"), "{e}");
}

#[test]
fn package_lock_deep_paths_stay_linear() {
    // 400 nested copies of `a`, the deepest with 2,000 dependencies nobody installed: lookups
    // walk folder ids, not strings, and stop 256 folders up.
    let mut text = String::from(r#"{"lockfileVersion": 3, "packages": {"": {}"#);
    let mut key = String::from("node_modules/a");
    for level in 0..400 {
        text.push_str(&format!(r#","{key}": {{"version": "1.0.{level}""#));
        if level == 399 {
            text.push_str(r#", "dependencies": {"a": "1""#);
            for d in 0..2000 {
                text.push_str(&format!(r#", "missing{d}": "1""#));
            }
            text.push('}');
        }
        text.push('}');
        key.push_str("/node_modules/a");
    }
    text.push_str("}}");
    let start = Instant::now();
    let inv = ok("package-lock.json", &text);
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(inv.components.len(), 400);
    // Asking for `a` from inside the deepest `a` finds that very folder, as Node would.
    let edge = &inv.dependencies[0];
    assert_eq!(
        (inv.dependencies.len(), edge.from.as_str()),
        (1, edge.to.as_str())
    );
    assert_eq!(inv.warnings.len(), 2000);
    assert!(
        inv.warnings[0]
            .message
            .contains("passed 256 nested folders")
    );
}

/// A package-lock v3 of `n` packages, each with three dependencies, plus a nested second
/// version of every fifth one (under the next package's `node_modules`).
fn big_package_lock(n: usize) -> String {
    let mut text = String::from(
        r#"{"name": "big", "lockfileVersion": 3, "requires": true, "packages": {"": {"dependencies": {"#,
    );
    for i in 0..50 {
        let comma = if i > 0 { "," } else { "" };
        text.push_str(&format!(r#"{comma}"p{i}": "^1""#));
    }
    text.push_str("}}");
    let entry = |key: &str, i: usize, version: &str| {
        let (a, b, c) = ((i + 1) % n, (i + 7) % n, (i * 13) % n);
        format!(
            r#","{key}": {{"version": "{version}", "resolved": "https://registry.npmjs.org/p{i}/-/p{i}-{version}.tgz", "integrity": "sha512-{i}AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", "dev": {}, "dependencies": {{"p{a}": "^1", "p{b}": "^1", "p{c}": "^1"}}, "engines": {{"node": ">=8"}}}}"#,
            i.is_multiple_of(3)
        )
    };
    for i in 0..n {
        text.push_str(&entry(
            &format!("node_modules/p{i}"),
            i,
            &format!("1.0.{i}"),
        ));
        if i.is_multiple_of(5) {
            let key = format!("node_modules/p{}/node_modules/p{i}", (i + 1) % n);
            text.push_str(&entry(&key, i, &format!("2.0.{i}")));
        }
    }
    text.push_str("}}");
    text
}

#[test]
fn package_lock_5000_entries_parse_fast() {
    let n = 5000;
    let text = big_package_lock(n);
    let start = Instant::now();
    let doc = read("big/package-lock.json", &text, None).unwrap();
    let took = start.elapsed();
    assert_eq!(doc.format, InventoryFormat::PackageLock);
    assert_eq!(doc.inventory.components.len(), n + n / 5);
    assert!(doc.inventory.dependencies.len() > 3 * n);
    assert!(doc.inventory.warnings.is_empty());
    // A release build parses it in about 15 ms (plus detection, digest and merging); the bound
    // leaves room for debug builds on a busy machine.
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn yarn_v1_entries_and_bad_lines() {
    let text = "# yarn lockfile v1\n\n\"@s/a@^1\", \"@s/a@^1.1\":\n  version \"1.2.0\"\n  resolved \"https://registry.yarnpkg.com/@s/a/-/a-1.2.0.tgz#0123456789abcdef0123456789abcdef01234567\"\n  dependencies:\n    b \"npm:c@^2\"\n    d \"1\"\n\nb@npm:c@^2:\n  version \"2.0.0\"\n";
    let inv = ok("yarn.lock", text);
    assert_eq!(
        purls(&inv),
        BTreeSet::from(["pkg:npm/%40s/a@1.2.0", "pkg:npm/c@2.0.0"])
    );
    let a = find(&inv, "pkg:npm/%40s/a@1.2.0");
    assert_eq!(
        (a.hashes[0].algorithm.as_str(), a.location.line),
        ("sha1", Some(3))
    );
    assert_eq!(inv.dependencies.len(), 1);
    assert_eq!(inv.warnings.len(), 1);
    assert!(
        inv.warnings[0]
            .to_string()
            .contains(":8:1: `d@1` has no entry")
    );
    let f = InventoryFormat::YarnV1;
    let e = err("yarn.lock", "a@1:\n  version \"1\n", f);
    assert!(e.contains("yarn.lock`:2:3") && e.contains("closing"), "{e}");
    let e = err("yarn.lock", "a@1\n  version \"1\"\n", f);
    assert!(
        e.contains(":1:1") && e.contains("expected an entry line"),
        "{e}"
    );
    let e = err("yarn.lock", "a@1:\n   version \"1\"\n", f);
    assert!(e.contains(":2:4") && e.contains("indentation"), "{e}");
}

#[test]
fn yarn_berry_protocols_and_bad_inputs() {
    let text = "__metadata:\n  version: 8\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"app@workspace:.\"\n  dependencies:\n    foo: \"npm:bar@^1\"\n    r: \"patch:r@npm%3A^1#~builtin<compat/r>\"\n    l: \"link:../l\"\n  linkType: soft\n\n\"foo@npm:bar@^1\":\n  version: 1.10\n  resolution: \"bar@npm:1.10\"\n\n\"r@patch:r@npm%3A^1#~builtin<compat/r>\":\n  version: 1.22.1\n  resolution: \"r@patch:r@npm%3A1.22.1#~builtin<compat/r>::version=1.22.1&hash=07638b\"\n\n\"l@link:../l::locator=app%40workspace%3A.\":\n  version: 0.0.0-use.local\n  resolution: \"l@link:../l::locator=app%40workspace%3A.\"\n  linkType: soft\n";
    let inv = ok("yarn.lock", text);
    // The alias is its real package; the version stays text (`1.10`, not the float 1.1).
    assert_eq!(
        purls(&inv),
        BTreeSet::from(["pkg:npm/bar@1.10", "pkg:npm/r@1.22.1"])
    );
    assert!(inv.components.iter().all(|c| c.direct == Some(true)));
    // link: is local code (its key has a `::locator` suffix the dependency range lacks).
    assert_eq!(inv.warnings.len(), 1, "{:?}", inv.warnings);
    assert!(
        inv.warnings[0]
            .message
            .contains("local path `link:../l::locator=")
    );
    let f = InventoryFormat::YarnBerry;
    let e = err(
        "yarn.lock",
        "__metadata:\n  version: 8\n\"a@npm:1\": [\n",
        f,
    );
    assert!(
        e.contains("invalid yarn.lock YAML") && e.contains("yarn.lock`:"),
        "{e}"
    );
    let e = err("yarn.lock", "\"a@npm:1\":\n  version: 1.0.0\n", f);
    assert!(e.contains("no `__metadata`"), "{e}");
}

#[test]
fn pnpm_layouts_aliases_and_bad_inputs() {
    let v6 = ok(
        "pnpm-lock.yaml",
        "lockfileVersion: '6.0'\ndependencies:\n  foo:\n    specifier: npm:bar@1\n    version: /bar@1.0.0\n  w:\n    specifier: link:../w\n    version: link:../w\npackages:\n  /bar@1.0.0:\n    resolution: {integrity: sha512-x}\n    dependencies:\n      q: 2.0.0(react@18.0.0)\n    dev: false\n  /q@2.0.0(react@18.0.0):\n    resolution: {integrity: sha512-y}\n    optional: true\n",
    );
    assert_eq!(find(&v6, "pkg:npm/bar@1.0.0").direct, Some(true));
    assert_eq!(find(&v6, "pkg:npm/q@2.0.0").scope, Some(Scope::Optional));
    assert_eq!(v6.dependencies.len(), 1);
    assert!(v6.warnings.is_empty(), "{:?}", v6.warnings);
    let v5 = ok(
        "pnpm-lock.yaml",
        "lockfileVersion: 5.3\nimporters:\n  .:\n    specifiers: {}\n    devDependencies:\n      '@s/a': 1.0.0_b@2.0.0\n      c: registry.example.com/c/3.0.0\n      g: github.com/u/g/abc\npackages:\n  /@s/a/1.0.0_b@2.0.0:\n    resolution: {integrity: sha512-x}\n    dev: true\n  registry.example.com/c/3.0.0:\n    resolution: {integrity: sha512-c, tarball: https://registry.example.com/c/-/c-3.0.0.tgz}\n    dev: true\n  github.com/u/g/abc:\n    resolution: {tarball: https://codeload.github.com/u/g/tar.gz/abc}\n    name: g\n    version: 0.1.0\n    dev: true\n",
    );
    assert_eq!(find(&v5, "pkg:npm/%40s/a@1.0.0").scope, Some(Scope::Dev));
    // A non-default registry's key names its host; a git host's key its commit.
    assert_eq!(find(&v5, "pkg:npm/c@3.0.0").direct, Some(true));
    assert!(purls(&v5).contains(
        "pkg:generic/g@0.1.0?download_url=https:%2F%2Fcodeload.github.com%2Fu%2Fg%2Ftar.gz%2Fabc"
    ));
    assert!(v5.warnings.is_empty(), "{:?}", v5.warnings);
    let f = InventoryFormat::PnpmLock;
    let e = err(
        "pnpm-lock.yaml",
        "lockfileVersion: '9.0'\npackages:\n  a@1: [\n",
        f,
    );
    assert!(
        e.contains("invalid pnpm-lock YAML") && e.contains("pnpm-lock.yaml`:"),
        "{e}"
    );
    let e = err("pnpm-lock.yaml", "packages: {}\n", f);
    assert!(e.contains("no `lockfileVersion`"), "{e}");
    let e = err(
        "pnpm-lock.yaml",
        "lockfileVersion: '9.0'\npackages:\n  a@1:\n    optional: maybe\n",
        f,
    );
    assert!(e.contains(":4:"), "{e}");
}

#[test]
fn yaml_bombs_and_deep_nesting_are_refused() {
    // Billion laughs: each level repeats the previous ten times.
    let mut text = String::from(
        "lockfileVersion: '9.0'\nsettings:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..10 {
        let p = i - 1;
        text.push_str(&format!(
            "  a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let start = Instant::now();
    let e = err("pnpm-lock.yaml", &text, InventoryFormat::PnpmLock);
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(e.contains("pnpm-lock.yaml"), "{e}");
    let deep = format!(
        "__metadata:\n  version: 8\nx: {}{}\n",
        "[".repeat(500),
        "]".repeat(500)
    );
    let e = err("yarn.lock", &deep, InventoryFormat::YarnBerry);
    assert!(e.contains("invalid yarn.lock YAML"), "{e}");
}

#[test]
fn bun_jsonc_and_bad_inputs() {
    let text = "{\n  // bun writes JSONC\n  \"lockfileVersion\": 1,\n  \"workspaces\": {\n    \"\": {\"name\": \"app\", \"dependencies\": {\"foo\": \"npm:bar@1\", \"g\": \"github:u/g\"},},\n    \"pkgs/w\": {\"name\": \"w\", \"dependencies\": {\"bar\": \"2\"},},\n  },\n  \"packages\": {\n    \"foo\": [\"bar@1.0.0\", \"\", {\"dependencies\": {\"dep\": \"1\"}}, \"sha512-x\"],\n    \"dep\": [\"dep@1.0.0\", \"\", {}, \"sha512-y\"],\n    \"w\": [\"w@workspace:pkgs/w\"],\n    \"w/bar\": [\"bar@2.0.0\", \"\", {}, \"sha512-z\"],\n    \"g\": [\"g@github:u/g#abc\", {}, \"u-g-abc\"],\n  },\n}\n";
    let inv = ok("bun.lock", text);
    assert_eq!(
        purls(&inv),
        BTreeSet::from([
            "pkg:npm/bar@1.0.0",
            "pkg:npm/bar@2.0.0",
            "pkg:npm/dep@1.0.0"
        ])
    );
    // w's bar is its own copy, nested under the workspace's name.
    assert_eq!(find(&inv, "pkg:npm/bar@2.0.0").direct, Some(true));
    assert_eq!(find(&inv, "pkg:npm/dep@1.0.0").direct, Some(false));
    assert!(
        inv.warnings[0].message.contains("`g` has no version"),
        "{:?}",
        inv.warnings
    );
    let f = InventoryFormat::BunLock;
    let e = err(
        "bun.lock",
        "{\n  \"lockfileVersion\": 1,\n  \"packages\": {\n",
        f,
    );
    assert!(
        e.contains("bun.lock`:4:") && e.contains("ends early"),
        "{e}"
    );
    let e = err("bun.lock", "{\"workspaces\": {}}", f);
    assert!(e.contains("not a bun.lock"), "{e}");
    let e = err(
        "bun.lock",
        "{\"lockfileVersion\": 1, \"packages\": {\"a\": []}}",
        f,
    );
    assert!(e.contains("name@version"), "{e}");
}
