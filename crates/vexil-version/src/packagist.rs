//! PLACEHOLDER: Packagist ordering is being written; every parse fails until it lands.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{ParseError, Scheme};

/// A parsed Packagist version.
#[derive(Clone, Debug)]
pub struct PackagistVersion {
    original: String,
}

impl PackagistVersion {
    /// Parses `input` under Packagist rules.
    pub fn parse(input: &str) -> Result<PackagistVersion, ParseError> {
        Err(ParseError::new(
            Scheme::Packagist,
            input,
            "an implemented scheme",
        ))
    }
}

impl FromStr for PackagistVersion {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s)
    }
}

impl Ord for PackagistVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.original.cmp(&other.original)
    }
}

impl PartialOrd for PackagistVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for PackagistVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for PackagistVersion {}

impl fmt::Display for PackagistVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}
