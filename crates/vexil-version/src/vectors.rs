//! Version-ordering test vectors: the line formats of `../shared/data/versions/` and one runner.
//!
//! Formats, detected per line:
//! - `a op b` (osv-scalibr, osv.dev): `op` is `<`, `=`, `>`, `<=`, `>=` or `!=`; apk-tools adds
//!   fuzzy `~`, `<~`, `>~` and negation `!op` (the comparison must be false).
//! - `a b r` (dpkg's `Dpkg_Version.t`): `r` is the sign of cmp(a, b): `-1`, `0` or `1`.
//! - `version` / `!version` (apk-tools, osv.dev): the version must be valid / invalid.
//!
//! Blank lines and lines starting with `#` or `//` are skipped; ` #` after whitespace starts a
//! trailing comment (apk-tools). The runner is shared by the test suite and
//! `vexil version check`, so both count the same lines the same way.

use std::cmp::Ordering;
use std::fmt;

use crate::{Scheme, apk};

/// A comparison operator as apk-tools spells it: a set of acceptable results, maybe fuzzy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Op {
    pub less: bool,
    pub equal: bool,
    pub greater: bool,
    /// apk's `~`: compare only as far as the right-hand version goes.
    pub fuzzy: bool,
    /// `!op`: the comparison must *not* hold.
    pub negated: bool,
}

impl Op {
    /// Parses `<`, `=`, `>`, `<=`, `>=`, `!=`, `~`, `<~`, `>~`, and `!` before any of them.
    pub fn parse(text: &str) -> Option<Op> {
        let (negated, body) = match text.strip_prefix('!') {
            Some(rest) if !rest.is_empty() && text != "!=" => (true, rest),
            _ => (false, text),
        };
        if body == "!=" {
            return Some(Op {
                less: true,
                equal: false,
                greater: true,
                fuzzy: false,
                negated,
            });
        }
        let mut op = Op {
            less: false,
            equal: false,
            greater: false,
            fuzzy: false,
            negated,
        };
        for c in body.chars() {
            match c {
                '<' => op.less = true,
                '>' => op.greater = true,
                '=' => op.equal = true,
                // apk-tools `apk_version_result_mask`: `~` means fuzzy *and* equal.
                '~' => {
                    op.fuzzy = true;
                    op.equal = true;
                }
                _ => return None,
            }
        }
        Some(op)
    }

    fn accepts(self, ordering: Ordering) -> bool {
        let hit = match ordering {
            Ordering::Less => self.less,
            Ordering::Equal => self.equal,
            Ordering::Greater => self.greater,
        };
        hit != self.negated
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negated {
            f.write_str("!")?;
        }
        if self.less && self.greater && !self.equal {
            return f.write_str("!=");
        }
        if self.less {
            f.write_str("<")?;
        }
        if self.greater {
            f.write_str(">")?;
        }
        if self.fuzzy {
            f.write_str("~")
        } else if self.equal {
            f.write_str("=")
        } else {
            Ok(())
        }
    }
}

/// What one vector line asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// `a op b` must hold.
    Compare { a: String, op: Op, b: String },
    /// The version must parse.
    Valid(String),
    /// The version must be refused.
    Invalid(String),
}

/// One vector with its 1-based line number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    pub line: usize,
    pub check: Check,
}

/// A line that is not in any vector format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MalformedLine {
    pub line: usize,
    pub text: String,
    pub expected: &'static str,
}

impl fmt::Display for MalformedLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}: `{}`: expected {}",
            self.line,
            self.text.escape_debug(),
            self.expected
        )
    }
}

impl std::error::Error for MalformedLine {}

/// How bare one-version lines are read: osv.dev keeps valid and invalid versions in two files
/// of the same shape, so the caller says which one it is reading.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BareLines {
    #[default]
    MustBeValid,
    MustBeInvalid,
}

/// Reads every case of a vector file. Stops at the first malformed line.
pub fn parse(text: &str, bare: BareLines) -> Result<Vec<Case>, MalformedLine> {
    let mut cases = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = strip_trailing_comment(raw).trim();
        if content.is_empty() || content.starts_with('#') || content.starts_with("//") {
            continue;
        }
        let fields: Vec<&str> = content.split_whitespace().collect();
        let check = match fields.as_slice() {
            [version] => bare_check(version, bare),
            [a, middle, b] => match Op::parse(middle) {
                Some(op) => Check::Compare {
                    a: (*a).to_owned(),
                    op,
                    b: (*b).to_owned(),
                },
                None => dpkg_check(a, middle, b).ok_or_else(|| MalformedLine {
                    line,
                    text: raw.to_owned(),
                    expected: "`A OP B` with OP one of < = > <= >= != ~ <~ >~ (or !OP), \
                               or `A B -1|0|1`",
                })?,
            },
            _ => {
                return Err(MalformedLine {
                    line,
                    text: raw.to_owned(),
                    expected: "one version, `A OP B`, or `A B -1|0|1`",
                });
            }
        };
        cases.push(Case { line, check });
    }
    Ok(cases)
}

fn strip_trailing_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && i > 0 && bytes[i - 1].is_ascii_whitespace() {
            return &line[..i];
        }
    }
    line
}

fn bare_check(version: &str, bare: BareLines) -> Check {
    match (version.strip_prefix('!'), bare) {
        (Some(rest), _) => Check::Invalid(rest.to_owned()),
        (None, BareLines::MustBeValid) => Check::Valid(version.to_owned()),
        (None, BareLines::MustBeInvalid) => Check::Invalid(version.to_owned()),
    }
}

fn dpkg_check(a: &str, b: &str, result: &str) -> Option<Check> {
    let op = match result {
        "-1" => "<",
        "0" => "=",
        "1" => ">",
        _ => return None,
    };
    Some(Check::Compare {
        a: a.to_owned(),
        op: Op::parse(op)?,
        b: b.to_owned(),
    })
}

/// A case that did not hold, with what the scheme answered instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub case: Case,
    pub got: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = self.case.line;
        match &self.case.check {
            Check::Compare { a, op, b } => {
                write!(f, "line {line}: expected {a} {op} {b}, got {}", self.got)
            }
            Check::Valid(v) => write!(
                f,
                "line {line}: expected `{v}` to be valid, got {}",
                self.got
            ),
            Check::Invalid(v) => {
                write!(
                    f,
                    "line {line}: expected `{v}` to be invalid, got {}",
                    self.got
                )
            }
        }
    }
}

/// The outcome of running a vector file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub passed: usize,
    pub failures: Vec<Failure>,
}

/// Runs every case under `scheme`.
pub fn run(scheme: Scheme, cases: &[Case]) -> Report {
    let mut report = Report::default();
    for case in cases {
        match evaluate(scheme, &case.check) {
            Ok(()) => report.passed += 1,
            Err(got) => report.failures.push(Failure {
                case: case.clone(),
                got,
            }),
        }
    }
    report
}

/// `Ok` when the check holds, else what was observed.
fn evaluate(scheme: Scheme, check: &Check) -> Result<(), String> {
    match check {
        Check::Valid(v) => scheme.parse(v).map(drop).map_err(|e| format!("error: {e}")),
        Check::Invalid(v) => match scheme.parse(v) {
            Ok(parsed) => Err(format!("valid (`{parsed}`)")),
            Err(_) => Ok(()),
        },
        Check::Compare { a, op, b } => {
            let ordering = if op.fuzzy {
                if scheme != Scheme::Apk {
                    return Err(format!("fuzzy `~` is only defined for apk, not {scheme}"));
                }
                apk::compare_fuzzy(a, b)
            } else {
                match scheme.compare_str(a, b) {
                    Ok(Some(ordering)) => ordering,
                    Ok(None) => return Err("not comparable".to_owned()),
                    Err(e) => return Err(format!("error: {e}")),
                }
            };
            if op.accepts(ordering) {
                Ok(())
            } else {
                Err(symbol(ordering).to_owned())
            }
        }
    }
}

/// `<`, `=` or `>`.
pub fn symbol(ordering: Ordering) -> &'static str {
    match ordering {
        Ordering::Less => "<",
        Ordering::Equal => "=",
        Ordering::Greater => ">",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_line_shape() {
        let text = "# comment\n// also\n\n1 < 2\n1 2 -1\n3.6.0 ~ 3.6\n3.8 !~ 3.8.1\n\
                    1.0 < 1.0bc\t\t# invalid. do string sort\n0.1\n!0.1bc\n";
        let cases = parse(text, BareLines::MustBeValid).unwrap();
        let lines: Vec<usize> = cases.iter().map(|c| c.line).collect();
        assert_eq!(lines, [4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(cases[1].check, cases[0].check, "dpkg's `1 2 -1` is `1 < 2`");
        let Check::Compare { op, b, .. } = &cases[4].check else {
            panic!("{:?}", cases[4])
        };
        assert_eq!((op.to_string().as_str(), b.as_str()), ("<", "1.0bc"));
        assert_eq!(cases[5].check, Check::Valid("0.1".into()));
        assert_eq!(cases[6].check, Check::Invalid("0.1bc".into()));
    }

    #[test]
    fn operators_round_trip_through_display() {
        for text in [
            "<", "=", ">", "<=", ">=", "!=", "~", "<~", ">~", "!~", "!<", "!>", "!=",
        ] {
            let op = Op::parse(text).unwrap();
            assert_eq!(op.to_string(), text, "{op:?}");
        }
        assert_eq!(Op::parse("=<"), Op::parse("<="));
        assert_eq!(Op::parse("<>x"), None);
    }

    #[test]
    fn malformed_lines_name_their_number() {
        let err = parse("1 < 2\n1 2\n", BareLines::MustBeValid).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(
            err.to_string().starts_with("line 2: `1 2`: expected"),
            "{err}"
        );
        let err = parse("1 x 2\n", BareLines::MustBeValid).unwrap_err();
        assert_eq!(err.line, 1);
    }

    #[test]
    fn bare_lines_follow_the_callers_expectation() {
        let cases = parse("0.1\n", BareLines::MustBeInvalid).unwrap();
        assert_eq!(cases[0].check, Check::Invalid("0.1".into()));
    }
}
