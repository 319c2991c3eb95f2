//! PLACEHOLDER: Dpkg ordering is being written; every parse fails until it lands.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{ParseError, Scheme};

/// A parsed Dpkg version.
#[derive(Clone, Debug)]
pub struct DpkgVersion {
    original: String,
}

impl DpkgVersion {
    /// Parses `input` under Dpkg rules.
    pub fn parse(input: &str) -> Result<DpkgVersion, ParseError> {
        Err(ParseError::new(
            Scheme::Dpkg,
            input,
            "an implemented scheme",
        ))
    }
}

impl FromStr for DpkgVersion {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s)
    }
}

impl Ord for DpkgVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.original.cmp(&other.original)
    }
}

impl PartialOrd for DpkgVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for DpkgVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DpkgVersion {}

impl fmt::Display for DpkgVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}
