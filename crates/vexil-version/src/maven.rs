//! PLACEHOLDER: Maven ordering is being written; every parse fails until it lands.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{ParseError, Scheme};

/// A parsed Maven version.
#[derive(Clone, Debug)]
pub struct MavenVersion {
    original: String,
}

impl MavenVersion {
    /// Parses `input` under Maven rules.
    pub fn parse(input: &str) -> Result<MavenVersion, ParseError> {
        Err(ParseError::new(
            Scheme::Maven,
            input,
            "an implemented scheme",
        ))
    }
}

impl FromStr for MavenVersion {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s)
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.original.cmp(&other.original)
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for MavenVersion {}

impl fmt::Display for MavenVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}
