//! Parsers from bytes to the model, one file per format. Pure: bytes plus a display name in,
//! typed records plus warnings out; every error names the file, the place and what was expected.

pub mod advisory;
pub mod archive;
mod error;
pub mod feed;
pub mod inventory;
pub mod lockfile;
pub mod os;
pub mod sbom;
pub mod scanner;

pub use error::{IngestError, Location, Parsed, Warning};
