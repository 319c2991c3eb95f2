//! Packagist (Composer) versions: PHP's `version_compare` (php-src `ext/standard/versioning.c`)
//! as Composer's `Comparator` applies it, with OSV's `v` prefix and big-number handling.

use std::cmp::Ordering;
use std::fmt;

use crate::num::Num;
use crate::{ParseError, Scheme};

/// A parsed Packagist version: PHP's canonical parts, each a number or a special form.
///
/// `-`, `_`, `+`, `.` and any other punctuation separate parts, and a part also ends where
/// digits meet letters (`1.0rc1 == 1.0.rc.1`). Words only count by their special form,
/// matched by prefix and case-sensitively: any other word < `dev` < `alpha` = `a` (any word
/// starting with `a`) < `beta` = `b` < `RC` = `rc` < number < `pl` = `p`. When one version runs
/// out, a number left over makes the longer one greater (`1.0 < 1.0.0`) and a word is weighed
/// against a number (`1.0-dev < 1.0 < 1.0pl1`).
///
/// `#` is PHP's internal "number" form: a part starting with `#` equals any number and also
/// the end of a version (OSV's `1.2.3.# == 1.2.3 == 1.2.3.#`, `1.2.3.# == 1.2.3.1`), so
/// comparisons involving `#` are not transitive, exactly as upstream.
#[derive(Clone, Debug)]
pub struct PackagistVersion {
    original: String,
    parts: Box<[Part]>,
}

#[derive(Clone, Debug)]
enum Part {
    Number(Num),
    /// A word, kept only as its rank: two words of one rank are equal (`alpha == abc`).
    Word(Rank),
}

/// `compare_special_version_forms` ranks; numbers rank as `#`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Unknown,
    Dev,
    Alpha,
    Beta,
    Rc,
    Number,
    Patch,
}

impl Rank {
    /// php-src `special_forms`: the first of `dev alpha a beta b RC rc # pl p` that the word
    /// starts with; anything else sorts below `dev`.
    fn of(word: &str) -> Rank {
        if word.starts_with("dev") {
            Rank::Dev
        } else if word.starts_with('a') {
            Rank::Alpha
        } else if word.starts_with('b') {
            Rank::Beta
        } else if word.starts_with("RC") || word.starts_with("rc") {
            Rank::Rc
        } else if word.starts_with('#') {
            Rank::Number
        } else if word.starts_with('p') {
            Rank::Patch
        } else {
            Rank::Unknown
        }
    }
}

impl PackagistVersion {
    /// Parses `input`: printable ASCII, optionally after a `v`/`V` before a digit (which
    /// Composer and OSV strip), not starting or ending with a separator.
    pub fn parse(input: &str) -> Result<PackagistVersion, ParseError> {
        let err = |expected: &str| ParseError::new(Scheme::Packagist, input, expected);
        if input.is_empty() {
            return Err(err("a version such as `1.2.3` or `v2.0.0-RC1`"));
        }
        if !input.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(err("printable ASCII without spaces"));
        }
        // Composer's VersionParser (`^v?`, case-insensitive) and OSV both drop a leading `v`;
        // PHP alone would rank it as an unknown word, below every release.
        let body = match input.as_bytes() {
            [b'v' | b'V', digit, ..] if digit.is_ascii_digit() => {
                input.get(1..).unwrap_or_default()
            }
            _ => input,
        };
        if body.starts_with('#') {
            // php_version_compare skips canonicalisation for such strings: not a version.
            return Err(err("a version not starting with `#`"));
        }
        let separator = |b: &u8| !b.is_ascii_alphanumeric() && *b != b'#';
        if body.as_bytes().first().is_some_and(separator) {
            return Err(err("a letter or digit first"));
        }
        if body.as_bytes().last().is_some_and(separator) {
            return Err(err("a letter or digit last"));
        }
        Ok(PackagistVersion {
            original: input.to_owned(),
            parts: canonical_parts(body),
        })
    }
}

/// `php_canonicalize_version` followed by the split on `.`: runs of digits and runs of other
/// non-separator characters, in order. php-src turns `-`, `_`, `+` and every other
/// non-alphanumeric byte into one `.`, except `#`, which OSV keeps as PHP's number form.
fn canonical_parts(body: &str) -> Box<[Part]> {
    let mut parts = Vec::with_capacity(6);
    let bytes = body.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let Some(&first) = bytes.get(start) else {
            break;
        };
        let digits = first.is_ascii_digit();
        let word = first.is_ascii_alphabetic() || first == b'#';
        if !digits && !word {
            start += 1;
            continue;
        }
        let len = bytes.get(start..).map_or(0, |rest| {
            rest.iter()
                .take_while(|b| {
                    if digits {
                        b.is_ascii_digit()
                    } else {
                        b.is_ascii_alphabetic() || **b == b'#'
                    }
                })
                .count()
        });
        let run = body.get(start..start + len).unwrap_or_default();
        parts.push(if digits {
            Part::Number(Num::from_digits(run))
        } else {
            Part::Word(Rank::of(run))
        });
        start += len;
    }
    parts.into_boxed_slice()
}

/// One step of php_version_compare's main loop.
fn cmp_part(a: &Part, b: &Part) -> Ordering {
    match (a, b) {
        (Part::Number(x), Part::Number(y)) => x.cmp(y),
        (Part::Word(x), Part::Word(y)) => x.cmp(y),
        (Part::Number(_), Part::Word(y)) => Rank::Number.cmp(y),
        (Part::Word(x), Part::Number(_)) => x.cmp(&Rank::Number),
    }
}

/// How the leftover parts of the longer version compare with the end of the shorter one:
/// php_version_compare answers "greater" at a number, otherwise compares the word with
/// `#N#` and, when they tie, goes on with the next part.
fn cmp_leftover(rest: &[Part]) -> Ordering {
    for part in rest {
        match part {
            Part::Number(_) => return Ordering::Greater,
            Part::Word(rank) => match rank.cmp(&Rank::Number) {
                Ordering::Equal => {}
                ordering => return ordering,
            },
        }
    }
    Ordering::Equal
}

impl Ord for PackagistVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.parts.iter().zip(other.parts.iter()) {
            let ordering = cmp_part(a, b);
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        let common = self.parts.len().min(other.parts.len());
        match (self.parts.get(common..), other.parts.get(common..)) {
            (Some(rest), _) if !rest.is_empty() => cmp_leftover(rest),
            (_, Some(rest)) if !rest.is_empty() => cmp_leftover(rest).reverse(),
            _ => Ordering::Equal,
        }
    }
}

crate::scheme::derive_from_ord!(PackagistVersion);

impl fmt::Display for PackagistVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> PackagistVersion {
        PackagistVersion::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn expected(s: &str) -> String {
        PackagistVersion::parse(s).unwrap_err().expected
    }

    #[test]
    fn special_forms_rank_dev_alpha_beta_rc_release_patch() {
        let ordered = [
            "1.0-foo", "1.0-dev", "1.0a1", "1.0b1", "1.0RC1", "1.0", "1.0pl1",
        ];
        for pair in ordered.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("1.0RC1"), v("1.0rc1"));
        assert_eq!(v("1.0alpha1"), v("1.0a1"));
        assert_eq!(v("1.0beta1"), v("1.0b1"));
        assert_eq!(v("1.0p1"), v("1.0pl1"));
    }

    #[test]
    fn special_forms_match_by_prefix_and_case() {
        assert_eq!(v("1.0-abc"), v("1.0-alpha"));
        assert_eq!(v("1.0-patch1"), v("1.0-pl1"));
        assert_eq!(
            v("1.0-Rc1"),
            v("1.0-stable1"),
            "`Rc` is no special form: both unknown"
        );
        assert!(v("1.0-Rc1") < v("1.0-dev"));
        assert!(v("1.0-DEV") < v("1.0-dev"));
    }

    #[test]
    fn separators_and_transitions_split_parts() {
        assert_eq!(v("1.0.0rc2"), v("1.0.0.rc2"));
        assert_eq!(v("1.25.0beta2.1"), v("1.25.0-b2.1"));
        assert_eq!(v("1_0+1"), v("1.0.1"));
        assert_eq!(v("1..0"), v("1.0"), "PHP collapses separators");
        assert_eq!(
            v("1.0~beta"),
            v("1.0.beta"),
            "other punctuation separates too"
        );
        assert!(v("4.3-2RC1") < v("4.3-2RC2"));
        assert!(v("4.3-2") > v("4.3-2beta1"));
    }

    #[test]
    fn leftover_number_makes_longer_greater() {
        assert!(v("1.0") < v("1.0.0"));
        assert!(v("1.2") > v("1.0.1"));
        assert!(v("10") > v("2"));
    }

    #[test]
    fn v_prefix_is_ignored_before_a_digit() {
        assert_eq!(v("v1.0pl1"), v("1.0pl1"));
        assert_eq!(v("V1.0.0"), v("v1.0.0"));
        assert!(v("V1.0.0") < v("1.2.3"));
        assert!(v("vx") < v("0"), "not a prefix: `vx` is an unknown word");
    }

    #[test]
    fn branches_sort_below_releases() {
        assert!(v("dev-foo") < v("1.26.0"));
        assert!(v("dev-master") < v("0.0.1"));
        assert!(v("1.0.0") < v("1.2-dev"));
    }

    #[test]
    fn hash_is_the_number_form() {
        assert_eq!(v("1.2.3.#"), v("1.2.3"));
        assert_eq!(v("1.2.3.#"), v("1.2.3.1"));
        assert!(v("1.2.3.#.1") > v("1.2.3"));
        assert!(v("1.2.3.#.p3") > v("1.2.3"));
        assert!(v("1.2.3.#.beta") < v("1.2.3"));
    }

    #[test]
    fn numbers_of_any_size() {
        assert!(v("999999999999999999999999999991") < v("999999999999999999999999999999"));
        assert_eq!(v("1.007"), v("1.7"));
        let huge = "9".repeat(10_000);
        assert!(v(&huge) > v("1"));
    }

    #[test]
    fn invalid_versions_say_what_was_expected() {
        assert_eq!(expected(""), "a version such as `1.2.3` or `v2.0.0-RC1`");
        assert_eq!(expected("1.0 beta"), "printable ASCII without spaces");
        assert_eq!(expected("1.0\n"), "printable ASCII without spaces");
        assert_eq!(expected("1.0-ü"), "printable ASCII without spaces");
        assert_eq!(expected("#1"), "a version not starting with `#`");
        assert_eq!(expected("-1.0"), "a letter or digit first");
        assert_eq!(expected("_1"), "a letter or digit first");
        assert_eq!(expected("1.0-"), "a letter or digit last");
        assert_eq!(expected("1.0."), "a letter or digit last");
    }

    #[test]
    fn display_keeps_the_original() {
        assert_eq!(v("v1.0.0-RC1").to_string(), "v1.0.0-RC1");
    }
}
