//! PLACEHOLDER: Hackage ordering is being written; every parse fails until it lands.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{ParseError, Scheme};

/// A parsed Hackage version.
#[derive(Clone, Debug)]
pub struct HackageVersion {
    original: String,
}

impl HackageVersion {
    /// Parses `input` under Hackage rules.
    pub fn parse(input: &str) -> Result<HackageVersion, ParseError> {
        Err(ParseError::new(
            Scheme::Hackage,
            input,
            "an implemented scheme",
        ))
    }
}

impl FromStr for HackageVersion {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s)
    }
}

impl Ord for HackageVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.original.cmp(&other.original)
    }
}

impl PartialOrd for HackageVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for HackageVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for HackageVersion {}

impl fmt::Display for HackageVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}
