//! Every rule file of a repository together: parsed in order (`rules/auto` then
//! `rules/triage`, each by file name), duplicate ids refused, and rules past their `expires` or
//! `recheck` date reported.

use std::collections::HashMap;

use jiff::civil::Date;

use super::diagnostic::{Diagnostic, Level};
use super::parse::parse;
use super::{Rule, RuleKind};

/// A rule file to read: its name as shown, its text, and the kind its folder implies.
#[derive(Clone, Debug)]
pub struct RuleFile {
    pub name: String,
    pub text: String,
    pub kind: Option<RuleKind>,
}

/// The valid rules of every file, in precedence-relevant file order, and every diagnostic.
#[derive(Clone, Debug, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub diagnostics: Vec<Diagnostic>,
}

impl RuleSet {
    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.level == Level::Error)
            .count()
    }
}

/// Reads every file (in the order given) and checks the rules together on `today`.
pub fn check(files: &[RuleFile], today: Date) -> RuleSet {
    let mut set = RuleSet::default();
    let mut first: HashMap<String, (String, usize)> = HashMap::new();
    for file in files {
        let (rules, mut diagnostics) = parse(&file.text, &file.name, file.kind, set.rules.len());
        for rule in rules {
            if let Some((other_file, other_line)) = first.get(&rule.id) {
                diagnostics.push(at_rule(
                    Level::Error,
                    "rule-duplicate-id",
                    file,
                    rule.location.line,
                    format!(
                        "rule id `{}` is already used at {other_file}:{other_line}; ids must be unique across all rule files",
                        rule.id
                    ),
                ));
                continue;
            }
            first.insert(rule.id.clone(), (file.name.clone(), rule.location.line));
            if rule.expired(today) {
                diagnostics.push(at_rule(
                    Level::Warning,
                    "rule-expired",
                    file,
                    rule.location.line,
                    format!(
                        "rule `{}` expired on {}: it decides nothing any more; renew or remove it",
                        rule.id,
                        rule.expires.map(|d| d.to_string()).unwrap_or_default()
                    ),
                ));
            } else if rule.stale(today) {
                diagnostics.push(at_rule(
                    Level::Warning,
                    "rule-stale",
                    file,
                    rule.location.line,
                    format!(
                        "rule `{}` was due for a re-check on {}{}{}",
                        rule.id,
                        rule.recheck.map(|d| d.to_string()).unwrap_or_default(),
                        rule.owner
                            .as_ref()
                            .map(|o| format!("; owner {o}"))
                            .unwrap_or_default(),
                        rule.issue
                            .as_ref()
                            .map(|i| format!("; issue {i}"))
                            .unwrap_or_default()
                    ),
                ));
            }
            set.rules.push(rule);
        }
        diagnostics.sort_by_key(|d| (d.line, d.column));
        set.diagnostics.extend(diagnostics);
    }
    set
}

/// A diagnostic on a rule's `[[rule]]` line.
fn at_rule(
    level: Level,
    code: &'static str,
    file: &RuleFile,
    line: usize,
    message: String,
) -> Diagnostic {
    let start: usize = file
        .text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let width = file.text[start..]
        .find('\n')
        .unwrap_or(file.text.len() - start);
    Diagnostic::at(
        level,
        code,
        &file.name,
        &file.text,
        start..start + width,
        message,
    )
}
