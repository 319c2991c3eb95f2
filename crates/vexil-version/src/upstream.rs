//! PLACEHOLDER: Upstream ordering is being written; every parse fails until it lands.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{ParseError, Scheme};

/// A parsed Upstream version.
#[derive(Clone, Debug)]
pub struct UpstreamVersion {
    original: String,
}

impl UpstreamVersion {
    /// Parses `input` under Upstream rules.
    pub fn parse(input: &str) -> Result<UpstreamVersion, ParseError> {
        Err(ParseError::new(Scheme::Upstream, input, "an implemented scheme"))
    }
}

impl FromStr for UpstreamVersion {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s)
    }
}

impl Ord for UpstreamVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.original.cmp(&other.original)
    }
}

impl PartialOrd for UpstreamVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for UpstreamVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for UpstreamVersion {}

impl fmt::Display for UpstreamVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}
