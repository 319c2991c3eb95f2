//! Alpine apk-tools versions: `apk_version_validate`, `apk_version_compare` and fuzzy `~`.
//!
//! Reproduces `src/version.c` of apk-tools 3.x (the vectors come from commit 90b974fd). A
//! version is a run of tokens, each kind allowed only after the kinds before it in this list:
//!
//! ```text
//! digits {.digits} [letter] {_suffix[digits]} [~hash] [-rdigits]
//!   1      .2.3        b     _pre2 _p1          ~1f2e   -r4
//! ```
//!
//! - **Numbers.** The first number and the numbers of suffixes and of `-r` compare by value
//!   (`01` = `1`). A number after `.` compares by value too, unless either side starts with
//!   `0`: then both compare as byte strings (Gentoo's rule), so `1.05 < 1.1`, `1.0 < 1.00`
//!   and `8.2.0 < 8.2.001`.
//! - **Letter.** One lowercase letter, right after a number, compares by byte. Nothing but a
//!   suffix, hash or revision may follow it: `1.0a1` and `1.0a.1` are invalid.
//! - **Suffixes** rank `_alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p`,
//!   so `1.0_rc1 < 1.0 < 1.0_p1`. Several may follow each other (`0.1_p1_pre2`); each may carry
//!   a number. The name must be exactly one of these nine.
//! - **`~hash`**: lowercase hex digits, compared as a byte string.
//! - **`-rN`**: the package revision, compared by value.
//!
//! Tokens are compared pairwise while both sides have the same kind. When the kinds differ
//! (or one side ended), a pre-release suffix (`_alpha` .. `_rc`) is older than anything,
//! and otherwise the side whose token kind comes *later* in the list above (the end counts
//! as the last) is older: `1.0 < 1.0.1`, `1.0 < 1.0a`, `1.0_rc1 < 1.0`, `1.0 < 1.0-r0`,
//! `1.0_p1 < 1.0.1`.
//!
//! # Invalid versions and secdb spellings
//!
//! apk-tools 3.x orders any two strings: the walk stops at the first token it cannot read,
//! which counts as coming after the end. So `1.0 < 1.0bc` (decided at `b` vs the end before
//! the bad `c`), but also `6.0.2p1-r0 = 6.0.2p1-r1` and `x = y`, since both sides go bad at
//! the same place. [`apk3_compare`] is that, to the letter.
//!
//! Alpine's secdb and osv.dev's Alpine records still hold versions written for apk 2.x that
//! 3.x refuses, above all OpenSSH's `6.6.2p1-r0` and a few `10.2.22.r0`. Tying them would make
//! `6.0.2p1-r0` look as fixed as `6.0.2p1-r1`. So [`compare_str`], [`compare_fuzzy`] and `Ord`
//! run the same walk with a legacy reading (`Reading::Legacy`) that reads these as older apk
//! did (digits after the letter are a number, an empty number is 0) or as osv.dev does (`.rN`
//! is the revision).
//! On two versions apk 3.x accepts, the reading changes nothing: the answer is apk 3.x's.
//! The order stays a total preorder over all strings. The vectors that pin the legacy answers
//! are osv-scalibr's (`alpine-versions-generated.txt` was produced with `apk version -t` in
//! an `alpine:3.10` container, i.e. apk-tools 2.10).
//!
//! [`ApkVersion::parse`] refuses what `apk_version_validate` refuses, except two secdb
//! spellings that osv.dev's converter accepts: `p<digits>` right after a number (`6.6.2p1`)
//! and `.rN` as the revision. [`is_valid`] is apk 3.x's verdict alone.
//!
//! # apk-tools 2.x
//!
//! Most Alpine releases shipped apk-tools 2.x. Where 2.x differs from the 3.x rules above:
//!
//! - **No `~hash` token** (added in 3.x): `1.0~abc` is invalid in 2.x.
//! - **Empty parts.** The rewritten 2.x parser (2.14) accepted an empty number after `.`,
//!   an empty suffix name (`1.0_`, ranked like no suffix) and an empty revision (`1.0-r`); 3.x
//!   refuses all three.
//! - **Number width.** 2.x reads numbers into 32-bit integers (`unsigned int`; a signed `int`
//!   before the rewrite), so `_git20240101123456` is compared modulo 2^32; 3.x reads them into
//!   `uint64_t` (wrapping modulo 2^64).
//!   This module compares exact values of any size: it agrees with 3.x on every number below
//!   2^64 (up to 19 digits, and 20-digit ones below 18446744073709551616) and deliberately
//!   does not reproduce the wrap-around above.
//! - **Before the rewrite** (apk-tools issue #10882, `8.2.0 > 8.2.001`), 2.x used a Gentoo-like
//!   state machine: every run of leading zeros after `.` was a token worth minus its length
//!   (so `8.2.001 < 8.2.0`), a digit could follow the letter (`6.6.2p1` was valid: letter `p`,
//!   then number `1`) and an empty number counted as 0 (`.1`, `a`, `1..2`). The legacy
//!   reading takes the last two for versions 3.x refuses, never the leading-zero rule.
//!
//! # Matching
//!
//! `apk_version_match(a, op, b)` is "the (fuzzy, when `op` has `~`) comparison of `a` with `b`
//! is in `op`'s mask": `<` `=` `>` set their bit, `~` sets fuzzy and equal. So `~` is
//! [`compare_fuzzy`] = `Equal`, `<~` is `Less` or `Equal`, `>~` is `Greater` or `Equal`, and
//! `!` (a conflict) negates the result.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use crate::num::cmp_digits;
use crate::{ParseError, Scheme};

/// Token kinds in apk's order (`enum PARTS`): a kind may only follow kinds before it, and when
/// two versions disagree on the kind of their next token, the later kind is the older version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Kind {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
    Invalid,
}

/// Suffix names by rank; the rank of "no suffix" sits between `rc` and `cvs`.
const SUFFIXES: [&str; 9] = ["alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"];
/// Rank of "no suffix" (`SUFFIX_NONE`): ranks below it are pre-releases.
const SUFFIX_NONE: u8 = 5;

/// apk's `suffix_value`: 1..=4 for pre-release names, 6..=10 for post-release names.
/// apk-tools 3.x refuses the empty name; 2.x ranked it as `SUFFIX_NONE`.
fn suffix_rank(name: &[u8]) -> Option<u8> {
    let index = SUFFIXES.iter().position(|s| s.as_bytes() == name)?;
    let index = u8::try_from(index).ok()?;
    Some(if index < 4 { index + 1 } else { index + 2 })
}

/// How much of the pre-3.x syntax the tokenizer reads. Each reading accepts a superset of the
/// one before and tokenizes what the smaller one accepts identically, so all three order two
/// apk-3.x-valid versions exactly as apk-tools 3.x does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reading {
    /// apk-tools 3.x `token_first` / `token_next`, byte for byte.
    Apk3,
    /// `Apk3`, plus two spellings found in Alpine's secdb (and accepted by osv.dev's Alpine
    /// converter, `vulnfeeds/cmd/converters/alpine/verify.go`) that apk 3.x refuses:
    /// - digits after the letter `p` (`6.6.2p1-r0`, OpenSSH's portable releases; apk 2.x
    ///   before the rewrite read this as the letter `p` then the number `1`), followed only
    ///   by what may follow a suffix number;
    /// - `.rN` for the revision (`10.2.22.r0`), read as `-rN`.
    Secdb,
    /// `Secdb`, plus what apk-tools 2.x before the rewrite read. Used only to compare
    /// ([`compare_str`], [`compare_fuzzy`], `Ord`, `Hash`), so that such versions get a
    /// meaningful order instead of tying at the bad token:
    /// - an empty first number (`.1`, `a`) and an empty number after `.` (`1..2`) count as 0;
    /// - digits after any letter form a number (`1.0a1`);
    /// - `-r` with no digits at the very end is revision 0 (`1-r`, as in 2.x).
    ///
    /// And one tightening: anything after a revision makes the revision itself invalid, so
    /// `1-r0-1` and `1-r-2` tie at the revision (3.x would call the first greater only
    /// because its revision had digits).
    Legacy,
}

/// The reading `ApkVersion::parse` accepts. `Reading::Apk3` would make it refuse exactly what
/// `apk_version_validate` refuses; `Secdb` keeps the secdb spellings listed there parsable.
const PARSE_READING: Reading = Reading::Secdb;

/// One token: its kind, its text (digits without the `.`, the letter, the suffix name, the
/// hash) and, for suffixes, the rank.
#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    kind: Kind,
    suffix: u8,
    value: &'a [u8],
}

/// Why a token was refused, for the parse error (the comparison ignores it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cause {
    NoInitialDigit,
    /// A character that the previous token kind does not allow next.
    Misplaced,
    /// After secdb's `p<digits>`, which only a suffix, hash or revision may follow.
    AfterSecdbP,
    DigitsAfterDot,
    UnknownSuffix,
    EmptyHash,
    NotRevision,
    EmptyRevision,
}

/// apk's `token_first` / `token_next` over the bytes of a version.
#[derive(Debug)]
struct Tokens<'a> {
    input: &'a str,
    reading: Reading,
    pos: usize,
    tok: Token<'a>,
    /// The current token is a number read straight after the letter (`Secdb`, `Legacy`).
    letter_digits: bool,
    /// Set with `tok.kind == Invalid`: the token before the bad one, what went wrong, where.
    refusal: Option<(Token<'a>, Cause, usize)>,
}

impl<'a> Tokens<'a> {
    /// `token_first`: the initial number, which may not be empty (but see `Reading::Legacy`).
    fn new(input: &'a str, reading: Reading) -> Tokens<'a> {
        let mut tokens = Tokens {
            input,
            reading,
            pos: 0,
            tok: Token {
                kind: Kind::InitialDigit,
                suffix: 0,
                value: &[],
            },
            letter_digits: false,
            refusal: None,
        };
        tokens.scan(|b| b.is_ascii_digit());
        if tokens.tok.value.is_empty() {
            let next = tokens.bytes().first().copied();
            let legacy_empty = matches!(next, Some(b'.' | b'a'..=b'z'));
            if !(reading == Reading::Legacy && legacy_empty) {
                tokens.refuse(Cause::NoInitialDigit, 0);
            }
        }
        tokens
    }

    fn bytes(&self) -> &'a [u8] {
        self.input.as_bytes()
    }

    /// Scans the bytes matching `class` from `pos` as the token value.
    fn scan(&mut self, class: impl Fn(u8) -> bool) {
        let bytes = self.bytes();
        let start = self.pos;
        while self.pos < bytes.len() && class(bytes[self.pos]) {
            self.pos += 1;
        }
        self.tok.value = &bytes[start..self.pos];
    }

    fn refuse(&mut self, cause: Cause, at: usize) {
        if self.refusal.is_none() {
            self.refusal = Some((self.tok, cause, at));
        }
        self.tok.kind = Kind::Invalid;
    }

    /// `token_next`: the kind is decided by the next byte and checked against the previous kind.
    fn advance(&mut self) {
        let bytes = self.bytes();
        let Some(&c) = bytes.get(self.pos) else {
            self.tok.kind = Kind::End;
            return;
        };
        let prev = self.tok.kind;
        let after_secdb_p = self.letter_digits && self.reading == Reading::Secdb;
        self.letter_digits = false;
        let at = self.pos;
        match c {
            b'a'..=b'z' => {
                if after_secdb_p {
                    return self.refuse(Cause::AfterSecdbP, at);
                }
                if prev > Kind::Digit {
                    return self.refuse(Cause::Misplaced, at);
                }
                self.tok.value = &bytes[at..=at];
                self.tok.kind = Kind::Letter;
                self.pos += 1;
            }
            b'.' if self.reading != Reading::Apk3
                && bytes.get(at + 1) == Some(&b'r')
                && bytes.get(at + 2).is_some_and(u8::is_ascii_digit) =>
            {
                self.revision(at);
            }
            b'.' | b'0'..=b'9' => {
                if c == b'.' {
                    if after_secdb_p {
                        return self.refuse(Cause::AfterSecdbP, at);
                    }
                    if prev > Kind::Digit {
                        return self.refuse(Cause::Misplaced, at);
                    }
                    self.pos += 1;
                }
                self.tok.kind = match prev {
                    Kind::InitialDigit | Kind::Digit => Kind::Digit,
                    Kind::Suffix => Kind::SuffixNo,
                    Kind::Letter if self.letter_takes_digits() => {
                        self.letter_digits = true;
                        Kind::Digit
                    }
                    // A digit straight after the letter (`1.0a1`): 3.x and 2.14 refuse it.
                    _ => return self.refuse(Cause::Misplaced, at),
                };
                self.scan(|b| b.is_ascii_digit());
                let legacy_empty = self.reading == Reading::Legacy && c == b'.';
                if self.tok.value.is_empty() && !legacy_empty {
                    self.refuse(Cause::DigitsAfterDot, self.pos);
                }
            }
            b'_' => {
                if prev > Kind::SuffixNo {
                    return self.refuse(Cause::Misplaced, at);
                }
                self.pos += 1;
                self.scan(|b| b.is_ascii_lowercase());
                match suffix_rank(self.tok.value) {
                    Some(rank) => {
                        self.tok.suffix = rank;
                        self.tok.kind = Kind::Suffix;
                    }
                    None => self.refuse(Cause::UnknownSuffix, at + 1),
                }
            }
            b'~' => {
                if prev >= Kind::CommitHash {
                    return self.refuse(Cause::Misplaced, at);
                }
                self.pos += 1;
                // APK_CTYPE_HEXDIGIT: digits and lowercase `a`-`f` only.
                self.scan(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
                if self.tok.value.is_empty() {
                    return self.refuse(Cause::EmptyHash, at + 1);
                }
                self.tok.kind = Kind::CommitHash;
            }
            b'-' => {
                if bytes.get(at + 1) != Some(&b'r') {
                    if prev >= Kind::RevisionNo {
                        return self.refuse(Cause::Misplaced, at);
                    }
                    return self.refuse(Cause::NotRevision, at);
                }
                self.revision(at);
            }
            _ => self.refuse(Cause::Misplaced, at),
        }
    }

    /// Whether digits may follow the current letter token (they may not in apk 3.x).
    fn letter_takes_digits(&self) -> bool {
        match self.reading {
            Reading::Apk3 => false,
            Reading::Secdb => self.tok.value == b"p",
            Reading::Legacy => true,
        }
    }

    /// `-rN` (or secdb's `.rN`) starting at `at`.
    fn revision(&mut self, at: usize) {
        if self.tok.kind >= Kind::RevisionNo {
            return self.refuse(Cause::Misplaced, at);
        }
        self.pos = at + 2;
        self.tok.kind = Kind::RevisionNo;
        self.scan(|b| b.is_ascii_digit());
        let at_end = self.pos == self.input.len();
        if self.reading == Reading::Legacy && !at_end {
            return self.refuse(Cause::Misplaced, at);
        }
        if self.tok.value.is_empty() && !(self.reading == Reading::Legacy && at_end) {
            self.refuse(Cause::EmptyRevision, self.pos);
        }
    }

    /// Walks to the end; `Ok` holds the byte offsets of `~` and of the revision, if any.
    fn validate(mut self) -> Result<(Option<usize>, Option<usize>), String> {
        let (mut hash_at, mut revision_at) = (None, None);
        while self.tok.kind < Kind::End {
            let before = self.pos;
            self.advance();
            match self.tok.kind {
                Kind::CommitHash => hash_at = Some(before),
                Kind::RevisionNo => revision_at = Some(before),
                _ => {}
            }
        }
        match self.refusal {
            None => Ok((hash_at, revision_at)),
            Some((prev, cause, at)) => Err(expected(self.input, prev, cause, at)),
        }
    }
}

/// The `expected ...` text of a parse error.
fn expected(input: &str, prev: Token<'_>, cause: Cause, at: usize) -> String {
    let found = match input.get(at..).and_then(|rest| rest.chars().next()) {
        Some(c) => format!("`{}` at byte {at}", c.escape_debug()),
        None => "the end".to_owned(),
    };
    match cause {
        Cause::NoInitialDigit if input.is_empty() => "a version starting with a digit".to_owned(),
        Cause::NoInitialDigit => format!("a digit at the start, found {found}"),
        Cause::DigitsAfterDot => format!("a digit after `.`, found {found}"),
        Cause::UnknownSuffix => {
            let name = String::from_utf8_lossy(prev_value_after(input, at));
            format!(
                "a suffix name after `_` (alpha, beta, pre, rc, cvs, svn, git, hg or p), \
                 found `{name}` at byte {at}"
            )
        }
        Cause::EmptyHash => format!("hex digits (0-9, a-f) after `~`, found {found}"),
        Cause::NotRevision => {
            format!("`-r` and a number (apk allows `-` only before the revision), found {found}")
        }
        Cause::EmptyRevision => format!("a number after `-r`, found {found}"),
        Cause::AfterSecdbP => format!(
            "`_suffix`, `~hash`, `-rN` or the end after the secdb-style `p{}`, found {found}",
            String::from_utf8_lossy(prev.value)
        ),
        Cause::Misplaced => {
            let (what, next) = match prev.kind {
                Kind::InitialDigit | Kind::Digit => (
                    format!("the number `{}`", String::from_utf8_lossy(prev.value)),
                    "`.`, a lowercase letter, `_suffix`, `~hash`, `-rN` or the end",
                ),
                Kind::Letter => (
                    format!("the letter `{}`", String::from_utf8_lossy(prev.value)),
                    "`_suffix`, `~hash`, `-rN` or the end (apk allows one letter, and no \
                     digits after it except secdb's `p<digits>`)",
                ),
                Kind::Suffix => (
                    format!("the suffix `_{}`", String::from_utf8_lossy(prev.value)),
                    "a number, `_suffix`, `~hash`, `-rN` or the end",
                ),
                Kind::SuffixNo => (
                    format!(
                        "the suffix number `{}`",
                        String::from_utf8_lossy(prev.value)
                    ),
                    "`_suffix`, `~hash`, `-rN` or the end",
                ),
                Kind::CommitHash => (
                    format!("the hash `~{}`", String::from_utf8_lossy(prev.value)),
                    "`-rN` or the end",
                ),
                Kind::RevisionNo => (
                    format!("the revision `-r{}`", String::from_utf8_lossy(prev.value)),
                    "the end",
                ),
                Kind::End | Kind::Invalid => ("the version".to_owned(), "the end"),
            };
            format!("{next} after {what}, found {found}")
        }
    }
}

/// The lowercase run starting at `at` (the rejected suffix name).
fn prev_value_after(input: &str, at: usize) -> &[u8] {
    let rest = input.as_bytes().get(at..).unwrap_or_default();
    let len = rest.iter().take_while(|b| b.is_ascii_lowercase()).count();
    &rest[..len]
}

/// apk's `token_cmp` for two tokens of the same kind.
fn token_cmp(a: &Token<'_>, b: &Token<'_>) -> Ordering {
    match a.kind {
        // A leading zero on either side makes both a byte-string comparison (`memcmp`, then
        // the shorter first), except in the initial number.
        Kind::Digit if a.value.first() == Some(&b'0') || b.value.first() == Some(&b'0') => {
            a.value.cmp(b.value)
        }
        Kind::InitialDigit | Kind::Digit | Kind::SuffixNo | Kind::RevisionNo => {
            // apk reads these into a uint64_t that wraps; exact values here (see module docs).
            cmp_digits(digits_str(a.value), digits_str(b.value))
        }
        Kind::Letter => a.value.cmp(b.value),
        Kind::Suffix => a.suffix.cmp(&b.suffix),
        Kind::CommitHash | Kind::End | Kind::Invalid => a.value.cmp(b.value),
    }
}

/// Token values of number kinds are ASCII digits, hence valid UTF-8.
fn digits_str(value: &[u8]) -> &str {
    std::str::from_utf8(value).unwrap_or_default()
}

/// apk's `apk_version_compare_fuzzy`: with `fuzzy`, `a` equals `b` once `b` has ended.
fn compare_tokens(a: &str, b: &str, fuzzy: bool, reading: Reading) -> Ordering {
    let mut ta = Tokens::new(a, reading);
    let mut tb = Tokens::new(b, reading);
    while ta.tok.kind == tb.tok.kind && ta.tok.kind < Kind::End {
        let r = token_cmp(&ta.tok, &tb.tok);
        if r != Ordering::Equal {
            return r;
        }
        ta.advance();
        tb.advance();
    }
    let (ka, kb) = (ta.tok.kind, tb.tok.kind);
    // Both ended, or both went invalid at the same place.
    if ka == kb || (fuzzy && kb == Kind::End) {
        return Ordering::Equal;
    }
    // A pre-release suffix is older than whatever the other side has there.
    if ka == Kind::Suffix && ta.tok.suffix < SUFFIX_NONE {
        return Ordering::Less;
    }
    if kb == Kind::Suffix && tb.tok.suffix < SUFFIX_NONE {
        return Ordering::Greater;
    }
    // Otherwise the later token kind (the end, an invalid token) is the older version.
    kb.cmp(&ka)
}

/// apk-tools `apk_version_compare` on raw strings, including its fallback for invalid versions.
///
/// Never fails. On two versions apk-tools 3.x accepts, this is exactly its answer. Otherwise
/// it is apk's token walk with the legacy reading (see the module docs): `1.0 < 1.0bc`,
/// `6.0.2p1-r0 < 6.0.2p1-r1`, `1-r = 1-r0`. [`apk3_compare`] is apk 3.x to the letter.
pub fn compare_str(a: &str, b: &str) -> Ordering {
    compare_tokens(a, b, false, Reading::Legacy)
}

/// apk-tools fuzzy comparison (`~`): compares only as far as `b` goes.
///
/// This is `apk_version_compare_fuzzy(a, b, true)` (with [`compare_str`]'s reading of invalid
/// versions): `Equal` when every token of `b` equals the token of `a` at the same place
/// (`3.6.9 ~ 3.6`, `3.6_pre1 ~ 3.6`), else the ordinary answer (`3.8 < 3.8.1`, so
/// `3.8 !~ 3.8.1`). `apk_version_match(a, op, b)` is then "the answer is in `op`'s mask": `~`
/// accepts `Equal`, `<~` accepts `Less` or `Equal`, `>~` `Greater` or `Equal`.
pub fn compare_fuzzy(a: &str, b: &str) -> Ordering {
    compare_tokens(a, b, true, Reading::Legacy)
}

/// apk-tools 3.x `apk_version_compare`, invalid inputs included, to the letter.
///
/// Differs from [`compare_str`] only when `a` or `b` is invalid for apk 3.x: there apk stops
/// at the first bad token and ranks it below the end, so `6.0.2p1-r0 = 6.0.2p1-r1`,
/// `x = y` and `1-r < 1-r0`.
pub fn apk3_compare(a: &str, b: &str) -> Ordering {
    compare_tokens(a, b, false, Reading::Apk3)
}

/// `apk_version_validate`: whether apk-tools 3.x accepts `s` as a version.
///
/// [`ApkVersion::parse`] also accepts the secdb spellings `6.6.2p1` and `10.2.22.r0`.
pub fn is_valid(s: &str) -> bool {
    Tokens::new(s, Reading::Apk3).validate().is_ok()
}

/// A version that `apk_version_validate` accepts (or a secdb spelling of one, see
/// [`ApkVersion::parse`]), ordered by `apk_version_compare`.
#[derive(Clone, Debug)]
pub struct ApkVersion {
    original: String,
    /// Byte offset of `~`, when there is a commit hash.
    hash_at: Option<usize>,
    /// Byte offset of `-r` (or secdb's `.r`), when there is a revision.
    revision_at: Option<usize>,
}

impl ApkVersion {
    /// Parses `input`, refusing what apk-tools 3.x `apk_version_validate` refuses, except two
    /// spellings in Alpine's secdb that apk 2.x read and osv.dev accepts: digits after the
    /// letter `p` (`6.6.2p1-r0`) and `.rN` for the revision (`10.2.22.r0`). [`is_valid`] is
    /// apk 3.x's verdict alone.
    pub fn parse(input: &str) -> Result<ApkVersion, ParseError> {
        match Tokens::new(input, PARSE_READING).validate() {
            Ok((hash_at, revision_at)) => Ok(ApkVersion {
                original: input.to_owned(),
                hash_at,
                revision_at,
            }),
            Err(expected) => Err(ParseError::new(Scheme::Apk, input, expected)),
        }
    }

    /// The version as written.
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// Whether apk-tools 3.x itself accepts this version (false for the secdb spellings).
    pub fn is_apk3_valid(&self) -> bool {
        is_valid(&self.original)
    }

    /// The digits of the `-rN` revision as written (`"4"` for `1.2-r4`), if there is one.
    pub fn revision(&self) -> Option<&str> {
        self.revision_at.map(|at| &self.original[at + 2..])
    }

    /// The revision as a number; `None` without a revision or when it does not fit `u64`.
    pub fn revision_number(&self) -> Option<u64> {
        self.revision()?.parse().ok()
    }

    /// The version without its `-rN` revision (`1.2_p1~ab` for `1.2_p1~ab-r4`).
    pub fn without_revision(&self) -> &str {
        &self.original[..self.revision_at.unwrap_or(self.original.len())]
    }

    /// The hex digits of the `~hash` commit token, if there is one (apk-tools 3.x only).
    pub fn commit_hash(&self) -> Option<&str> {
        let at = self.hash_at?;
        let end = self.revision_at.unwrap_or(self.original.len());
        Some(&self.original[at + 1..end])
    }

    /// Whether the version is a pre-release: its first suffix is `_alpha`, `_beta`, `_pre` or
    /// `_rc` (so it sorts before the same version without that suffix).
    pub fn is_prerelease(&self) -> bool {
        let mut tokens = Tokens::new(&self.original, Reading::Legacy);
        while tokens.tok.kind < Kind::End {
            if tokens.tok.kind == Kind::Suffix {
                return tokens.tok.suffix < SUFFIX_NONE;
            }
            tokens.advance();
        }
        false
    }
}

impl Ord for ApkVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        // `Reading::Legacy` reads every parsable version as `PARSE_READING` does.
        compare_str(&self.original, &other.original)
    }
}

crate::scheme::derive_from_ord!(ApkVersion);

/// Consistent with `Eq`: two valid versions are equal exactly when they have the same token
/// kinds with equal values, and numbers compared by value hash without leading zeros. (A
/// number after `.` is equal to another only when the digits are identical: with a leading
/// zero they compare as strings, without one by value, and the two never meet at equality.)
impl Hash for ApkVersion {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut tokens = Tokens::new(&self.original, Reading::Legacy);
        while tokens.tok.kind < Kind::End {
            let tok = tokens.tok;
            tok.kind.hash(state);
            match tok.kind {
                Kind::InitialDigit | Kind::SuffixNo | Kind::RevisionNo => {
                    digits_str(tok.value).trim_start_matches('0').hash(state);
                }
                Kind::Suffix => tok.suffix.hash(state),
                _ => tok.value.hash(state),
            }
            tokens.advance();
        }
    }
}

impl fmt::Display for ApkVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn cmp(a: &str, b: &str) -> Ordering {
        compare_str(a, b)
    }

    #[test]
    fn token_order_and_suffix_ranks() {
        assert_eq!(cmp("1.0_alpha", "1.0_beta"), Ordering::Less);
        assert_eq!(cmp("1.0_rc9", "1.0"), Ordering::Less);
        assert_eq!(cmp("1.0", "1.0_cvs"), Ordering::Less);
        assert_eq!(cmp("1.0_hg", "1.0_p"), Ordering::Less);
        assert_eq!(cmp("1.0_p1", "1.0.1"), Ordering::Less);
        assert_eq!(cmp("1.0", "1.0a"), Ordering::Less);
        assert_eq!(cmp("1.0z", "1.0.1"), Ordering::Less);
        assert_eq!(cmp("1.0", "1.0-r0"), Ordering::Less);
        assert_eq!(cmp("1.0~ab", "1.0-r0"), Ordering::Greater);
        assert_eq!(cmp("1.0_alpha_pre2", "1.0_alpha"), Ordering::Less);
        assert_eq!(cmp("0.1_p1_pre2", "0.1_p1"), Ordering::Less);
        assert_eq!(
            cmp("0.1_git20240101_pre1", "0.1_git20240101"),
            Ordering::Less
        );
    }

    #[test]
    fn numbers_with_leading_zeros_compare_as_strings_after_a_dot() {
        assert_eq!(cmp("8.2.0", "8.2.001"), Ordering::Less);
        assert_eq!(cmp("1.05", "1.1"), Ordering::Less);
        assert_eq!(cmp("1.0", "1.00"), Ordering::Less);
        assert_eq!(cmp("1.9", "1.10"), Ordering::Less);
        assert_eq!(cmp("01.1", "1.1"), Ordering::Equal);
        assert_eq!(cmp("1_p01", "1_p1"), Ordering::Equal);
        assert_eq!(cmp("1-r007", "1-r7"), Ordering::Equal);
        assert_eq!(
            cmp(
                "1_git99999999999999999999999",
                "1_git100000000000000000000000"
            ),
            Ordering::Less
        );
    }

    #[test]
    fn apk3_stops_at_the_first_bad_token() {
        let apk3 = apk3_compare;
        assert_eq!(apk3("1.0", "1.0bc"), Ordering::Less);
        assert_eq!(apk3("1.0a1", "1.0a"), Ordering::Less);
        assert_eq!(apk3("1.0a1", "1.0a2"), Ordering::Equal);
        assert_eq!(apk3("6.0.2p1-r0", "6.0.2p1-r1"), Ordering::Equal);
        assert_eq!(apk3("foo", "bar"), Ordering::Equal);
        assert_eq!(apk3("", "0"), Ordering::Less);
        assert_eq!(apk3("1-r", "1-r0"), Ordering::Less);
        // The pre-release rule is checked before the kinds: an invalid token beats `_alpha`.
        assert_eq!(apk3("1.0_foo", "1.0_alpha"), Ordering::Greater);
        assert_eq!(apk3("1.0_foo", "1.0_p"), Ordering::Less);
    }

    #[test]
    fn legacy_reading_orders_what_apk3_ties() {
        assert_eq!(cmp("1.0", "1.0bc"), Ordering::Less);
        assert_eq!(cmp("6.0.2p1-r0", "6.0.2p1-r1"), Ordering::Less);
        assert_eq!(cmp("6.6.2p1", "6.6.2_p1"), Ordering::Greater);
        assert_eq!(cmp("5.1_p1-r2", "5.1p1-r0"), Ordering::Less);
        assert_eq!(cmp("0.8.21.r2", "0.8.21.r1"), Ordering::Greater);
        assert_eq!(cmp("10.2.22.r0", "10.2.22-r0"), Ordering::Equal);
        assert_eq!(cmp("0.8.21.r2", "0.8.21r2"), Ordering::Less);
        assert_eq!(cmp("0..8", "0...8"), Ordering::Greater);
        assert_eq!(cmp(".2", ".1"), Ordering::Greater);
        assert_eq!(cmp("a", "b"), Ordering::Less);
        assert_eq!(cmp("1-r", "1-r0"), Ordering::Equal);
        assert_eq!(cmp("1", "1-ruff"), Ordering::Greater);
        assert_eq!(cmp("1-r0-1", "1-r-2"), Ordering::Equal);
        assert_eq!(cmp("1.2.0A", "1.2.0d"), Ordering::Less);
    }

    #[test]
    fn the_readings_agree_on_valid_versions() {
        let versions = [
            "0",
            "1",
            "01",
            "1.0",
            "1.00",
            "1.01",
            "1.1",
            "1.0a",
            "1.0z",
            "1.0_alpha",
            "1.0_rc1",
            "1.0_p",
            "1.0_p1_pre2",
            "1.0~0f",
            "1.0~1",
            "1.0-r0",
            "1.0-r1",
            "1.0a_git2~ab-r3",
            "2_beta",
            "1.0.0",
        ];
        for a in versions {
            for b in versions {
                assert!(is_valid(a) && is_valid(b));
                assert_eq!(cmp(a, b), apk3_compare(a, b), "{a} {b}");
            }
        }
    }

    #[test]
    fn fuzzy_stops_where_the_pattern_ends() {
        assert_eq!(compare_fuzzy("3.6.9", "3.6"), Ordering::Equal);
        assert_eq!(compare_fuzzy("3.6_pre1", "3.6"), Ordering::Equal);
        assert_eq!(compare_fuzzy("3.8", "3.8.1"), Ordering::Less);
        assert_eq!(compare_fuzzy("3.7", "3.6"), Ordering::Greater);
        assert_eq!(compare_fuzzy("3.6", "3.6.0"), Ordering::Less);
    }

    #[test]
    fn validity_follows_apk_3() {
        for ok in [
            "0",
            "1.2",
            "0.1_pre2~1234abcd",
            "1.0b_p1~0f-r10",
            "1_git2_pre1",
        ] {
            assert!(is_valid(ok), "{ok}");
        }
        for bad in [
            "", "a", ".1", "1.", "1.a", "1_", "1-r", "1-r1-r2", "1~", "1~A", "1A", "1 ",
        ] {
            assert!(!is_valid(bad), "{bad}");
            assert!(ApkVersion::parse(bad).is_err(), "{bad}");
        }
        for secdb in [
            "6.6.2p1-r0",
            "6.6.2p1",
            "6.6.2p1_rc1~ab.r2",
            "10.2.22.r0",
            "1_p1.r3",
        ] {
            assert!(!is_valid(secdb), "{secdb}");
            let v = ApkVersion::parse(secdb).unwrap();
            assert!(!v.is_apk3_valid());
        }
        for bad in [
            "0.1a1",
            "6.6.2q1",
            "6.6.2p1a",
            "6.6.2p1.1",
            "1.r",
            "1.rx",
            "1-r1.r2",
        ] {
            assert!(ApkVersion::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn errors_say_what_was_expected() {
        let err = |s: &str| ApkVersion::parse(s).unwrap_err().expected;
        assert_eq!(err(""), "a version starting with a digit");
        assert_eq!(err("x1"), "a digit at the start, found `x` at byte 0");
        assert_eq!(err("1."), "a digit after `.`, found the end");
        assert!(
            err("0.1a1").starts_with("`_suffix`, `~hash`, `-rN` or the end"),
            "{}",
            err("0.1a1")
        );
        assert!(err("0.1a1").ends_with("after the letter `a`, found `1` at byte 4"));
        assert!(
            err("0.1_foobar1").contains("found `foobar` at byte 4"),
            "{}",
            err("0.1_foobar1")
        );
        assert!(err("1-2").starts_with("`-r` and a number"));
        assert_eq!(err("1-r"), "a number after `-r`, found the end");
        assert!(err("1-r1.1").starts_with("the end after the revision `-r1`"));
        assert!(err("1~xyz").starts_with("hex digits"));
        assert!(err("1é").contains("found `é` at byte 1"));
        assert!(
            err("6.6.2p1.1").starts_with("`_suffix`, `~hash`, `-rN` or the end after the secdb")
        );
    }

    #[test]
    fn accessors_split_the_parts() {
        let v = ApkVersion::parse("1.2_p1~ab12-r4").unwrap();
        assert_eq!(v.revision(), Some("4"));
        assert_eq!(v.revision_number(), Some(4));
        assert_eq!(v.without_revision(), "1.2_p1~ab12");
        assert_eq!(v.commit_hash(), Some("ab12"));
        assert!(!v.is_prerelease());
        let v = ApkVersion::parse("1.2_rc1_p2").unwrap();
        assert_eq!((v.revision(), v.commit_hash()), (None, None));
        assert_eq!(v.without_revision(), "1.2_rc1_p2");
        assert!(v.is_prerelease());
        let v = ApkVersion::parse("10.2.22.r07").unwrap();
        assert_eq!((v.revision(), v.revision_number()), (Some("07"), Some(7)));
        assert_eq!(v.without_revision(), "10.2.22");
        assert_eq!(v, ApkVersion::parse("10.2.22-r7").unwrap());
    }

    #[test]
    fn equal_versions_hash_alike() {
        let hash = |s: &str| {
            let mut h = DefaultHasher::new();
            ApkVersion::parse(s).unwrap().hash(&mut h);
            h.finish()
        };
        let pairs = [("01.2_p01-r01", "1.2_p1-r1"), ("0007", "7")];
        for (a, b) in pairs {
            assert_eq!(ApkVersion::parse(a).unwrap(), ApkVersion::parse(b).unwrap());
            assert_eq!(hash(a), hash(b), "{a} {b}");
        }
        assert_ne!(
            ApkVersion::parse("1.0").unwrap(),
            ApkVersion::parse("1.00").unwrap()
        );
    }
}
