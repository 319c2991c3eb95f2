//! PLACEHOLDER: Cran ordering is being written; every parse fails until it lands.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{ParseError, Scheme};

/// A parsed Cran version.
#[derive(Clone, Debug)]
pub struct CranVersion {
    original: String,
}

impl CranVersion {
    /// Parses `input` under Cran rules.
    pub fn parse(input: &str) -> Result<CranVersion, ParseError> {
        Err(ParseError::new(
            Scheme::Cran,
            input,
            "an implemented scheme",
        ))
    }
}

impl FromStr for CranVersion {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s)
    }
}

impl Ord for CranVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.original.cmp(&other.original)
    }
}

impl PartialOrd for CranVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for CranVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for CranVersion {}

impl fmt::Display for CranVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}
