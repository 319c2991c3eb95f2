//! Vexil's pure core: the model, and the stages that turn bytes into it and decide on it.
//!
//! Everything here takes values (bytes plus a display name, `now`, configuration) and returns
//! values: no file, network or database access, no clock, no environment.

pub mod ingest;
/// `match` is a Rust keyword: the folder is `match/`, the module `matching`.
#[path = "match/mod.rs"]
pub mod matching;
pub mod model;
pub mod output;
pub mod rules;
