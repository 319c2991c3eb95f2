//! A lenient comparator for upstream versions as NVD and CPE write them (`2.4.1`, `5.0 update 3`,
//! `1.1.1k`, `2019-01-01`), which answers *not comparable* rather than guess.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::num::cmp_digits;
use crate::{ParseError, Scheme};

/// An upstream version: runs of digits and runs of letters; every other character separates.
///
/// Ordering is partial: `partial_cmp` returns `None` when the two versions diverge at words
/// that have no known order (`2.4.1.fc34` against `2.4.1.el8`), so a matcher can answer
/// `unknown` instead of a wrong verdict. Known words: pre-release markers
/// (`dev` < `alpha`/`a` < `beta`/`b` < `pre`/`preview` < `rc`/`cr`) sort before a release, and
/// post-release markers (`p`, `patch`, `pl`, `post`, `sp`, `update`/`u`, `r`, `rev`) after it.
/// A single letter directly after a number (`1.1.1k`) is a letter release: `1.1.1 < 1.1.1a < 1.1.1k`.
#[derive(Clone, Debug)]
pub struct UpstreamVersion {
    original: Box<str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token<'a> {
    Number(&'a str),
    Word(&'a str),
    /// A single letter glued to the preceding number (`1.1.1k`).
    Letter(u8),
}

/// Where a word sorts relative to the release it follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum WordClass {
    Pre(u8),
    Post,
    Unknown,
}

fn classify(word: &str) -> WordClass {
    let lower = word.to_ascii_lowercase();
    match lower.as_str() {
        "dev" | "snapshot" => WordClass::Pre(0),
        "alpha" | "a" => WordClass::Pre(1),
        "beta" | "b" => WordClass::Pre(2),
        "pre" | "preview" | "m" | "milestone" => WordClass::Pre(3),
        "rc" | "cr" => WordClass::Pre(4),
        "p" | "patch" | "pl" | "post" | "sp" | "update" | "u" | "r" | "rev" | "build" => {
            WordClass::Post
        }
        _ => WordClass::Unknown,
    }
}

fn tokens(s: &str) -> impl Iterator<Item = Token<'_>> {
    let bytes = s.as_bytes();
    let mut pos = 0;
    let mut after_number = false;
    std::iter::from_fn(move || {
        while pos < bytes.len() && !bytes[pos].is_ascii_alphanumeric() {
            pos += 1;
            after_number = false;
        }
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        if bytes[pos].is_ascii_digit() {
            while pos < bytes.len() && bytes[pos].is_ascii_digit() {
                pos += 1;
            }
            after_number = true;
            return Some(Token::Number(&s[start..pos]));
        }
        while pos < bytes.len() && bytes[pos].is_ascii_alphabetic() {
            pos += 1;
        }
        let word = &s[start..pos];
        let glued = after_number;
        after_number = false;
        let ends_word = pos >= bytes.len() || !bytes[pos].is_ascii_digit();
        if glued && word.len() == 1 && ends_word && classify(word) != WordClass::Post {
            return Some(Token::Letter(word.as_bytes()[0].to_ascii_lowercase()));
        }
        Some(Token::Word(word))
    })
}

impl UpstreamVersion {
    /// Accepts any version with at least one digit or letter; refuses CPE's `*` (any) and `-`
    /// (not applicable), which are not versions.
    pub fn parse(input: &str) -> Result<UpstreamVersion, ParseError> {
        let trimmed = input.trim();
        if trimmed == "*" || trimmed == "-" {
            return Err(ParseError::new(
                Scheme::Upstream,
                input,
                "a version, not the CPE wildcard `*` or not-applicable `-`",
            ));
        }
        if !trimmed.bytes().any(|b| b.is_ascii_alphanumeric()) {
            return Err(ParseError::new(
                Scheme::Upstream,
                input,
                "at least one digit or letter",
            ));
        }
        Ok(UpstreamVersion {
            original: trimmed.into(),
        })
    }
}

/// Orders what follows a common prefix when one side has ended: the other side's next token
/// decides whether it is a later release, an earlier pre-release, or unknown.
fn tail_order(rest: &mut dyn Iterator<Item = Token<'_>>) -> Option<Ordering> {
    for token in rest {
        match token {
            Token::Number(n) if cmp_digits(n, "0") == Ordering::Equal => continue,
            Token::Number(_) | Token::Letter(_) => return Some(Ordering::Greater),
            Token::Word(w) => {
                return match classify(w) {
                    WordClass::Pre(_) => Some(Ordering::Less),
                    WordClass::Post => Some(Ordering::Greater),
                    WordClass::Unknown => None,
                };
            }
        }
    }
    Some(Ordering::Equal)
}

fn cmp_tokens(a: Token<'_>, b: Token<'_>) -> Option<Ordering> {
    use Token::*;
    match (a, b) {
        (Number(x), Number(y)) => Some(cmp_digits(x, y)),
        (Letter(x), Letter(y)) => Some(x.cmp(&y)),
        (Word(x), Word(y)) if x.eq_ignore_ascii_case(y) => Some(Ordering::Equal),
        (Word(x), Word(y)) => match (classify(x), classify(y)) {
            (WordClass::Pre(i), WordClass::Pre(j)) => Some(i.cmp(&j)),
            (WordClass::Pre(_), WordClass::Post) => Some(Ordering::Less),
            (WordClass::Post, WordClass::Pre(_)) => Some(Ordering::Greater),
            _ => None,
        },
        // A pre-release word sorts before a number or letter release; a post word after.
        (Word(x), Number(_) | Letter(_)) => match classify(x) {
            WordClass::Pre(_) => Some(Ordering::Less),
            _ => None,
        },
        (Number(_) | Letter(_), Word(y)) => match classify(y) {
            WordClass::Pre(_) => Some(Ordering::Greater),
            _ => None,
        },
        // `1.1.1a` against `1.1.1.2`: a letter release against a further number.
        (Letter(_), Number(_)) | (Number(_), Letter(_)) => None,
    }
}

impl PartialOrd for UpstreamVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        let mut left = tokens(&self.original);
        let mut right = tokens(&other.original);
        loop {
            match (left.next(), right.next()) {
                (None, None) => return Some(Ordering::Equal),
                (Some(a), None) => return tail_order(&mut std::iter::once(a).chain(left)),
                (None, Some(b)) => {
                    return tail_order(&mut std::iter::once(b).chain(right)).map(Ordering::reverse);
                }
                (Some(a), Some(b)) => match cmp_tokens(a, b)? {
                    Ordering::Equal => continue,
                    decided => return Some(decided),
                },
            }
        }
    }
}

impl PartialEq for UpstreamVersion {
    fn eq(&self, other: &Self) -> bool {
        self.partial_cmp(other) == Some(Ordering::Equal)
    }
}

impl FromStr for UpstreamVersion {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s)
    }
}

impl fmt::Display for UpstreamVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Option<Ordering> {
        UpstreamVersion::parse(a)
            .unwrap()
            .partial_cmp(&UpstreamVersion::parse(b).unwrap())
    }

    #[test]
    fn numbers_compare_by_value_and_trailing_zeros_do_not_count() {
        assert_eq!(cmp("2.4.1", "2.4.10"), Some(Ordering::Less));
        assert_eq!(cmp("1.0", "1.0.0"), Some(Ordering::Equal));
        assert_eq!(cmp("1.0", "1.0.1"), Some(Ordering::Less));
        assert_eq!(cmp("2019-01-01", "2019-01-02"), Some(Ordering::Less));
    }

    #[test]
    fn pre_and_post_release_words_order_around_the_release() {
        assert_eq!(cmp("1.0rc1", "1.0"), Some(Ordering::Less));
        assert_eq!(cmp("1.0-beta2", "1.0-rc1"), Some(Ordering::Less));
        assert_eq!(cmp("1.0.rc1", "1.0.1"), Some(Ordering::Less));
        assert_eq!(cmp("5.0 update 3", "5.0"), Some(Ordering::Greater));
        assert_eq!(cmp("5.0 update 3", "5.0 update 12"), Some(Ordering::Less));
        assert_eq!(cmp("7.2p1", "7.2"), Some(Ordering::Greater));
    }

    #[test]
    fn letter_releases_follow_their_number() {
        assert_eq!(cmp("1.1.1", "1.1.1a"), Some(Ordering::Less));
        assert_eq!(cmp("1.1.1k", "1.1.1w"), Some(Ordering::Less));
        assert_eq!(cmp("1.1.1k", "1.1.2"), Some(Ordering::Less));
    }

    #[test]
    fn unknown_words_are_not_comparable() {
        assert_eq!(cmp("2.4.1.fc34", "2.4.1.el8"), None);
        assert_eq!(cmp("2.4.1", "2.4.1.fc34"), None);
        assert_eq!(cmp("1.1.1a", "1.1.1.2"), None);
    }

    #[test]
    fn cpe_wildcards_are_not_versions() {
        for input in ["*", "-", "", " . "] {
            let err = UpstreamVersion::parse(input).unwrap_err();
            assert_eq!(err.scheme, Scheme::Upstream, "{input}");
        }
    }
}
