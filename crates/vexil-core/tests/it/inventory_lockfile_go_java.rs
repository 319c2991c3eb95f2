//! Golden and bad-input tests of the go.mod, composer.lock, gradle.lockfile and pom.xml parsers.

use vexil_core::ingest::IngestError;
use vexil_core::ingest::inventory::{self, Document, InventoryFormat};
use vexil_core::model::{Component, Scope};

use crate::inventory::{golden_tree, read_shared, read_text, warnings};

/// Reads an inline document as the CLI would, with inline companions (`(path, text)`).
fn read(name: &str, text: &str, companions: &[(&str, &str)]) -> Result<Document, IngestError> {
    read_text(name, text, None, companions)
}

fn ok(name: &str, text: &str, companions: &[(&str, &str)]) -> Document {
    read(name, text, companions).unwrap()
}

fn err(name: &str, text: &str) -> String {
    read(name, text, &[]).unwrap_err().to_string()
}

fn find<'a>(doc: &'a Document, name: &str) -> &'a Component {
    doc.inventory
        .components
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no component {name}"))
}

// --- go.mod ----------------------------------------------------------------------------------

#[test]
fn go_mod_golden() {
    let Some((ok, failed)) = golden_tree("lockfiles/go-mod") else {
        return;
    };
    // go.sum files are not inventories: each is refused, pointing at its go.mod.
    assert_eq!(
        failed,
        [
            "lockfiles/go-mod/golang-vulndb/go.sum",
            "lockfiles/go-mod/govulncheck-testdata-vuln/go.sum",
            "lockfiles/go-mod/trivy-normal/go.sum",
            "lockfiles/go-mod/trivy-replaced/go.sum",
            "lockfiles/go-mod/trivy-replaced-with-local-path/go.sum",
        ]
    );
    assert_eq!(ok, 6);
}

#[test]
fn go_mod_counts_checked_by_hand() {
    let Some(doc) = read_shared("lockfiles/go-mod/golang-vulndb/go.mod") else {
        return;
    };
    let doc = doc.unwrap();
    let c = &doc.inventory.components;
    // 33 direct + 52 `// indirect` requires, plus the stdlib at the toolchain's go1.26.2.
    assert_eq!(c.len(), 86);
    assert_eq!(c.iter().filter(|c| c.direct == Some(true)).count(), 33);
    assert_eq!(c.iter().filter(|c| c.direct == Some(false)).count(), 52);
    assert_eq!(find(&doc, "stdlib").purl, "pkg:golang/stdlib@v1.26.2");
    assert!(
        c.iter()
            .filter(|c| c.name != "stdlib")
            .all(|c| c.hashes.len() == 1)
    );

    let doc = read_shared("lockfiles/go-mod/trivy-replaced/go.mod")
        .unwrap()
        .unwrap();
    let replaced = find(&doc, "github.com/aquasecurity/go-dep-parser");
    assert_eq!(
        replaced.version.as_deref(),
        Some("v0.0.0-20220406074731-71021a481237")
    );
}

#[test]
fn go_mod_directives_and_replacements() {
    let go_mod = "// the project\nmodule example.com/app\n\ngo 1.21rc2\n\nrequire (\n\t\"example.com/quoted\" v1.0.0\n\texample.com/old v1.2.0 // indirect; kept\n\texample.com/local v0.1.0\n)\n\nreplace example.com/old v1.2.0 => example.com/fork v1.2.1\nreplace example.com/local => ../local\nexclude example.com/quoted v0.9.0\nfrobnicate yes\n";
    let sum = "example.com/quoted v1.0.0 h1:abc=\nexample.com/quoted v1.0.0/go.mod h1:def=\n";
    let doc = ok("app/go.mod", go_mod, &[("go.sum", sum)]);
    assert_eq!(doc.format, InventoryFormat::GoMod);
    let names: Vec<&str> = doc
        .inventory
        .components
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["example.com/quoted", "example.com/fork", "stdlib"]);
    let quoted = find(&doc, "example.com/quoted");
    assert_eq!(
        (quoted.direct, quoted.hashes[0].value.as_str()),
        (Some(true), "abc=")
    );
    let fork = find(&doc, "example.com/fork");
    assert_eq!((fork.direct, fork.location.line), (Some(false), Some(12)));
    assert_eq!(
        find(&doc, "stdlib").version.as_deref(),
        Some("v1.21.0-rc.2")
    );
    assert_eq!(
        warnings(&doc),
        [
            "`app/go.mod`:15: unknown directive `frobnicate`, ignored; Vexil knows module, go, toolchain, godebug, require, replace, exclude, retract, tool, ignore",
            "`app/go.mod`:13: `example.com/local` is replaced by the directory `../local`: code in the source tree has no module version, so it is not inventoried",
        ]
    );
}

#[test]
fn go_mod_bad_inputs() {
    assert_eq!(
        err("go.mod", "module x\n\nrequire (\n\ta v1.0.0\n"),
        "`go.mod`:3:1: the `require (` block opened here is never closed; expected a `)` line"
    );
    assert_eq!(
        err("go.mod", "module x\nrequire a\n"),
        "`go.mod`:2:1: `require` expects `require <module path> <version>`, found `a`"
    );
    assert_eq!(
        err("go.mod", "module x\nrequire \"a v1.0.0\n"),
        "`go.mod`:2:9: a string opened with \" is not closed on its line"
    );
    assert_eq!(
        err("go.mod", "module x\n)\n"),
        "`go.mod`:2:1: a `)` with no block open; expected it to close a `require (` (or other) block"
    );
    let sum = err("go.sum", "a v1.0.0 h1:x=\na v1.0.0/go.mod h1:y=\n");
    assert!(sum.contains("go.sum is read beside its go.mod"), "{sum}");
    let forced = inventory::read("go.mod", b"go 1.22\n", Some(InventoryFormat::GoMod), |_| {
        None
    });
    assert_eq!(
        forced.unwrap_err().to_string(),
        "`go.mod`: not a go.mod: no `module` directive; expected `module example.com/project`"
    );
}

// --- composer.lock ---------------------------------------------------------------------------

#[test]
fn composer_lock_golden() {
    let Some((ok, failed)) = golden_tree("lockfiles/composer-lock") else {
        return;
    };
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(ok, 2);
}

#[test]
fn composer_lock_counts_checked_by_hand() {
    let Some(doc) = read_shared("lockfiles/composer-lock/trivy-happy/composer.lock") else {
        return;
    };
    let doc = doc.unwrap();
    let c = &doc.inventory.components;
    assert_eq!(
        c.iter().filter(|c| c.scope == Some(Scope::Runtime)).count(),
        8
    );
    assert_eq!(c.iter().filter(|c| c.scope == Some(Scope::Dev)).count(), 2);
    assert_eq!(doc.inventory.dependencies.len(), 8);
    assert!(doc.inventory.warnings.is_empty());

    let doc = read_shared("lockfiles/composer-lock/osv-scalibr-drupal-packages/composer.lock")
        .unwrap()
        .unwrap();
    let tfa = find(&doc, "drupal/tfa");
    assert_eq!(
        tfa.ecosystem.as_deref(),
        Some("Packagist:https://packages.drupal.org/8")
    );
    assert_eq!(
        tfa.hashes[0].value,
        "70b03b6c7868ced71ed0b3ca596ad83e76c2adc0"
    );
    assert_eq!(
        find(&doc, "drupal/core").ecosystem.as_deref(),
        Some("Packagist")
    );
}

#[test]
fn composer_lock_bad_inputs() {
    let truncated = err(
        "composer.lock",
        "{\"content-hash\": \"x\", \"packages\": [{\"name\": ",
    );
    assert!(truncated.contains("ends early"), "{truncated}");
    assert_eq!(
        err(
            "composer.lock",
            "{\"content-hash\": \"x\",\n \"packages\": [{\"name\": \"a/b\", \"version\": 1}]}"
        ),
        "`composer.lock`:2:42: unexpected content: invalid type: integer `1`, expected a string"
    );
    let forced = inventory::read(
        "composer.lock",
        b"{\"content-hash\": \"x\"}",
        Some(InventoryFormat::ComposerLock),
        |_| None,
    );
    assert_eq!(
        forced.unwrap_err().to_string(),
        "`composer.lock`: valid JSON but not a composer.lock: no `packages` array"
    );
    // Deep nesting: where Vexil expects a package it is a type error at once; in a field it
    // skips, the skipping does not recurse. Neither overflows the stack.
    let deep_read = format!(
        "{{\"content-hash\": \"x\", \"packages\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_eq!(
        err("composer.lock", &deep_read),
        "`composer.lock`:1:36: unexpected content: invalid type: sequence, expected a string"
    );
    let deep_skipped = format!(
        "{{\"content-hash\": \"x\", \"packages\": [], \"extra\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(read("composer.lock", &deep_skipped, &[]).is_ok());
}

// --- gradle.lockfile -------------------------------------------------------------------------

#[test]
fn gradle_lockfile_golden() {
    let Some((ok, failed)) = golden_tree("lockfiles/gradle-lockfile") else {
        return;
    };
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(ok, 1);
}

#[test]
fn gradle_lockfile_scopes_and_bad_lines() {
    let Some(doc) = read_shared("lockfiles/gradle-lockfile/trivy-happy/gradle.lockfile") else {
        return;
    };
    let doc = doc.unwrap();
    // Only spring-beans is in a runtime configuration; the commented-out grpc line is skipped.
    let runtime: Vec<&str> = doc
        .inventory
        .components
        .iter()
        .filter(|c| c.scope == Some(Scope::Runtime))
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(runtime, ["org.springframework:spring-beans"]);
    assert_eq!(doc.inventory.components.len(), 4);

    let doc = ok(
        "gradle.lockfile",
        "# This is a Gradle generated file for dependency locking.\na:b:1.0=runtimeClasspath\nnot a line\nempty=\n",
        &[],
    );
    assert_eq!(doc.inventory.components.len(), 1);
    assert_eq!(
        warnings(&doc),
        [
            "`gradle.lockfile`:3: `not a line` is not `group:artifact:version=configurations`; left out"
        ]
    );
    let forced = inventory::read(
        "x.lockfile",
        b"hello world\n",
        Some(InventoryFormat::GradleLockfile),
        |_| None,
    );
    assert_eq!(
        forced.unwrap_err().to_string(),
        "`x.lockfile`: not a gradle.lockfile: expected `group:artifact:version=configurations` lines"
    );
}

// --- pom.xml ---------------------------------------------------------------------------------

#[test]
fn maven_pom_golden() {
    let Some((ok, failed)) = golden_tree("lockfiles/maven-pom") else {
        return;
    };
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(ok, 4);
}

const POM_HEAD: &str =
    "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n<modelVersion>4.0.0</modelVersion>\n";

fn pom(body: &str) -> String {
    format!("{POM_HEAD}{body}</project>\n")
}

#[test]
fn maven_pom_resolves_properties_management_and_parent() {
    let parent = pom(
        "<groupId>g</groupId><artifactId>parent</artifactId><version>7</version>\n\
         <properties><lib.version>2.0</lib.version></properties>\n\
         <dependencyManagement><dependencies>\n\
         <dependency><groupId>g</groupId><artifactId>managed</artifactId><version>${lib.version}</version><scope>test</scope></dependency>\n\
         </dependencies></dependencyManagement>\n\
         <dependencies><dependency><groupId>g</groupId><artifactId>inherited</artifactId><version>1</version></dependency></dependencies>\n",
    );
    let child = pom(
        "<parent><groupId>g</groupId><artifactId>parent</artifactId><version>7</version></parent>\n\
         <artifactId>child</artifactId>\n\
         <dependencies>\n\
         <dependency><groupId>${project.groupId}</groupId><artifactId>own</artifactId><version>${project.version}</version><type>war</type></dependency>\n\
         <dependency><groupId>g</groupId><artifactId>managed</artifactId></dependency>\n\
         <dependency><groupId>g</groupId><artifactId>ranged</artifactId><version>[1.0,2.0)</version></dependency>\n\
         <dependency><groupId>g</groupId><artifactId>unknown</artifactId><version>${nope}</version></dependency>\n\
         </dependencies>\n",
    );
    let doc = ok("m/child/pom.xml", &child, &[("../pom.xml", &parent)]);
    assert_eq!(doc.format, InventoryFormat::MavenPom);
    let purls: Vec<&str> = doc
        .inventory
        .components
        .iter()
        .map(|c| c.purl.as_str())
        .collect();
    assert_eq!(
        purls,
        [
            "pkg:maven/g/own@7?type=war",
            "pkg:maven/g/managed@2.0",
            "pkg:maven/g/inherited@1"
        ]
    );
    assert_eq!(find(&doc, "g:managed").scope, Some(Scope::Dev));
    assert_eq!(
        find(&doc, "g:inherited").location.file,
        "m/child/../pom.xml"
    );
    assert_eq!(
        warnings(&doc),
        [
            "`m/child/pom.xml`:8: `g:ranged`: version `[1.0,2.0)` is a range, not a pinned version; not inventoriable",
            "`m/child/pom.xml`:9: `g:unknown`: `${nope}` uses the property `nope`, which neither this POM nor its parent defines; not inventoriable",
        ]
    );
}

#[test]
fn maven_pom_parent_that_does_not_match_is_ignored() {
    let parent = pom("<groupId>other</groupId><artifactId>x</artifactId><version>1</version>\n");
    let child = pom(
        "<parent><groupId>g</groupId><artifactId>parent</artifactId><version>7</version></parent>\n\
         <dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId><version>${v}</version></dependency></dependencies>\n",
    );
    let doc = ok("c/pom.xml", &child, &[("../pom.xml", &parent)]);
    assert!(doc.inventory.components.is_empty());
    assert_eq!(
        warnings(&doc),
        [
            "`c/../pom.xml`: `../pom.xml` is `other:x`, not the parent `g:parent` this POM names; it is ignored",
            "`c/pom.xml`:4: `g:a`: `${v}` uses the property `v`, which this POM does not define; not inventoriable",
        ]
    );
}

#[test]
fn maven_pom_hostile_and_broken_xml() {
    let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE project [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]>\n<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><version>&b;</version></project>";
    assert_eq!(
        err("pom.xml", bomb),
        "`pom.xml`:2:1: the DOCTYPE declares entities; refused (entity expansion is a known attack and POMs never need it)"
    );
    let undefined = pom("<version>&b;</version>\n");
    assert_eq!(
        err("pom.xml", &undefined),
        "`pom.xml`:3:1: undefined entity `&b;`; only XML's predefined entities are read"
    );
    let deep = pom(&format!("{}{}", "<a>".repeat(200), "</a>".repeat(200)));
    assert_eq!(
        err("pom.xml", &deep),
        "`pom.xml`:3:1: <a> nests deeper than 128 levels; refused"
    );
    let truncated = format!("{POM_HEAD}<dependencies><dependency>");
    assert_eq!(
        err("pom.xml", &truncated),
        "`pom.xml`:3:1: the document ends inside <dependency> (line 3): truncated?"
    );
    let mismatched = err("pom.xml", &pom("<version>1</versio>\n"));
    assert!(mismatched.starts_with("`pom.xml`:3:"), "{mismatched}");
    assert!(mismatched.contains("invalid XML"), "{mismatched}");
    let cycle = pom("<properties><a>${b}</a><b>${a}</b></properties>\n\
         <dependencies><dependency><groupId>g</groupId><artifactId>x</artifactId><version>${a}</version></dependency></dependencies>\n");
    let doc = ok("pom.xml", &cycle, &[]);
    assert_eq!(
        warnings(&doc),
        [
            "`pom.xml`:4: `g:x`: `${a}` still has `${…}` after 16 expansions (a property cycle?); not inventoriable"
        ]
    );
}
