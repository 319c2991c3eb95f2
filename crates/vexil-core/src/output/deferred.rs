//! The acknowledged-and-deferred list (`deferred.toml`): findings a team has seen and chosen to
//! ship with until a date. Parsing collects every mistake as a [`Diagnostic`] (file, line,
//! column, what was expected); it never stops at the first and never panics. No I/O, no clock.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use jiff::civil::Date;
use serde::{Serialize, Serializer};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::model::finding::Observation;
use crate::model::purl::{Purl, normalize_pypi};
use crate::rules::diagnostic::{Diagnostic, Level, closest};

/// What a deferral names as the package: a purl without version (matched as a subset), or a
/// package name as its ecosystem spells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PackageSelector {
    /// `pkg:npm/left-pad`, `pkg:deb/debian/openssl?distro=debian-12`: type, namespace and name
    /// equal, and every qualifier given present with the same value.
    Purl { text: String, purl: Purl },
    /// `left-pad`, `org.slf4j:slf4j-api`: equal to the component's name.
    Name(String),
}

impl PackageSelector {
    /// Reads a `package` value; the error says what was expected.
    pub fn parse(s: &str) -> Result<PackageSelector, String> {
        const EXPECTED: &str = "expected a purl without version like `pkg:npm/left-pad` or a \
                                package name like `left-pad`";
        if s.trim().is_empty() {
            return Err(format!("`package` is empty: {EXPECTED}"));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("`package` contains whitespace: {EXPECTED}"));
        }
        if !s.starts_with("pkg:") {
            return Ok(PackageSelector::Name(s.to_owned()));
        }
        let purl = Purl::parse(s).map_err(|e| format!("{e}: {EXPECTED}"))?;
        if let Some(v) = &purl.version {
            return Err(format!(
                "`package` names version `{v}`: a deferral covers a package, not one version; \
                 {EXPECTED}"
            ));
        }
        if let Some(sub) = &purl.subpath {
            return Err(format!("`package` has a subpath `#{sub}`: {EXPECTED}"));
        }
        Ok(PackageSelector::Purl {
            text: s.to_owned(),
            purl,
        })
    }

    pub fn as_str(&self) -> &str {
        match self {
            PackageSelector::Purl { text, .. } => text,
            PackageSelector::Name(name) => name,
        }
    }

    /// Whether the component with this purl and name is the package selected.
    pub fn matches(&self, purl: &str, name: &str) -> bool {
        let parsed = Purl::parse(purl).ok();
        match self {
            PackageSelector::Name(want) => {
                want == name
                    || parsed.is_some_and(|p| {
                        *want == p.full_name()
                            || (p.ty == "pypi" && normalize_pypi(want) == normalize_pypi(&p.name))
                    })
            }
            PackageSelector::Purl { purl: want, .. } => parsed.is_some_and(|p| {
                let same_name = if p.ty == "pypi" {
                    normalize_pypi(&want.name) == normalize_pypi(&p.name)
                } else {
                    want.name == p.name
                };
                want.ty.eq_ignore_ascii_case(&p.ty)
                    && want.namespace == p.namespace
                    && same_name
                    && (want.qualifiers.iter()).all(|(k, v)| p.qualifier_value(k) == Some(v))
            }),
        }
    }
}

impl fmt::Display for PackageSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// As written.
impl Serialize for PackageSelector {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One `[[deferred]]` entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Deferred {
    /// Any id of the alias group (`CVE-2026-0001`, `GHSA-…`); matched case-insensitively.
    pub vuln: String,
    pub package: PackageSelector,
    pub acknowledged: Date,
    pub reason: String,
    /// The last day the deferral holds.
    pub resolve_by: Date,
    /// Where the entry's `[[deferred]]` header is.
    pub file: String,
    pub line: usize,
}

impl Deferred {
    /// Whether this entry is about the observation's vulnerability (any id of its alias group)
    /// in the observation's package. Says nothing about expiry: see [`Deferred::is_expired`].
    pub fn covers(&self, o: &Observation) -> bool {
        self.covers_parts(&o.ids, &o.purl, &o.name) || {
            o.vuln.eq_ignore_ascii_case(&self.vuln) && self.package.matches(&o.purl, &o.name)
        }
    }

    /// [`Deferred::covers`] for a finding given by its alias group, purl and package name.
    pub fn covers_parts(&self, ids: &[String], purl: &str, name: &str) -> bool {
        ids.iter().any(|id| id.eq_ignore_ascii_case(&self.vuln)) && self.package.matches(purl, name)
    }

    /// Expired once `resolve_by` has passed: on `resolve_by` itself the deferral still holds.
    pub fn is_expired(&self, today: Date) -> bool {
        today > self.resolve_by
    }
}

const FIELDS: [&str; 5] = ["vuln", "package", "acknowledged", "reason", "resolve_by"];

/// Reads `deferred.toml`. Returns the valid entries and one diagnostic per mistake, sorted by
/// position; an entry with any mistake is left out. Callers should refuse to gate (exit 2) when
/// any diagnostic is returned: a half-read list could fail or pass a release by accident.
///
/// Diagnostic codes: `deferred-syntax` (not TOML), `deferred-duplicate-key` (a key twice in a
/// table), `deferred-unknown-key`, `deferred-missing-field`, `deferred-bad-value` (wrong type
/// or empty), `deferred-bad-date` (not a date, or `resolve_by` before `acknowledged`),
/// `deferred-bad-package`, `deferred-duplicate` (the same vuln and package twice).
///
/// Dates are TOML dates (`2026-11-01`); a quoted `"2026-11-01"` is accepted too.
///
/// TOML syntax errors are reported as the `toml` crate recovers from them: a bad value is one
/// diagnostic and the rest of the file is still checked, but after some errors (a line that is
/// no `key = value` at all) the parser cannot resynchronise, and later mistakes show once the
/// first is fixed.
pub fn parse(text: &str, file_name: &str) -> (Vec<Deferred>, Vec<Diagnostic>) {
    let (doc, errors) = DeTable::parse_recoverable(text);
    let mut cx = Cx {
        text,
        file: file_name,
        syntax: errors
            .iter()
            .map(|e| (e.span().unwrap_or(0..0), e.message().to_owned(), false))
            .collect(),
        diagnostics: Vec::new(),
    };
    let mut entries = Vec::new();
    for (key, value) in doc.get_ref() {
        if key.get_ref() == "deferred" {
            entries.extend(cx.list(value));
        } else if !cx.syntax_error_on_line_of(value.span().start) {
            // (A header the parser could not close comes back as a key of its own: its syntax
            // error says it.)
            let d = cx.diag(
                "deferred-unknown-key",
                key.span(),
                format!(
                    "unknown key `{}`: deferred.toml holds only `[[deferred]]` entries",
                    key.get_ref()
                ),
            );
            cx.diagnostics.push(d);
        }
    }
    let entries = cx.without_duplicates(entries);
    cx.finish();
    (entries, cx.diagnostics)
}

/// An entry with the spans its duplicate check needs.
struct Located {
    entry: Deferred,
    header: Range<usize>,
}

struct Cx<'a> {
    text: &'a str,
    file: &'a str,
    /// TOML syntax errors: span, message, and whether a field's check already reported it.
    syntax: Vec<(Range<usize>, String, bool)>,
    diagnostics: Vec<Diagnostic>,
}

impl Cx<'_> {
    fn diag(
        &self,
        code: &'static str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::at(Level::Error, code, self.file, self.text, span, message)
    }

    fn push(&mut self, code: &'static str, span: Range<usize>, message: impl Into<String>) {
        let d = self.diag(code, span, message);
        self.diagnostics.push(d);
    }

    /// `deferred = …`: must be an array of tables.
    fn list(&mut self, value: &Spanned<DeValue<'_>>) -> Vec<Located> {
        let DeValue::Array(items) = value.get_ref() else {
            let hint = if value.get_ref().is_table() {
                "write `[[deferred]]` (an array of tables), not `[deferred]`"
            } else {
                "expected `[[deferred]]` tables"
            };
            self.push(
                "deferred-bad-value",
                value.span(),
                format!("`deferred` is a {}: {hint}", value.get_ref().type_str()),
            );
            return Vec::new();
        };
        items.iter().filter_map(|item| self.entry(item)).collect()
    }

    fn entry(&mut self, item: &Spanned<DeValue<'_>>) -> Option<Located> {
        let header = item.span();
        let DeValue::Table(table) = item.get_ref() else {
            self.push(
                "deferred-bad-value",
                header,
                format!(
                    "a `deferred` entry is a {}: expected a table with {}",
                    item.get_ref().type_str(),
                    FIELDS.join(", ")
                ),
            );
            return None;
        };
        let mut valid = true;
        // Misspelled keys first: a field an unknown key looks like is not reported missing too.
        let mut meant = Vec::new();
        for key in table.keys() {
            let name = key.get_ref().as_ref();
            if FIELDS.contains(&name) {
                continue;
            }
            valid = false;
            let mut d = self.diag(
                "deferred-unknown-key",
                key.span(),
                format!(
                    "unknown key `{name}` in a `[[deferred]]` entry: expected {}",
                    FIELDS.join(", ")
                ),
            );
            if let Some(field) = similar_field(name) {
                meant.push(field);
                d = d.with_help(format!("did you mean `{field}`?"));
            }
            self.diagnostics.push(d);
        }
        let field = |name: &str| {
            let v = table.iter().find(|(k, _)| k.get_ref() == name);
            v.map(|(_, v)| v)
        };
        // A syntax error inside the entry (an unclosed header) may have lost its fields: they
        // are not reported missing on top of it.
        let broken =
            (self.syntax.iter()).any(|(e, _, _)| header.start <= e.start && e.start < header.end);
        let mut get = |cx: &mut Self, name: &'static str| match field(name) {
            Some(v) => Some(v),
            None => {
                valid = false;
                if !meant.contains(&name) && !broken {
                    cx.push(
                        "deferred-missing-field",
                        header.clone(),
                        format!(
                            "this `[[deferred]]` entry has no `{name}`: every entry needs {}",
                            FIELDS.join(", ")
                        ),
                    );
                }
                None
            }
        };
        let vuln = get(self, "vuln").and_then(|v| self.string(v, "vuln", "\"CVE-2026-0001\""));
        let package = get(self, "package").and_then(|v| self.package(v));
        let acknowledged = get(self, "acknowledged").and_then(|v| self.date(v, "acknowledged"));
        let reason =
            get(self, "reason").and_then(|v| self.string(v, "reason", "\"dev-only dependency\""));
        let resolve_by = get(self, "resolve_by").and_then(|v| self.date(v, "resolve_by"));
        let (vuln, package, acknowledged, reason, resolve_by) =
            (vuln?, package?, acknowledged?, reason?, resolve_by?);
        if resolve_by < acknowledged {
            let span = field("resolve_by").map_or(header.clone(), Spanned::span);
            self.push(
                "deferred-bad-date",
                span,
                format!(
                    "`resolve_by` {resolve_by} is before `acknowledged` {acknowledged}: expected \
                     a date on or after it"
                ),
            );
            return None;
        }
        let line = self.text[..floor_char_boundary(self.text, header.start)]
            .matches('\n')
            .count()
            + 1;
        valid.then(|| Located {
            entry: Deferred {
                vuln,
                package,
                acknowledged,
                reason,
                resolve_by,
                file: self.file.to_owned(),
                line,
            },
            header,
        })
    }

    fn syntax_error_on_line_of(&self, offset: usize) -> bool {
        let line = |o: usize| {
            self.text[..floor_char_boundary(self.text, o)]
                .matches('\n')
                .count()
        };
        self.syntax
            .iter()
            .any(|(e, _, _)| line(e.start) == line(offset))
    }

    /// Reports (re-coded as `code`, with the field named) a syntax error inside `span`, if any:
    /// the field is then not checked again, so one mistake gives one diagnostic.
    fn claim_syntax(&mut self, span: &Range<usize>, code: &'static str, what: &str) -> bool {
        let inside = |e: &Range<usize>| span.start <= e.start && e.start <= span.end;
        let Some(i) = self
            .syntax
            .iter()
            .position(|(e, _, done)| !done && inside(e))
        else {
            return false;
        };
        self.syntax[i].2 = true;
        let (e, message, _) = self.syntax[i].clone();
        self.push(code, e, format!("{what}: {message}"));
        true
    }

    fn found(&self, v: &Spanned<DeValue<'_>>) -> String {
        let text = self.text.get(v.span()).unwrap_or("");
        let short: String = text.chars().take(40).collect();
        let dots = if short.len() < text.len() { "…" } else { "" };
        format!("{} `{short}{dots}`", v.get_ref().type_str())
    }

    fn string(&mut self, v: &Spanned<DeValue<'_>>, name: &str, example: &str) -> Option<String> {
        let what = format!("`{name}` must be a string like `{example}`");
        if self.claim_syntax(&v.span(), "deferred-bad-value", &what) {
            return None;
        }
        match v.get_ref() {
            DeValue::String(s) if !s.trim().is_empty() => Some(s.to_string()),
            DeValue::String(_) => {
                self.push(
                    "deferred-bad-value",
                    v.span(),
                    format!("{what}, found an empty string"),
                );
                None
            }
            _ => {
                let found = self.found(v);
                self.push(
                    "deferred-bad-value",
                    v.span(),
                    format!("{what}, found {found}"),
                );
                None
            }
        }
    }

    fn package(&mut self, v: &Spanned<DeValue<'_>>) -> Option<PackageSelector> {
        let s = self.string(v, "package", "\"pkg:npm/left-pad\"")?;
        PackageSelector::parse(&s)
            .map_err(|e| self.push("deferred-bad-package", v.span(), e))
            .ok()
    }

    fn date(&mut self, v: &Spanned<DeValue<'_>>, name: &str) -> Option<Date> {
        let what = format!("`{name}` must be a date like `2027-01-31`");
        if self.claim_syntax(&v.span(), "deferred-bad-date", &what) {
            return None;
        }
        let parsed = match v.get_ref() {
            DeValue::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                (Some(d), None, None) => {
                    let (y, m, day) = (
                        i16::try_from(d.year),
                        i8::try_from(d.month),
                        i8::try_from(d.day),
                    );
                    match (y, m, day) {
                        (Ok(y), Ok(m), Ok(day)) => Date::new(y, m, day).map_err(|e| e.to_string()),
                        _ => Err("out of range".to_owned()),
                    }
                }
                _ => Err("give the date only, without a time".to_owned()),
            },
            // jiff's reason helps for a date-shaped string (`2026-02-30`), not for `next spring`.
            DeValue::String(s) => s.parse::<Date>().map_err(|e| {
                if s.len() >= 4 && s.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
                    e.to_string()
                } else {
                    "not a date".to_owned()
                }
            }),
            _ => Err("a date is written unquoted, `2027-01-31`".to_owned()),
        };
        parsed
            .map_err(|why| {
                let found = self.found(v);
                self.push(
                    "deferred-bad-date",
                    v.span(),
                    format!("{what}, found {found} ({why})"),
                );
            })
            .ok()
    }

    /// Keeps the first entry of each (vuln, package) pair; each later one is a diagnostic.
    fn without_duplicates(&mut self, entries: Vec<Located>) -> Vec<Deferred> {
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        let mut out = Vec::new();
        for Located { entry, header } in entries {
            let key = (
                entry.vuln.to_ascii_lowercase(),
                entry.package.as_str().to_owned(),
            );
            if let Some(first) = seen.get(&key) {
                let message = format!(
                    "`{}` in `{}` is deferred twice: here and at line {first}",
                    entry.vuln, entry.package
                );
                self.push("deferred-duplicate", header, message);
                continue;
            }
            seen.insert(key, entry.line);
            out.push(entry);
        }
        out
    }

    /// Syntax errors no field claimed; then everything in file order.
    fn finish(&mut self) {
        for (span, message, done) in std::mem::take(&mut self.syntax) {
            if done {
                continue;
            }
            let (code, message) = if message == "duplicate key" {
                let key = self.text.get(span.clone()).unwrap_or("");
                (
                    "deferred-duplicate-key",
                    format!("key `{key}` is set twice in this table"),
                )
            } else {
                ("deferred-syntax", format!("invalid TOML: {message}"))
            };
            self.push(code, span, message);
        }
        self.diagnostics.sort_by_key(|d| (d.line, d.column));
    }
}

/// The field an unknown key most likely meant: same spelling but for case and `-`, or at most
/// two edits away.
fn similar_field(key: &str) -> Option<&'static str> {
    closest(key, &FIELDS)
}

fn floor_char_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
pub(crate) mod tests {
    use jiff::civil::date;

    use super::*;
    use crate::matching::Verdict;
    use crate::model::finding::{ResolvedSeverity, SeverityLevel};

    /// An affected, high observation of `vuln` (with `ids`) in the component `purl`.
    pub(crate) fn observation(purl: &str, vuln: &str, ids: &[&str]) -> Observation {
        let p = Purl::parse(purl).unwrap();
        Observation {
            purl: purl.to_owned(),
            name: p.full_name(),
            version: p.version.clone(),
            ecosystem: p.ecosystem(),
            vuln: vuln.to_owned(),
            ids: ids.iter().map(|s| (*s).to_owned()).collect(),
            verdict: Verdict::Affected,
            fixed_version: None,
            malicious: false,
            informational: None,
            severity: ResolvedSeverity {
                level: SeverityLevel::High,
                authority: "default".to_owned(),
                reason: "test".to_owned(),
            },
            kev: None,
            epss: None,
            matches: Vec::new(),
        }
    }

    const GOOD: &str = r#"# Shipped with, knowingly.
[[deferred]]
vuln = "CVE-2026-0001"            # any id of the alias group
package = "pkg:npm/left-pad"      # a purl without version
acknowledged = 2026-11-01
reason = "dev-only dependency; never shipped"
resolve_by = 2027-01-31

[[deferred]]
vuln = "GHSA-aaaa-bbbb-cccc"
package = "org.slf4j:slf4j-api"
acknowledged = "2026-11-02"
reason = "not reachable"
resolve_by = 2026-11-02
"#;

    #[test]
    fn a_valid_list_reads_every_entry() {
        let (entries, diags) = parse(GOOD, "deferred.toml");
        assert_eq!(diags, []);
        assert_eq!(entries.len(), 2);
        let e = &entries[0];
        assert_eq!(e.vuln, "CVE-2026-0001");
        assert_eq!(e.package.as_str(), "pkg:npm/left-pad");
        assert!(matches!(e.package, PackageSelector::Purl { .. }));
        assert_eq!(
            (e.acknowledged, e.resolve_by),
            (date(2026, 11, 1), date(2027, 1, 31))
        );
        assert_eq!(e.reason, "dev-only dependency; never shipped");
        assert_eq!((e.file.as_str(), e.line), ("deferred.toml", 2));
        let e = &entries[1];
        assert_eq!(
            e.package,
            PackageSelector::Name("org.slf4j:slf4j-api".to_owned())
        );
        assert_eq!(
            (e.acknowledged, e.resolve_by, e.line),
            (date(2026, 11, 2), date(2026, 11, 2), 9)
        );
        assert_eq!(parse("", "deferred.toml"), (vec![], vec![]));
        assert_eq!(parse("# nothing deferred\n", "d.toml"), (vec![], vec![]));
    }

    const BAD: &str = r#"[[deferred]]
vuln = 12
package = "pkg:npm/left-pad@1.3.0"
acknowledged = 2026-11-01
reason = "dev-only"
resolve-by = 2027-01-31

[[deferred]]
vuln = "CVE-2026-0002"
package = "left-pad"
acknowledged = 2026-13-01
resolve_by = "next spring"

[[deferred]]
vuln = "CVE-2026-0003"
package = "pkg:npm/x"
acknowledged = 2026-11-01
reason = "r"
resolve_by = 2026-10-01
owner = "me"

[[deferred]]
vuln = "CVE-2026-0004"
package = "pkg:npm/y"
acknowledged = 2026-11-01
reason = "first"
resolve_by = 2026-12-01

[[deferred]]
vuln = "cve-2026-0004"
package = "pkg:npm/y"
acknowledged = 2026-11-01
reason = "again"
resolve_by = 2026-12-01

[[deferred]]
vuln = ""
package = "pkg:npm/ok"
acknowledged = 2026-11-01T09:00:00
reason = "r"
resolve_by = 2026-12-01
"#;

    #[test]
    fn every_mistake_is_one_diagnostic_at_its_line_and_column() {
        let (entries, diags) = parse(BAD, "deferred.toml");
        let got: Vec<(&str, usize, usize)> =
            diags.iter().map(|d| (d.code, d.line, d.column)).collect();
        assert_eq!(
            got,
            [
                ("deferred-bad-value", 2, 8),
                ("deferred-bad-package", 3, 11),
                ("deferred-unknown-key", 6, 1),
                ("deferred-missing-field", 8, 1),
                ("deferred-bad-date", 11, 16),
                ("deferred-bad-date", 12, 14),
                ("deferred-bad-date", 19, 14),
                ("deferred-unknown-key", 20, 1),
                ("deferred-duplicate", 29, 1),
                ("deferred-bad-value", 37, 8),
                ("deferred-bad-date", 39, 16),
            ],
            "{}",
            diags.iter().map(Diagnostic::render).collect::<String>()
        );
        // Only the entry without a mistake survives, and the first of the duplicates.
        assert_eq!(
            entries.iter().map(|e| e.vuln.as_str()).collect::<Vec<_>>(),
            ["CVE-2026-0004"]
        );
        assert_eq!(entries[0].reason, "first");
        let message = |line| &diags.iter().find(|d| d.line == line).unwrap().message;
        assert_eq!(
            message(2),
            "`vuln` must be a string like `\"CVE-2026-0001\"`, found integer `12`"
        );
        assert!(
            message(3).contains("names version `1.3.0`"),
            "{}",
            message(3)
        );
        assert!(message(8).contains("no `reason`"), "{}", message(8));
        assert!(
            message(11).contains("expected month between 01 and 12"),
            "{}",
            message(11)
        );
        assert_eq!(
            message(12),
            "`resolve_by` must be a date like `2027-01-31`, found string `\"next spring\"` (not a date)"
        );
        assert!(
            message(19).contains("before `acknowledged` 2026-11-01"),
            "{}",
            message(19)
        );
        assert!(
            message(29).contains("deferred twice: here and at line 22"),
            "{}",
            message(29)
        );
        assert!(message(39).contains("without a time"), "{}", message(39));
        let typo = diags.iter().find(|d| d.line == 6).unwrap();
        assert_eq!(typo.help.as_deref(), Some("did you mean `resolve_by`?"));
    }

    #[test]
    fn rendering_is_rustc_like() {
        let (_, diags) = parse(BAD, "deferred.toml");
        assert_eq!(
            diags[0].render(),
            "error[deferred-bad-value]: `vuln` must be a string like `\"CVE-2026-0001\"`, found \
             integer `12`\n --> deferred.toml:2:8\n  |\n2 | vuln = 12\n  |        ^^\n"
        );
        assert_eq!(
            diags[2].render(),
            "error[deferred-unknown-key]: unknown key `resolve-by` in a `[[deferred]]` entry: \
             expected vuln, package, acknowledged, reason, resolve_by\n --> deferred.toml:6:1\n  \
             |\n6 | resolve-by = 2027-01-31\n  | ^^^^^^^^^^\n  = help: did you mean `resolve_by`?\n"
        );
        let wide = Diagnostic::at(Level::Error, "x", "f", &"\n".repeat(11), 10..11, "m");
        assert_eq!(
            wide.render(),
            "error[x]: m\n  --> f:11:1\n   |\n11 | \n   | ^\n"
        );
    }

    #[test]
    fn toml_syntax_errors_and_structure() {
        let codes = |text| {
            let (_, diags) = parse(text, "d.toml");
            diags
                .into_iter()
                .map(|d| (d.code.to_owned(), d.line))
                .collect::<Vec<_>>()
        };
        let c = |code: &str, line| (code.to_owned(), line);
        assert_eq!(codes("this is not toml\n"), [c("deferred-syntax", 1)]);
        // An unterminated string is that field's mistake; the other fields are still checked.
        assert_eq!(
            codes("[[deferred]]\nvuln = \"x\nreason = 3\npackage = \"p\"\n"),
            [
                c("deferred-missing-field", 1),
                c("deferred-missing-field", 1),
                c("deferred-bad-value", 2),
                c("deferred-bad-value", 3),
            ]
        );
        // An unclosed header swallows fields: the syntax error, not a missing field per field.
        let entry = "vuln = \"a\"\npackage = \"p\"\nacknowledged = 2026-11-01\nreason = \"r\"\n";
        let text = format!("[[deferred]]\n{entry}resolve_by = 2026-11-01\n[[deferred]\n{entry}");
        assert_eq!(codes(&text), [c("deferred-syntax", 7)]);
        let (_, diags) = parse("[deferred]\nvuln = \"x\"\n", "d.toml");
        assert_eq!(diags.len(), 1);
        assert!(
            diags[0].message.contains("write `[[deferred]]`"),
            "{}",
            diags[0].message
        );
        let (_, diags) = parse("deferred = [1]\n", "d.toml");
        assert_eq!(diags.len(), 1);
        let dup = "[[deferred]]\nvuln = \"a\"\nvuln = \"b\"\n";
        let (_, diags) = parse(dup, "d.toml");
        assert!(
            diags
                .iter()
                .any(|d| d.code == "deferred-duplicate-key" && d.line == 3),
            "{diags:#?}"
        );
    }

    #[test]
    fn any_truncation_of_a_bad_file_gives_diagnostics_not_panics() {
        let lines = BAD.lines().count() + 1;
        for (i, _) in BAD.char_indices() {
            let (_, diags) = parse(&BAD[..i], "deferred.toml");
            for d in diags {
                assert!(d.line <= lines && d.column >= 1, "{d:?}");
                assert!(!d.render().is_empty());
            }
        }
        let (_, diags) = parse("[[deferred]]\nvuln = \"é\u{202e}\" \u{0}\n", "d.toml");
        assert!(!diags.is_empty());
    }

    #[test]
    fn covers_any_id_of_the_group_case_insensitively() {
        let (entries, _) = parse(GOOD, "deferred.toml");
        let d = &entries[0];
        let o = observation(
            "pkg:npm/left-pad@1.3.0",
            "GHSA-xxxx",
            &["GHSA-xxxx", "cve-2026-0001"],
        );
        assert!(d.covers(&o));
        assert!(!d.covers(&observation("pkg:npm/left-pad@1.3.0", "CVE-2026-9999", &[])));
        assert!(!d.covers(&observation(
            "pkg:npm/right-pad@1.3.0",
            "CVE-2026-0001",
            &[]
        )));
        assert!(!d.covers(&observation(
            "pkg:npm/%40scope/left-pad@1",
            "CVE-2026-0001",
            &[]
        )));
        assert!(!d.covers(&observation("pkg:pypi/left-pad@1", "CVE-2026-0001", &[])));
        assert!(!d.is_expired(date(2027, 1, 31)));
        assert!(d.is_expired(date(2027, 2, 1)));
    }

    #[test]
    fn a_purl_selector_is_a_subset_match() {
        let sel = |s: &str| PackageSelector::parse(s).unwrap();
        let deb = "pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=debian-12";
        assert!(sel("pkg:deb/debian/openssl").matches(deb, "openssl"));
        assert!(sel("pkg:deb/debian/openssl?distro=debian-12").matches(deb, "openssl"));
        assert!(!sel("pkg:deb/debian/openssl?distro=debian-11").matches(deb, "openssl"));
        assert!(!sel("pkg:deb/ubuntu/openssl").matches(deb, "openssl"));
        assert!(!sel("pkg:deb/debian/openssl?distro=debian-12&arch=arm64").matches(deb, "openssl"));
        let npm = "pkg:npm/%40babel/core@7.0.0";
        assert!(sel("pkg:npm/%40babel/core").matches(npm, "@babel/core"));
        assert!(!sel("pkg:npm/core").matches(npm, "@babel/core"));
        // Bare names: the component's name as its ecosystem spells it.
        assert!(sel("@babel/core").matches(npm, "@babel/core"));
        assert!(sel("openssl").matches(deb, "openssl"));
        assert!(!sel("core").matches(npm, "@babel/core"));
        assert!(sel("Zope.Interface").matches("pkg:pypi/zope-interface@5", "zope.interface"));
        assert!(sel("pkg:pypi/zope_interface").matches("pkg:pypi/zope-interface@5", "x"));
    }

    #[test]
    fn bad_package_selectors_say_what_was_expected() {
        for bad in [
            "",
            "  ",
            "pkg:npm/left-pad@1.0",
            "pkg:",
            "left pad",
            "pkg:npm/a#sub/path",
        ] {
            let e = PackageSelector::parse(bad).unwrap_err();
            assert!(e.contains("expected a purl without version"), "{bad}: {e}");
        }
    }
}
