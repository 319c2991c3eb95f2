//! RubyGems versions: validity, segments and ordering of `Gem::Version`
//! (rubygems `lib/rubygems/version.rb`: `correct?`, `canonical_segments`, `<=>`).

use std::cmp::Ordering;
use std::fmt;

use crate::num::Num;
use crate::{ParseError, Scheme};

/// A parsed RubyGems version, kept as its canonical segments.
///
/// The string is cut into runs of digits and runs of letters, ignoring where the dots are
/// (`1.0.a10 == 1.0.a.10`); any letter makes it a pre-release, which sorts before the release
/// (`1.0.b1 < 1.0`). `-` means `.pre.` (`1.0-1 == 1.0.pre.1`). Trailing zeros are dropped from
/// the numbers before the first letter and from the end (`1.0.0 == 1`, `1.0.a.0 == 1.a`).
/// Letters compare case-sensitively as bytes (`B < a`); numbers have any size.
#[derive(Clone, Debug)]
pub struct RubyGemsVersion {
    original: String,
    /// `Gem::Version#canonical_segments`: never ends with a zero.
    segments: Box<[Segment]>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Text(Box<str>),
    Number(Num),
}

impl Segment {
    const ZERO: Segment = Segment::Number(Num::ZERO);

    fn is_zero(&self) -> bool {
        matches!(self, Segment::Number(n) if n.is_zero())
    }
}

impl Ord for Segment {
    /// `Gem::Version#<=>` per segment: a string is less than any number.
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Segment::Number(a), Segment::Number(b)) => a.cmp(b),
            (Segment::Text(a), Segment::Text(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Segment::Text(_), Segment::Number(_)) => Ordering::Less,
            (Segment::Number(_), Segment::Text(_)) => Ordering::Greater,
        }
    }
}

impl PartialOrd for Segment {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl RubyGemsVersion {
    /// Parses `input` as `Gem::Version.new` would.
    ///
    /// Follows `ANCHORED_VERSION_PATTERN`
    /// (`\A\s*([0-9]+(?>\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?\s*\z`), with one
    /// relaxation: letters may follow the first number directly (`1beta`), which RubyGems
    /// refuses but OSV's tooling orders by the same segment rules (`1beta == 1.beta`). A blank
    /// string is version `0`, as in RubyGems.
    pub fn parse(input: &str) -> Result<RubyGemsVersion, ParseError> {
        let err = |expected: &str| ParseError::new(Scheme::RubyGems, input, expected);
        // Ruby's `\s` and `String#strip`: space, \t, \n, \v, \f, \r.
        let body = input.trim_matches(|c: char| matches!(c, ' ' | '\t'..='\r'));
        let (release, prerelease) = match body.split_once('-') {
            Some((release, prerelease)) => (release, Some(prerelease)),
            None => (body, None),
        };
        if !body.is_empty() {
            if !release.starts_with(|c: char| c.is_ascii_digit()) {
                return Err(err("a version starting with a digit, such as `1.2.3`"));
            }
            for part in release.split('.') {
                if part.is_empty() {
                    return Err(err("letters or digits before and after every `.`"));
                }
                if !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(err("only ASCII letters, digits, `.` and `-`"));
                }
            }
            for part in prerelease.into_iter().flat_map(|p| p.split('.')) {
                if part.is_empty() {
                    return Err(err("letters, digits or `-` after `-` and around every `.`"));
                }
                if !part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                    return Err(err("only ASCII letters, digits, `.` and `-`"));
                }
            }
        }

        // `@version.gsub("-", ".pre.")`, then `scan(/[0-9]+|[a-z]+/i)`.
        let mut segments = Vec::new();
        for (i, chunk) in body.split('-').enumerate() {
            if i > 0 {
                segments.push(Segment::Text("pre".into()));
            }
            scan_segments(chunk, &mut segments);
        }
        Ok(RubyGemsVersion {
            original: input.to_owned(),
            segments: canonical(segments),
        })
    }

    /// Whether the version contains a letter (`Gem::Version#prerelease?`).
    pub fn is_prerelease(&self) -> bool {
        self.segments.iter().any(|s| matches!(s, Segment::Text(_)))
    }
}

/// Appends the runs of digits and the runs of ASCII letters of `text`, in order.
fn scan_segments(text: &str, out: &mut Vec<Segment>) {
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let Some(&first) = bytes.get(start) else {
            break;
        };
        let same: fn(&u8) -> bool = if first.is_ascii_digit() {
            u8::is_ascii_digit
        } else if first.is_ascii_alphabetic() {
            u8::is_ascii_alphabetic
        } else {
            start += 1;
            continue;
        };
        let len = bytes
            .get(start..)
            .map_or(0, |rest| rest.iter().take_while(|b| same(b)).count());
        let run = text.get(start..start + len).unwrap_or_default();
        out.push(if first.is_ascii_digit() {
            Segment::Number(Num::from_digits(run))
        } else {
            Segment::Text(run.into())
        });
        start += len;
    }
}

/// `Gem::Version#canonical_segments`: split at the first string segment, drop trailing zeros
/// from both halves, and join them again.
fn canonical(mut segments: Vec<Segment>) -> Box<[Segment]> {
    let text_start = segments.iter().position(|s| matches!(s, Segment::Text(_)));
    let mut texts = text_start
        .map(|i| segments.split_off(i))
        .unwrap_or_default();
    while segments.last().is_some_and(Segment::is_zero) {
        segments.pop();
    }
    while texts.last().is_some_and(Segment::is_zero) {
        texts.pop();
    }
    segments.append(&mut texts);
    segments.into_boxed_slice()
}

impl Ord for RubyGemsVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        // `Gem::Version#<=>`: segment by segment, the shorter list padded with 0.
        let len = self.segments.len().max(other.segments.len());
        for i in 0..len {
            let a = self.segments.get(i).unwrap_or(&Segment::ZERO);
            let b = other.segments.get(i).unwrap_or(&Segment::ZERO);
            let ordering = a.cmp(b);
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
    }
}

crate::scheme::derive_from_ord!(RubyGemsVersion);

impl fmt::Display for RubyGemsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> RubyGemsVersion {
        RubyGemsVersion::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn expected(s: &str) -> String {
        RubyGemsVersion::parse(s).unwrap_err().expected
    }

    #[test]
    fn dots_between_letters_and_digits_do_not_matter() {
        assert_eq!(v("1.0.a10"), v("1.0.a.10"));
        assert_eq!(v("1.0.a2"), v("1.0.a.2"));
        assert!(v("1.0.a9") < v("1.0.a.10"));
        assert!(v("1.0.a.9") < v("1.0.a10"));
    }

    #[test]
    fn letters_make_a_prerelease_that_sorts_first() {
        assert!(v("1.0.b1") < v("1.0"));
        assert!(v("1.0.a.2") < v("1.0.b1"));
        assert!(v("0.9") < v("1.0.a.2"));
        assert!(v("1.2.4.beta") < v("1.2.4"));
        assert!(v("1.0.a") > v("0.99"));
        assert!(v("1.0.pre") < v("1.0.rc1"));
        assert!(v("1.0.rc1").is_prerelease());
        assert!(!v("1.0").is_prerelease());
    }

    #[test]
    fn trailing_zeros_are_dropped() {
        assert_eq!(v("1.0.0"), v("1"));
        assert_eq!(v("1.0.a.0"), v("1.0.a"));
        assert_eq!(
            v("1.a"),
            v("1.0.a"),
            "zeros before the first letter are dropped too"
        );
        assert_eq!(v("0"), v("0.0.0"));
        assert!(v("1.a.0.1") > v("1.a"));
    }

    #[test]
    fn hyphen_means_pre() {
        assert_eq!(v("1.0-1"), v("1.0.pre.1"));
        assert_eq!(v("1.0.0-beta.1"), v("1.0.0.pre.beta.1"));
        assert!(v("1.0.0-beta") > v("1.0.0.beta"), "`pre` > `beta`");
        assert!(v("1.0-1") < v("1.0"));
        assert_eq!(v("1.0-a-b"), v("1.0.pre.a.pre.b"));
    }

    #[test]
    fn letters_compare_as_bytes() {
        assert!(v("1.B") < v("1.a"));
        assert!(v("1.alpha") < v("1.alphb"));
        assert!(v("1.a") < v("1.aa"));
    }

    #[test]
    fn blank_is_zero() {
        assert_eq!(v(""), v("0"));
        assert_eq!(v("  \t"), v("0"));
        assert_eq!(v(" 1.2 \n"), v("1.2"));
    }

    #[test]
    fn letters_right_after_the_first_number_are_accepted() {
        assert_eq!(v("1beta"), v("1.beta"));
        assert!(v("1beta") < v("1"));
        assert!(v("1gamma") < v("1"));
    }

    #[test]
    fn numbers_of_any_size() {
        assert!(v("999999999999999999999999999991") < v("999999999999999999999999999999"));
        let huge = "9".repeat(10_000);
        assert!(v(&huge) > v("1"));
        assert_eq!(v(&format!("1.{huge}.0")), v(&format!("1.{huge}")));
    }

    #[test]
    fn invalid_versions_say_what_was_expected() {
        assert_eq!(
            expected("a"),
            "a version starting with a digit, such as `1.2.3`"
        );
        assert_eq!(
            expected(".1"),
            "a version starting with a digit, such as `1.2.3`"
        );
        assert_eq!(
            expected("-1"),
            "a version starting with a digit, such as `1.2.3`"
        );
        assert_eq!(
            expected("1..2"),
            "letters or digits before and after every `.`"
        );
        assert_eq!(
            expected("1."),
            "letters or digits before and after every `.`"
        );
        assert_eq!(
            expected("1.0-"),
            "letters, digits or `-` after `-` and around every `.`"
        );
        assert_eq!(
            expected("1.0-a."),
            "letters, digits or `-` after `-` and around every `.`"
        );
        assert_eq!(expected("1.0_1"), "only ASCII letters, digits, `.` and `-`");
        assert_eq!(
            expected("1.0+build"),
            "only ASCII letters, digits, `.` and `-`"
        );
        assert_eq!(expected("1 2"), "only ASCII letters, digits, `.` and `-`");
        assert_eq!(expected("1.0-ü"), "only ASCII letters, digits, `.` and `-`");
        assert_eq!(expected("1.é"), "only ASCII letters, digits, `.` and `-`");
        assert!(
            RubyGemsVersion::parse("\u{3000}1.0").is_err(),
            "Ruby's \\s is ASCII only"
        );
        assert!(
            RubyGemsVersion::parse("1.0--").is_ok(),
            "`-[0-9A-Za-z-]+` allows `--`"
        );
    }
}
