//! PLACEHOLDER: NuGet ordering is being written; every parse fails until it lands.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{ParseError, Scheme};

/// A parsed NuGet version.
#[derive(Clone, Debug)]
pub struct NuGetVersion {
    original: String,
}

impl NuGetVersion {
    /// Parses `input` under NuGet rules.
    pub fn parse(input: &str) -> Result<NuGetVersion, ParseError> {
        Err(ParseError::new(
            Scheme::NuGet,
            input,
            "an implemented scheme",
        ))
    }
}

impl FromStr for NuGetVersion {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s)
    }
}

impl Ord for NuGetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.original.cmp(&other.original)
    }
}

impl PartialOrd for NuGetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for NuGetVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for NuGetVersion {}

impl fmt::Display for NuGetVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}
