//! Golden and bad-input tests of the OS package database parsers: dpkg/opkg status, apk
//! installed, and `rpm -qa` lists (text and JSON).

use vexil_core::ingest::IngestError;
use vexil_core::ingest::inventory::{self, Document, InventoryFormat};

use crate::inventory::{golden_tree, purls, read_shared, read_text, warnings};

#[test]
fn dpkg_golden() {
    let Some((ok, failed)) = golden_tree("os-packages/dpkg") else {
        return;
    };
    assert_eq!(failed, ["os-packages/dpkg/syft-image-dpkg/etc/os-release"]);
    assert_eq!(ok, 10);
}

#[test]
fn apk_golden() {
    let Some((ok, failed)) = golden_tree("os-packages/apk") else {
        return;
    };
    assert_eq!(failed, ["os-packages/apk/syft-corrupt/installed"]);
    assert_eq!(ok, 5);
}

#[test]
fn rpm_golden() {
    let Some((ok, failed)) = golden_tree("os-packages/rpm") else {
        return;
    };
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(ok, 11);
}

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

const DEBIAN_12: &str = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n";

// --- dpkg ------------------------------------------------------------------------------------

#[test]
fn dpkg_counts_checked_by_hand() {
    let Some(doc) = read_shared("os-packages/dpkg/trivy-ubuntu-18.04/status") else {
        return;
    };
    let doc = doc.unwrap();
    // 91 paragraphs, one `deinstall ok config-files`; Ubuntu told by versions and maintainers.
    assert_eq!(doc.inventory.components.len(), 90);
    assert!(
        doc.inventory
            .components
            .iter()
            .all(|c| c.purl.starts_with("pkg:deb/ubuntu/"))
    );
    let doc = read_shared("os-packages/dpkg/syft-image-dpkg/var/lib/dpkg/status")
        .unwrap()
        .unwrap();
    let pam = &doc.inventory.components[0];
    assert_eq!(pam.ecosystem.as_deref(), Some("Debian:12"));
    assert_eq!(
        pam.purl,
        "pkg:deb/debian/libpam-runtime@1.1.8-3.6?arch=all&distro=debian-12"
    );
    assert_eq!(pam.source.as_ref().map(|s| s.name.as_str()), Some("pam"));
}

#[test]
fn dpkg_release_sources_folding_and_edges() {
    let status = "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.35-0ubuntu3\nProvides: libc6-any\nDescription: x\n more\n .\n\nPackage: bash\nStatus: install ok installed\nArchitecture: amd64\nSource: bash (5.1-6)\nVersion: 5.1-6ubuntu1\nPre-Depends: debianutils (>= 2.15),\n libc6 (>= 2.34)\nDepends: base-files (>= 2.1.12) | libc6-any, missing\n\nPackage: old\nStatus: deinstall ok config-files\nVersion: 1\n";
    let release = "ID=ubuntu\nVERSION_ID=\"22.04\"\nVERSION_CODENAME=jammy\n";
    let doc = ok(
        "img/var/lib/dpkg/status",
        status,
        &[("../../../etc/os-release", release)],
    );
    assert_eq!(doc.format, InventoryFormat::DpkgStatus);
    assert_eq!(
        purls(&doc),
        [
            "pkg:deb/ubuntu/libc6@2.35-0ubuntu3?arch=amd64&distro=ubuntu-22.04",
            "pkg:deb/ubuntu/bash@5.1-6ubuntu1?arch=amd64&distro=ubuntu-22.04",
        ]
    );
    let bash = &doc.inventory.components[1];
    assert_eq!(bash.ecosystem.as_deref(), Some("Ubuntu:22.04"));
    assert_eq!(
        bash.source.as_ref().and_then(|s| s.version.as_deref()),
        Some("5.1-6")
    );
    // The folded Pre-Depends line and the `Provides` alternative both reach libc6, once.
    let edges: Vec<(&str, &str)> = doc
        .inventory
        .dependencies
        .iter()
        .map(|d| (d.from.as_str(), d.to.as_str()))
        .collect();
    assert_eq!(edges, [(purls(&doc)[1], purls(&doc)[0])]);
    assert_eq!(
        warnings(&doc),
        [
            "`img/var/lib/dpkg/status`: 1 package(s) not installed (their `Status:` does not end in `installed`) are left out: `old` (`deinstall ok config-files`)"
        ]
    );
}

#[test]
fn dpkg_status_d_opkg_and_foreign_releases() {
    let one = "Package: tzdata\nVersion: 2021a-1\nArchitecture: all\n";
    let doc = ok(
        "var/lib/dpkg/status.d/tzdata",
        one,
        &[("../../../../etc/os-release", DEBIAN_12)],
    );
    assert_eq!(
        purls(&doc),
        ["pkg:deb/debian/tzdata@2021a-1?arch=all&distro=debian-12"]
    );
    assert!(doc.inventory.warnings.is_empty());

    let opkg = "Package: ubus\nVersion: 2024.10.20-r1\nStatus: install ok installed\nArchitecture: x86_64\nInstalled-Time: 1730715936\n";
    let doc = ok("usr/lib/opkg/status", opkg, &[]);
    assert_eq!(purls(&doc), ["pkg:opkg/ubus@2024.10.20-r1?arch=x86_64"]);
    assert_eq!(doc.inventory.components[0].ecosystem, None);

    let mint = "ID=linuxmint\nVERSION_ID=21\n";
    let doc = ok(
        "var/lib/dpkg/status",
        one,
        &[("../../../etc/os-release", mint)],
    );
    assert_eq!(
        purls(&doc),
        ["pkg:deb/linuxmint/tzdata@2021a-1?arch=all&distro=linuxmint-21"]
    );
    assert_eq!(doc.inventory.components[0].ecosystem, None);
    assert_eq!(doc.inventory.warnings.len(), 1);
}

#[test]
fn dpkg_bad_inputs() {
    assert_eq!(
        err(
            "status",
            "Package: a\nStatus: install ok installed\nVersion: 1\nthis is not a field\n"
        ),
        "`status`:4:1: not a `Field: value` line: `this is not a field`; expected `Field: value` lines, folded lines starting with a space, and blank lines between packages"
    );
    let index = "Package: a\nVersion: 1\nArchitecture: amd64\nFilename: pool/a.deb\n";
    assert!(err("Packages", index).contains("APT `Packages` or `Sources` index"));
    let sources = "Package: a\nBinary: a\nVersion: 1\nArchitecture: any\nDirectory: pool/main/a\n";
    assert!(err("Sources", sources).contains("APT `Packages` or `Sources` index"));
    let release = err("etc/os-release", DEBIAN_12);
    assert!(
        release.contains("read beside a dpkg or apk database"),
        "{release}"
    );
    let doc = ok(
        "status",
        "Package: a\nStatus: install ok\nVersion: 1\n",
        &[],
    );
    assert!(doc.inventory.components.is_empty());
    assert_eq!(
        warnings(&doc)[1],
        "`status`:1: package `a`: `Status: install ok` is not `want flag status` (three words, such as `install ok installed`); left out"
    );
}

// --- apk -------------------------------------------------------------------------------------

#[test]
fn apk_release_hashes_and_counts() {
    let Some(doc) = read_shared("os-packages/apk/osv-scalibr-alpine-3.18/installed") else {
        return;
    };
    let doc = doc.unwrap();
    assert_eq!(doc.inventory.components.len(), 15);
    assert!(doc.inventory.components.iter().all(|c| c.hashes.len() == 1));

    let db = "C:Q1zwvKMnYs1b6ZdPTBJ0Z7D5P3jyA=\nP:musl\nV:1.2.4-r2\nA:x86_64\no:musl\nL:MIT\np:so:libc.musl-x86_64.so.1=1\n\nP:busybox\nV:1.36.1-r5\nA:x86_64\nD:so:libc.musl-x86_64.so.1 !busybox-extras /bin/sh\n";
    let release = "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.18.4\n";
    let doc = ok(
        "lib/apk/db/installed",
        db,
        &[("../../../etc/os-release", release)],
    );
    assert_eq!(doc.format, InventoryFormat::ApkInstalled);
    let musl = &doc.inventory.components[0];
    assert_eq!(
        musl.purl,
        "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=3.18.4"
    );
    assert_eq!(musl.ecosystem.as_deref(), Some("Alpine:v3.18"));
    assert_eq!(
        musl.hashes[0].value,
        "cf0bca32762cd5be9974f4c127467b0f93f78f20"
    );
    assert_eq!(doc.inventory.dependencies.len(), 1);
    assert!(doc.inventory.warnings.is_empty());
}

#[test]
fn apk_bad_inputs() {
    assert_eq!(
        err("installed", "P:a\nV:1-r0\nbroken line\n"),
        "`installed`:3:1: expected a `K:value` line (a one-letter key, `:`, the value), found `broken line`"
    );
    let doc = ok("installed", "P:a\nV:1-r0\nC:Q1short\n\nP:b\n", &[]);
    assert_eq!(doc.inventory.components.len(), 1);
    assert_eq!(
        warnings(&doc),
        [
            "`installed`:5: the record of `b` that starts at line 5 has no `V:` (version); every record needs `P:` and `V:`; left out",
            "`installed`: no os-release with an `ID` beside the database (looked for `../../../etc/os-release`): the packages are taken as Alpine's, release unknown, so the ecosystem has no version",
            "`installed`:1: package `a`: `C:Q1short` is not `Q1` + a base64 SHA-1 nor an MD5 in hex; checksum ignored",
        ]
    );
}

// --- rpm -------------------------------------------------------------------------------------

#[test]
fn rpm_epochs_vendors_and_sources() {
    let Some(doc) = read_shared("os-packages/rpm/rpm-qa-tsv/amazonlinux2_plain.tsv") else {
        return;
    };
    let doc = doc.unwrap();
    // 104 lines, one gpg-pubkey.
    assert_eq!(doc.inventory.components.len(), 103);
    let release = &doc.inventory.components[0];
    assert_eq!(
        release.purl,
        "pkg:rpm/amzn/system-release@2-11.amzn2?distro=amzn-2&epoch=1"
    );
    assert_eq!(release.version.as_deref(), Some("1:2-11.amzn2"));

    let manifest = read_shared(
        "os-packages/rpm/mariner-container-manifest/var/lib/rpmmanifest/container-manifest-2",
    )
    .unwrap()
    .unwrap();
    let vim = manifest
        .inventory
        .components
        .iter()
        .find(|c| c.name == "vim")
        .unwrap();
    assert_eq!(vim.version.as_deref(), Some("2:9.0-1.cm2"));
    assert_eq!(vim.ecosystem.as_deref(), Some("Azure Linux"));
    assert_eq!(vim.source.as_ref().map(|s| s.name.as_str()), Some("vim"));

    let json = read_shared("os-packages/rpm/rpm-qa-json/rpm-4.16-ubi9.json")
        .unwrap()
        .unwrap();
    // 181 entries, two gpg-pubkey.
    assert_eq!(json.inventory.components.len(), 179);
    assert!(
        json.inventory
            .components
            .iter()
            .all(|c| c.purl.starts_with("pkg:rpm/redhat/"))
    );
}

#[test]
fn rpm_bad_inputs() {
    let mixed = err("rpm.tsv", "bash\t5.1-2.el9\t100\nzlib\t1.2-3.el9\n");
    assert!(
        mixed.starts_with("`rpm.tsv`:2:1: found 2 tab-separated columns where line 1 had 3; expected lines printed by `rpm -qa --queryformat` `%{NAME}\\t%{EPOCH}:%{VERSION}-%{RELEASE}\\t%{SIZE}\\n`"),
        "{mixed}"
    );
    let doc = ok("rpm.tsv", "bash\t5.1-2.el9\t100\n", &[]);
    assert_eq!(purls(&doc), ["pkg:rpm/bash@5.1-2.el9"]);
    assert_eq!(doc.inventory.warnings.len(), 1, "unknown distribution");

    let forced = |text: &str| {
        inventory::read(
            "rpm.json",
            text.as_bytes(),
            Some(InventoryFormat::RpmQaJson),
            |_| None,
        )
        .unwrap_err()
        .to_string()
    };
    assert_eq!(
        forced("{\"name\": \"bash\"}"),
        "`rpm.json`: valid JSON but not an RPM package list: expected an array of objects with `name`, `version`, `release` (and optionally `epoch`, `arch`, `size`)"
    );
    assert_eq!(
        forced("[{\"name\": \"a\", \"version\": \"1\", \"release\": \"1\", \"epoch\": 1e400}]"),
        "`rpm.json`:1:61: invalid JSON: number out of range"
    );
    let huge = forced(&format!(
        "[{{\"name\": \"a\", \"version\": \"1\", \"release\": \"1\", \"epoch\": {}}}]",
        "9".repeat(40)
    ));
    assert!(huge.starts_with("`rpm.json`:1:"), "{huge}");
    assert_eq!(
        forced("[{\"name\": \"a\", \"version\": \"1\"}]"),
        "`rpm.json`:1:30: unexpected content: missing field `release`"
    );
}
