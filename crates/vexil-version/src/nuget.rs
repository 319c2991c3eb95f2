//! NuGet versions: parsing as `NuGetVersion.TryParse` accepts them and ordering as
//! `VersionComparer.Default` (NuGet.Client `src/NuGet.Core/NuGet.Versioning`).

use std::cmp::Ordering;
use std::fmt;

use crate::num::{Num, cmp_digits};
use crate::{ParseError, Scheme};

/// A parsed NuGet version: up to four numbers, SemVer 2 release labels and ignored metadata.
///
/// Missing numbers are 0 (`1.0 == 1.0.0.0`) and numbers may have leading zeros (`1.0.01 ==
/// 1.0.1`). NuGet refuses numbers past a .NET `int` (2147483647); they are accepted here and
/// ordered by value, as OSV does. Release labels compare case-insensitively, a label
/// that .NET's `int.TryParse` reads as a number compares numerically and before any text
/// label, and build metadata (`+...`) never affects the order.
#[derive(Clone, Debug)]
pub struct NuGetVersion {
    original: String,
    /// Major, minor, patch, revision.
    numbers: [Num; 4],
    /// Empty for a release; a release sorts after every pre-release of the same numbers.
    labels: Box<[Label]>,
}

#[derive(Clone, Debug)]
struct Label {
    /// The label as .NET `int.TryParse` reads it (`-?[0-9]+` within `int` range).
    number: Option<i32>,
    /// The label upper-cased, so `OrdinalIgnoreCase` comparison is a plain byte comparison.
    upper: Box<str>,
}

impl NuGetVersion {
    /// Parses `input` under NuGet rules (`NuGetVersion.TryParse`, not the strict SemVer parser).
    pub fn parse(input: &str) -> Result<NuGetVersion, ParseError> {
        let err = |expected: &str| ParseError::new(Scheme::NuGet, input, expected);
        // NuGetVersionFactory.TryParse: `value.Trim()` (.NET trims Unicode white space).
        let value = input.trim();
        if value.is_empty() {
            return Err(err("a version such as `1.0.0`"));
        }
        // SemanticVersionFactory.ParseSections: the numbers end at the first `-` or `+`;
        // labels run from that `-` to the next `+`; metadata is everything after it.
        let (numbers_part, rest) = match value.find(['-', '+']) {
            Some(i) => (&value[..i], Some(&value[i..])),
            None => (value, None),
        };
        let (labels_part, metadata) = match rest {
            None => (None, None),
            Some(rest) if rest.starts_with('+') => (None, Some(&rest[1..])),
            Some(rest) => match rest[1..].split_once('+') {
                Some((labels, metadata)) => (Some(labels), Some(metadata)),
                None => (Some(&rest[1..]), None),
            },
        };

        let numbers = parse_numbers(numbers_part).map_err(err)?;

        let mut labels = Vec::new();
        if let Some(text) = labels_part {
            for label in text.split('.') {
                check_part(label, false)
                    .map_err(|what| err(&format!("{what} in the release label")))?;
                labels.push(Label {
                    number: dotnet_int(label),
                    upper: label.to_ascii_uppercase().into_boxed_str(),
                });
            }
        }
        if let Some(text) = metadata {
            for part in text.split('.') {
                check_part(part, true)
                    .map_err(|what| err(&format!("{what} in the build metadata")))?;
            }
        }

        Ok(NuGetVersion {
            original: input.to_owned(),
            numbers,
            labels: labels.into_boxed_slice(),
        })
    }

    /// Whether the version has release labels (`1.0.0-beta`).
    pub fn is_prerelease(&self) -> bool {
        !self.labels.is_empty()
    }
}

/// `System.Version.TryParse` over the number part, after NuGet appends `.0` to a lone number:
/// two to four components, each digits that `NumberStyles.Integer` accepts (surrounding ASCII
/// white space allowed, leading zeros allowed), but of any size.
fn parse_numbers(text: &str) -> Result<[Num; 4], &'static str> {
    let mut numbers = [Num::ZERO, Num::ZERO, Num::ZERO, Num::ZERO];
    for (index, component) in text.split('.').enumerate() {
        let slot = numbers
            .get_mut(index)
            .ok_or("at most four numbers (`1.2.3.4`)")?;
        // .NET `NumberStyles.AllowLeadingWhite | AllowTrailingWhite`: U+0009..U+000D, U+0020.
        let digits = component.trim_matches(|c: char| matches!(c, '\t'..='\r' | ' '));
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("numbers separated by `.` (`1.2.3`), then `-label` or `+metadata`");
        }
        *slot = Num::from_digits(digits);
    }
    Ok(numbers)
}

/// `int.TryParse` on a label: labels only hold `[0-9A-Za-z-]`, so it is numeric exactly when it
/// is an optional `-` and digits whose value fits an `int` (so `-1` is the number -1, and a
/// label too big for `int` is compared as text, as NuGet does).
fn dotnet_int(label: &str) -> Option<i32> {
    let (negative, digits) = match label.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, label),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let limit = if negative { "2147483648" } else { "2147483647" };
    if cmp_digits(digits, limit) == Ordering::Greater {
        return None;
    }
    let magnitude = digits
        .trim_start_matches('0')
        .bytes()
        .fold(0i64, |acc, b| acc * 10 + i64::from(b - b'0'));
    i32::try_from(if negative { -magnitude } else { magnitude }).ok()
}

/// `SemanticVersionFactory.IsValidPart`: non-empty, `[0-9A-Za-z-]` only, and (for labels) no
/// leading zero on an all-digit part.
fn check_part(part: &str, allow_leading_zeros: bool) -> Result<(), &'static str> {
    if part.is_empty() {
        return Err("no empty part");
    }
    if !part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err("only ASCII letters, digits and `-`");
    }
    if !allow_leading_zeros
        && part.len() > 1
        && part.starts_with('0')
        && part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err("no leading zero on a numeric part");
    }
    Ok(())
}

/// `VersionComparer.CompareRelease`: numbers numerically and before text; text by
/// `StringComparer.OrdinalIgnoreCase`.
fn cmp_label(a: &Label, b: &Label) -> Ordering {
    match (a.number, b.number) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.upper.as_bytes().cmp(b.upper.as_bytes()),
    }
}

impl Ord for NuGetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        // VersionComparer.Compare: the four numbers, then "has no labels" wins, then the
        // labels one by one, a shorter list first when it is a prefix. Metadata is ignored.
        self.numbers.cmp(&other.numbers).then_with(|| {
            match (self.labels.is_empty(), other.labels.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (a, b) in self.labels.iter().zip(other.labels.iter()) {
                        let ordering = cmp_label(a, b);
                        if ordering != Ordering::Equal {
                            return ordering;
                        }
                    }
                    self.labels.len().cmp(&other.labels.len())
                }
            }
        })
    }
}

crate::scheme::derive_from_ord!(NuGetVersion);

impl fmt::Display for NuGetVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> NuGetVersion {
        NuGetVersion::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn expected(s: &str) -> String {
        NuGetVersion::parse(s).unwrap_err().expected
    }

    #[test]
    fn missing_numbers_are_zero() {
        assert_eq!(v("1"), v("1.0.0.0"));
        assert_eq!(v("1.0"), v("1.0.0"));
        assert!(v("1.0") < v("1.0.0.1"));
        assert!(v("0.9.9.1") < v("1.0.0"));
    }

    #[test]
    fn numbers_past_dotnet_int_order_by_value() {
        assert!(v("999999999999999999999999999991") < v("999999999999999999999999999999"));
        assert!(v("2147483648.0") > v("2147483647.99"));
    }

    #[test]
    fn leading_zeros_in_numbers_are_ignored() {
        assert_eq!(v("1.0.01"), v("1.0.1.0"));
        assert_eq!(v("001.0"), v("1.0"));
    }

    #[test]
    fn labels_compare_case_insensitively() {
        assert_eq!(v("1.0.0-BETA"), v("1.0.0-beta"));
        assert!(v("1.0.0-BETA") < v("1.0.0-beta2"));
        assert!(v("1.0.0-alpha") < v("1.0.0-Beta"));
    }

    #[test]
    fn numeric_labels_compare_numerically_and_first() {
        assert!(v("1.0.0-beta.2") < v("1.0.0-beta.10"));
        assert!(v("1.0.0-beta.99") < v("1.0.0-beta.a"));
        // .NET int.TryParse reads `-2` as a negative number.
        assert!(v("1.0.0-a.-2") < v("1.0.0-a.-1"));
        // Too big for int: compared as text, so `9` > `10000000000`.
        assert!(v("1.0.0-a.9") < v("1.0.0-a.10000000000"));
        assert!(v("1.0.0-a.99999999999") > v("1.0.0-a.10000000000"));
    }

    #[test]
    fn release_sorts_after_its_prereleases() {
        assert!(v("1.0.0-rc.1") < v("1.0.0"));
        assert!(v("1.0.0-pre") < v("1.0.0.1-alpha"));
        assert!(v("1.0.0-beta") < v("1.0.0-beta.1"));
    }

    #[test]
    fn metadata_never_orders() {
        assert_eq!(v("1.0.0+beta"), v("1.0.0"));
        assert_eq!(v("1.0.0-BETA+AA"), v("1.0.0-beta+zz"));
        assert_eq!(v("1.0.0+0001.x-y"), v("1.0.0"));
    }

    #[test]
    fn whitespace_is_trimmed_like_dotnet() {
        assert_eq!(v("  1.2.3\t"), v("1.2.3"));
        // System.Version allows white space around each component.
        assert_eq!(v("1. 2"), v("1.2"));
        assert_eq!(v("\u{a0}1.2\u{3000}"), v("1.2"));
    }

    #[test]
    fn invalid_versions_say_what_was_expected() {
        assert_eq!(expected(""), "a version such as `1.0.0`");
        assert_eq!(expected("   "), "a version such as `1.0.0`");
        assert_eq!(expected("1.2.3.4.5"), "at most four numbers (`1.2.3.4`)");
        assert_eq!(
            expected("1..2"),
            "numbers separated by `.` (`1.2.3`), then `-label` or `+metadata`"
        );
        assert_eq!(
            expected("v1.0"),
            "numbers separated by `.` (`1.2.3`), then `-label` or `+metadata`"
        );
        assert_eq!(expected("1.0-"), "no empty part in the release label");
        assert_eq!(expected("1.0-a..b"), "no empty part in the release label");
        assert_eq!(
            expected("1.0-01"),
            "no leading zero on a numeric part in the release label"
        );
        assert_eq!(
            expected("1.0-a_b"),
            "only ASCII letters, digits and `-` in the release label"
        );
        assert_eq!(expected("1.0+"), "no empty part in the build metadata");
        assert_eq!(
            expected("1.0+a+b"),
            "only ASCII letters, digits and `-` in the build metadata"
        );
        assert_eq!(
            expected("-1.0"),
            "numbers separated by `.` (`1.2.3`), then `-label` or `+metadata`"
        );
        assert!(
            NuGetVersion::parse("1.0-0a").is_ok(),
            "0a is alphanumeric, not a leading zero"
        );
        assert!(
            NuGetVersion::parse("1.0+01").is_ok(),
            "metadata may have leading zeros"
        );
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let big = "9".repeat(10_000);
        assert!(NuGetVersion::parse(&big).unwrap() > v("2147483647.2147483647"));
        assert!(NuGetVersion::parse(&format!("1.{big}.{big}.{big}.{big}")).is_err());
        assert!(NuGetVersion::parse(&format!("1.0-{big}")).is_ok());
        assert!(NuGetVersion::parse(&format!("1.0-a.-{big}")).is_ok());
        assert!(NuGetVersion::parse("1.0-ünï").is_err());
        assert!(
            NuGetVersion::parse("١.٢").is_err(),
            "Arabic-Indic digits are not .NET digits"
        );
        assert!(NuGetVersion::parse("\0").is_err());
        assert!(NuGetVersion::parse("2147483647.2147483647.2147483647.2147483647").is_ok());
    }

    #[test]
    fn display_keeps_the_original() {
        assert_eq!(v("1.0.0-BETA+AA").to_string(), "1.0.0-BETA+AA");
        assert!(v("1.0-beta").is_prerelease());
        assert!(!v("1.0+beta").is_prerelease());
    }
}
