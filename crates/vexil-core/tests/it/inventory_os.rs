//! Golden and bad-input tests of the OS package database parsers: dpkg/opkg status, apk
//! installed, and `rpm -qa` lists (text and JSON).

use crate::inventory::golden_tree;

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
