//! PEP 440 versions (PyPI) ordered as `packaging.version.Version` (`_cmpkey`), plus the
//! `LegacyVersion` fallback of `packaging` < 22 for strings that are not PEP 440, which sort
//! before every valid version.

// Checked against `packaging` 21.3 (the last with `LegacyVersion`). osv-scalibr's
// `semantic/version-pypi.go` approximates the legacy key: it drops characters outside
// `\d+|[a-z]+|.|-` (re.split keeps them as parts) and compares the joined parts as one string
// (packaging compares the tuple); it also lower-cases before matching, so `İ`/`ı`/`ſ`/`K` quirks
// of Python's case-insensitive regex do not arise there.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use crate::num::Num;
use crate::{ParseError, Scheme};

/// A parsed PyPI version: a PEP 440 version, or a legacy (non-PEP 440) one.
///
/// `Display` prints the input as given; [`Pep440Version::normalized`] gives the canonical form.
/// Legacy versions ([`Pep440Version::is_legacy`]) are ordered by `packaging` 21's
/// `_legacy_cmpkey` and always sort before every PEP 440 version (their epoch is -1).
///
/// `parse` refuses what no registry would publish and `packaging` would only have accepted as a
/// legacy version: the empty string, whitespace only, and any control character; whitespace is
/// also refused inside a legacy version (only a PEP 440 version may be padded with whitespace,
/// as the spec allows).
#[derive(Clone, Debug)]
pub struct Pep440Version {
    original: Box<str>,
    kind: Kind,
}

#[derive(Clone, Debug)]
enum Kind {
    Valid(Release),
    Legacy(Vec<Box<str>>),
}

/// The parsed parts of a PEP 440 version, as `packaging`'s `_Version` tuple holds them.
#[derive(Clone, Debug)]
struct Release {
    epoch: Num,
    /// As written (trailing zeros kept for `normalized`; `cmp` ignores them).
    release: Vec<Num>,
    pre: Option<(Letter, Num)>,
    post: Option<(Letter, Num)>,
    dev: Option<Num>,
    local: Option<Vec<LocalPart>>,
}

/// A pre- or post-release letter after `_parse_letter_version`: lower-cased and mapped
/// (`alpha`→`a`, `beta`→`b`, `c`/`pre`/`preview`→`rc`, `rev`/`r`→`post`). Python's
/// case-insensitive match also lets `ı`, `İ` (for `i`) and `ſ` (for `s`) through, which the
/// mapping then does not recognise: such letters stay as spelt and compare as strings.
type Letter = Cow<'static, str>;

#[derive(Clone, Debug, PartialEq, Eq)]
enum LocalPart {
    Number(Num),
    Text(Box<str>),
}

impl Ord for LocalPart {
    /// `_cmpkey`: numeric segments are `(n, "")`, others `(-inf, s)`: any number beats any text.
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (LocalPart::Number(a), LocalPart::Number(b)) => a.cmp(b),
            (LocalPart::Text(a), LocalPart::Text(b)) => a.cmp(b),
            (LocalPart::Number(_), LocalPart::Text(_)) => Ordering::Greater,
            (LocalPart::Text(_), LocalPart::Number(_)) => Ordering::Less,
        }
    }
}

impl PartialOrd for LocalPart {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Python's `\s` on `str` (`str.isspace`): Unicode white space plus U+001C..U+001F.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The start and end of every run of Unicode decimal digits (general category `Nd`, Unicode
/// 14, as Python 3.11's `\d` and `str.isdecimal`); each run counts 0..9 from its start (the
/// mathematical digits at U+1D7CE are five runs in one range).
const DECIMAL_RANGES: &[(u32, u32)] = &[
    (0x30, 0x39),
    (0x660, 0x669),
    (0x6F0, 0x6F9),
    (0x7C0, 0x7C9),
    (0x966, 0x96F),
    (0x9E6, 0x9EF),
    (0xA66, 0xA6F),
    (0xAE6, 0xAEF),
    (0xB66, 0xB6F),
    (0xBE6, 0xBEF),
    (0xC66, 0xC6F),
    (0xCE6, 0xCEF),
    (0xD66, 0xD6F),
    (0xDE6, 0xDEF),
    (0xE50, 0xE59),
    (0xED0, 0xED9),
    (0xF20, 0xF29),
    (0x1040, 0x1049),
    (0x1090, 0x1099),
    (0x17E0, 0x17E9),
    (0x1810, 0x1819),
    (0x1946, 0x194F),
    (0x19D0, 0x19D9),
    (0x1A80, 0x1A89),
    (0x1A90, 0x1A99),
    (0x1B50, 0x1B59),
    (0x1BB0, 0x1BB9),
    (0x1C40, 0x1C49),
    (0x1C50, 0x1C59),
    (0xA620, 0xA629),
    (0xA8D0, 0xA8D9),
    (0xA900, 0xA909),
    (0xA9D0, 0xA9D9),
    (0xA9F0, 0xA9F9),
    (0xAA50, 0xAA59),
    (0xABF0, 0xABF9),
    (0xFF10, 0xFF19),
    (0x104A0, 0x104A9),
    (0x10D30, 0x10D39),
    (0x11066, 0x1106F),
    (0x110F0, 0x110F9),
    (0x11136, 0x1113F),
    (0x111D0, 0x111D9),
    (0x112F0, 0x112F9),
    (0x11450, 0x11459),
    (0x114D0, 0x114D9),
    (0x11650, 0x11659),
    (0x116C0, 0x116C9),
    (0x11730, 0x11739),
    (0x118E0, 0x118E9),
    (0x11950, 0x11959),
    (0x11C50, 0x11C59),
    (0x11D50, 0x11D59),
    (0x11DA0, 0x11DA9),
    (0x16A60, 0x16A69),
    (0x16AC0, 0x16AC9),
    (0x16B50, 0x16B59),
    (0x1D7CE, 0x1D7FF),
    (0x1E140, 0x1E149),
    (0x1E2F0, 0x1E2F9),
    (0x1E950, 0x1E959),
    (0x1FBF0, 0x1FBF9),
];

/// The value of a Unicode decimal digit (`Nd`), or `None`: Python's `str.isdigit`-style `\d` in
/// `packaging`'s regular expression matches these.
fn unicode_decimal_value(c: char) -> Option<u32> {
    let code = u32::from(c);
    let index = DECIMAL_RANGES.partition_point(|&(_, end)| end < code);
    match DECIMAL_RANGES.get(index) {
        Some(&(start, _)) if start <= code => Some((code - start) % 10),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// PEP 440 parsing: a hand-written matcher for `packaging.version.VERSION_PATTERN`, compiled
// with re.VERBOSE | re.IGNORECASE and anchored as `^\s*` ... `\s*$`.
// ---------------------------------------------------------------------------------------------

/// A cursor over the input; positions are byte offsets.
#[derive(Clone, Copy)]
struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        self.s.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn at(&self, pos: usize) -> Cursor<'a> {
        Cursor { s: self.s, pos }
    }

    /// `[-_\.]?`, greedy: the positions to try, in the order the regex tries them.
    fn separator(&self) -> impl Iterator<Item = usize> + use<> {
        let with = matches!(self.peek(), Some('-' | '_' | '.')).then_some(self.pos + 1);
        with.into_iter().chain(std::iter::once(self.pos))
    }

    /// `[0-9]+` (ASCII only, as in the pattern), greedy: the end of the run, if any digit.
    fn digits(&self) -> Option<usize> {
        let n = self.rest().bytes().take_while(u8::is_ascii_digit).count();
        (n > 0).then_some(self.pos + n)
    }

    /// A keyword under `re.IGNORECASE`: the end of the match.
    fn keyword(&self, word: &str) -> Option<usize> {
        let mut chars = self.rest().char_indices();
        for expected in word.chars() {
            let (_, c) = chars.next()?;
            if !ignorecase_eq(expected, c) {
                return None;
            }
        }
        Some(chars.next().map_or(self.s.len(), |(i, _)| self.pos + i))
    }
}

/// Whether `c` matches the lower-case ASCII letter or digit `expected` under Python's
/// `re.IGNORECASE` on `str`: ASCII case folding, plus the Unicode equivalences `sre` knows for
/// these letters (`i`: U+0130 `İ`, U+0131 `ı`; `s`: U+017F `ſ`; `k`: U+212A Kelvin sign).
fn ignorecase_eq(expected: char, c: char) -> bool {
    if c.to_ascii_lowercase() == expected {
        return true;
    }
    match expected {
        'i' => matches!(c, '\u{130}' | '\u{131}'),
        's' => c == '\u{17f}',
        'k' => c == '\u{212a}',
        _ => false,
    }
}

/// `[a-z0-9]` under `re.IGNORECASE`.
fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '\u{130}' | '\u{131}' | '\u{17f}' | '\u{212a}')
}

/// A matched `(letter, number)` group: byte ranges into the input.
type Group = (Option<(usize, usize)>, Option<(usize, usize)>);

const PRE_LETTERS: &[&str] = &["a", "b", "c", "rc", "alpha", "beta", "pre", "preview"];
const POST_LETTERS: &[&str] = &["post", "rev", "r"];

/// `sep? LETTER sep? NUMBER?` with the letters tried in pattern order; calls `next` with each
/// candidate end in the order a backtracking regex engine would, until it accepts one.
fn letter_group<R>(
    cur: Cursor<'_>,
    letters: &[&str],
    next: &mut dyn FnMut(usize, Group) -> Option<R>,
) -> Option<R> {
    for after_sep in cur.separator() {
        for word in letters {
            let Some(after_word) = cur.at(after_sep).keyword(word) else {
                continue;
            };
            let letter = Some((after_sep, after_word));
            for after_sep2 in cur.at(after_word).separator() {
                if let Some(end) = cur.at(after_sep2).digits()
                    && let Some(r) = next(end, (letter, Some((after_sep2, end))))
                {
                    return Some(r);
                }
                if let Some(r) = next(after_sep2, (letter, None)) {
                    return Some(r);
                }
            }
        }
    }
    None
}

/// The optional local segment, trailing whitespace and the end of input, from `pos`.
/// Returns the local segment's byte range (without `+`) when the rest matches.
fn tail(cur: Cursor<'_>) -> Option<Option<(usize, usize)>> {
    let mut local = None;
    let mut pos = cur.pos;
    if cur.peek() == Some('+') {
        let start = pos + 1;
        let mut end = start;
        let mut chars = cur.at(start).rest().char_indices().peekable();
        let mut need_char = true;
        // [a-z0-9]+ (?:[-_.][a-z0-9]+)*, greedy; a separator not followed by a character is
        // not consumed (and then the end of input cannot match).
        while let Some(&(i, c)) = chars.peek() {
            if is_local_char(c) {
                chars.next();
                end = start + i + c.len_utf8();
                need_char = false;
            } else if !need_char && matches!(c, '-' | '_' | '.') {
                let mut look = chars.clone();
                look.next();
                match look.peek() {
                    Some(&(_, d)) if is_local_char(d) => {
                        chars.next();
                        need_char = true;
                    }
                    _ => break,
                }
            } else {
                break;
            }
        }
        if end == start {
            // `+` without a local segment: the whole pattern fails here.
            return None;
        }
        local = Some((start, end));
        pos = end;
    }
    cur.at(pos).rest().chars().all(is_py_space).then_some(local)
}

struct Matched {
    epoch: Option<(usize, usize)>,
    release: (usize, usize),
    pre: Option<Group>,
    post: Option<Group>,
    dev: Option<Group>,
    local: Option<(usize, usize)>,
}

fn match_pattern(input: &str) -> Option<Matched> {
    let lead = input.len() - input.trim_start_matches(is_py_space).len();
    let mut cur = Cursor {
        s: input,
        pos: lead,
    };
    // `v?`: greedy, and nothing after it could start with `v`, so no backtracking needed.
    if matches!(cur.peek(), Some('v' | 'V')) {
        cur.pos += 1;
    }
    // `(?:(?P<epoch>[0-9]+)!)?`
    let mut epoch = None;
    if let Some(end) = cur.digits()
        && cur.at(end).peek() == Some('!')
    {
        epoch = Some((cur.pos, end));
        cur.pos = end + 1;
    }
    // `[0-9]+(?:\.[0-9]+)*`: greedy; giving back a `.N` can never help, since nothing after
    // the release segment accepts a digit right after a `.`.
    let release_start = cur.pos;
    let mut end = cur.digits()?;
    while cur.at(end).peek() == Some('.') {
        match cur.at(end + 1).digits() {
            Some(next) => end = next,
            None => break,
        }
    }
    let release = (release_start, end);
    let after_release = cur.at(end);

    // `(?P<pre>...)?`, `(?P<post>...)?`, `(?P<dev>...)?`: each optional group is tried first
    // present (in its own alternative order), then absent.
    let with_post = |pos: usize, pre: Option<Group>| -> Option<Matched> {
        let with_dev = |pos: usize, post: Option<Group>| -> Option<Matched> {
            let finish = |pos: usize, dev: Option<Group>| -> Option<Matched> {
                let local = tail(cur.at(pos))?;
                Some(Matched {
                    epoch,
                    release,
                    pre,
                    post,
                    dev,
                    local,
                })
            };
            letter_group(cur.at(pos), &["dev"], &mut |p, g| finish(p, Some(g)))
                .or_else(|| finish(pos, None))
        };
        // `(?:-(?P<post_n1>[0-9]+))` is the first alternative.
        let implicit = (cur.at(pos).peek() == Some('-'))
            .then(|| cur.at(pos + 1).digits())
            .flatten()
            .and_then(|end| with_dev(end, Some((None, Some((pos + 1, end))))));
        implicit
            .or_else(|| letter_group(cur.at(pos), POST_LETTERS, &mut |p, g| with_dev(p, Some(g))))
            .or_else(|| with_dev(pos, None))
    };
    letter_group(after_release, PRE_LETTERS, &mut |p, g| {
        with_post(p, Some(g))
    })
    .or_else(|| with_post(after_release.pos, None))
}

/// `_parse_letter_version`: lower-case, map the alternative spellings, an implicit number 0.
fn letter_version(input: &str, group: Group, implicit: &'static str) -> (Letter, Num) {
    let number = group
        .1
        .and_then(|(s, e)| input.get(s..e))
        .map_or(Num::ZERO, Num::from_digits);
    let letter: Letter = match group.0.and_then(|(s, e)| input.get(s..e)) {
        None => Cow::Borrowed(implicit),
        Some(text) => {
            const SPELLINGS: &[(&str, &str)] = &[
                ("a", "a"),
                ("alpha", "a"),
                ("b", "b"),
                ("beta", "b"),
                ("rc", "rc"),
                ("c", "rc"),
                ("pre", "rc"),
                ("preview", "rc"),
                ("post", "post"),
                ("rev", "post"),
                ("r", "post"),
                ("dev", "dev"),
            ];
            // Python's `str.lower()`; only the non-ASCII spellings need the allocation.
            match SPELLINGS
                .iter()
                .find(|(spelling, _)| spelling.eq_ignore_ascii_case(text))
            {
                Some((_, mapped)) => Cow::Borrowed(*mapped),
                None => Cow::Owned(text.to_lowercase()),
            }
        }
    };
    (letter, number)
}

fn build(input: &str, m: &Matched) -> Release {
    let slice = |(s, e): (usize, usize)| input.get(s..e).unwrap_or("0");
    let epoch = m.epoch.map_or(Num::ZERO, |r| Num::from_digits(slice(r)));
    let release = slice(m.release).split('.').map(Num::from_digits).collect();
    let local = m.local.map(|r| {
        slice(r)
            .split(['-', '_', '.'])
            .map(|part| {
                // `part.isdigit()`: the pattern only lets ASCII digits through.
                if part.bytes().all(|b| b.is_ascii_digit()) {
                    LocalPart::Number(Num::from_digits(part))
                } else {
                    LocalPart::Text(part.to_lowercase().into())
                }
            })
            .collect()
    });
    Release {
        epoch,
        release,
        pre: m.pre.map(|g| letter_version(input, g, "")),
        post: m.post.map(|g| letter_version(input, g, "post")),
        dev: m.dev.map(|g| letter_version(input, g, "dev").1),
        local,
    }
}

// ---------------------------------------------------------------------------------------------
// Legacy versions: `packaging` 21.3 `_legacy_cmpkey`.
// ---------------------------------------------------------------------------------------------

/// `_legacy_cmpkey(version)[1]`: the parts tuple (the epoch is always -1).
fn legacy_key(input: &str) -> Vec<Box<str>> {
    let lower = input.to_lowercase();
    let mut parts: Vec<Box<str>> = Vec::new();
    for part in legacy_components(&lower) {
        // `_legacy_version_replacement_map`.
        let part = match part {
            "pre" | "preview" | "rc" => "c",
            "-" => "final-",
            "dev" => "@",
            other => other,
        };
        if part.is_empty() || part == "." {
            continue;
        }
        let part: Box<str> = if part.starts_with(|c: char| c.is_ascii_digit()) {
            // `part.zfill(8)`: left-pad with zeros to 8 characters.
            let width = part.chars().count();
            let mut padded = "0".repeat(8usize.saturating_sub(width));
            padded.push_str(part);
            padded.into()
        } else {
            let part = format!("*{part}");
            // "remove '-' before a prerelease tag".
            if part.as_str() < "*final" {
                while parts.last().is_some_and(|p| &**p == "*final-") {
                    parts.pop();
                }
            }
            // "remove trailing zeros from each series of numeric parts".
            while parts.last().is_some_and(|p| &**p == "00000000") {
                parts.pop();
            }
            part.into()
        };
        parts.push(part);
    }
    // `_parse_version_parts` ends with "*final", which goes through the same trimming.
    while parts.last().is_some_and(|p| &**p == "00000000") {
        parts.pop();
    }
    parts.push("*final".into());
    parts
}

/// `re.split(r"(\d+ | [a-z]+ | \.| -)", s)` without the empty strings: the matches, and the
/// runs of other characters between them (which `re.split` keeps too).
fn legacy_components(s: &str) -> impl Iterator<Item = &str> {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Digit,
        Alpha,
        Single,
        Other,
    }
    let class = |c: char| {
        if c == '.' || c == '-' {
            Class::Single
        } else if c.is_ascii_lowercase() {
            Class::Alpha
        } else if unicode_decimal_value(c).is_some() {
            Class::Digit
        } else {
            Class::Other
        }
    };
    let mut rest = s;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let kind = class(first);
        let len = if kind == Class::Single {
            1
        } else {
            rest.char_indices()
                .find(|&(_, c)| class(c) != kind)
                .map_or(rest.len(), |(i, _)| i)
        };
        let (part, tail) = rest.split_at(len);
        rest = tail;
        Some(part)
    })
}

// ---------------------------------------------------------------------------------------------

impl Pep440Version {
    /// Parses `input`: a PEP 440 version if it matches the spec's pattern (surrounding
    /// whitespace, a leading `v` and any letter case allowed), else a legacy version.
    pub fn parse(input: &str) -> Result<Pep440Version, ParseError> {
        if input.chars().all(is_py_space) {
            return Err(ParseError::new(
                Scheme::Pep440,
                input,
                "a non-empty version",
            ));
        }
        if input.chars().any(|c| c.is_control() && !is_py_space(c)) {
            return Err(ParseError::new(
                Scheme::Pep440,
                input,
                "a version without control characters",
            ));
        }
        let kind = match match_pattern(input) {
            Some(m) => Kind::Valid(build(input, &m)),
            None if input.chars().any(is_py_space) => {
                return Err(ParseError::new(
                    Scheme::Pep440,
                    input,
                    "a PEP 440 version (only those may carry whitespace), or a legacy version \
                     without whitespace",
                ));
            }
            None => Kind::Legacy(legacy_key(input)),
        };
        Ok(Pep440Version {
            original: input.into(),
            kind,
        })
    }

    /// Whether this is a legacy (non-PEP 440) version, sorted before all PEP 440 versions.
    pub fn is_legacy(&self) -> bool {
        matches!(self.kind, Kind::Legacy(_))
    }

    /// The canonical PEP 440 form, as `str(packaging.version.Version(...))`: `1!2.0rc1.post3.dev4+abc.5`
    /// (lower case, no `v`, no leading zeros, `-`/`_` as `.`, implicit numbers spelt out).
    /// A legacy version is returned as given.
    pub fn normalized(&self) -> String {
        let Kind::Valid(v) = &self.kind else {
            return self.original.to_string();
        };
        let mut out = String::new();
        if !v.epoch.is_zero() {
            out.push_str(&format!("{}!", v.epoch));
        }
        let release: Vec<String> = v.release.iter().map(Num::to_string).collect();
        out.push_str(&release.join("."));
        if let Some((letter, n)) = &v.pre {
            out.push_str(&format!("{letter}{n}"));
        }
        if let Some((_, n)) = &v.post {
            // `str()` prints `.post` whatever the letter was.
            out.push_str(&format!(".post{n}"));
        }
        if let Some(n) = &v.dev {
            out.push_str(&format!(".dev{n}"));
        }
        if let Some(local) = &v.local {
            let parts: Vec<String> = local
                .iter()
                .map(|p| match p {
                    LocalPart::Number(n) => n.to_string(),
                    LocalPart::Text(t) => t.to_string(),
                })
                .collect();
            out.push('+');
            out.push_str(&parts.join("."));
        }
        out
    }
}

/// `_cmpkey`'s sentinels: `NegativeInfinity < (any tuple) < Infinity`.
fn cmp_optional<T: Ord>(
    a: Option<&T>,
    b: Option<&T>,
    none_is_less: bool,
    cmp: impl Fn(&T, &T) -> Ordering,
) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => cmp(x, y),
        (None, None) => Ordering::Equal,
        (None, Some(_)) => {
            if none_is_less {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
        (Some(_), None) => {
            if none_is_less {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

/// Release segments compare as if zero-padded (`_cmpkey` strips trailing zeros).
fn cmp_release(a: &[Num], b: &[Num]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        let o = match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(x), None) if !x.is_zero() => Ordering::Greater,
            (None, Some(y)) if !y.is_zero() => Ordering::Less,
            _ => Ordering::Equal,
        };
        if o.is_ne() {
            return o;
        }
    }
    Ordering::Equal
}

/// The pre-release position in `_cmpkey`: a dev release with no pre or post release sorts
/// before every pre-release (`1.0.dev0 < 1.0a0`); no pre-release sorts after all of them.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum PreKey<'a> {
    DevOnly,
    Pre(&'a Letter, &'a Num),
    Final,
}

impl Release {
    fn pre_key(&self) -> PreKey<'_> {
        match &self.pre {
            Some((letter, n)) => PreKey::Pre(letter, n),
            None if self.post.is_none() && self.dev.is_some() => PreKey::DevOnly,
            None => PreKey::Final,
        }
    }

    fn cmp(&self, other: &Release) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| cmp_release(&self.release, &other.release))
            .then_with(|| self.pre_key().cmp(&other.pre_key()))
            .then_with(|| cmp_optional(self.post.as_ref(), other.post.as_ref(), true, Ord::cmp))
            .then_with(|| cmp_optional(self.dev.as_ref(), other.dev.as_ref(), false, Ord::cmp))
            .then_with(|| {
                cmp_optional(self.local.as_ref(), other.local.as_ref(), true, |a, b| {
                    a.cmp(b)
                })
            })
    }
}

impl Ord for Pep440Version {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.kind, &other.kind) {
            (Kind::Valid(a), Kind::Valid(b)) => a.cmp(b),
            // Legacy keys carry epoch -1: below every PEP 440 version.
            (Kind::Legacy(_), Kind::Valid(_)) => Ordering::Less,
            (Kind::Valid(_), Kind::Legacy(_)) => Ordering::Greater,
            (Kind::Legacy(a), Kind::Legacy(b)) => a.cmp(b),
        }
    }
}

crate::scheme::derive_from_ord!(Pep440Version);

impl fmt::Display for Pep440Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Pep440Version {
        Pep440Version::parse(s).unwrap()
    }

    fn order(a: &str, b: &str) -> Ordering {
        let o = v(a).cmp(&v(b));
        assert_eq!(v(b).cmp(&v(a)), o.reverse(), "antisymmetry of {a} / {b}");
        o
    }

    #[track_caller]
    fn ascending(list: &[&str]) {
        for pair in list.windows(2) {
            assert_eq!(
                order(pair[0], pair[1]),
                Ordering::Less,
                "{} < {}",
                pair[0],
                pair[1]
            );
        }
    }

    #[test]
    fn cmpkey_order_dev_pre_final_post_local() {
        ascending(&[
            "1.0.dev0",
            "1.0.dev1",
            "1.0a0.dev0",
            "1.0a0",
            "1.0a1",
            "1.0b1",
            "1.0rc1",
            "1.0rc1.post1.dev0",
            "1.0rc1.post1",
            "1.0",
            "1.0+abc",
            "1.0+1",
            "1.0.post0.dev0",
            "1.0.post0",
            "1.0.post1",
            "1.0.1",
            "1!0.1",
        ]);
    }

    #[test]
    fn trailing_zeros_are_insignificant() {
        assert_eq!(order("1.0", "1.0.0.0"), Ordering::Equal);
        assert_eq!(order("1", "1.0.0.1"), Ordering::Less);
        assert_eq!(order("01.002", "1.2"), Ordering::Equal);
    }

    #[test]
    fn spellings_normalise() {
        let cases = [
            ("V1.0-ALPHA_2", "1.0a2"),
            ("1.0c", "1.0rc0"),
            ("1.0.preview.3", "1.0rc3"),
            ("1.0-1", "1.0.post1"),
            ("1.0-r", "1.0.post0"),
            ("1.0rev4", "1.0.post4"),
            ("1.0-dev", "1.0.dev0"),
            ("0!1.0+Ab-01_c", "1.0+ab.1.c"),
            ("  \u{3000}2!1.0a-1\n", "2!1.0a1"),
            ("1.0a.", "1.0a0"),
        ];
        for (input, canonical) in cases {
            let parsed = v(input);
            assert!(!parsed.is_legacy(), "{input}");
            assert_eq!(parsed.normalized(), canonical, "{input}");
            assert_eq!(order(input, canonical), Ordering::Equal, "{input}");
            assert_eq!(parsed.to_string(), input);
        }
    }

    #[test]
    fn local_segments_compare_numbers_above_text() {
        ascending(&[
            "1.0", "1.0+a", "1.0+a.1", "1.0+b", "1.0+0", "1.0+1", "1.0+1.a", "1.0+2",
        ]);
        assert_eq!(order("1.0+ABC", "1.0+abc"), Ordering::Equal);
        assert_eq!(order("1.0+a-1", "1.0+a.01"), Ordering::Equal);
    }

    #[test]
    fn python_ignorecase_admits_dotless_i_long_s_and_kelvin() {
        // `re.IGNORECASE` lets these through, and `_parse_letter_version` then does not map
        // them: the letter stays as spelt and compares as a string.
        let odd = v("1.0prev\u{131}ew1");
        assert!(!odd.is_legacy());
        assert_eq!(odd.normalized(), "1.0prev\u{131}ew1");
        assert_eq!(order("1.0prev\u{131}ew1", "1.0rc1"), Ordering::Less);
        assert_eq!(order("1.0.po\u{17f}t1", "1.0.post9"), Ordering::Greater);
        assert_eq!(v("1.0+\u{212a}").normalized(), "1.0+k");
    }

    #[test]
    fn big_numbers_never_overflow() {
        let huge = "9".repeat(10_000);
        let a = format!("{huge}!1.{huge}rc{huge}.post{huge}.dev{huge}+{huge}");
        assert!(!v(&a).is_legacy());
        assert_eq!(order(&a, &a), Ordering::Equal);
        assert_eq!(
            order(&format!("1.{huge}"), &format!("1.1{huge}")),
            Ordering::Less
        );
        assert!(v(&a).normalized().starts_with(&huge));
    }

    #[test]
    fn legacy_versions_sort_first_with_setuptools_keys() {
        for s in [
            "0.1-bulbasaur",
            "-class.-jw.util.version.version-pre",
            "foo",
            "1.0_x!",
        ] {
            assert!(v(s).is_legacy(), "{s}");
            assert_eq!(v(s).normalized(), s);
        }
        ascending(&["0.1-bulbasaur", "0.1-charmander", "0.9-doduo", "0!0.0.dev0"]);
        // `pre`, `preview` and `rc` are all `c`; `dev` (`@`) sorts before letters.
        assert_eq!(order("1.0-x-pre", "1.0-x-rc"), Ordering::Equal);
        assert_eq!(order("1.0-x-dev", "1.0-x-a"), Ordering::Less);
        // Runs of other characters are parts too (re.split keeps them), and numbers are
        // zero-padded strings, trailing zero runs removed.
        assert_eq!(order("x.1.0.0", "x.1"), Ordering::Equal);
        assert_eq!(order("1.0_x", "1.0x"), Ordering::Less);
        // A non-ASCII digit run is not zero-padded but starred, and `*` sorts before `0`.
        assert_eq!(order("x-\u{663}", "x-3"), Ordering::Less);
    }

    #[test]
    fn refuses_empty_blank_control_and_spaced_legacy() {
        let expect = |s: &str, text: &str| {
            let err = Pep440Version::parse(s).unwrap_err();
            assert_eq!(err.scheme, Scheme::Pep440);
            assert!(err.expected.contains(text), "{s}: {}", err.expected);
        };
        expect("", "non-empty");
        expect(" \t\u{3000}", "non-empty");
        expect("1.0\u{0}", "control characters");
        expect("1.0\u{7f}", "control characters");
        expect("1.0 beta", "legacy version without whitespace");
        expect(" foo", "legacy version without whitespace");
        // Whitespace around a valid version is fine, as the spec says.
        assert_eq!(v("\t1.0\r\n").normalized(), "1.0");
    }

    #[test]
    fn hostile_inputs_parse_or_fail_without_panicking() {
        for s in [
            "+",
            "!",
            "1!",
            "1.0+",
            "1.0+a..b",
            "v",
            "1.0-",
            "\u{1F600}",
            "ǅ",
            "...",
        ] {
            let parsed = v(s);
            assert!(parsed.is_legacy(), "{s}");
            assert_eq!(v(&parsed.to_string()), parsed);
        }
    }
}
