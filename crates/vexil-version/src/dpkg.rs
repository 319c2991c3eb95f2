//! Debian `dpkg` versions, `[epoch:]upstream[-revision]`: parsing as dpkg's `parseversion`
//! accepts them and ordering as its `verrevcmp` (lib/dpkg/parsehelp.c, lib/dpkg/version.c).

use std::cmp::Ordering;
use std::fmt;

use crate::{ParseError, Scheme};

/// dpkg stores the epoch in an `int` and refuses anything larger (`parseversion`).
const MAX_EPOCH: u32 = i32::MAX as u32;

/// A parsed Debian version.
///
/// Validity follows what dpkg *refuses* (its hard errors), not what it merely warns about: an
/// upstream part that does not start with a digit (`svn3918ppa1~lucid1`) or that holds
/// characters outside `[A-Za-z0-9.+~:-]` is accepted, as `dpkg --compare-versions` does, because
/// real archives and tracker data contain such versions. Equality is dpkg's: `1.0` equals
/// `0:1.0-0` and `1.09` equals `1.9`, so compare with `==`, not by string.
#[derive(Clone, Debug)]
pub struct DpkgVersion {
    /// The input without dpkg's surrounding blanks; printed back unchanged.
    text: String,
    epoch: u32,
    /// Byte offset where the upstream part starts (after the epoch's `:`).
    upstream_start: usize,
    /// Byte offset of the last `-`, if any: the revision is everything after it.
    hyphen: Option<usize>,
}

impl DpkgVersion {
    /// Parses `input` under dpkg rules.
    ///
    /// Surrounding spaces and tabs are ignored, as dpkg does. Refused, as dpkg refuses them: an
    /// empty version, blanks inside it, an epoch that is empty, not a number, negative or above
    /// 2147483647, nothing after the epoch's `:`, an empty revision (`1.0-`) and an empty
    /// upstream part (`-1`). A NUL character is refused too (dpkg never sees one).
    pub fn parse(input: &str) -> Result<DpkgVersion, ParseError> {
        let error = |expected: &str| ParseError::new(Scheme::Dpkg, input, expected);
        // `c_isblank`: only space and tab are trimmed, and only they count as "embedded spaces".
        let is_blank = |c: char| c == ' ' || c == '\t';
        let text = input.trim_matches(is_blank);
        if text.is_empty() {
            return Err(error("a non-empty version"));
        }
        if text.contains(is_blank) {
            return Err(error("no spaces or tabs inside the version"));
        }
        // dpkg works on C strings, so it could never see past a NUL: refuse it outright.
        if text.contains('\0') {
            return Err(error("no NUL character"));
        }
        // The epoch ends at the *first* colon; later colons belong to the upstream part.
        let (epoch, upstream_start) = match text.find(':') {
            Some(colon) => (
                parse_epoch(text.get(..colon).unwrap_or_default(), input)?,
                colon + 1,
            ),
            None => (0, 0),
        };
        let rest = text.get(upstream_start..).unwrap_or_default();
        if rest.is_empty() {
            return Err(error("an upstream version after the epoch's `:`"));
        }
        // The revision starts after the *last* hyphen: upstream versions may contain hyphens.
        let hyphen = rest.rfind('-').map(|i| upstream_start + i);
        if let Some(h) = hyphen {
            if h + 1 == text.len() {
                return Err(error("a revision after the last `-`"));
            }
            if h == upstream_start {
                return Err(error("an upstream version before the last `-`"));
            }
        }
        // dpkg only *warns* when the upstream part does not start with a digit or holds other
        // characters than alphanumerics and `.+~-:` (`.+~` in the revision); its
        // `--compare-versions` goes on and orders them, so they are accepted here too.
        Ok(DpkgVersion {
            text: text.to_owned(),
            epoch,
            upstream_start,
            hyphen,
        })
    }

    /// The epoch; 0 when none is written. At most 2147483647, as in dpkg.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// The upstream part: after the epoch's `:`, before the last `-`. Never empty.
    pub fn upstream(&self) -> &str {
        let end = self.hyphen.unwrap_or(self.text.len());
        self.text.get(self.upstream_start..end).unwrap_or_default()
    }

    /// The Debian revision after the last `-`, or `None` when there is no `-`.
    ///
    /// A missing revision orders like `0` (`1.0` equals `1.0-0`), as in dpkg.
    pub fn revision(&self) -> Option<&str> {
        self.hyphen
            .map(|h| self.text.get(h + 1..).unwrap_or_default())
    }
}

/// The epoch as C `strtol` reads it for `parseversion`: optional leading white space (only
/// `\n\v\f\r` can be left after trimming), an optional sign, then digits that must run up to the
/// colon. `+1:2` and `-0:2` are therefore valid (epochs 1 and 0), as they are for dpkg.
fn parse_epoch(field: &str, input: &str) -> Result<u32, ParseError> {
    let error = |expected: &str| ParseError::new(Scheme::Dpkg, input, expected);
    let unspaced = field.trim_start_matches(['\n', '\u{b}', '\u{c}', '\r']);
    let (negative, digits) = match unspaced.as_bytes().first() {
        Some(b'-') => (true, unspaced.get(1..).unwrap_or_default()),
        Some(b'+') => (false, unspaced.get(1..).unwrap_or_default()),
        _ => (false, unspaced),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(error("a number (the epoch) before the first `:`"));
    }
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return Ok(0);
    }
    if negative {
        return Err(error("a non-negative epoch"));
    }
    match significant.parse::<u32>() {
        Ok(epoch) if epoch <= MAX_EPOCH => Ok(epoch),
        _ => Err(error("an epoch of at most 2147483647")),
    }
}

/// The weight dpkg's `order` gives one byte of a non-digit run; 0 stands for the end of the
/// string (a NUL never occurs: `parse` refuses it), and digits weigh 0 like the end.
///
/// `~` sorts before the end, the end before letters, letters before everything else. dpkg
/// passes a plain `char`, which is signed on amd64 and i386: a byte 0x80-0xFF then weighs
/// `byte - 256 + 256 = byte`, after the letters but before ASCII punctuation (`c + 256`). This
/// follows those architectures; on unsigned-`char` ones (arm64) such bytes sort last instead.
fn order(c: u8) -> i32 {
    match c {
        b'0'..=b'9' | 0 => 0,
        b'A'..=b'Z' | b'a'..=b'z' => i32::from(c),
        b'~' => -1,
        0..=0x7f => i32::from(c) + 256,
        _ => i32::from(c),
    }
}

/// The byte at `i`, or 0 past the end (C's terminating NUL).
fn byte_at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

/// dpkg lib/dpkg/version.c `verrevcmp`: alternately compare a run of non-digits byte by byte
/// (by `order`) and a run of digits numerically (any length, leading zeros ignored). A missing
/// run is empty, and an empty digit run is 0.
fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    // A shared prefix compares equal, as long as it does not cut a digit run (whose value
    // depends on all its digits): skip it, backing up to the start of such a run.
    let mut shared = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    while shared > 0 && byte_at(a, shared - 1).is_ascii_digit() {
        shared -= 1;
    }
    let (mut i, mut j) = (shared, shared);
    loop {
        let (mut ca, mut cb) = (byte_at(a, i), byte_at(b, j));
        if ca == 0 && cb == 0 {
            return Ordering::Equal;
        }
        while (ca != 0 && !ca.is_ascii_digit()) || (cb != 0 && !cb.is_ascii_digit()) {
            let ordering = order(ca).cmp(&order(cb));
            if ordering != Ordering::Equal {
                return ordering;
            }
            // Equal weights on a non-digit: both sides hold the same byte, neither has ended.
            i += 1;
            j += 1;
            (ca, cb) = (byte_at(a, i), byte_at(b, j));
        }
        let (da, db) = (digit_run(a, &mut i), digit_run(b, &mut j));
        let ordering = da.len().cmp(&db.len()).then_with(|| da.cmp(db));
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
}

/// The run of ASCII digits at `*pos` without its leading zeros; advances `*pos` past the run.
fn digit_run<'a>(s: &'a [u8], pos: &mut usize) -> &'a [u8] {
    while byte_at(s, *pos) == b'0' {
        *pos += 1;
    }
    let start = *pos;
    while byte_at(s, *pos).is_ascii_digit() {
        *pos += 1;
    }
    s.get(start..*pos).unwrap_or_default()
}

impl Ord for DpkgVersion {
    /// dpkg `dpkg_version_compare`: epoch, then upstream, then revision (missing = empty).
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(self.upstream().as_bytes(), other.upstream().as_bytes()))
            .then_with(|| {
                let a = self.revision().unwrap_or_default();
                let b = other.revision().unwrap_or_default();
                verrevcmp(a.as_bytes(), b.as_bytes())
            })
    }
}

crate::scheme::derive_from_ord!(DpkgVersion);

impl fmt::Display for DpkgVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> DpkgVersion {
        DpkgVersion::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn cmp(a: &str, b: &str) -> Ordering {
        v(a).cmp(&v(b))
    }

    fn expected(s: &str) -> String {
        DpkgVersion::parse(s).unwrap_err().expected
    }

    #[test]
    fn tilde_sorts_before_everything_even_the_end() {
        assert_eq!(cmp("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(cmp("1.0~~", "1.0~"), Ordering::Less);
        assert_eq!(cmp("1.0~", "1.0~a"), Ordering::Less);
        assert_eq!(cmp("1.2.3-1~deb7u1", "1.2.3-1"), Ordering::Less);
    }

    #[test]
    fn letters_sort_before_non_letters_and_after_the_end() {
        assert_eq!(cmp("1.0a", "1.0+"), Ordering::Less);
        assert_eq!(cmp("1.0a", "1.0."), Ordering::Less);
        assert_eq!(cmp("1.0", "1.0a"), Ordering::Less);
        assert_eq!(
            cmp("1.0Z", "1.0a"),
            Ordering::Less,
            "ASCII order among letters"
        );
        assert_eq!(cmp("1.0.bar", "1.0bar"), Ordering::Greater);
    }

    #[test]
    fn digit_runs_compare_numerically_at_any_size() {
        assert_eq!(cmp("1.09", "1.9"), Ordering::Equal);
        assert_eq!(cmp("1.9", "1.10"), Ordering::Less);
        assert_eq!(
            cmp(
                "1.99999999999999999999999999999",
                "1.100000000000000000000000000000"
            ),
            Ordering::Less
        );
        let big = format!("1{}", "9".repeat(10_000));
        let bigger = format!("2{}", "0".repeat(10_000));
        assert_eq!(cmp(&big, &bigger), Ordering::Less);
        assert_eq!(cmp(&format!("0{big}"), &big), Ordering::Equal);
    }

    #[test]
    fn missing_epoch_is_zero_and_missing_revision_equals_zero() {
        assert_eq!(cmp("1", "0:1"), Ordering::Equal);
        assert_eq!(cmp("0foo-0", "0foo"), Ordering::Equal);
        assert_eq!(cmp("0.0.0", "0.0.0-00"), Ordering::Equal);
        assert_eq!(
            cmp("1:0.1", "2.0"),
            Ordering::Greater,
            "the epoch decides first"
        );
    }

    #[test]
    fn revision_starts_after_the_last_hyphen_and_epoch_ends_at_the_first_colon() {
        let version = v("1:2.0-rc-1:3-4");
        assert_eq!(version.epoch(), 1);
        assert_eq!(version.upstream(), "2.0-rc-1:3");
        assert_eq!(version.revision(), Some("4"));
        let plain = v("2.0");
        assert_eq!(
            (plain.epoch(), plain.upstream(), plain.revision()),
            (0, "2.0", None)
        );
        assert_eq!(
            cmp(
                "12345+that-really-is-some-ver-0",
                "12345+that-really-is-some-ver-10"
            ),
            Ordering::Less
        );
    }

    #[test]
    fn hard_errors_of_parseversion_are_refused() {
        assert_eq!(expected(""), "a non-empty version");
        assert_eq!(expected(" \t "), "a non-empty version");
        assert_eq!(expected("1 .0"), "no spaces or tabs inside the version");
        assert_eq!(expected(":1"), "a number (the epoch) before the first `:`");
        assert_eq!(expected("a:1"), "a number (the epoch) before the first `:`");
        assert_eq!(
            expected("1a:1"),
            "a number (the epoch) before the first `:`"
        );
        assert_eq!(expected("-1:2"), "a non-negative epoch");
        assert_eq!(expected("2147483648:1"), "an epoch of at most 2147483647");
        assert_eq!(
            expected(&format!("{}:1", "9".repeat(10_000))),
            "an epoch of at most 2147483647"
        );
        assert_eq!(expected("1:"), "an upstream version after the epoch's `:`");
        assert_eq!(expected("1.0-"), "a revision after the last `-`");
        assert_eq!(expected("-1"), "an upstream version before the last `-`");
        assert_eq!(expected("1:-1"), "an upstream version before the last `-`");
        assert_eq!(expected("1\0"), "no NUL character");
        let err = DpkgVersion::parse("1.0-").unwrap_err();
        assert_eq!(err.scheme, Scheme::Dpkg);
        assert_eq!(err.input, "1.0-");
    }

    #[test]
    fn what_dpkg_only_warns_about_is_accepted() {
        // `dpkg --compare-versions` warns "does not start with digit" / "invalid character".
        for text in [
            "svn3918ppa1~lucid1",
            "<unfixed>",
            "1.0_1",
            "1.0-1_2",
            "1.0é",
            "αβγ",
            "1\n",
        ] {
            assert!(DpkgVersion::parse(text).is_ok(), "{text:?}");
        }
        assert_eq!(cmp("a", "b"), Ordering::Less);
    }

    #[test]
    fn epoch_is_read_like_strtol() {
        assert_eq!(v("+1:2").epoch(), 1);
        assert_eq!(v("-0:2").epoch(), 0);
        assert_eq!(v("007:2").epoch(), 7);
        assert_eq!(v("\u{b}3:2").epoch(), 3);
        assert_eq!(v("2147483647:1").epoch(), 2_147_483_647);
    }

    #[test]
    fn surrounding_blanks_are_trimmed() {
        let version = v(" \t1.0-1 ");
        assert_eq!(version.to_string(), "1.0-1");
        assert_eq!(version, v("1.0-1"));
    }

    #[test]
    fn non_ascii_bytes_sort_between_letters_and_punctuation() {
        // amd64 dpkg: a byte 0x80-0xFF weighs its own value, between `z` (122) and `+` (299).
        assert_eq!(cmp("1é", "1z"), Ordering::Greater);
        assert_eq!(cmp("1é", "1+"), Ordering::Less);
        assert_eq!(cmp("1é", "1~"), Ordering::Greater);
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "1:2.0-1",
            "0foo~1",
            "2.7.4+reloaded2-13ubuntu1",
            "1:2:3",
            "+1:2",
        ] {
            let version = v(text);
            assert_eq!(version.to_string(), text);
            assert_eq!(v(&version.to_string()), version);
        }
    }
}
