//! RPM versions, `[epoch:]version[-release]`: split as rpm's `parseEVR` (rpmio/rpmver.c) and
//! compared with `rpmvercmp` (rpmio/rpmvercmp.c), with the release rules of osv-scalibr
//! (semantic/version-redhat.go), which is how OSV evaluates Red Hat, AlmaLinux and Rocky ranges.

use std::cmp::Ordering;
use std::fmt;

use crate::num::cmp_digits;
use crate::{ParseError, Scheme};

/// A parsed RPM version (an EVR).
///
/// Any non-empty string without white space or control characters is accepted: rpm itself
/// compares any string, and OSV records carry what they carry. Equality is `rpmvercmp`'s, so
/// `1.0 == 1_0`, `10.0001 == 10.1` and `1.1.α == 1.1.β` (non-ASCII characters are separators).
///
/// Unlike `rpm -q`/`rpm.vercmp`, which skip the release when either side has none, a version
/// without a release sorts *before* the same version with any release (`1 < 1-1`, even
/// `1 < 1-`), as osv-scalibr does.
#[derive(Clone, Debug)]
pub struct RpmVersion {
    text: String,
    /// Byte offset of the epoch's `:`, if the version has an epoch.
    colon: Option<usize>,
    /// Byte offset of the last `-` after the epoch, if the version has a release.
    hyphen: Option<usize>,
}

impl RpmVersion {
    /// Parses `input` under rpm rules. Only the empty string and strings holding white space or
    /// control characters are refused (rpmbuild never produces those).
    pub fn parse(input: &str) -> Result<RpmVersion, ParseError> {
        if input.is_empty() {
            return Err(ParseError::new(Scheme::Rpm, input, "a non-empty version"));
        }
        if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ParseError::new(
                Scheme::Rpm,
                input,
                "no white space or control characters",
            ));
        }
        // rpm `parseEVR`: an epoch only when the leading run of digits (maybe empty) is followed
        // by `:`, so `1.m+e2:1` has none and `:1` has epoch 0.
        let digits = input.bytes().take_while(u8::is_ascii_digit).count();
        let colon = (input.as_bytes().get(digits) == Some(&b':')).then_some(digits);
        let version_start = colon.map_or(0, |c| c + 1);
        // The release follows the *last* `-` (`strrchr`). osv-scalibr cuts at the first one
        // instead; the two differ only for EVRs with two or more `-`, which rpm forbids in both
        // version and release, so rpm's split is kept.
        let hyphen = input
            .get(version_start..)
            .and_then(|s| s.rfind('-'))
            .map(|h| version_start + h);
        Ok(RpmVersion {
            text: input.to_owned(),
            colon,
            hyphen,
        })
    }

    /// The epoch digits as written, or `None` when there is no epoch or it is empty (`:1`);
    /// a missing epoch compares as 0. May exceed any machine integer.
    pub fn epoch(&self) -> Option<&str> {
        let colon = self.colon?;
        self.text.get(..colon).filter(|e| !e.is_empty())
    }

    /// The version: after the epoch's `:`, before the last `-`. May be empty (`1:`, `-1`).
    pub fn version(&self) -> &str {
        let start = self.colon.map_or(0, |c| c + 1);
        let end = self.hyphen.unwrap_or(self.text.len());
        self.text.get(start..end).unwrap_or_default()
    }

    /// The release after the last `-`, `None` when there is no `-`. May be empty (`1-`).
    pub fn release(&self) -> Option<&str> {
        self.hyphen
            .map(|h| self.text.get(h + 1..).unwrap_or_default())
    }
}

/// One step of `rpmvercmp`'s walk: what a string holds next once separators are skipped.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    /// `~`: sorts before everything, the end of the string included.
    Tilde,
    /// The end of the string.
    End,
    /// `^`: sorts after the end of the string but before any further segment.
    Caret,
    Alpha(&'a [u8]),
    /// Numeric segments are newer than alphabetic ones.
    Digits(&'a [u8]),
}

impl Token<'_> {
    fn rank(self) -> u8 {
        match self {
            Token::Tilde => 0,
            Token::End => 1,
            Token::Caret => 2,
            Token::Alpha(_) => 3,
            Token::Digits(_) => 4,
        }
    }
}

/// Returns the token at `*pos` (after skipping separators) and advances past it.
///
/// rpmvercmp.c: everything but ASCII letters, digits, `~` and `^` separates segments and is
/// otherwise ignored; `risalnum` is ASCII-only, so every byte of a non-ASCII character is a
/// separator.
fn next_token<'a>(s: &'a [u8], pos: &mut usize) -> Token<'a> {
    let rest = s.get(*pos..).unwrap_or_default();
    let skipped = rest
        .iter()
        .take_while(|&&b| !b.is_ascii_alphanumeric() && b != b'~' && b != b'^')
        .count();
    let rest = rest.get(skipped..).unwrap_or_default();
    *pos += skipped;
    let run = |keep: fn(&u8) -> bool| {
        let len = rest.iter().take_while(|b| keep(b)).count();
        (rest.get(..len).unwrap_or_default(), len)
    };
    let (token, len) = match rest.first() {
        None => (Token::End, 0),
        Some(b'~') => (Token::Tilde, 1),
        Some(b'^') => (Token::Caret, 1),
        Some(b) if b.is_ascii_digit() => {
            let (digits, len) = run(u8::is_ascii_digit);
            (Token::Digits(digits), len)
        }
        Some(_) => {
            let (alpha, len) = run(u8::is_ascii_alphabetic);
            (Token::Alpha(alpha), len)
        }
    };
    *pos += len;
    token
}

/// rpm rpmio/rpmvercmp.c `rpmvercmp`: compares segment by segment; numbers by value (any
/// length), letters by byte; `~` < end < `^` < letters < digits. Separators only split.
fn rpmvercmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    // A shared prefix compares equal, as long as it does not cut a letter or digit run (compared
    // as a whole): skip it, backing up to the start of such a run. Equal strings end here.
    let mut shared = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if shared == a.len() && shared == b.len() {
        return Ordering::Equal;
    }
    while shared > 0 && a.get(shared - 1).is_some_and(u8::is_ascii_alphanumeric) {
        shared -= 1;
    }
    let (mut i, mut j) = (shared, shared);
    loop {
        let (ta, tb) = (next_token(a, &mut i), next_token(b, &mut j));
        let ordering = match (ta, tb) {
            (Token::End, Token::End) => return Ordering::Equal,
            (Token::Alpha(x), Token::Alpha(y)) => x.cmp(y),
            (Token::Digits(x), Token::Digits(y)) => cmp_digit_runs(x, y),
            _ => ta.rank().cmp(&tb.rank()),
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
}

/// Numeric comparison of two digit runs of any length, leading zeros ignored.
fn cmp_digit_runs(a: &[u8], b: &[u8]) -> Ordering {
    let strip = |s: &'_ [u8]| -> usize { s.iter().take_while(|&&b| b == b'0').count() };
    let (a, b) = (
        a.get(strip(a)..).unwrap_or_default(),
        b.get(strip(b)..).unwrap_or_default(),
    );
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl Ord for RpmVersion {
    /// Epoch numerically (missing = 0), then version, then release, each with `rpmvercmp`,
    /// plus osv-scalibr's `compareRedHatComponents` rule that an empty part sorts before a
    /// non-empty one. For versions that is `1: < 1:.`; for releases, scalibr keeps the `-`, so
    /// it means *no release < any release*: `1 < 1-` and `1 < 1-0`, where `rpm.vercmp` says
    /// equal because rpm (`rpmverCmp`) compares releases only when both sides have one.
    fn cmp(&self, other: &Self) -> Ordering {
        let (ea, eb) = (self.epoch().unwrap_or("0"), other.epoch().unwrap_or("0"));
        cmp_digits(ea, eb)
            .then_with(|| {
                let (a, b) = (self.version(), other.version());
                match (a.is_empty(), b.is_empty()) {
                    (false, false) => rpmvercmp(a, b),
                    (a_empty, b_empty) => b_empty.cmp(&a_empty),
                }
            })
            .then_with(|| match (self.release(), other.release()) {
                (Some(a), Some(b)) => rpmvercmp(a, b),
                (a, b) => a.is_some().cmp(&b.is_some()),
            })
    }
}

crate::scheme::derive_from_ord!(RpmVersion);

impl fmt::Display for RpmVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> RpmVersion {
        RpmVersion::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn cmp(a: &str, b: &str) -> Ordering {
        v(a).cmp(&v(b))
    }

    #[test]
    fn tilde_sorts_before_everything_even_the_end() {
        assert_eq!(cmp("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(cmp("1.0~rc1~git123", "1.0~rc1"), Ordering::Less);
        assert_eq!(cmp("1.0^git1~pre", "1.0^git1"), Ordering::Less);
        assert_eq!(cmp("1.0~", "1.0^"), Ordering::Less);
    }

    #[test]
    fn caret_sorts_after_the_base_but_before_any_further_segment() {
        assert_eq!(cmp("1.0^", "1.0"), Ordering::Greater);
        assert_eq!(cmp("1.0^git1", "1.0"), Ordering::Greater);
        assert_eq!(cmp("1.0^git1", "1.0.1"), Ordering::Less);
        assert_eq!(cmp("1.0^git1", "1.01"), Ordering::Less);
        assert_eq!(cmp("1.0^20160102", "1.0^20160101^git1"), Ordering::Greater);
    }

    #[test]
    fn separators_only_split_segments() {
        assert_eq!(cmp("2.0", "2_0"), Ordering::Equal);
        assert_eq!(cmp("1.0a", "1.0.a"), Ordering::Equal);
        assert_eq!(cmp("+", "_"), Ordering::Equal);
        assert_eq!(cmp("1.0", "1.0."), Ordering::Equal);
    }

    #[test]
    fn non_ascii_characters_are_separators() {
        assert_eq!(cmp("1.1.α", "1.1.β"), Ordering::Equal);
        assert_eq!(cmp("1.1.αα", "1.1"), Ordering::Equal);
        assert_eq!(cmp("1.1.α", "1.1.a"), Ordering::Less);
        assert_eq!(cmp("1é0", "1.0"), Ordering::Equal);
    }

    #[test]
    fn numeric_segments_are_newer_than_alphabetic_ones() {
        assert_eq!(cmp("1.1", "1.a"), Ordering::Greater);
        assert_eq!(cmp("xyz.4", "2"), Ordering::Less);
        assert_eq!(cmp("5.5p1", "5.5p10"), Ordering::Less);
        assert_eq!(cmp("1.0a", "1.0aa"), Ordering::Less);
        assert_eq!(cmp("A", "a"), Ordering::Less, "letters compare by byte");
    }

    #[test]
    fn numbers_compare_by_value_at_any_size() {
        assert_eq!(cmp("10.0001", "10.1"), Ordering::Equal);
        assert_eq!(cmp("4.999.9", "5.0"), Ordering::Less);
        let big = "9".repeat(10_000);
        let bigger = format!("1{}", "0".repeat(10_000));
        assert_eq!(cmp(&big, &bigger), Ordering::Less);
        assert_eq!(
            cmp(&format!("{big}:1"), "99999999999999999999:9"),
            Ordering::Greater
        );
    }

    #[test]
    fn epoch_only_when_leading_digits_meet_a_colon() {
        let with = v("013:5.0-1");
        assert_eq!(
            (with.epoch(), with.version(), with.release()),
            (Some("013"), "5.0", Some("1"))
        );
        let module = v("1.m+e2:1");
        assert_eq!((module.epoch(), module.version()), (None, "1.m+e2:1"));
        assert_eq!(v(":1").epoch(), None);
        assert_eq!(cmp(":1", "0:1"), Ordering::Equal);
        assert_eq!(cmp("01:2", "1:2"), Ordering::Equal);
        assert_eq!(cmp("3", "1:2"), Ordering::Less);
        assert_eq!(cmp("1.m+e2:1", "4.m+e1:1"), Ordering::Less);
    }

    #[test]
    fn release_starts_after_the_last_hyphen() {
        let version = v("1:2.0-3-4.el9");
        assert_eq!(version.version(), "2.0-3");
        assert_eq!(version.release(), Some("4.el9"));
        assert_eq!(v("1-").release(), Some(""));
        assert_eq!(v("1").release(), None);
        assert_eq!(cmp("1-123", "1-1.el7"), Ordering::Greater);
        assert_eq!(
            cmp("0:3.10.0-229.el7", "0:3.10.0-229.1.2.ael7b"),
            Ordering::Less
        );
    }

    #[test]
    fn missing_release_sorts_before_any_release_as_in_osv_scalibr() {
        // `rpm.vercmp` says these are equal: rpm skips the release when one side has none.
        assert_eq!(cmp("1", "1-"), Ordering::Less);
        assert_eq!(cmp("1", "1-0"), Ordering::Less);
        assert_eq!(cmp("1-", "1-"), Ordering::Equal);
        assert_eq!(cmp("1-1.", "1-1"), Ordering::Equal);
        assert_eq!(
            cmp("1.1", "1-9"),
            Ordering::Greater,
            "the version decides first"
        );
    }

    #[test]
    fn empty_version_sorts_before_any_version_as_in_osv_scalibr() {
        // rpmvercmp alone would put `~` below the empty string and `.` equal to it.
        assert_eq!(cmp("1:", "1:~"), Ordering::Less);
        assert_eq!(cmp("1:", "1:."), Ordering::Less);
        assert_eq!(cmp("-1", "~-1"), Ordering::Less);
        assert_eq!(cmp("1:", "1:"), Ordering::Equal);
    }

    #[test]
    fn empty_and_blank_inputs_are_refused() {
        let err = RpmVersion::parse("").unwrap_err();
        assert_eq!(
            (err.scheme, err.expected.as_str()),
            (Scheme::Rpm, "a non-empty version")
        );
        for text in [" 1.0", "1.0 ", "1 0", "1.0\n", "1\0", "\u{85}1"] {
            let err = RpmVersion::parse(text).unwrap_err();
            assert_eq!(
                err.expected, "no white space or control characters",
                "{text:?}"
            );
        }
    }

    #[test]
    fn odd_strings_still_parse_and_order() {
        for text in ["αβγ", "~", "^", ":", "-", "--", "a:1", "+2-:"] {
            let version = v(text);
            assert_eq!(version.to_string(), text);
            assert_eq!(v(&version.to_string()), version);
        }
        assert_eq!(cmp("+2-:", "+1-:"), Ordering::Greater);
        assert_eq!(cmp("b~1:1", "a1:1"), Ordering::Greater);
    }
}
