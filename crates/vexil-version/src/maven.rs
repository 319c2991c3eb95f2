//! Maven version ordering: `org.apache.maven.artifact.versioning.ComparableVersion` of
//! maven-artifact 3.9.x (the classic implementation; 3.8.7 behaves the same), not the Maven 4
//! `compat/` rewrite with its `CombinationItem`.

// Where osv-scalibr's `semantic/version-maven.go` differs (it re-derives the POM spec rather
// than porting the Java): it predates MNG-7644 (`1.0.0.RC1 > 1.0.0-RC2` there, `<` here), it
// compares numbers by value only (Java ranks int < long < big by digit count first), and it
// treats `1-ga-1` as equal to `1-1` (Java: `1-1` is greater, an int beats a sub-list).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::num::Num;
use crate::{ParseError, Scheme};

/// A parsed Maven version.
///
/// Every string parses under Maven (`ComparableVersion` never rejects input); Vexil only refuses
/// the empty string and strings containing whitespace or control characters, which are never
/// real versions but extraction mistakes.
///
/// The ordering is Maven's, including its known non-transitivity on exotic mixes of `.` and `-`
/// qualifiers (`1-alpha > 1.sp.1 > 1 > 1-alpha`): `Ord` reproduces upstream, it does not repair it.
#[derive(Clone, Debug)]
pub struct MavenVersion {
    original: Box<str>,
    /// The normalised item tree, flattened (see [`Item`]).
    items: Vec<Item>,
}

/// One element of the flattened item tree.
///
/// In `ComparableVersion` a sub-list is only ever opened as the *last* child of the current list
/// (`list.add(list = new ListItem())`), and parsing never returns to the parent. So every list is
/// "scalars, then at most one sub-list", and the whole tree is a chain that a flat sequence
/// describes exactly: [`Item::List`] means "everything after this belongs to a new sub-list".
#[derive(Clone, Debug, PartialEq, Eq)]
enum Item {
    /// `IntItem` / `LongItem` / `BigIntegerItem`. Upstream compares the *kind* first (an int is
    /// always less than a long), and the kind comes from the digit count, not the value.
    Number(NumKind, Num),
    /// `StringItem`, with aliases already applied.
    Qualifier(Qualifier),
    /// Start of a nested `ListItem` that holds the rest of the sequence.
    List,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum NumKind {
    Int,
    Long,
    Big,
}

/// A `StringItem` value. Known qualifiers sort by their index in Maven's `QUALIFIERS` list
/// (`alpha, beta, milestone, rc, snapshot, "", sp`); unknown ones sort after all of them,
/// lexically (`comparableQualifier` returns `"7-" + value`).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Qualifier {
    Alpha,
    Beta,
    Milestone,
    Rc,
    Snapshot,
    /// The empty qualifier, also spelled `ga`, `final` or `release`.
    Release,
    Sp,
    Unknown(Box<str>),
}

impl Qualifier {
    fn new(value: &str, followed_by_digit: bool) -> Qualifier {
        match value {
            // `StringItem(value, followedByDigit)`: one-letter a/b/m only when a digit follows.
            "a" if followed_by_digit => Qualifier::Alpha,
            "b" if followed_by_digit => Qualifier::Beta,
            "m" if followed_by_digit => Qualifier::Milestone,
            "alpha" => Qualifier::Alpha,
            "beta" => Qualifier::Beta,
            "milestone" => Qualifier::Milestone,
            // ALIASES: cr -> rc; ga, final, release -> "".
            "rc" | "cr" => Qualifier::Rc,
            "snapshot" => Qualifier::Snapshot,
            "ga" | "final" | "release" => Qualifier::Release,
            "sp" => Qualifier::Sp,
            other => Qualifier::Unknown(other.into()),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Qualifier::Alpha => 0,
            Qualifier::Beta => 1,
            Qualifier::Milestone => 2,
            Qualifier::Rc => 3,
            Qualifier::Snapshot => 4,
            Qualifier::Release => 5,
            Qualifier::Sp => 6,
            Qualifier::Unknown(_) => 7,
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Qualifier::Alpha => "alpha",
            Qualifier::Beta => "beta",
            Qualifier::Milestone => "milestone",
            Qualifier::Rc => "rc",
            Qualifier::Snapshot => "snapshot",
            Qualifier::Release => "",
            Qualifier::Sp => "sp",
            Qualifier::Unknown(s) => s,
        }
    }
}

impl Ord for Qualifier {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            // Java `String.compareTo`: UTF-16 code units, not code points.
            (Qualifier::Unknown(a), Qualifier::Unknown(b)) => cmp_utf16(a, b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Qualifier {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Orders two strings as Java's `String.compareTo` does (by UTF-16 code unit), without
/// allocating. It differs from `str` order only between a supplementary character and a BMP
/// character at or above U+E000.
fn cmp_utf16(a: &str, b: &str) -> Ordering {
    let mut left = a.chars();
    let mut right = b.chars();
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x == y => {}
            (Some(x), Some(y)) => {
                let mut bx = [0u16; 2];
                let mut by = [0u16; 2];
                return x.encode_utf16(&mut bx)[0].cmp(&y.encode_utf16(&mut by)[0]);
            }
        }
    }
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Number(_, n) => n.is_zero(),
            Item::Qualifier(q) => *q == Qualifier::Release,
            Item::List => false,
        }
    }

    /// `item.compareTo(null)` for a scalar: how it compares with padding.
    fn cmp_null(&self) -> Ordering {
        match self {
            Item::Number(_, n) => {
                if n.is_zero() {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            // `1-rc < 1`, `1-sp > 1`, unknown qualifiers > 1.
            Item::Qualifier(q) => q.rank().cmp(&Qualifier::Release.rank()),
            // Never asked: lists are handled by `list_cmp_null`.
            Item::List => Ordering::Equal,
        }
    }
}

/// `ListItem.compareTo(null)` for the list made of `rest` (MNG-6964: every item is consulted,
/// not just the first, nested lists included).
fn list_cmp_null(rest: &[Item]) -> Ordering {
    rest.iter()
        .map(Item::cmp_null)
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// Compares two scalars (neither is `Item::List`).
fn cmp_scalars(a: &Item, b: &Item) -> Ordering {
    match (a, b) {
        (Item::Number(ka, na), Item::Number(kb, nb)) => ka.cmp(kb).then_with(|| na.cmp(nb)),
        // `1.1 > 1-sp`: a number beats any qualifier.
        (Item::Number(..), _) => Ordering::Greater,
        (_, Item::Number(..)) => Ordering::Less,
        (Item::Qualifier(qa), Item::Qualifier(qb)) => qa.cmp(qb),
        _ => Ordering::Equal,
    }
}

/// `ListItem.compareTo(ListItem)` over two flattened chains.
fn cmp_items(a: &[Item], b: &[Item]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    loop {
        match (a.get(i), b.get(j)) {
            (None, None) => return Ordering::Equal,
            // Both lists continue in a sub-list, which is the last child of each: descend.
            (Some(Item::List), Some(Item::List)) => {
                i += 1;
                j += 1;
            }
            (Some(Item::List), None) => return list_cmp_null(a.get(i + 1..).unwrap_or(&[])),
            (None, Some(Item::List)) => {
                return list_cmp_null(b.get(j + 1..).unwrap_or(&[])).reverse();
            }
            (Some(x), None) => {
                let o = x.cmp_null();
                if o.is_ne() {
                    return o;
                }
                i += 1;
            }
            (None, Some(y)) => {
                let o = y.cmp_null().reverse();
                if o.is_ne() {
                    return o;
                }
                j += 1;
            }
            // `1-1 < 1.0.x` (list < number) and `1-1 > 1-sp` (list > qualifier).
            (Some(Item::List), Some(y)) => return list_vs_scalar(y),
            (Some(x), Some(Item::List)) => return list_vs_scalar(x).reverse(),
            (Some(x), Some(y)) => {
                let o = cmp_scalars(x, y);
                if o.is_ne() {
                    return o;
                }
                i += 1;
                j += 1;
            }
        }
    }
}

fn list_vs_scalar(scalar: &Item) -> Ordering {
    match scalar {
        Item::Number(..) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

/// Java's `Character.isDigit(char)`: Unicode `Nd` in the Basic Multilingual Plane (a
/// supplementary character is two UTF-16 units, neither of them a digit). Returns the value.
fn java_digit(c: char) -> Option<u32> {
    if c.is_ascii_digit() {
        return Some(u32::from(c) - u32::from('0'));
    }
    if u32::from(c) > 0xFFFF {
        return None;
    }
    crate::pep440::unicode_decimal_value(c)
}

/// `parseItem(true, buf)` with maven-artifact 3.8.7+/3.9.x `stripLeadingZeroes`: only ASCII
/// `0` is stripped, and an all-zero run keeps its length, so `0000000000` is a (zero) long.
fn number_item(digits: &str) -> Item {
    let stripped = digits.trim_start_matches('0');
    let significant = if stripped.is_empty() {
        digits
    } else {
        stripped
    };
    // Every Java digit is in the BMP: one UTF-16 unit per char.
    let kind = match significant.chars().count() {
        0..=9 => NumKind::Int,
        10..=18 => NumKind::Long,
        _ => NumKind::Big,
    };
    let value = if digits.bytes().all(|b| b.is_ascii_digit()) {
        Num::from_digits(digits)
    } else {
        // `Integer.parseInt` and friends accept any Unicode decimal digit.
        let ascii: String = digits
            .chars()
            .map(|c| char::from_digit(java_digit(c).unwrap_or(0), 10).unwrap_or('0'))
            .collect();
        Num::from_digits(&ascii)
    };
    Item::Number(kind, value)
}

fn parse_item(is_digit: bool, text: &str) -> Item {
    if is_digit {
        number_item(text)
    } else {
        Item::Qualifier(Qualifier::new(text, false))
    }
}

/// `ListItem.normalize()` on every list of a flattened chain, innermost first: an empty
/// sub-list is dropped, and so are the null items (`0`, `""`/`ga`/`final`/`release`) before a
/// sub-list or the end of a list, back to the first non-null scalar. In place, linear time.
fn normalize(items: &mut Vec<Item>) {
    // The innermost lists: trailing nulls, then the list itself when that empties it.
    loop {
        while items.last().is_some_and(Item::is_null) {
            items.pop();
        }
        if items.last() == Some(&Item::List) {
            items.pop();
        } else {
            break;
        }
    }
    // Every remaining sub-list is non-empty: drop the run of nulls right before each marker.
    let mut write = 0;
    let mut nulls_from: Option<usize> = None;
    for read in 0..items.len() {
        let (is_list, is_null) = match items.get(read) {
            Some(item) => (*item == Item::List, item.is_null()),
            None => break,
        };
        if is_null {
            nulls_from.get_or_insert(read);
            continue;
        }
        if let Some(from) = nulls_from.take()
            && !is_list
        {
            for kept in from..read {
                items.swap(write, kept);
                write += 1;
            }
        }
        items.swap(write, read);
        write += 1;
    }
    items.truncate(write);
}

/// `ComparableVersion.parseVersion` (maven-artifact 3.9.x), building the flattened chain.
fn parse_items(lower: &str) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::with_capacity(8);
    // Whether the innermost open list is still empty (`list.isEmpty()`).
    let mut list_is_empty = true;
    let mut is_digit = false;
    let mut start = 0;
    for (i, c) in lower.char_indices() {
        let text = lower.get(start..i).unwrap_or("");
        if c == '.' || c == '-' {
            let item = if text.is_empty() {
                Item::Number(NumKind::Int, Num::ZERO)
            } else {
                parse_item(is_digit, text)
            };
            items.push(item);
            list_is_empty = false;
            start = i + c.len_utf8();
            if c == '-' {
                items.push(Item::List);
                list_is_empty = true;
            }
        } else if java_digit(c).is_some() {
            if !is_digit && !text.is_empty() {
                // MNG-7644 (3.8.7, 3.9.0): `1.0.0.X1 < 1.0.0-X2`, a qualifier after `.` gets
                // its own sub-list, like after `-`.
                if !list_is_empty {
                    items.push(Item::List);
                }
                items.push(Item::Qualifier(Qualifier::new(text, true)));
                start = i;
                items.push(Item::List);
                list_is_empty = true;
            }
            is_digit = true;
        } else {
            if is_digit && !text.is_empty() {
                items.push(number_item(text));
                start = i;
                items.push(Item::List);
                list_is_empty = true;
            }
            is_digit = false;
        }
    }
    let rest = lower.get(start..).unwrap_or("");
    if !rest.is_empty() {
        // MNG-7644 again, for a trailing qualifier: `2.0.X == 2-X`.
        if !is_digit && !list_is_empty {
            items.push(Item::List);
        }
        items.push(parse_item(is_digit, rest));
    }
    normalize(&mut items);
    items
}

impl MavenVersion {
    /// Parses `input` under Maven rules.
    ///
    /// Refuses only the empty string and strings with whitespace or control characters; Maven
    /// itself accepts every string (`""` would equal `0`).
    pub fn parse(input: &str) -> Result<MavenVersion, ParseError> {
        if input.is_empty() {
            return Err(ParseError::new(Scheme::Maven, input, "a non-empty version"));
        }
        if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ParseError::new(
                Scheme::Maven,
                input,
                "a version without whitespace or control characters",
            ));
        }
        // `version.toLowerCase(Locale.ENGLISH)`: Unicode lower-casing, as `str::to_lowercase`.
        let items = if input.is_ascii() {
            if input.bytes().any(|b| b.is_ascii_uppercase()) {
                parse_items(&input.to_ascii_lowercase())
            } else {
                parse_items(input)
            }
        } else {
            parse_items(&input.to_lowercase())
        };
        Ok(MavenVersion {
            original: input.into(),
            items,
        })
    }

    /// Maven's canonical form (`ComparableVersion.getCanonical()`): items joined by `.`, with
    /// `-` before each sub-list, aliases resolved (`1.0-GA-1` → `1-1`, `1a1` → `1-alpha-1`).
    pub fn canonical(&self) -> String {
        let mut out = String::new();
        // Whether the innermost open list has printed nothing yet (`buffer.length() == 0`).
        let mut list_is_blank = true;
        for item in &self.items {
            if !list_is_blank {
                out.push(if *item == Item::List { '-' } else { '.' });
            }
            match item {
                Item::List => {
                    list_is_blank = true;
                    continue;
                }
                Item::Number(_, n) => out.push_str(&n.to_string()),
                // The release qualifier prints as nothing and leaves the buffer blank.
                Item::Qualifier(q) if q.as_str().is_empty() => continue,
                Item::Qualifier(q) => out.push_str(q.as_str()),
            }
            list_is_blank = false;
        }
        out
    }
}

impl FromStr for MavenVersion {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s)
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_items(&self.items, &other.items)
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for MavenVersion {}

impl fmt::Display for MavenVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> MavenVersion {
        MavenVersion::parse(s).unwrap()
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
    fn known_qualifiers_sort_before_release_then_sp_then_unknown_then_numbers() {
        ascending(&[
            "1-alpha",
            "1-beta",
            "1-milestone",
            "1-rc",
            "1-snapshot",
            "1",
            "1-sp",
            "1-abc",
            "1-xyz",
            "1-1",
            "1.1",
        ]);
    }

    #[test]
    fn release_aliases_and_cr_are_equal() {
        for alias in [
            "1",
            "1-ga",
            "1.GA",
            "1-final",
            "1.Final",
            "1-release",
            "1.0.0",
            "1-0",
            "1.",
        ] {
            assert_eq!(order(alias, "1"), Ordering::Equal, "{alias}");
        }
        assert_eq!(order("1-cr1", "1-RC-1"), Ordering::Equal);
    }

    #[test]
    fn one_letter_aliases_only_before_a_digit() {
        assert_eq!(order("1a1", "1-alpha-1"), Ordering::Equal);
        assert_eq!(order("1b2", "1-beta-2"), Ordering::Equal);
        assert_eq!(order("1m3", "1-milestone-3"), Ordering::Equal);
        // Not followed by a digit: `a` is an unknown qualifier, after the release.
        assert_eq!(order("1-a", "1"), Ordering::Greater);
        assert_eq!(order("1-a", "1-alpha"), Ordering::Greater);
    }

    #[test]
    fn qualifier_after_dot_is_a_sub_list_mng_7644() {
        assert_eq!(order("1.0.0.RC1", "1.0.0-RC2"), Ordering::Less);
        assert_eq!(order("2.0.a", "2-a"), Ordering::Equal);
        assert_eq!(order("2.0.0.X", "2-x"), Ordering::Equal);
        assert_eq!(v("1.0.0.RC1").canonical(), "1-rc-1");
    }

    #[test]
    fn dash_number_is_a_sub_list_below_dot_number() {
        ascending(&["1", "1-1", "1-2", "1.0.1", "1.1"]);
        assert_eq!(order("2.0-1", "2.0.1"), Ordering::Less);
    }

    #[test]
    fn release_qualifier_inside_a_list_stays_a_level() {
        // `1-ga-1` is [1, [[1]]]: an int beats a list, so Maven says `1-1 > 1-ga-1` even though
        // both print as `1-1` (osv-scalibr's vectors expect equality).
        assert_eq!(order("1-1", "1-ga-1"), Ordering::Greater);
        assert_eq!(v("1-ga-1").canonical(), "1-1");
    }

    #[test]
    fn number_kind_decides_before_value() {
        // IntItem < LongItem < BigIntegerItem by kind, chosen from the digit count after
        // stripping ASCII leading zeros; an all-zero run keeps its length.
        assert_eq!(order("1.0000000009", "1.10"), Ordering::Less);
        assert_eq!(order("1.0000000000.1", "1.5.1"), Ordering::Greater);
        assert_eq!(v("1.0000000000").canonical(), "1");
        ascending(&[
            "20190126.230843",
            "1234567890.12345",
            "123456789012345.1H.5-beta",
        ]);
        ascending(&[
            "123456789012345.1H.5-beta",
            "12345678901234567890.1H.5-beta",
        ]);
    }

    #[test]
    fn huge_numbers_compare_by_value() {
        let nines = "9".repeat(10_000);
        let big = format!("1.{nines}");
        let bigger = format!("1.1{nines}");
        assert_eq!(order(&big, &bigger), Ordering::Less);
        assert_eq!(order(&big, &big), Ordering::Equal);
        let many_dashes = "1-".repeat(5_000);
        assert_eq!(order(&many_dashes, "1-1"), Ordering::Greater);
    }

    #[test]
    fn case_insensitive_and_unicode_digits_like_java() {
        assert_eq!(order("1.0-SNAPSHOT", "1-snapshot"), Ordering::Equal);
        // `Character.isDigit` is Unicode: Arabic-Indic three is the number 3.
        assert_eq!(order("1.\u{663}", "1.3"), Ordering::Equal);
        // A supplementary-plane digit is two UTF-16 units, neither a digit: a qualifier.
        assert_eq!(order("1.\u{1D7D0}", "1"), Ordering::Greater);
        assert_eq!(order("1.\u{1D7D0}", "1.0.1"), Ordering::Less);
    }

    #[test]
    fn unknown_qualifiers_compare_as_java_strings() {
        ascending(&["1-abc", "1-abd", "1-bz", "1-\u{10000}", "1-\u{E000}"]);
    }

    #[test]
    fn upstream_ordering_is_not_transitive_on_mixed_separators() {
        // ComparableVersion itself: 1-alpha > 1.sp.1 (list > string), 1.sp.1 > 1, 1 > 1-alpha.
        assert_eq!(order("1-alpha", "1.sp.1"), Ordering::Greater);
        assert_eq!(order("1.sp.1", "1"), Ordering::Greater);
        assert_eq!(order("1", "1-alpha"), Ordering::Greater);
    }

    #[test]
    fn refuses_empty_whitespace_and_control_characters() {
        for bad in ["", " ", "1 .0", "1.0\n", "1\u{0}"] {
            let err = MavenVersion::parse(bad).unwrap_err();
            assert_eq!(err.scheme, Scheme::Maven);
            assert!(err.expected.contains("non-empty") || err.expected.contains("whitespace"));
        }
        assert_eq!(
            MavenVersion::parse("").unwrap_err().expected,
            "a non-empty version"
        );
    }

    #[test]
    fn odd_but_valid_inputs_parse_and_round_trip() {
        for s in ["-", ".", "--1", "..", "ü", "\u{1F600}", "1..2", "-1"] {
            let parsed = v(s);
            assert_eq!(parsed.to_string(), s);
            assert_eq!(v(&parsed.to_string()), parsed);
        }
        assert_eq!(order("1..2", "1.0.2"), Ordering::Equal);
        assert_eq!(order("-", "0"), Ordering::Equal);
    }
}
