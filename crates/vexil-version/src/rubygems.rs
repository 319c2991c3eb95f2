//! PLACEHOLDER: RubyGems ordering is being written; every parse fails until it lands.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{ParseError, Scheme};

/// A parsed RubyGems version.
#[derive(Clone, Debug)]
pub struct RubyGemsVersion {
    original: String,
}

impl RubyGemsVersion {
    /// Parses `input` under RubyGems rules.
    pub fn parse(input: &str) -> Result<RubyGemsVersion, ParseError> {
        Err(ParseError::new(
            Scheme::RubyGems,
            input,
            "an implemented scheme",
        ))
    }
}

impl FromStr for RubyGemsVersion {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s)
    }
}

impl Ord for RubyGemsVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.original.cmp(&other.original)
    }
}

impl PartialOrd for RubyGemsVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for RubyGemsVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for RubyGemsVersion {}

impl fmt::Display for RubyGemsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}
