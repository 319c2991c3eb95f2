//! Finding `../shared/data` (next to the checkout) for tests, or skipping with a notice when it
//! is absent. Used as a dev-dependency only; never part of a Vexil binary.

use std::path::PathBuf;

/// `../shared/data/<rel>` relative to the workspace root, or `$VEXIL_SHARED_DATA/<rel>`.
/// Returns `None` (after printing why) when it is not there: the calling test then skips.
pub fn data(rel: &str) -> Option<PathBuf> {
    let root = match std::env::var_os("VEXIL_SHARED_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    };
    let path = root.join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "skipped: {} is absent (set VEXIL_SHARED_DATA or check out ../shared)",
            path.display()
        );
        None
    }
}

/// The bytes of `../shared/data/<rel>` and `rel` as a display name, or `None` when absent.
///
/// # Panics
/// When the file exists but cannot be read: a broken checkout should fail the test loudly.
pub fn read(rel: &str) -> Option<(Vec<u8>, String)> {
    let path = data(rel)?;
    match std::fs::read(&path) {
        Ok(bytes) => Some((bytes, rel.to_owned())),
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    }
}
