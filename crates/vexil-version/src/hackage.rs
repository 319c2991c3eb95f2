//! Hackage versions (Haskell PVP): dot-separated numbers ordered as lists, like `Data.Version`'s
//! `versionBranch` (base `Data/Version.hs`) and Cabal's `Distribution.Types.Version`.

use std::cmp::Ordering;
use std::fmt;

use crate::num::Num;
use crate::{ParseError, Scheme};

/// A parsed Hackage version: a non-empty list of non-negative numbers of any size.
///
/// Lists compare element by element and a proper prefix sorts first, so `1.0 < 1.0.0`: unlike
/// most schemes, trailing zeros matter. Leading zeros are accepted and ignored (`Data.Version`
/// reads `01` as 1; Cabal itself refuses them). Deprecated `-tag` suffixes are refused.
#[derive(Clone, Debug)]
pub struct HackageVersion {
    original: String,
    parts: Box<[Num]>,
}

impl HackageVersion {
    /// Parses `input` under Hackage rules.
    pub fn parse(input: &str) -> Result<HackageVersion, ParseError> {
        let err = |expected: &str| ParseError::new(Scheme::Hackage, input, expected);
        if input.is_empty() {
            return Err(err("a version such as `1.0.2`"));
        }
        let mut parts = Vec::with_capacity(input.bytes().filter(|&b| b == b'.').count() + 1);
        for part in input.split('.') {
            if part.is_empty() {
                return Err(err("a number before and after every `.`"));
            }
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err(
                    "only digits and `.` (tags such as `-beta` are not allowed)",
                ));
            }
            parts.push(Num::from_digits(part));
        }
        Ok(HackageVersion {
            original: input.to_owned(),
            parts: parts.into_boxed_slice(),
        })
    }
}

impl Ord for HackageVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        // Haskell's list `compare`: element-wise, then the shorter list first.
        self.parts.iter().cmp(other.parts.iter())
    }
}

crate::scheme::derive_from_ord!(HackageVersion);

impl fmt::Display for HackageVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> HackageVersion {
        HackageVersion::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn expected(s: &str) -> String {
        HackageVersion::parse(s).unwrap_err().expected
    }

    #[test]
    fn trailing_zeros_make_a_version_greater() {
        assert!(v("1.0") < v("1.0.0"));
        assert!(v("1") < v("1.0"));
        assert!(v("0.1.26.0") > v("0"));
    }

    #[test]
    fn parts_compare_numerically() {
        assert!(v("1.0.0.0") > v("0.11.3.0"));
        assert!(v("1.9") < v("1.10"));
        assert_eq!(v("1.01"), v("1.1"));
    }

    #[test]
    fn numbers_of_any_size() {
        assert!(v("999999999999999999999999999991") < v("999999999999999999999999999999"));
        assert!(v("18446744073709551616") > v("18446744073709551615"));
        let huge = "9".repeat(10_000);
        assert!(v(&huge) > v("1"));
        assert_eq!(v(&format!("0{huge}")), v(&huge));
    }

    #[test]
    fn invalid_versions_say_what_was_expected() {
        assert_eq!(expected(""), "a version such as `1.0.2`");
        assert_eq!(expected("1..2"), "a number before and after every `.`");
        assert_eq!(expected(".1"), "a number before and after every `.`");
        assert_eq!(expected("1."), "a number before and after every `.`");
        assert_eq!(
            expected("1.0-beta"),
            "only digits and `.` (tags such as `-beta` are not allowed)"
        );
        assert_eq!(
            expected(" 1.0"),
            "only digits and `.` (tags such as `-beta` are not allowed)"
        );
        assert!(HackageVersion::parse("v1.0").is_err());
        assert!(HackageVersion::parse("1.٢").is_err());
        assert!(HackageVersion::parse("\u{0}").is_err());
    }

    #[test]
    fn display_keeps_the_original() {
        assert_eq!(v("1.02.3").to_string(), "1.02.3");
    }
}
