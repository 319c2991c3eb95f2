//! SemVer 2.0 precedence (npm, crates.io, Hex, Bitnami), and the parsing core Go and Pub share.
//!
//! Lenient where real advisory data needs it (a `v` prefix, missing minor/patch as in OSV's
//! `introduced: "0"`, leading zeros), strict about everything else.

use std::cmp::Ordering;
use std::fmt;

use crate::num::{Num, cmp_digits};
use crate::{ParseError, Scheme};

/// A byte range into the original string (`start == end` when absent).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Span {
    start: u32,
    end: u32,
}

impl Span {
    pub(crate) fn get(self, s: &str) -> &str {
        s.get(self.start as usize..self.end as usize).unwrap_or("")
    }

    pub(crate) fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// The parts of a SemVer-like version, pointing into the string it was parsed from.
#[derive(Clone, Debug)]
pub(crate) struct Core {
    pub(crate) major: Num,
    pub(crate) minor: Num,
    pub(crate) patch: Num,
    /// Numeric parts past the third (`1.2.3.4.5` → `4.5`): not SemVer, but OSV data has them.
    pub(crate) extra: Span,
    pub(crate) pre: Span,
    pub(crate) build: Span,
    /// The trimmed input, without a leading `v`.
    pub(crate) text: Box<str>,
}

/// Parses `[v]MAJOR[.MINOR[.PATCH[.N…]]][-PRE][+BUILD]`, identifiers `[0-9A-Za-z-]+` separated
/// by `.`.
pub(crate) fn parse_core(scheme: Scheme, input: &str) -> Result<Core, ParseError> {
    let err = |expected: &str| Err(ParseError::new(scheme, input, expected));
    let trimmed = input.trim();
    let text = trimmed.strip_prefix(['v', 'V']).unwrap_or(trimmed);
    if text.len() > u32::MAX as usize / 2 {
        return err("a version shorter than 2 GiB");
    }
    let bytes = text.as_bytes();
    let mut numbers: [Option<Num>; 3] = [None, None, None];
    let mut pos = 0;
    let mut count = 0;
    let mut extra_start = None;
    loop {
        let start = pos;
        while pos < bytes.len() && bytes[pos].is_ascii_digit() {
            pos += 1;
        }
        if start == pos {
            let expected = if count == 0 {
                "a number first, as in `1.2.3`"
            } else {
                "a number after `.`"
            };
            return err(expected);
        }
        match numbers.get_mut(count) {
            Some(slot) => *slot = Some(Num::from_digits(&text[start..pos])),
            None => {
                extra_start.get_or_insert(start);
            }
        }
        count += 1;
        if pos < bytes.len() && bytes[pos] == b'.' {
            pos += 1;
            continue;
        }
        break;
    }
    let extra = extra_start.map_or(Span::default(), |start| span(start, pos, true));
    let [major, minor, patch] = numbers.map(|n| n.unwrap_or(Num::ZERO));
    let mut pre = Span::default();
    let mut build = Span::default();
    if pos < bytes.len() && bytes[pos] == b'-' {
        let start = pos + 1;
        pos = scan_identifiers(bytes, start);
        if !valid_identifiers(&text[start..pos]) {
            return err(
                "pre-release identifiers of `0-9A-Za-z-` separated by single dots after `-`",
            );
        }
        pre = span(start, pos, true);
    }
    if pos < bytes.len() && bytes[pos] == b'+' {
        let start = pos + 1;
        pos = scan_identifiers(bytes, start);
        if !valid_identifiers(&text[start..pos]) {
            return err("build identifiers of `0-9A-Za-z-` separated by single dots after `+`");
        }
        build = span(start, pos, true);
    }
    if pos < bytes.len() {
        return err("`.`, `-` or `+` after a number");
    }
    Ok(Core {
        major,
        minor,
        patch,
        extra,
        pre,
        build,
        text: text.into(),
    })
}

fn span(start: usize, end: usize, present: bool) -> Span {
    if present {
        // Lengths were checked against u32 above.
        Span {
            start: start as u32,
            end: end as u32,
        }
    } else {
        Span::default()
    }
}

fn scan_identifiers(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len()
        && (bytes[pos].is_ascii_alphanumeric() || matches!(bytes[pos], b'-' | b'.'))
    {
        pos += 1;
    }
    pos
}

fn valid_identifiers(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(|part| !part.is_empty())
}

/// SemVer §11 precedence of dot-separated identifiers: numeric ones by value and below
/// alphanumeric ones, alphanumeric ones in ASCII order, and a longer list above its prefix.
pub(crate) fn cmp_identifiers(a: &str, b: &str) -> Ordering {
    cmp_identifier_lists(a.split('.'), b.split('.'))
}

/// [`cmp_identifiers`] over identifiers already split.
pub(crate) fn cmp_identifier_lists<'a>(
    mut left: impl Iterator<Item = &'a str>,
    mut right: impl Iterator<Item = &'a str>,
) -> Ordering {
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let x_num = x.bytes().all(|c| c.is_ascii_digit());
                let y_num = y.bytes().all(|c| c.is_ascii_digit());
                let ordering = match (x_num, y_num) {
                    (true, true) => cmp_digits(x, y),
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (false, false) => x.cmp(y),
                };
                if ordering != Ordering::Equal {
                    return ordering;
                }
            }
        }
    }
}

/// Numeric parts past the third, compared as numbers with missing parts zero (`1.2.3 = 1.2.3.0`).
fn cmp_extra(a: &str, b: &str) -> Ordering {
    let mut left = a.split('.').filter(|p| !p.is_empty());
    let mut right = b.split('.').filter(|p| !p.is_empty());
    loop {
        let ordering = match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (x, y) => cmp_digits(x.unwrap_or("0"), y.unwrap_or("0")),
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
}

impl Core {
    pub(crate) fn pre(&self) -> &str {
        self.pre.get(&self.text)
    }

    pub(crate) fn build(&self) -> &str {
        self.build.get(&self.text)
    }

    /// Precedence per SemVer §11: numbers (parts past the third too), then a release above its
    /// pre-releases, then the pre-release identifiers. Build metadata does not count.
    pub(crate) fn cmp_precedence(&self, other: &Core) -> Ordering {
        self.major
            .cmp(&other.major)
            .then_with(|| self.minor.cmp(&other.minor))
            .then_with(|| self.patch.cmp(&other.patch))
            .then_with(|| cmp_extra(self.extra.get(&self.text), other.extra.get(&other.text)))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => cmp_identifiers(self.pre(), other.pre()),
            })
    }
}

/// A SemVer 2.0 version, ordered by precedence (build metadata ignored, so `1.0.0+a == 1.0.0+b`).
#[derive(Clone, Debug)]
pub struct SemverVersion {
    core: Core,
    original: Box<str>,
}

impl SemverVersion {
    /// Parses `[v]MAJOR[.MINOR[.PATCH]][-PRE][+BUILD]`; missing parts are zero.
    pub fn parse(input: &str) -> Result<SemverVersion, ParseError> {
        let core = parse_core(Scheme::Semver, input)?;
        Ok(SemverVersion {
            core,
            original: input.trim().into(),
        })
    }

    /// The pre-release identifiers after `-`, if any.
    pub fn pre_release(&self) -> Option<&str> {
        Some(self.core.pre()).filter(|p| !p.is_empty())
    }

    /// The build metadata after `+`, if any.
    pub fn build(&self) -> Option<&str> {
        Some(self.core.build()).filter(|b| !b.is_empty())
    }
}

impl Ord for SemverVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.core.cmp_precedence(&other.core)
    }
}

crate::scheme::derive_from_ord!(SemverVersion);

impl fmt::Display for SemverVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> SemverVersion {
        SemverVersion::parse(s).unwrap()
    }

    #[test]
    fn pre_releases_sort_below_their_release_and_by_identifier() {
        assert!(v("1.0.0-alpha") < v("1.0.0-alpha.1"));
        assert!(v("1.0.0-beta.2") < v("1.0.0-beta.11"));
        assert!(v("1.0.0-rc.1") < v("1.0.0"));
        assert!(
            v("1.2.3-5-foo") > v("1.2.3-5"),
            "`5-foo` is alphanumeric, above numeric `5`"
        );
        assert!(
            v("1.2.3-r100") < v("1.2.3-r2"),
            "alphanumeric identifiers compare as text"
        );
    }

    #[test]
    fn build_metadata_does_not_order() {
        assert_eq!(v("1.2.3+build"), v("1.2.3+other"));
        assert_eq!(v("v1.2.3+build").build(), Some("build"));
    }

    #[test]
    fn missing_parts_are_zero_and_v_is_optional() {
        assert_eq!(v("1"), v("1.0.0"));
        assert_eq!(v("v1.2"), v("1.2.0"));
        assert_eq!(v("0"), v("0.0.0"));
        assert_eq!(v("01.002.0003"), v("1.2.3"));
    }

    #[test]
    fn parts_past_the_third_order_numerically() {
        assert!(v("1.2.3") < v("1.2.3.4"));
        assert!(v("1.2.3.4") < v("1.2.3.10"));
        assert!(v("1.2.3.4") < v("1.2.4"));
        assert_eq!(v("1.2.3.0"), v("1.2.3"));
        assert!(v("1.2.3.4-rc1") < v("1.2.3.4"));
    }

    #[test]
    fn numbers_of_any_size_compare_by_value() {
        assert!(v("999999999999999999999999999991") < v("999999999999999999999999999999"));
        let huge = "9".repeat(10_000);
        assert!(v(&huge) > v("1.0.0"));
    }

    #[test]
    fn invalid_versions_say_what_was_expected() {
        let cases = [
            ("", "a number first"),
            ("abc", "a number first"),
            ("1..2", "a number after `.`"),
            ("1.2.3-", "pre-release identifiers"),
            ("1.2.3-a..b", "pre-release identifiers"),
            ("1.2.3+", "build identifiers"),
            ("1.2.3_4", "`.`, `-` or `+`"),
            ("1.2.3-ä", "pre-release identifiers"),
        ];
        for (input, expected) in cases {
            let err = SemverVersion::parse(input).unwrap_err();
            assert!(err.expected.contains(expected), "{input}: {err}");
            assert_eq!(err.scheme, Scheme::Semver);
        }
    }
}
