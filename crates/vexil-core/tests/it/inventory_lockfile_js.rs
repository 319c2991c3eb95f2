//! Golden and bad-input tests of the JavaScript lockfile parsers: package-lock (v1–v3), yarn v1,
//! yarn berry, pnpm-lock (5.x, 6.x, 9.x) and bun.lock, on every real file of
//! `../shared/data/lockfiles/{package-lock,yarn-v1,yarn-berry,pnpm-lock,bun-lock}`.

use crate::inventory::golden_tree;

#[test]
fn package_lock_golden() {
    let Some((ok, failed)) = golden_tree("lockfiles/package-lock") else {
        return;
    };
    assert_eq!(
        failed,
        ["lockfiles/package-lock/v3-brainstem-org-django-jet-reboot/package.json"]
    );
    assert_eq!(ok, 9);
}
