//! PLACEHOLDER: Pep440 ordering is being written; every parse fails until it lands.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{ParseError, Scheme};

/// A parsed Pep440 version.
#[derive(Clone, Debug)]
pub struct Pep440Version {
    original: String,
}

impl Pep440Version {
    /// Parses `input` under Pep440 rules.
    pub fn parse(input: &str) -> Result<Pep440Version, ParseError> {
        Err(ParseError::new(
            Scheme::Pep440,
            input,
            "an implemented scheme",
        ))
    }
}

impl FromStr for Pep440Version {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s)
    }
}

impl Ord for Pep440Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.original.cmp(&other.original)
    }
}

impl PartialOrd for Pep440Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Pep440Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Pep440Version {}

impl fmt::Display for Pep440Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}
