//! Maven version ordering as OSV evaluates Maven ranges: google/osv-scalibr
//! `semantic/version-maven.go` (the POM "version order specification", as maven-artifact 3.8.x
//! applies it), made a total order where that comparator is not one.

// Why osv-scalibr and not maven-artifact's `ComparableVersion` itself: OSV's Maven ranges are
// evaluated with osv-scalibr's comparator, and it is the one proven against both its hand-written
// vectors and a file generated with maven-artifact 3.8.6 over every version in OSV's Maven
// advisories. Where it departs from the Java, a comment at that rule says what Maven does. In
// short: `1-ga-1 == 1-1` (the POM spec; Maven says `1-1` is greater), numbers compare by value
// only (Java ranks int < long < BigInteger by digit count), `.qualifier` is not a sub-list (the
// 3.8.6 rule that MNG-7644 changed in 3.8.7/3.9.0), digits are ASCII only. Against the
// maven-artifact 3.8.7 jar, 5 of 1,027,122 same-package pairs of OSV advisory versions differ,
// all MNG-7644 (`6.1.12.rc2` vs `6.1.12rc1`).

use std::cmp::Ordering;
use std::fmt;

use crate::{ParseError, Scheme};

/// A parsed Maven version.
///
/// Every string is a Maven version (`ComparableVersion` never rejects input); Vexil only refuses
/// the empty string and strings containing whitespace or control characters, which are never
/// real versions but extraction mistakes.
///
/// Equality is Maven's (`1 == 1.0 == 1-0 == 1.ga == 1-final`, `1.01 == 1.1`, case-insensitive),
/// so `==` is not string equality; `Display` prints the original text.
#[derive(Clone, Debug)]
pub struct MavenVersion {
    original: Box<str>,
    /// The lower-cased input: numbers and unknown qualifiers are ranges into it.
    text: Box<str>,
    /// The normalised tokens (trailing null tokens trimmed); never empty.
    tokens: Vec<Token>,
}

/// What precedes a token: the start of the version, `.`, or `-`. A digit/letter transition
/// counts as `-` (`1a1` is `1-a-1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sep {
    Start,
    Dot,
    Dash,
}

/// Known qualifiers, in osv-scalibr's `keywordOrder` (Maven's `QUALIFIERS`): `alpha, beta,
/// milestone, rc, snapshot, "", sp`, then every unknown qualifier, lexically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Alpha,
    Beta,
    Milestone,
    Rc,
    Snapshot,
    /// The empty qualifier, also spelled `ga`, `final` or `release`.
    Release,
    Sp,
    Unknown,
}

impl Rank {
    fn name(self) -> &'static str {
        match self {
            Rank::Alpha => "alpha",
            Rank::Beta => "beta",
            Rank::Milestone => "milestone",
            Rank::Rc => "rc",
            Rank::Snapshot => "snapshot",
            // Printed so that the canonical form re-parses to the same token (`1.ga.1`).
            Rank::Release => "ga",
            Rank::Sp => "sp",
            Rank::Unknown => "",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// ASCII digits; the range holds them without leading zeros (empty for zero).
    Number,
    /// A qualifier; the range holds the text only for `Rank::Unknown`.
    Qualifier(Rank),
}

#[derive(Clone, Copy, Debug)]
struct Token {
    sep: Sep,
    kind: Kind,
    start: usize,
    end: usize,
    /// How the version from this token on compares with a version that ends just before it
    /// (its common prefix): `1.0.rc1` is below `1` from the `.0` on, `1.0.1` above.
    after: Ordering,
}

impl Token {
    fn is_null(&self) -> bool {
        // `shouldTrim`: the values "0" and "" (`ga`, `final`, `release`), whatever the prefix.
        match self.kind {
            Kind::Number => self.start == self.end,
            Kind::Qualifier(rank) => rank == Rank::Release,
        }
    }

    /// osv-scalibr's `qualifierOrder`, used when two tokens have different prefixes:
    /// `.qualifier < -qualifier < -number < .number`.
    fn class(&self) -> u8 {
        match (self.sep, self.kind) {
            (Sep::Dot | Sep::Start, Kind::Qualifier(_)) => 0,
            (Sep::Dash, Kind::Qualifier(_)) => 1,
            (Sep::Dash, Kind::Number) => 2,
            (Sep::Dot | Sep::Start, Kind::Number) => 3,
        }
    }
}

fn slice<'a>(text: &'a str, t: &Token) -> &'a [u8] {
    text.as_bytes().get(t.start..t.end).unwrap_or(&[])
}

/// Compares two real tokens at the same position (osv-scalibr `mavenVersionToken.lessThan`).
fn cmp_tokens(a: &Token, ta: &str, b: &Token, tb: &str) -> Ordering {
    let (class_a, class_b) = (a.class(), b.class());
    if class_a != class_b {
        // Tokens of different classes: osv-scalibr orders them by class alone
        // (`.qualifier < -qualifier < -number < .number`; Maven 3.8 agrees: a number after `.`
        // beats a `-` sub-list, and a qualifier after `.` is a plain string, below a sub-list).
        //
        // Deliberate difference, to make the order transitive: first, which side of the common
        // prefix each version continues on. osv-scalibr has `1.0.rc1 < 1 < 1-1` but
        // `1-1 < 1.0.rc1` (`.0` beats `-1`), and `1.1.sp < 1.1-alpha < 1.1 < 1.1.sp`; any total
        // order keeping "a version vs its own prefix" must break these, and we break exactly
        // them: when one continues below the prefix and the other above, that decides. Maven
        // 3.8.6 has the same cycles (3.9's MNG-7644 removed the first kind). No pair of the real
        // versions in OSV Maven advisories changes answer.
        return a.after.cmp(&b.after).then(class_a.cmp(&class_b));
    }
    match (a.kind, b.kind) {
        // By value only. Maven: IntItem < LongItem < BigIntegerItem by kind first, so
        // `1.0000000009 < 1.10` there (a 10-digit run is a long); OSV compares values.
        (Kind::Number, Kind::Number) => {
            let (x, y) = (slice(ta, a), slice(tb, b));
            x.len().cmp(&y.len()).then_with(|| x.cmp(y))
        }
        // Same class means same kind.
        (Kind::Number, Kind::Qualifier(_)) => Ordering::Greater,
        (Kind::Qualifier(_), Kind::Number) => Ordering::Less,
        (Kind::Qualifier(Rank::Unknown), Kind::Qualifier(Rank::Unknown)) => {
            // Go string order (UTF-8 bytes); Java compares UTF-16 units, which differs only
            // between supplementary characters and U+E000..U+FFFF.
            slice(ta, a).cmp(slice(tb, b))
        }
        (Kind::Qualifier(x), Kind::Qualifier(y)) => x.cmp(&y),
    }
}

/// How a real token compares with the missing token of a shorter version (osv-scalibr pads the
/// shorter version with a "null" token of the same prefix: `0` after `.`, `""` after `-`).
fn cmp_with_missing(t: &Token) -> Ordering {
    match (t.sep, t.kind) {
        (Sep::Dot | Sep::Start, Kind::Number) => {
            if t.start == t.end {
                Ordering::Equal
            } else {
                Ordering::Greater
            }
        }
        // `1.sp > 1` and `1.x > 1`, but `1.rc < 1` and `1.ga.1 < 1`.
        //
        // Deliberate difference from osv-scalibr for `.unknown`: its padding after `.` is the
        // string "0", which against a qualifier acts as the unknown qualifier "0", so a `.`
        // qualifier starting with a byte below `0` (`1.+`, `1.!x`) sorts below `1` while `1.sp`
        // and `1.x` sort above it: `1.sp < 1.+ < 1 < 1.sp`, a cycle. Here every unknown
        // qualifier is above the padding, as in Maven (`StringItem.compareTo(null)`: "7-+" > "5").
        (Sep::Dot | Sep::Start, Kind::Qualifier(Rank::Sp | Rank::Unknown)) => Ordering::Greater,
        (Sep::Dot | Sep::Start, Kind::Qualifier(_)) => Ordering::Less,
        // `1-0.1 > 1`: a real number beats the padding `""`, even a zero.
        (Sep::Dash, Kind::Number) => Ordering::Greater,
        (Sep::Dash, Kind::Qualifier(rank)) => rank.cmp(&Rank::Release),
    }
}

/// Which version continues at a position where the other has ended.
#[derive(Clone, Copy)]
enum Longer {
    Left,
    Right,
}

/// `MavenVersion.lessThan` / `compare`: token by token, the shorter version padded with null
/// tokens; the first position that differs decides.
fn cmp_versions(a: &MavenVersion, b: &MavenVersion) -> Ordering {
    let mut left = a.tokens.iter();
    let mut right = b.tokens.iter();
    loop {
        let (x, y) = match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (Some(x), Some(y)) => (x, y),
            (Some(x), None) => return rest_vs_missing(x, left, Longer::Left),
            (None, Some(y)) => return rest_vs_missing(y, right, Longer::Right),
        };
        let o = cmp_tokens(x, &a.text, y, &b.text);
        if o.is_ne() {
            return o;
        }
    }
}

fn rest_vs_missing<'a>(
    first: &'a Token,
    rest: impl Iterator<Item = &'a Token>,
    longer: Longer,
) -> Ordering {
    let o = std::iter::once(first)
        .chain(rest)
        .map(cmp_with_missing)
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal);
    match longer {
        Longer::Left => o,
        Longer::Right => o.reverse(),
    }
}

/// Go's `strings.ToLower` maps each rune with `unicode.ToLower` (simple case mapping); Rust's
/// `char::to_lowercase` is the full mapping, whose first character is the simple one (the only
/// multi-character lower-casing, `İ`, gives `i` + U+0307).
fn lower(input: &str) -> Box<str> {
    if input.is_ascii() {
        return input.to_ascii_lowercase().into();
    }
    input
        .chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect::<String>()
        .into()
}

/// A run of ASCII digits or of non-digits inside one `.`/`-`-separated part.
fn qualifier_rank(run: &str, last_in_part: bool) -> Rank {
    match run {
        "alpha" => Rank::Alpha,
        "beta" => Rank::Beta,
        "milestone" => Rank::Milestone,
        // `a`, `b`, `m` are aliases only when a digit follows in the same part (`1a1`, not `1-a`).
        "a" if !last_in_part => Rank::Alpha,
        "b" if !last_in_part => Rank::Beta,
        "m" if !last_in_part => Rank::Milestone,
        "rc" | "cr" => Rank::Rc,
        "snapshot" => Rank::Snapshot,
        "ga" | "final" | "release" => Rank::Release,
        "sp" => Rank::Sp,
        _ => Rank::Unknown,
    }
}

/// `newMavenVersion`: split at `.` and `-`, then at digit/non-digit transitions (which act as
/// `-`); an empty part is `0`; numbers lose leading zeros; aliases are resolved.
fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(8);
    let mut sep = Sep::Start;
    let mut part_start = 0;
    for (pos, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), '.')))
    {
        if c != '.' && c != '-' {
            continue;
        }
        let part = text.get(part_start..pos).unwrap_or("");
        if part.is_empty() {
            tokens.push(Token {
                sep,
                kind: Kind::Number,
                start: pos,
                end: pos,
                after: Ordering::Equal,
            });
        }
        // Digits are ASCII only (Go's `\d`). Maven's `Character.isDigit` also takes other
        // Unicode decimal digits; osv-scalibr, which we follow, treats them as letters.
        let mut run_start = 0;
        let mut run_sep = sep;
        while run_start < part.len() {
            let rest = part.get(run_start..).unwrap_or("");
            let digits = rest.starts_with(|c: char| c.is_ascii_digit());
            let run_len = rest
                .find(|c: char| c.is_ascii_digit() != digits)
                .unwrap_or(rest.len());
            let (start, end) = (part_start + run_start, part_start + run_start + run_len);
            let token = if digits {
                let run = text.get(start..end).unwrap_or("");
                let zeros = run.len() - run.trim_start_matches('0').len();
                Token {
                    sep: run_sep,
                    kind: Kind::Number,
                    start: start + zeros,
                    end,
                    after: Ordering::Equal,
                }
            } else {
                let run = text.get(start..end).unwrap_or("");
                let rank = qualifier_rank(run, run_start + run_len == part.len());
                Token {
                    sep: run_sep,
                    kind: Kind::Qualifier(rank),
                    start,
                    end,
                    after: Ordering::Equal,
                }
            };
            tokens.push(token);
            run_start += run_len;
            // osv-scalibr splits at byte offsets and can cut a multi-byte character before a
            // digit in two (`é1`), turning both halves into U+FFFD; we split between characters.
            run_sep = Sep::Dash;
        }
        sep = if c == '-' { Sep::Dash } else { Sep::Dot };
        part_start = pos + 1;
    }
    tokens
}

/// osv-scalibr's trimming (from the end, null tokens `0`/`""` are dropped; at a non-null token,
/// skip back to the nearest `-` token and resume dropping just before it; the first token
/// stays), restated as: a null token goes when the next kept token is a `-` token or there is
/// none. One backward pass, in place, which also fills in each token's `after`.
///
/// So `1-ga-1` is `1-1`, as the POM spec says (`1-sp-1 < 1-ga-1 = 1-1`). Maven's
/// `ComparableVersion` keeps the empty sub-list level (`[1, [[1]]]`) and says `1-1` is greater.
fn normalize(tokens: &mut Vec<Token>) {
    let mut write = tokens.len();
    let mut trimming = true;
    let mut after = Ordering::Equal;
    for read in (0..tokens.len()).rev() {
        let Some(mut t) = tokens.get(read).copied() else {
            continue;
        };
        if read > 0 && trimming && t.is_null() {
            continue;
        }
        trimming = t.sep == Sep::Dash;
        let own = cmp_with_missing(&t);
        if own.is_ne() {
            after = own;
        }
        t.after = after;
        write -= 1;
        if let Some(slot) = tokens.get_mut(write) {
            *slot = t;
        }
    }
    tokens.drain(..write);
}

impl MavenVersion {
    /// Parses `input` under Maven rules.
    ///
    /// Refuses only the empty string and strings with whitespace or control characters; Maven
    /// itself accepts every string.
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
        let text = lower(input);
        let mut tokens = tokenize(&text);
        normalize(&mut tokens);
        Ok(MavenVersion {
            original: input.into(),
            text,
            tokens,
        })
    }

    /// The normalised form this ordering compares: lower-cased, aliases resolved, leading zeros
    /// and trimmable null tokens dropped, transitions written as `-` (`1.0-GA-1` → `1-1`,
    /// `1a1` → `1-alpha-1`, `1.0.0.RC1` → `1.0.0.rc-1`: zeros before a `.` qualifier stay).
    /// Equal versions have equal canonical forms, and the form re-parses to an equal version.
    pub fn canonical(&self) -> String {
        let mut out = String::with_capacity(self.text.len());
        for t in &self.tokens {
            match t.sep {
                Sep::Start => {}
                Sep::Dot => out.push('.'),
                Sep::Dash => out.push('-'),
            }
            match t.kind {
                Kind::Number if t.start == t.end => out.push('0'),
                Kind::Number | Kind::Qualifier(Rank::Unknown) => {
                    out.push_str(self.text.get(t.start..t.end).unwrap_or(""));
                }
                Kind::Qualifier(rank) => out.push_str(rank.name()),
            }
        }
        out
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_versions(self, other)
    }
}

crate::scheme::derive_from_ord!(MavenVersion);

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

    #[track_caller]
    fn order(a: &str, b: &str) -> Ordering {
        let o = v(a).cmp(&v(b));
        assert_eq!(v(b).cmp(&v(a)), o.reverse(), "antisymmetry of {a} / {b}");
        o
    }

    #[track_caller]
    fn ascending(list: &[&str]) {
        for (i, a) in list.iter().enumerate() {
            for b in list.iter().skip(i + 1) {
                assert_eq!(order(a, b), Ordering::Less, "{a} < {b}");
            }
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
            "1-",
            "01",
            "1.0-0",
        ] {
            assert_eq!(order(alias, "1"), Ordering::Equal, "{alias}");
        }
        assert_eq!(order("1-cr1", "1-RC-1"), Ordering::Equal);
        assert_eq!(order("1.01", "1.1"), Ordering::Equal);
    }

    #[test]
    fn ga_inside_a_version_is_dropped_before_a_dash_pom_spec() {
        // POM reference, version order specification: `1-sp-1 < 1-ga-1 = 1-1`. Maven's
        // ComparableVersion says `1-1 > 1-ga-1` (an int beats a sub-list); OSV follows the spec.
        assert_eq!(order("1-1", "1-ga-1"), Ordering::Equal);
        assert_eq!(order("1-sp-1", "1-ga-1"), Ordering::Less);
        assert_eq!(v("1-ga-1").canonical(), "1-1");
    }

    #[test]
    fn one_letter_aliases_only_before_a_digit() {
        assert_eq!(order("1a1", "1-alpha-1"), Ordering::Equal);
        assert_eq!(order("1b2", "1-beta-2"), Ordering::Equal);
        assert_eq!(order("1m3", "1-milestone-3"), Ordering::Equal);
        // Not followed by a digit: `a` is an unknown qualifier, after the release.
        assert_eq!(order("1-a", "1"), Ordering::Greater);
        assert_eq!(order("1-a", "1-alpha"), Ordering::Greater);
        assert_eq!(order("1a", "1-a"), Ordering::Equal);
    }

    #[test]
    fn dot_qualifier_is_not_a_sub_list_pre_mng_7644() {
        // Maven 3.8.7/3.9 (MNG-7644) give `1.0.0.RC1 < 1.0.0-RC2` and `6.1.12.rc2 < 6.1.12rc1`;
        // maven-artifact 3.8.6, which generated OSV's vectors, and osv-scalibr give the reverse:
        // the `.0` beats the `-` sub-list, and `.rc` (a string) sorts below `-rc` (a sub-list).
        assert_eq!(order("1.0.0.RC1", "1.0.0-RC2"), Ordering::Greater);
        assert_eq!(order("6.1.12.rc2", "6.1.12rc1"), Ordering::Less);
        assert_eq!(order("1.5.9-RC0", "1.5.9.RC1"), Ordering::Greater);
        assert_eq!(v("1.0.0.RC1").canonical(), "1.0.0.rc-1");
    }

    #[test]
    fn dash_number_sorts_between_the_release_and_the_next_dot_number() {
        ascending(&["1", "1-1", "1-2", "1.0.1", "1.1"]);
        assert_eq!(order("2.0-1", "2.0.1"), Ordering::Less);
        assert_eq!(order("1-0.1", "1"), Ordering::Greater);
    }

    #[test]
    fn dot_sp_is_above_the_release_other_dot_qualifiers_below() {
        ascending(&["1.0.rc1", "1", "1.sp", "1.0.1"]);
        // `ga` kept inside a version is the qualifier "", below the padding "0".
        assert_eq!(order("1.ga.1", "1"), Ordering::Less);
    }

    #[test]
    fn numbers_compare_by_value_whatever_their_length() {
        // Maven ranks IntItem < LongItem < BigIntegerItem by digit count first, so it says
        // `1.0000000009 < 1.10`; osv-scalibr (big.Int) compares values.
        assert_eq!(order("1.0000000009", "1.10"), Ordering::Less);
        assert_eq!(order("1.0000000010", "1.9"), Ordering::Greater);
        assert_eq!(order("1.0000000000.1", "1.0.1"), Ordering::Equal);
        ascending(&[
            "20190126.230843",
            "1234567890.12345",
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
        assert_eq!(order(&format!("1.000{nines}"), &big), Ordering::Equal);
        let many_dashes = "1-".repeat(5_000);
        assert_eq!(order(&many_dashes, "1-1"), Ordering::Greater);
        let many_zeros = format!("1{}-1", ".0".repeat(5_000));
        assert_eq!(order(&many_zeros, "1-1"), Ordering::Equal);
    }

    #[test]
    fn case_insensitive_and_ascii_digits_only() {
        assert_eq!(order("1.0-SNAPSHOT", "1-snapshot"), Ordering::Equal);
        assert_eq!(order("1.0.0.FINAL", "1"), Ordering::Equal);
        // Go's `\d` is ASCII: Arabic-Indic three is a qualifier here (Maven: the number 3).
        assert_eq!(order("1.\u{663}", "1.3"), Ordering::Less);
        assert_eq!(order("1.\u{663}", "1"), Ordering::Greater);
        // Characters are never split (osv-scalibr cuts `é1` inside the `é`).
        assert_eq!(v("1é1").canonical(), "1-é-1");
        assert_eq!(order("1é1", "1è1"), Ordering::Greater);
    }

    #[test]
    fn unknown_qualifiers_compare_as_strings() {
        ascending(&["1-abc", "1-abd", "1-bz", "1-\u{E000}", "1-\u{10000}"]);
        assert_eq!(order("1-XYZ", "1-xyz"), Ordering::Equal);
    }

    #[test]
    fn every_dot_qualifier_unknown_to_maven_is_above_the_release() {
        // osv-scalibr pads `1` with the string "0", so `1.+` (`+` < `0`) sorts below `1` while
        // `1.sp` and `1.x` sort above it, and `1.sp < 1.+`: a cycle. Maven: `1.+ > 1`.
        ascending(&["1", "1.sp", "1.+", "1.x"]);
        assert_eq!(order("1.!x", "1"), Ordering::Greater);
    }

    #[test]
    fn continuing_below_the_common_prefix_sorts_first_zero_then_qualifier() {
        // osv-scalibr: 1.0.rc1 < 1 < 1-1, yet 1-1 < 1.0.rc1 (`.0` beats `-1` by prefix class).
        ascending(&["1.0.rc1", "1", "1-1", "1.0.1"]);
        ascending(&["5.0.0.RC1", "5.0.0", "5.0.0-1", "5.0.0.1"]);
        ascending(&["1.0.alpha", "1", "1-ga.1", "1.0.1"]);
        ascending(&["1.0.0.alpha", "1", "1.0.sp"]);
        // Both continue below the prefix: the class order stays (pre-MNG-7644 answer).
        assert_eq!(order("1.0.0.RC1", "1.0.0-RC2"), Ordering::Greater);
    }

    #[test]
    fn continuing_above_the_common_prefix_beats_continuing_below_sp_then_alpha() {
        // osv-scalibr: 1.1.sp < 1.1-alpha (`.qualifier < -qualifier`), yet 1.1-alpha < 1.1 < 1.1.sp.
        ascending(&["1.1-alpha", "1.1", "1.1.sp", "1.1-sp"]);
        ascending(&["2.3-beta", "2.3", "2.3.jre"]);
        // Both above the prefix: the class order stays.
        assert_eq!(order("1.1.sp", "1.1-sp"), Ordering::Less);
    }

    #[test]
    fn realistic_orders_are_kept() {
        ascending(&[
            "2.0.0.M1",
            "2.0.0.RC1",
            "2.0.0.RELEASE",
            "2.0.1.RELEASE",
            "2.1.0.RELEASE",
            // `build` is an unknown qualifier: above the release, in Maven too.
            "2.1.0.BUILD-SNAPSHOT",
        ]);
        ascending(&[
            "3.0.0.alpha.1.0",
            "3.0.0.beta.1",
            "3.0.0",
            "3.0.2",
            "3.1.0",
            // `pre` is an unknown qualifier to Maven: above the release.
            "3.1.0.0.pre",
        ]);
    }

    #[test]
    fn a_dash_build_of_a_dot_final_sorts_above_its_betas() {
        // osv-scalibr and Maven 3.8.6 say `2.0.0.Final-redhat-1 < 2.0.0.Beta1` (the `-redhat`
        // sub-list loses to the `.0` before `.Beta1`), yet `Beta1 < Final < Final-redhat-1`:
        // a cycle among realistic versions. The total order keeps the two prefix answers, as
        // Maven 3.8.7+ does (MNG-7644).
        ascending(&["2.0.0.Beta1", "2.0.0.Final", "2.0.0.Final-redhat-1"]);
    }

    #[test]
    fn refuses_empty_whitespace_and_control_characters() {
        assert_eq!(
            MavenVersion::parse("").unwrap_err().expected,
            "a non-empty version"
        );
        for bad in [" ", "1 .0", "1.0\n", "1\u{0}", "\t1"] {
            let err = MavenVersion::parse(bad).unwrap_err();
            assert_eq!(err.scheme, Scheme::Maven);
            assert_eq!(
                err.expected,
                "a version without whitespace or control characters"
            );
        }
    }

    #[test]
    fn odd_but_valid_inputs_parse_and_round_trip() {
        for s in [
            "-",
            ".",
            "--1",
            "..",
            "ü",
            "\u{1F600}",
            "1..2",
            "-1",
            "İ",
            "ga",
            "1.ga.1",
            "1-ga.1",
        ] {
            let parsed = v(s);
            assert_eq!(parsed.to_string(), s);
            assert_eq!(v(&parsed.to_string()), parsed);
            assert_eq!(v(&parsed.canonical()), parsed, "canonical of {s}");
        }
        assert_eq!(order("1..2", "1.0.2"), Ordering::Equal);
        assert_eq!(order("-", "0"), Ordering::Equal);
        assert_eq!(order("ga", "final"), Ordering::Equal);
        assert_eq!(order("İ", "i"), Ordering::Equal);
    }
}
