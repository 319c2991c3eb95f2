//! One rule file's text → its rules and a diagnostic for every mistake in it. The TOML is read
//! with spans (`toml::de::DeTable`), so every diagnostic points at the key or value at fault;
//! a rule with any error is left out, the others are kept.

use std::ops::Range;

use jiff::civil::Date;
use regex::RegexBuilder;
use toml::de::{DeTable, DeValue};

use super::diagnostic::{Diagnostic, Level, closest};
use super::{ComponentMatch, Conditions, Pattern, Rule, RuleKind};
use crate::model::decision::{Justification, RuleRef, VexStatus};
use crate::model::finding::SeverityLevel;
use crate::model::purl::Purl;

type Spanned<T> = toml::Spanned<T>;

const RULE_KEYS: &[&str] = &[
    "id",
    "kind",
    "component",
    "vuln",
    "project",
    "when",
    "status",
    "justification",
    "impact_statement",
    "action_statement",
    "reason",
    "issue",
    "owner",
    "recheck",
    "expires",
    "priority",
];
const COMPONENT_KEYS: &[&str] = &["name", "purl", "ecosystem"];
const WHEN_KEYS: &[&str] = &[
    "debian_urgency",
    "debian_nodsa_reason",
    "max_severity",
    "kev",
    "epss_below",
    "fix_available",
];

/// Compiled regexes are capped so that a hostile pattern cannot take the memory.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The rules of one file (`file` as it should be shown: `rules/auto/debian.toml`), in file
/// order, numbered from `first_order`, and the diagnostics. `expected` is the kind the folder
/// implies (`rules/auto` → auto), when there is one.
pub fn parse(
    text: &str,
    file: &str,
    expected: Option<RuleKind>,
    first_order: usize,
) -> (Vec<Rule>, Vec<Diagnostic>) {
    let mut p = Parser {
        text,
        file,
        diagnostics: Vec::new(),
    };
    let (root, errors) = DeTable::parse_recoverable(text);
    for e in errors {
        let span = e.span().unwrap_or(0..0);
        p.error(
            "rule-parse-error",
            span,
            format!("invalid TOML: {}", e.message()),
        );
    }
    let mut rules = Vec::new();
    for (key, value) in root.get_ref() {
        if key.get_ref().as_ref() != "rule" {
            p.error(
                "rule-unknown-key",
                key.span(),
                format!(
                    "unknown key `{}` at the top of a rule file; expected `[[rule]]` tables",
                    key.get_ref()
                ),
            );
            continue;
        }
        let DeValue::Array(entries) = value.get_ref() else {
            p.error(
                "rule-bad-type",
                value.span(),
                "`rule` must be an array of tables: write each rule as `[[rule]]`",
            );
            continue;
        };
        for entry in entries {
            let DeValue::Table(table) = entry.get_ref() else {
                p.error("rule-bad-type", entry.span(), "a rule must be a table");
                continue;
            };
            if let Some(rule) = p.rule(table, entry.span(), expected, first_order + rules.len()) {
                rules.push(rule);
            }
        }
    }
    // A value TOML itself refused is one mistake: its parse error says it, once.
    let refused: Vec<(usize, usize)> = p
        .diagnostics
        .iter()
        .filter(|d| d.code == "rule-parse-error")
        .map(|d| (d.line, d.column))
        .collect();
    let mut diagnostics: Vec<Diagnostic> = p
        .diagnostics
        .into_iter()
        .filter(|d| d.code == "rule-parse-error" || !refused.contains(&(d.line, d.column)))
        .collect();
    diagnostics.sort_by_key(|d| (d.line, d.column));
    (rules, diagnostics)
}

struct Parser<'t> {
    text: &'t str,
    file: &'t str,
    diagnostics: Vec<Diagnostic>,
}

impl Parser<'_> {
    fn error(&mut self, code: &'static str, span: Range<usize>, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::at(
            Level::Error,
            code,
            self.file,
            self.text,
            span,
            message,
        ));
    }

    fn warn(&mut self, code: &'static str, span: Range<usize>, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::at(
            Level::Warning,
            code,
            self.file,
            self.text,
            span,
            message,
        ));
    }

    /// Unknown keys of a table, each a diagnostic naming the keys allowed there.
    fn known_keys(&mut self, table: &DeTable<'_>, allowed: &[&str], within: &str) {
        for key in table.keys() {
            let name = key.get_ref().as_ref();
            if !allowed.contains(&name) {
                let hint = closest(name, allowed)
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                self.error(
                    "rule-unknown-key",
                    key.span(),
                    format!(
                        "unknown key `{name}` in {within}{hint}; expected one of {}",
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    fn string(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.error(
                    "rule-bad-type",
                    value.span(),
                    format!("`{key}` must be a string"),
                );
                None
            }
        }
    }

    fn strings(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<Vec<String>> {
        match value.get_ref() {
            DeValue::String(s) => Some(vec![s.to_string()]),
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    out.push(self.string(item, key)?);
                }
                Some(out)
            }
            _ => {
                self.error(
                    "rule-bad-type",
                    value.span(),
                    format!("`{key}` must be a string or an array of strings"),
                );
                None
            }
        }
    }

    fn pattern(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<Pattern> {
        let text = self.string(value, key)?;
        match RegexBuilder::new(&text)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
        {
            Ok(regex) => Some(Pattern { text, regex }),
            Err(e) => {
                let why = e.to_string();
                let why = why
                    .lines()
                    .last()
                    .unwrap_or("")
                    .trim_start_matches("error: ");
                self.error(
                    "rule-invalid-regex",
                    value.span(),
                    format!("`{key}` is not a valid regex: {why}"),
                );
                None
            }
        }
    }

    fn date(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<Date> {
        let parsed = match value.get_ref() {
            DeValue::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
                dt.date.and_then(|d| {
                    Date::new(
                        i16::try_from(d.year).ok()?,
                        i8::try_from(d.month).ok()?,
                        i8::try_from(d.day).ok()?,
                    )
                    .ok()
                })
            }
            // A quoted date is a common slip; it is read, with a warning.
            DeValue::String(s) => match s.parse::<Date>() {
                Ok(d) => {
                    self.warn(
                        "rule-quoted-date",
                        value.span(),
                        format!("`{key}` is a string; write the date unquoted (`{key} = {d}`)"),
                    );
                    Some(d)
                }
                Err(_) => None,
            },
            _ => None,
        };
        if parsed.is_none() {
            self.error(
                "rule-bad-date",
                value.span(),
                format!("`{key}` must be a date like 2027-05-01 (a TOML local date, no time)"),
            );
        }
        parsed
    }

    fn rule(
        &mut self,
        table: &DeTable<'_>,
        span: Range<usize>,
        expected: Option<RuleKind>,
        order: usize,
    ) -> Option<Rule> {
        let before = self.errors();
        self.known_keys(table, RULE_KEYS, "a rule");
        let get = |k: &str| {
            table
                .iter()
                .find(|(key, _)| key.get_ref().as_ref() == k)
                .map(|(_, v)| v)
        };
        let id = match get("id") {
            Some(v) => self.string(v, "id").inspect(|id| {
                if id.trim().is_empty() {
                    self.error("rule-missing-field", v.span(), "`id` must not be empty");
                }
            }),
            None => {
                self.error("rule-missing-field", span.clone(), "a rule needs an `id`");
                None
            }
        };
        let id_text = id.clone().unwrap_or_else(|| "?".to_owned());
        let kind = match get("kind") {
            Some(v) => match self.string(v, "kind").as_deref() {
                Some("auto") => Some(RuleKind::Auto),
                Some("triage") => Some(RuleKind::Triage),
                Some(other) => {
                    self.error(
                        "rule-bad-kind",
                        v.span(),
                        format!("unknown kind `{other}`; expected `auto` or `triage`"),
                    );
                    None
                }
                None => None,
            },
            None => expected,
        };
        if let (Some(kind), Some(expected), Some(v)) = (kind, expected, get("kind"))
            && kind != expected
        {
            self.warn(
                "rule-kind-mismatch",
                v.span(),
                format!(
                    "a `{}` rule in the `{}` folder: move it to rules/{}/ or change its kind",
                    kind.as_str(),
                    expected.as_str(),
                    kind.as_str()
                ),
            );
        }
        if kind.is_none() && get("kind").is_none() {
            self.error(
                "rule-missing-field",
                span.clone(),
                format!("rule `{id_text}` needs a `kind` (`auto` or `triage`)"),
            );
        }
        let mut component = ComponentMatch::default();
        if let Some(v) = get("component") {
            match v.get_ref() {
                DeValue::Table(t) => {
                    self.known_keys(t, COMPONENT_KEYS, "`component`");
                    let cget = |k: &str| t.iter().find(|(key, _)| key.get_ref().as_ref() == k).map(|(_, v)| v);
                    if let Some(v) = cget("name") {
                        component.name = self.pattern(v, "component.name");
                    }
                    if let Some(v) = cget("purl") {
                        component.purl = self.string(v, "component.purl").and_then(|p| {
                            match Purl::parse(&p) {
                                Ok(parsed) if parsed.version.is_none() => Some(p),
                                Ok(_) => {
                                    self.error(
                                        "rule-bad-purl",
                                        v.span(),
                                        "`component.purl` must not carry a version: a rule covers a package at every version (use `when` or `vuln` to narrow)",
                                    );
                                    None
                                }
                                Err(e) => {
                                    self.error("rule-bad-purl", v.span(), format!("`component.purl` is not a purl: {e}"));
                                    None
                                }
                            }
                        });
                    }
                    if let Some(v) = cget("ecosystem") {
                        component.ecosystem = self.string(v, "component.ecosystem");
                    }
                }
                _ => self.error(
                    "rule-bad-type",
                    v.span(),
                    "`component` must be a table: `component = { name = \"^regex$\" }`, `{ purl = \"pkg:…\" }` or `{ ecosystem = \"Debian\" }`",
                ),
            }
        }
        let vuln = get("vuln").and_then(|v| self.pattern(v, "vuln"));
        let project = get("project").and_then(|v| self.pattern(v, "project"));
        if component == ComponentMatch::default()
            && vuln.is_none()
            && get("component").is_none()
            && get("vuln").is_none()
        {
            self.error(
                "rule-matches-everything",
                span.clone(),
                format!("rule `{id_text}` names neither a `component` nor a `vuln`: it would decide every finding"),
            );
        }
        let when = match get("when") {
            Some(v) => self.conditions(v),
            None => Conditions::default(),
        };
        let status = match get("status") {
            Some(v) => self.string(v, "status").and_then(|s| {
                let parsed = VexStatus::parse(&s);
                if parsed.is_none() {
                    self.error(
                        "rule-bad-status",
                        v.span(),
                        format!(
                            "unknown status `{s}`; expected an OpenVEX status: {}",
                            VexStatus::ALL.map(VexStatus::as_str).join(", ")
                        ),
                    );
                }
                parsed
            }),
            None => {
                self.error(
                    "rule-missing-field",
                    span.clone(),
                    format!("rule `{id_text}` needs a `status`"),
                );
                None
            }
        };
        let justification = get("justification").and_then(|v| {
            self.string(v, "justification").and_then(|s| {
                let parsed = Justification::parse(&s);
                if parsed.is_none() {
                    self.error(
                        "rule-bad-justification",
                        v.span(),
                        format!(
                            "unknown justification `{s}`; expected an OpenVEX justification: {}",
                            Justification::ALL.map(Justification::as_str).join(", ")
                        ),
                    );
                }
                parsed
            })
        });
        let impact_statement =
            get("impact_statement").and_then(|v| self.string(v, "impact_statement"));
        let action_statement =
            get("action_statement").and_then(|v| self.string(v, "action_statement"));
        if status == Some(VexStatus::NotAffected)
            && justification.is_none()
            && impact_statement.is_none()
            && get("justification").is_none()
        {
            self.error(
                "rule-missing-justification",
                span.clone(),
                format!("rule `{id_text}` decides `not_affected`: OpenVEX needs a `justification` (or an `impact_statement`)"),
            );
        }
        let reason = match get("reason") {
            Some(v) => self.string(v, "reason").filter(|r| {
                let ok = !r.trim().is_empty();
                if !ok {
                    self.error(
                        "rule-missing-reason",
                        v.span(),
                        "`reason` must say why, not be empty",
                    );
                }
                ok
            }),
            None => {
                self.error(
                    "rule-missing-reason",
                    span.clone(),
                    format!("rule `{id_text}` needs a `reason`: why this decision is right"),
                );
                None
            }
        };
        let issue = get("issue").and_then(|v| self.string(v, "issue"));
        let owner = get("owner").and_then(|v| self.string(v, "owner"));
        let recheck = get("recheck").and_then(|v| self.date(v, "recheck"));
        let expires = get("expires").and_then(|v| self.date(v, "expires"));
        let priority = match get("priority") {
            Some(v) => match v.get_ref() {
                DeValue::Integer(i) => {
                    i.as_str().replace('_', "").parse::<i64>().ok().or_else(|| {
                        self.error("rule-bad-type", v.span(), "`priority` must be an integer");
                        None
                    })
                }
                _ => {
                    self.error("rule-bad-type", v.span(), "`priority` must be an integer");
                    None
                }
            },
            None => Some(0),
        };
        if kind == Some(RuleKind::Triage) {
            if get("issue").is_none() {
                self.error(
                    "rule-missing-issue",
                    span.clone(),
                    format!("triage rule `{id_text}` needs an `issue`: the link to where it was reviewed"),
                );
            }
            if get("recheck").is_none() {
                self.error(
                    "rule-missing-recheck",
                    span.clone(),
                    format!("triage rule `{id_text}` needs a `recheck` date"),
                );
            }
        }
        if self.errors() > before {
            return None;
        }
        let line = super::diagnostic::locate(self.text, span).0;
        Some(Rule {
            id: id?,
            kind: kind?,
            component,
            vuln,
            project,
            when,
            status: status?,
            justification,
            impact_statement,
            action_statement,
            reason: reason?,
            issue,
            owner,
            recheck,
            expires,
            priority: priority?,
            location: RuleRef {
                id: id_text,
                file: self.file.to_owned(),
                line,
            },
            order,
        })
    }

    fn conditions(&mut self, value: &Spanned<DeValue<'_>>) -> Conditions {
        let mut when = Conditions::default();
        let DeValue::Table(t) = value.get_ref() else {
            self.error(
                "rule-bad-type",
                value.span(),
                "`when` must be a table: `when = { debian_urgency = [\"unimportant\"] }`",
            );
            return when;
        };
        self.known_keys(t, WHEN_KEYS, "`when`");
        for (key, v) in t {
            match key.get_ref().as_ref() {
                "debian_urgency" => {
                    when.debian_urgency = self.strings(v, "when.debian_urgency").unwrap_or_default()
                }
                "debian_nodsa_reason" => {
                    when.debian_nodsa_reason = self
                        .strings(v, "when.debian_nodsa_reason")
                        .unwrap_or_default();
                }
                "max_severity" => {
                    when.max_severity = self.string(v, "when.max_severity").and_then(|s| {
                        let level = SeverityLevel::parse(&s);
                        if level.is_none() {
                            self.error(
                                "rule-bad-value",
                                v.span(),
                                format!(
                                    "unknown severity `{s}`; expected critical, high, medium or low"
                                ),
                            );
                        }
                        level
                    });
                }
                "kev" | "fix_available" => {
                    let b = match v.get_ref() {
                        DeValue::Boolean(b) => Some(*b),
                        _ => {
                            self.error(
                                "rule-bad-type",
                                v.span(),
                                format!("`when.{}` must be true or false", key.get_ref()),
                            );
                            None
                        }
                    };
                    if key.get_ref().as_ref() == "kev" {
                        when.kev = b;
                    } else {
                        when.fix_available = b;
                    }
                }
                "epss_below" => {
                    when.epss_below = match v.get_ref() {
                        DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
                        DeValue::Integer(i) => i.as_str().parse::<f64>().ok(),
                        _ => None,
                    }
                    .filter(|x| (0.0..=1.0).contains(x));
                    if when.epss_below.is_none() {
                        self.error(
                            "rule-bad-value",
                            v.span(),
                            "`when.epss_below` must be a number from 0 to 1",
                        );
                    }
                }
                _ => {}
            }
        }
        when
    }

    fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.level == Level::Error)
            .count()
    }
}
