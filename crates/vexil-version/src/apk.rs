//! PLACEHOLDER: Apk ordering is being written; every parse fails until it lands.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{ParseError, Scheme};

/// A parsed Apk version.
#[derive(Clone, Debug)]
pub struct ApkVersion {
    original: String,
}

impl ApkVersion {
    /// Parses `input` under Apk rules.
    pub fn parse(input: &str) -> Result<ApkVersion, ParseError> {
        Err(ParseError::new(Scheme::Apk, input, "an implemented scheme"))
    }
}

impl FromStr for ApkVersion {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s)
    }
}

impl Ord for ApkVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.original.cmp(&other.original)
    }
}

impl PartialOrd for ApkVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ApkVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ApkVersion {}

impl fmt::Display for ApkVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

/// apk-tools `apk_version_compare` on raw strings, including its fallback for invalid versions.
pub fn compare_str(a: &str, b: &str) -> Ordering {
    a.cmp(b)
}

/// apk-tools fuzzy comparison (`~`): compares only as far as `b` goes.
pub fn compare_fuzzy(a: &str, b: &str) -> Ordering {
    a.cmp(b)
}
