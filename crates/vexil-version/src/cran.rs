//! CRAN versions: R's `package_version` (base `R/version.R`, `.make_numeric_version` with
//! `.standard_regexps()$valid_package_version`), ordered as R's `compareNumericVersion` does.

use std::cmp::Ordering;
use std::fmt;

use crate::num::Num;
use crate::{ParseError, Scheme};

/// A parsed CRAN package version: at least two non-negative numbers separated by `.` or `-`.
///
/// `.` and `-` are interchangeable (`1.0-1 == 1.0.1`), leading zeros are ignored
/// (`0.01 == 0.1`), numbers may be of any size, and the lists compare element by element with
/// a proper prefix first, so `0.1.0 < 0.1.0.0`.
#[derive(Clone, Debug)]
pub struct CranVersion {
    original: String,
    parts: Box<[Num]>,
}

impl CranVersion {
    /// Parses `input` under CRAN rules: `([0-9]+[.-]){1,}[0-9]+`, nothing else (no spaces).
    pub fn parse(input: &str) -> Result<CranVersion, ParseError> {
        let err = |expected: &str| ParseError::new(Scheme::Cran, input, expected);
        if input.is_empty() {
            return Err(err("a version such as `1.2-3`"));
        }
        let mut parts = Vec::with_capacity(4);
        for part in input.split(['.', '-']) {
            if part.is_empty() {
                return Err(err("a number before and after every `.` or `-`"));
            }
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err("only digits separated by `.` or `-`"));
            }
            parts.push(Num::from_digits(part));
        }
        if parts.len() < 2 {
            // package_version needs major and minor; a lone number is only a numeric_version.
            return Err(err("at least two numbers (`1.0`)"));
        }
        Ok(CranVersion {
            original: input.to_owned(),
            parts: parts.into_boxed_slice(),
        })
    }
}

impl Ord for CranVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        // Element-wise, then the longer version is greater (R's `compareVersion` and the
        // `-1`-padded encoding behind `Ops.numeric_version`).
        self.parts.iter().cmp(other.parts.iter())
    }
}

crate::scheme::derive_from_ord!(CranVersion);

impl fmt::Display for CranVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> CranVersion {
        CranVersion::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn expected(s: &str) -> String {
        CranVersion::parse(s).unwrap_err().expected
    }

    #[test]
    fn dash_and_dot_are_the_same_separator() {
        assert_eq!(v("1.0-1"), v("1.0.1"));
        assert_eq!(v("0.01.0"), v("0.1-0"));
        assert!(v("1.0-0") < v("1.1-0"));
    }

    #[test]
    fn longer_version_is_greater_when_prefix_equal() {
        assert!(v("0.1.0") < v("0.1.0.0"));
        assert!(v("0.3.2.0") > v("0.3.2"));
        assert!(v("1.8") < v("1.8.0"));
    }

    #[test]
    fn parts_compare_numerically() {
        assert!(v("0.9") < v("0.75"));
        assert!(v("0.1.4") < v("0.1.18"));
        assert_eq!(v("0.01"), v("0.1"));
    }

    #[test]
    fn numbers_of_any_size() {
        assert!(v("1.999999999999999999999999999991") < v("1.999999999999999999999999999999"));
        let huge = "9".repeat(10_000);
        assert!(v(&format!("1.{huge}")) > v("1.2"));
    }

    #[test]
    fn invalid_versions_say_what_was_expected() {
        assert_eq!(expected(""), "a version such as `1.2-3`");
        assert_eq!(expected("1"), "at least two numbers (`1.0`)");
        assert_eq!(
            expected("1..2"),
            "a number before and after every `.` or `-`"
        );
        assert_eq!(
            expected("1.0-"),
            "a number before and after every `.` or `-`"
        );
        assert_eq!(expected("1.0a"), "only digits separated by `.` or `-`");
        assert_eq!(expected(" 1.0"), "only digits separated by `.` or `-`");
        assert!(CranVersion::parse("1_0").is_err());
        assert!(CranVersion::parse("１.０").is_err());
    }

    #[test]
    fn display_keeps_the_original() {
        assert_eq!(v("0.1-0").to_string(), "0.1-0");
    }
}
