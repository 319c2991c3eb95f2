//! TOML plumbing shared by the Cargo.lock, poetry.lock, uv.lock and pylock.toml parsers: parsing
//! into typed structs with errors at their line and column, line numbers of spans without
//! rescanning the text, and a cheap look at a document's top-level keys for detection.

use serde::Deserialize;

use crate::ingest::inventory::Source;
use crate::ingest::{IngestError, Location};

/// Parses `text` as TOML into `T`. A syntax error says "invalid TOML"; TOML that does not have the
/// shape of a `what` (a field of the wrong type) says so; both at the error's line and column.
pub(crate) fn parse<'de, T: Deserialize<'de>>(
    name: &str,
    text: &'de str,
    what: &str,
) -> Result<T, IngestError> {
    let located = |e: &toml::de::Error| match e.span() {
        Some(span) => {
            let (line, column) = crate::ingest::inventory::line_column(text, span.start);
            Location::file(name).at(line, column)
        }
        None => Location::file(name),
    };
    let de = toml::de::Deserializer::parse(text)
        .map_err(|e| IngestError::new(located(&e), format!("invalid TOML: {}", e.message())))?;
    T::deserialize(de).map_err(|e| {
        IngestError::new(
            located(&e),
            format!("valid TOML but not a {what}: {}", e.message()),
        )
    })
}

/// Line numbers of byte offsets, from one pass over the text.
#[derive(Debug)]
pub(crate) struct Lines {
    /// Byte offset where each line starts.
    starts: Vec<usize>,
}

impl Lines {
    pub(crate) fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    /// The 1-based line holding byte `offset`.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).max(1)
    }

    /// A location at the line holding `offset` in `src`.
    pub(crate) fn at(&self, src: &Source<'_>, offset: usize) -> Location {
        let mut loc = src.location();
        loc.line = Some(self.line(offset));
        loc
    }
}

/// The keys assigned before the first table header (`version`, `requires-python`,
/// `lock-version`), read line by line without parsing, from the first 200 lines: detection uses
/// them. Lines inside a multi-line array may yield junk keys, which match nothing.
pub(crate) fn top_level_keys(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .take(200)
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .take_while(|l| !l.starts_with('['))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim()))
}

/// The text has a line that is exactly `line` once trimmed (`[[package]]`).
pub(crate) fn has_line(text: &str, line: &str) -> bool {
    text.lines().any(|l| l.trim_end() == line)
}
