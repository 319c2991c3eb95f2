//! What a parser returns besides records: warnings (kept, shown) and the error that stops it.

use std::fmt;

/// Where in the input something is: the file's display name, the archive entry, and a line and
/// column or a field path (JSON pointer style, `/affected/0/ranges/1`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Location {
    pub fn file(file: &str) -> Location {
        Location {
            file: file.to_owned(),
            ..Location::default()
        }
    }

    pub fn with_entry(mut self, entry: &str) -> Location {
        self.entry = Some(entry.to_owned());
        self
    }

    pub fn at(mut self, line: usize, column: usize) -> Location {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Location {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`", self.file)?;
        if let Some(entry) = &self.entry {
            write!(f, " entry `{entry}`")?;
        }
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, ":{line}:{column}")?,
            (Some(line), None) => write!(f, ":{line}")?,
            _ => {}
        }
        if let Some(field) = &self.field {
            write!(f, " field `{field}`")?;
        }
        Ok(())
    }
}

/// A problem that stops a parse: nothing from the input may be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct IngestError {
    /// Boxed so `Result<_, IngestError>` stays small on the happy path.
    pub location: Box<Location>,
    /// What was wrong and what was expected.
    pub message: String,
}

impl IngestError {
    pub fn new(location: Location, message: impl Into<String>) -> IngestError {
        IngestError {
            location: Box::new(location),
            message: message.into(),
        }
    }

    /// A `serde_json` error, with its line and column, in a named file (and archive entry).
    pub fn json(file: &str, entry: Option<&str>, err: &serde_json::Error) -> IngestError {
        let mut location = Location::file(file).at(err.line(), err.column());
        location.entry = entry.map(str::to_owned);
        // serde_json repeats the position the location already gives.
        let full = err.to_string();
        let suffix = format!(" at line {} column {}", err.line(), err.column());
        let what = full.strip_suffix(&suffix).unwrap_or(&full);
        let message = match err.classify() {
            serde_json::error::Category::Eof => {
                format!("the document ends early (truncated?): {what}")
            }
            serde_json::error::Category::Syntax => format!("invalid JSON: {what}"),
            serde_json::error::Category::Data => format!("unexpected content: {what}"),
            serde_json::error::Category::Io => format!("cannot read: {what}"),
        };
        IngestError::new(location, message)
    }
}

/// A problem that does not stop the parse: the record is kept (or skipped) and the user told.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Warning {
    pub location: Location,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Records and the warnings met while reading them.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed<T> {
    pub records: Vec<T>,
    pub warnings: Vec<Warning>,
}

impl<T> Default for Parsed<T> {
    fn default() -> Self {
        Parsed {
            records: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

impl<T> Parsed<T> {
    pub fn warn(&mut self, location: Location, message: impl Into<String>) {
        self.warnings.push(Warning {
            location,
            message: message.into(),
        });
    }

    /// Appends another parse's records and warnings.
    pub fn extend(&mut self, other: Parsed<T>) {
        self.records.extend(other.records);
        self.warnings.extend(other.warnings);
    }
}
