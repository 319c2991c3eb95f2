//! What the Cargo.lock, Python and Gemfile.lock parsers share: reading TOML with located errors,
//! resolving entries' references to each other, and building components from entries.

pub(crate) mod entry;
pub(crate) mod graph;
pub(crate) mod toml_doc;
