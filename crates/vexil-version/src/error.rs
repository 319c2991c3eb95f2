//! The one error a version parser returns: which scheme, which input, what was expected.

use std::fmt;

use crate::Scheme;

/// A string that is not a valid version in its scheme.
///
/// Parsing is total: every input either parses or yields this value, never a panic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The scheme whose rules rejected the input.
    pub scheme: Scheme,
    /// The rejected input, verbatim.
    pub input: String,
    /// What the scheme expected, phrased to follow "expected" (e.g. "a digit after `.`").
    pub expected: String,
}

impl ParseError {
    pub(crate) fn new(scheme: Scheme, input: &str, expected: impl Into<String>) -> ParseError {
        ParseError {
            scheme,
            input: input.to_owned(),
            expected: expected.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a valid {} version: expected {}",
            self.input.escape_debug(),
            self.scheme,
            self.expected
        )
    }
}

impl std::error::Error for ParseError {}
