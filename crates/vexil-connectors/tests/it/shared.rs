//! Finding `../shared/data` (next to the checkout), or skipping with a notice when it is absent.

use std::path::PathBuf;

/// `../shared/data/<rel>` relative to the workspace root, or `$VEXIL_SHARED_DATA/<rel>`.
/// Returns `None` (after printing why) when the folder is not there: tests then skip.
pub(crate) fn data(rel: &str) -> Option<PathBuf> {
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
