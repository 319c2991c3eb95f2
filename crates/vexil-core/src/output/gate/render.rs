//! The gate's report rendered: a terminal table, JSON, Markdown for pull requests, JUnit XML
//! for CI, and the redacted one-line public log.

use std::fmt::Write as _;

use super::{FailReason, GateEntry, GateReport, Outcome};
use crate::output::escape::{markdown_cell, xml};

/// The verdict and counts in one line: numbers and fixed words only, no name, version or id.
fn summary_line(r: &GateReport) -> String {
    let c = &r.counts;
    let mut failing = Vec::new();
    for (n, what) in [
        (c.kev, "KEV"),
        (c.malicious, "malicious"),
        (c.expired_deferrals, "expired deferral"),
        (c.expired_decisions, "expired decision"),
        (c.affected, "affected"),
        (c.unknown, "unknown"),
    ] {
        if n > 0 {
            failing.push(format!("{n} {what}"));
        }
    }
    let failing = if failing.is_empty() {
        String::new()
    } else {
        format!(" ({})", failing.join(", "))
    };
    format!(
        "{}: {} of {} findings fail the gate{failing}; {} deferred, {} suppressed, {} below \
         threshold, {} unknown passed, {} informational, {} not affected; {} overdue",
        r.verdict.as_str(),
        c.failing,
        c.findings,
        c.deferred,
        c.suppressed,
        c.below_threshold,
        c.unknown_passed,
        c.informational,
        c.not_affected,
        c.overdue
    )
}

const COLUMNS: [&str; 7] = [
    "OUTCOME",
    "SEVERITY",
    "PACKAGE",
    "VERSION",
    "VULNERABILITY",
    "DUE",
    "WHY",
];

fn row(e: &GateEntry) -> [String; 7] {
    let f = &e.finding;
    let due = match (f.due, e.overdue) {
        (Some(d), true) => format!("{d} (overdue)"),
        (Some(d), false) => d.to_string(),
        (None, _) => String::new(),
    };
    [
        e.outcome.label().to_owned(),
        f.severity.to_string(),
        f.name.clone(),
        f.version.clone().unwrap_or_default(),
        f.vuln.clone(),
        due,
        e.why(),
    ]
}

/// For terminals: the summary line, then one aligned row per finding. Names come from the
/// user's inventory as they are; the CLI escapes control characters before printing.
pub fn render_table(r: &GateReport) -> String {
    let rows: Vec<[String; 7]> = r.entries.iter().map(row).collect();
    let mut widths = COLUMNS.map(|c| c.chars().count());
    for cells in &rows {
        for (w, cell) in widths.iter_mut().zip(cells) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[&str]| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                let pad = w - cell.chars().count();
                let _ = write!(out, "{cell}{}  ", " ".repeat(pad));
            }
        }
        out.trim_end().to_owned() + "\n"
    };
    let mut out = summary_line(r) + "\n";
    if !rows.is_empty() {
        out.push('\n');
        out.push_str(&line(&COLUMNS));
        for cells in &rows {
            out.push_str(&line(&cells.each_ref().map(String::as_str)));
        }
    }
    out
}

/// The whole report as JSON (`--format json`).
pub fn render_json(r: &GateReport) -> String {
    // Only strings, numbers, booleans and string-keyed structs: serialising cannot fail.
    serde_json::to_string_pretty(r)
        .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string())
        + "\n"
}

/// For pull-request comments: a heading with the verdict, the summary, a table.
pub fn render_markdown(r: &GateReport) -> String {
    let mut out = format!(
        "## Vexil gate: {}\n\n{}\n",
        r.verdict.as_str(),
        summary_line(r)
    );
    if r.entries.is_empty() {
        return out;
    }
    out.push('\n');
    let header = COLUMNS.map(|c| {
        let mut c = c.to_ascii_lowercase();
        c[..1].make_ascii_uppercase();
        c
    });
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(COLUMNS.len()));
    for e in &r.entries {
        let cells = row(e).map(|c| markdown_cell(&c));
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out
}

/// JUnit XML for CI test reports: one test case per failing (a `<failure>`) or deferred (a
/// `<skipped>`) finding; passing findings are not test cases.
pub fn render_junit(r: &GateReport) -> String {
    let cases: Vec<&GateEntry> = (r.entries.iter())
        .filter(|e| matches!(e.outcome, Outcome::Fails { .. } | Outcome::Deferred { .. }))
        .collect();
    let (failures, skipped) = (r.counts.failing, r.counts.deferred);
    let totals = format!(
        "tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\"",
        cases.len()
    );
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<testsuites name=\"vexil gate\" {totals}>");
    let _ = writeln!(out, "  <testsuite name=\"vexil gate\" {totals}>");
    for e in cases {
        let f = &e.finding;
        let version = f
            .version
            .as_deref()
            .map_or(String::new(), |v| format!("@{v}"));
        let _ = writeln!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\">",
            xml(&f.purl),
            xml(&format!("{} in {}{version}", f.vuln, f.name))
        );
        let why = xml(&e.why());
        match &e.outcome {
            Outcome::Fails { reason } => {
                let kind = match reason {
                    FailReason::Malicious { .. } => "malicious",
                    FailReason::Kev { .. } => "kev",
                    FailReason::ExpiredDeferral { .. } => "expired_deferral",
                    FailReason::ExpiredDecision { .. } => "expired_decision",
                    FailReason::Affected => "affected",
                    FailReason::Unknown => "unknown",
                };
                let detail = format!(
                    "{} {}{version} {} ({}): {}",
                    f.severity,
                    f.name,
                    f.vuln,
                    f.ids.join(", "),
                    e.why()
                );
                let _ = writeln!(
                    out,
                    "      <failure message=\"{why}\" type=\"{kind}\">{}</failure>",
                    xml(&detail)
                );
            }
            _ => {
                let _ = writeln!(out, "      <skipped message=\"{why}\"/>");
            }
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// For world-readable CI logs (`--public-log`): the verdict and counts only — no package
/// names, versions, vulnerability ids, decisions or deferral reasons.
pub fn render_public_log(r: &GateReport) -> String {
    format!("vexil gate {}\n", summary_line(r))
}
