//! Rule files of the Loop-ISMS control-repository shape (`triage-rules.json`,
//! `auto-fire-rules.json`) converted to Vexil's TOML rules, losslessly: every field of an entry
//! maps to a rule field, or the entry is reported as not converted (never half-converted).
//!
//! An entry is a JSON object; the file is an array of them, or an object holding one such array
//! (`rules`, `triage_rules`, `auto_fire_rules`, `entries`). Fields read: `id`/`name`,
//! `component_regex`, `vulnId_regex` (also `vuln_id_regex`, `cve_regex`), `project_regex`,
//! `state`/`status`/`analysis_state` (OpenVEX or Dependency-Track words), `justification`,
//! `reason`/`comment`/`details`/`analysis_detail`, `impact_statement`, `action_statement`/
//! `response`, `issue`/`ticket`/`issue_url`, `owner`, `recheck`/`recheck_date`/`recheck_on`/
//! `revisit`/`review_by`, `expires`/`expiry`, `priority`, `enabled`.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Map, Value};

use super::RuleKind;
use crate::model::decision::{Justification, VexStatus};

/// An entry that could not be converted, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unconverted {
    /// The entry's place in the file (JSON pointer) and its id when it has one.
    pub at: String,
    pub id: Option<String>,
    pub reason: String,
}

/// The TOML rules (one `[[rule]]` per converted entry, in file order) and the entries left out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Converted {
    pub toml: String,
    pub rules: usize,
    pub unconverted: Vec<Unconverted>,
}

/// Converts `text` (named `file`, for ids and messages). `kind` is the kind every rule gets;
/// triage entries must carry an issue and a recheck date.
pub fn convert(text: &str, file: &str, kind: RuleKind) -> Result<Converted, String> {
    let root: Value =
        serde_json::from_str(text).map_err(|e| format!("`{file}` is not JSON: {e}"))?;
    let (entries, base) = match &root {
        Value::Array(a) => (a, String::new()),
        Value::Object(o) => {
            let found = ["rules", "triage_rules", "auto_fire_rules", "entries"]
                .iter()
                .find_map(|k| {
                    o.get(*k)
                        .and_then(Value::as_array)
                        .map(|a| (a, format!("/{k}")))
                });
            found.ok_or_else(|| {
                format!(
                    "`{file}`: expected an array of rule entries, or an object with `rules`, `triage_rules`, `auto_fire_rules` or `entries`"
                )
            })?
        }
        _ => return Err(format!("`{file}`: expected an array of rule entries")),
    };
    let stem = file
        .rsplit('/')
        .next()
        .unwrap_or(file)
        .trim_end_matches(".json")
        .to_owned();
    let mut out = Converted::default();
    for (i, entry) in entries.iter().enumerate() {
        let at = format!("{base}/{i}");
        let Value::Object(fields) = entry else {
            out.unconverted.push(Unconverted {
                at,
                id: None,
                reason: "not an object".into(),
            });
            continue;
        };
        match rule(fields, kind, &format!("{stem}-{}", i + 1)) {
            Ok(text) => {
                if !out.toml.is_empty() {
                    out.toml.push('\n');
                }
                let _ = writeln!(out.toml, "# converted from {file}{at}");
                out.toml.push_str(&text);
                out.rules += 1;
            }
            Err(reason) => out.unconverted.push(Unconverted {
                at,
                id: str_of(fields, &["id", "name"]).map(str::to_owned),
                reason,
            }),
        }
    }
    Ok(out)
}

fn str_of<'a>(fields: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| fields.get(*k).and_then(Value::as_str))
}

/// One entry as a TOML rule, or why it cannot be one.
fn rule(fields: &Map<String, Value>, kind: RuleKind, default_id: &str) -> Result<String, String> {
    const KNOWN: &[&str] = &[
        "id",
        "name",
        "component_regex",
        "vulnId_regex",
        "vuln_id_regex",
        "cve_regex",
        "project_regex",
        "state",
        "status",
        "analysis_state",
        "justification",
        "reason",
        "comment",
        "details",
        "analysis_detail",
        "impact_statement",
        "action_statement",
        "response",
        "issue",
        "ticket",
        "issue_url",
        "owner",
        "recheck",
        "recheck_date",
        "recheck_on",
        "revisit",
        "review_by",
        "expires",
        "expiry",
        "priority",
        "enabled",
    ];
    if let Some(unknown) = fields.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(format!(
            "field `{unknown}` has no place in a Vexil rule: converting would lose it"
        ));
    }
    for (k, v) in fields {
        let fine = match k.as_str() {
            "priority" => v.is_i64(),
            "enabled" => v.is_boolean(),
            _ => v.is_string(),
        };
        if !fine {
            return Err(format!("field `{k}` has an unexpected type ({v})"));
        }
    }
    if fields.get("enabled") == Some(&Value::Bool(false)) {
        return Err(
            "the entry is disabled (`enabled: false`): not converted into a live rule".into(),
        );
    }
    let get = |keys: &[&str]| str_of(fields, keys);
    let id = get(&["id", "name"]).unwrap_or(default_id);
    let component = get(&["component_regex"]);
    let vuln = get(&["vulnId_regex", "vuln_id_regex", "cve_regex"]);
    if component.is_none() && vuln.is_none() {
        return Err(
            "neither `component_regex` nor `vulnId_regex`: it would decide every finding".into(),
        );
    }
    for pattern in [component, vuln, get(&["project_regex"])]
        .into_iter()
        .flatten()
    {
        regex::Regex::new(pattern).map_err(|e| format!("`{pattern}` is not a valid regex: {e}"))?;
    }
    let justification_text = get(&["justification"]);
    let justification = justification_text.map(|j| {
        Justification::parse(&j.to_ascii_lowercase().replace([' ', '-'], "_")).or(
            match j.to_ascii_uppercase().as_str() {
                // Dependency-Track's analysis justifications.
                "CODE_NOT_PRESENT" => Some(Justification::VulnerableCodeNotPresent),
                "CODE_NOT_REACHABLE" => Some(Justification::VulnerableCodeNotInExecutePath),
                "REQUIRES_CONFIGURATION" | "REQUIRES_DEPENDENCY" | "REQUIRES_ENVIRONMENT" => {
                    Some(Justification::VulnerableCodeCannotBeControlledByAdversary)
                }
                "PROTECTED_BY_COMPILER"
                | "PROTECTED_AT_RUNTIME"
                | "PROTECTED_AT_PERIMETER"
                | "PROTECTED_BY_MITIGATING_CONTROL" => {
                    Some(Justification::InlineMitigationsAlreadyExist)
                }
                _ => None,
            },
        )
    });
    if let (Some(text), Some(None)) = (justification_text, justification) {
        return Err(format!(
            "justification `{text}` is neither an OpenVEX nor a Dependency-Track justification"
        ));
    }
    let justification = justification.flatten();
    let status = match get(&["state", "status", "analysis_state"]) {
        None if justification.is_some() => VexStatus::NotAffected,
        None => return Err("no `state`: the decision is not stated".into()),
        Some(s) => match s.to_ascii_lowercase().replace([' ', '-'], "_").as_str() {
            "not_affected" | "false_positive" => VexStatus::NotAffected,
            "affected" | "exploitable" => VexStatus::Affected,
            "fixed" | "resolved" => VexStatus::Fixed,
            "under_investigation" | "in_triage" => VexStatus::UnderInvestigation,
            other => return Err(format!("state `{other}` has no OpenVEX status")),
        },
    };
    let reason = get(&["reason", "comment", "details", "analysis_detail"])
        .ok_or("no `reason`: a Vexil rule must say why")?;
    let issue = get(&["issue", "ticket", "issue_url"]);
    let recheck = get(&[
        "recheck",
        "recheck_date",
        "recheck_on",
        "revisit",
        "review_by",
    ]);
    let expires = get(&["expires", "expiry"]);
    for date in [recheck, expires].into_iter().flatten() {
        date.parse::<jiff::civil::Date>()
            .map_err(|e| format!("`{date}` is not a date (YYYY-MM-DD): {e}"))?;
    }
    if kind == RuleKind::Triage && (issue.is_none() || recheck.is_none()) {
        return Err("a triage rule needs an `issue` and a re-check date".into());
    }
    if status == VexStatus::NotAffected
        && justification.is_none()
        && get(&["impact_statement"]).is_none()
    {
        return Err(
            "not_affected without a justification or impact statement (OpenVEX needs one)".into(),
        );
    }
    let q = |s: &str| toml::Value::String(s.to_owned()).to_string();
    let mut t = String::from("[[rule]]\n");
    let _ = writeln!(t, "id = {}", q(id));
    let _ = writeln!(t, "kind = \"{}\"", kind.as_str());
    if let Some(c) = component {
        let _ = writeln!(t, "component = {{ name = {} }}", q(c));
    }
    if let Some(v) = vuln {
        let _ = writeln!(t, "vuln = {}", q(v));
    }
    if let Some(p) = get(&["project_regex"]) {
        let _ = writeln!(t, "project = {}", q(p));
    }
    let _ = writeln!(t, "status = \"{}\"", status.as_str());
    if let Some(j) = justification {
        let _ = writeln!(t, "justification = \"{}\"", j.as_str());
    }
    for (key, keys) in [
        ("impact_statement", &["impact_statement"][..]),
        ("action_statement", &["action_statement", "response"][..]),
    ] {
        if let Some(v) = get(keys) {
            let _ = writeln!(t, "{key} = {}", q(v));
        }
    }
    let _ = writeln!(t, "reason = {}", q(reason));
    if let Some(i) = issue {
        let _ = writeln!(t, "issue = {}", q(i));
    }
    if let Some(o) = get(&["owner"]) {
        let _ = writeln!(t, "owner = {}", q(o));
    }
    if let Some(d) = recheck {
        let _ = writeln!(t, "recheck = {d}");
    }
    if let Some(d) = expires {
        let _ = writeln!(t, "expires = {d}");
    }
    if let Some(p) = fields.get("priority").and_then(Value::as_i64) {
        let _ = writeln!(t, "priority = {p}");
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::check::{RuleFile, check};

    #[test]
    fn entries_convert_to_rules_that_check_clean_and_the_rest_are_reported() {
        let json = r#"{"rules": [
          {"id": "libc-headers", "component_regex": "^linux-libc-dev$", "vulnId_regex": "^CVE-",
           "state": "NOT_AFFECTED", "justification": "CODE_NOT_PRESENT",
           "reason": "headers only \"really\"", "issue": "https://git.example.org/isms/issues/12",
           "recheck": "2027-05-01"},
          {"component_regex": "^openssl$", "vulnId_regex": "^CVE-2026-0001$", "state": "exploitable",
           "comment": "reviewed", "ticket": "https://t/1", "recheck_date": "2027-01-01", "priority": 3},
          {"id": "extra", "component_regex": "^x$", "state": "in_triage", "reason": "r",
           "issue": "i", "recheck": "2027-01-01", "severity_override": "low"},
          {"id": "bad-regex", "component_regex": "^(x", "state": "affected", "reason": "r",
           "issue": "i", "recheck": "2027-01-01"},
          {"id": "no-reason", "vulnId_regex": "^CVE-", "state": "affected", "issue": "i", "recheck": "2027-01-01"},
          {"id": "bad-date", "vulnId_regex": "^CVE-", "state": "affected", "reason": "r", "issue": "i", "recheck": "soon"}
        ]}"#;
        let c = convert(json, "isms/triage-rules.json", RuleKind::Triage).expect("valid JSON");
        assert_eq!(c.rules, 2);
        let reasons: Vec<(&str, &str)> = c
            .unconverted
            .iter()
            .map(|u| (u.at.as_str(), u.reason.split(':').next().unwrap_or("")))
            .collect();
        assert_eq!(
            reasons,
            [
                (
                    "/rules/2",
                    "field `severity_override` has no place in a Vexil rule"
                ),
                ("/rules/3", "`^(x` is not a valid regex"),
                ("/rules/4", "no `reason`"),
                ("/rules/5", "`soon` is not a date (YYYY-MM-DD)"),
            ]
        );
        let set = check(
            &[RuleFile {
                name: "rules/triage/imported.toml".into(),
                text: c.toml.clone(),
                kind: Some(RuleKind::Triage),
            }],
            jiff::civil::date(2026, 11, 23),
        );
        assert_eq!(set.errors(), 0, "{:?}\n{}", set.diagnostics, c.toml);
        let first = &set.rules[0];
        assert_eq!(first.id, "libc-headers");
        assert_eq!(
            first.justification,
            Some(Justification::VulnerableCodeNotPresent)
        );
        assert_eq!(first.reason, "headers only \"really\"");
        let second = &set.rules[1];
        assert_eq!(
            (second.id.as_str(), second.status, second.priority),
            ("triage-rules-2", VexStatus::Affected, 3)
        );
        assert_eq!(second.issue.as_deref(), Some("https://t/1"));
    }

    #[test]
    fn a_file_of_the_wrong_shape_is_refused() {
        assert!(convert("{\"x\": 1}", "a.json", RuleKind::Auto).is_err());
        assert!(convert("not json", "a.json", RuleKind::Auto).is_err());
        assert!(
            convert("[1]", "a.json", RuleKind::Auto)
                .expect("array")
                .unconverted
                .len()
                == 1
        );
    }
}
