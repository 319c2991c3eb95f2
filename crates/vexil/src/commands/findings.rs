//! `vexil findings list|show|compare`: the stored findings, one finding with its explanation
//! and history, and where imported scanner reports and Vexil disagree.

use std::collections::{BTreeMap, HashMap, HashSet};

use vexil_core::model::ScannerFinding;
use vexil_core::model::finding::{FindingState, Observation, SeverityLevel};
use vexil_core::model::inventory::package_of;
use vexil_core::output::severity::SeverityPolicy;
use vexil_core::output::sla::{Due, SlaPolicy, is_overdue};
use vexil_store::{FindingFilter, StoredFinding};

use super::inventory::{release_arg, stored_release};
use super::scan::{audit_in, observe_in};
use crate::cli::{
    FindingsCommand, FindingsCompareArgs, FindingsListArgs, FindingsShowArgs, ListFormat,
};
use crate::config::Config;
use crate::exit::{InputError, Outcome};
use crate::output::{print_table, terminal_safe};

pub(crate) async fn run(
    command: FindingsCommand,
    url: &str,
    config: &Config,
) -> anyhow::Result<Outcome> {
    match command {
        FindingsCommand::List(args) => list(args, url, &config.sla).await,
        FindingsCommand::Show(args) => show(args, url).await,
        FindingsCommand::Compare(args) => compare(args, url, &config.severity).await,
    }
}

async fn list(args: FindingsListArgs, url: &str, sla: &SlaPolicy) -> anyhow::Result<Outcome> {
    let today = crate::config::today(args.today.as_deref())?;
    let filter = FindingFilter {
        project: args.project,
        release: args.release.as_deref().map(release_arg).transpose()?,
        severity: args
            .severity
            .as_deref()
            .map(|s| {
                SeverityLevel::parse(s).ok_or_else(|| {
                    InputError(format!(
                        "unknown severity `{s}`; expected critical, high, medium or low"
                    ))
                })
            })
            .transpose()?,
        state: args
            .state
            .as_deref()
            .map(|s| {
                FindingState::parse(s).ok_or_else(|| {
                    InputError(format!("unknown state `{s}`; expected open or resolved"))
                })
            })
            .transpose()?,
        kev: args.kev,
        vuln: args.vuln,
        displayed_as: Vec::new(),
    };
    let findings = super::with_store(url, async |store| Ok(store.findings(&filter).await?)).await?;
    // Every open finding has an SLA due date; `--overdue` keeps those past it.
    let mut dated = Vec::new();
    for f in findings {
        let due = super::gate::due_of(sla, &f)?;
        let overdue = due.is_some_and(|d| is_overdue(d, today));
        if args.overdue && !overdue {
            continue;
        }
        dated.push((f, due, overdue));
    }
    if args.format == ListFormat::Json {
        let rows = dated
            .iter()
            .map(|(f, due, overdue)| {
                let mut v = serde_json::to_value(f)?;
                v["due"] = serde_json::to_value(due)?;
                v["overdue"] = serde_json::Value::Bool(*overdue);
                Ok(v)
            })
            .collect::<Result<Vec<_>, serde_json::Error>>()?;
        println!("{}", serde_json::Value::Array(rows));
        return Ok(Outcome::Success);
    }
    let findings: Vec<&StoredFinding> = dated.iter().map(|(f, ..)| f).collect();
    if findings.is_empty() {
        println!("no findings (`vexil scan` records them)");
        return Ok(Outcome::Success);
    }
    let rows: Vec<[String; 11]> = dated
        .iter()
        .map(|(f, due, overdue)| {
            let [a, b, c, d, e, g, h, i, j, k] = row(f);
            let due = match due {
                None => "-".to_owned(),
                Some(Due::NextRelease) => "next release".to_owned(),
                Some(Due::On(d)) if *overdue => format!("{d} OVERDUE"),
                Some(Due::On(d)) => d.to_string(),
            };
            [a, b, c, d, e, g, h, i, j, due, k]
        })
        .collect();
    print_table(
        &[
            "ID",
            "RELEASE",
            "STATE",
            "SEVERITY",
            "VULNERABILITY",
            "PACKAGE",
            "VERSION",
            "VERDICT",
            "FIXED IN",
            "DUE",
            "DECISION",
        ],
        &rows,
    );
    let open = findings
        .iter()
        .filter(|f| f.state == FindingState::Open)
        .count();
    println!(
        "\n{} findings: {open} open, {} resolved",
        findings.len(),
        findings.len() - open
    );
    Ok(Outcome::Success)
}

fn row(f: &StoredFinding) -> [String; 10] {
    let o = &f.observation;
    let mut severity = o.severity.level.as_str().to_owned();
    if o.kev.is_some() {
        severity.push_str(" KEV");
    }
    let mut verdict = o.verdict.as_str().to_owned();
    if o.malicious {
        verdict.push_str(" (MALICIOUS)");
    }
    if let Some(kind) = &o.informational {
        verdict = format!("warning: {kind}");
    }
    [
        format!("F-{}", f.id),
        f.release.clone(),
        f.state.as_str().to_owned(),
        severity,
        o.vuln.clone(),
        o.name.clone(),
        o.version.clone().unwrap_or_else(|| "-".into()),
        verdict,
        o.fixed_version.clone().unwrap_or_else(|| "-".into()),
        decision_summary(f),
    ]
}

/// `not_affected (rule lodash-unused)`, `fixed (VEX vendor.json)`, or `-`.
fn decision_summary(f: &StoredFinding) -> String {
    use vexil_core::model::decision::DecisionSource;
    match &f.decision {
        None => "-".to_owned(),
        Some(d) => match &d.source {
            DecisionSource::Rule(r) => format!("{} (rule {})", d.status.as_str(), r.id),
            DecisionSource::Vex { document, .. } => {
                format!("{} (VEX {document})", d.status.as_str())
            }
        },
    }
}

fn finding_id(s: &str) -> anyhow::Result<i64> {
    let digits = s
        .strip_prefix("F-")
        .or_else(|| s.strip_prefix("f-"))
        .unwrap_or(s);
    digits.parse().map_err(|_| {
        InputError(format!(
            "`{s}` is not a finding id; expected `F-12` or `12`, as `vexil findings list` prints"
        ))
        .into()
    })
}

async fn show(args: FindingsShowArgs, url: &str) -> anyhow::Result<Outcome> {
    let id = finding_id(&args.id)?;
    let found = super::with_store(url, async |store| Ok(store.finding(id).await?)).await?;
    let Some((finding, history)) = found else {
        return Err(InputError(format!(
            "no finding F-{id}; `vexil findings list` shows the findings there are"
        ))
        .into());
    };
    if args.format == ListFormat::Json {
        println!(
            "{}",
            serde_json::json!({ "finding": finding, "history": history })
        );
        return Ok(Outcome::Success);
    }
    let o = &finding.observation;
    let safe = |s: &str| terminal_safe(s).into_owned();
    println!("F-{} in {}", finding.id, safe(&finding.release));
    println!(
        "  component     {} {} ({})",
        safe(&o.name),
        safe(o.version.as_deref().unwrap_or("-")),
        safe(&o.purl)
    );
    println!(
        "  vulnerability {} ({})",
        o.vuln,
        o.ids.iter().map(|i| safe(i)).collect::<Vec<_>>().join(", ")
    );
    println!(
        "  state         {} ({}{}{})",
        finding.state.as_str(),
        o.verdict.as_str(),
        o.fixed_version
            .as_ref()
            .map(|v| format!(", fixed in {}", safe(v)))
            .unwrap_or_default(),
        if o.malicious { ", MALICIOUS" } else { "" }
    );
    if let Some(kind) = &o.informational {
        println!("  warning       {kind} (RustSec informational: not a vulnerability)");
    }
    if let Some(d) = &finding.decision {
        println!(
            "  decision      {}: {}",
            decision_summary(&finding),
            safe(&d.reason)
        );
        if let Some(j) = d.justification {
            println!("                justification {}", j.as_str());
        }
        for (label, text) in [
            ("impact", &d.impact_statement),
            ("action", &d.action_statement),
        ] {
            if let Some(text) = text {
                println!("                {label}: {}", safe(text));
            }
        }
        if let Some(issue) = &d.issue {
            println!("                issue {}", safe(issue));
        }
    }
    println!(
        "  severity      {} by {}: {}",
        o.severity.level,
        o.severity.authority,
        safe(&o.severity.reason)
    );
    if let Some(kev) = &o.kev {
        println!(
            "  KEV           {} added {}{}{}",
            kev.cve,
            kev.date_added,
            kev.due_date
                .map(|d| format!(", due {d}"))
                .unwrap_or_default(),
            if kev.ransomware {
                ", known ransomware use"
            } else {
                ""
            }
        );
    }
    if let Some(epss) = &o.epss {
        println!(
            "  EPSS          {:.5} (percentile {:.3}) for {}",
            epss.score, epss.percentile, epss.cve
        );
    }
    println!(
        "  seen          first {}, last {}",
        finding.first_seen, finding.last_seen
    );
    println!("  why");
    for m in &o.matches {
        let e = &m.explanation;
        println!(
            "    {} ({}, {}): {} — {}",
            safe(&e.advisory),
            e.feed.name(),
            e.matcher,
            m.verdict.as_str(),
            safe(&e.reason)
        );
        if let Some(range) = &e.range {
            println!("      range {}", safe(range));
        }
        for step in &e.steps {
            println!("      {}", safe(step));
        }
    }
    println!("  history");
    for event in &history {
        println!(
            "    {} {:<11} {}",
            event.at,
            event.kind.as_str(),
            safe(&event.detail)
        );
    }
    Ok(Outcome::Success)
}

/// How a scanner's finding and Vexil's verdict relate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
enum Agreement {
    /// Both say affected (or Vexil cannot tell and says unknown).
    Agree,
    /// Vexil has no advisory with any of the scanner's ids: different data.
    UnknownToVexil,
    /// Vexil knows the vulnerability, but none of its advisories names this package.
    PackageNotNamed,
    /// Vexil matched the advisory and decided fixed or not affected: a different version rule
    /// or different ranges.
    VexilSaysNotAffected,
    /// Vexil finds it affected; this scanner, which read the package, did not report it.
    VexilOnly,
    /// Not an advisory at all (cargo-audit's yanked-crate warnings): nothing to compare.
    NotAnAdvisory,
}

#[derive(serde::Serialize)]
struct Disagreement {
    tool: String,
    agreement: Agreement,
    package: String,
    version: Option<String>,
    vuln: String,
    /// Vexil's verdict and why, or what Vexil lacks.
    detail: String,
}

async fn compare(
    args: FindingsCompareArgs,
    url: &str,
    policy: &SeverityPolicy,
) -> anyhow::Result<Outcome> {
    let release = release_arg(&args.release)?;
    // A release without scanner evidence has nothing to compare: `None`.
    let gathered = super::with_store(url, async |store| {
        let stored = stored_release(store, &release).await?;
        if stored.evidence.is_empty() {
            return Ok(None);
        }
        let audited = audit_in(store, stored.components).await?;
        let (components, observed) = observe_in(store, audited, policy).await?;
        let mut known: HashMap<String, bool> = HashMap::new();
        for e in &stored.evidence {
            for id in std::iter::once(&e.vuln_id).chain(&e.aliases) {
                if !known.contains_key(id) {
                    let group = store.vulnerability(id).await?;
                    known.insert(id.clone(), !group.is_empty());
                }
            }
        }
        Ok(Some((components, observed, known, stored.evidence)))
    })
    .await?;
    let Some((components, observed, known, evidence)) = gathered else {
        println!(
            "{release} has no scanner findings to compare: import a scanner report into it \
             (Trivy, Grype, osv-scanner, govulncheck, pip-audit, npm audit, cargo-audit)"
        );
        return Ok(Outcome::Success);
    };

    // Vexil's verdicts by package (name as the component has it, lowercase) and version.
    let key =
        |name: &str, version: Option<&str>| (name.to_lowercase(), version.unwrap_or("").to_owned());
    let mut vexil: HashMap<(String, String), Vec<&Observation>> = HashMap::new();
    for (ci, o) in &observed {
        let c = &components[*ci];
        vexil
            .entry(key(&c.name, c.version.as_deref()))
            .or_default()
            .push(o);
        vexil
            .entry(key(&package_of(&c.purl).0, c.version.as_deref()))
            .or_default()
            .push(o);
    }
    let mut rows: Vec<Disagreement> = Vec::new();
    let mut tally: BTreeMap<String, BTreeMap<Agreement, usize>> = BTreeMap::new();
    let mut matched: HashSet<(String, *const Observation)> = HashSet::new();
    for e in &evidence {
        let ids: Vec<&String> = std::iter::once(&e.vuln_id).chain(&e.aliases).collect();
        let candidates = evidence_keys(e)
            .into_iter()
            .filter_map(|k| vexil.get(&k))
            .flatten();
        let same = candidates
            .filter(|o| o.ids.iter().any(|i| ids.contains(&i)))
            .max_by_key(|o| o.verdict.urgency());
        let (agreement, detail) = match same {
            _ if e.vuln_id.starts_with("yanked:") => (
                Agreement::NotAnAdvisory,
                "a yanked crate: a registry fact, not an advisory".to_owned(),
            ),
            Some(o) if o.is_open() => {
                matched.insert((e.tool.clone(), std::ptr::from_ref(*o)));
                (Agreement::Agree, o.verdict.as_str().to_owned())
            }
            Some(o) => (
                Agreement::VexilSaysNotAffected,
                format!(
                    "{}: {}",
                    o.verdict.as_str(),
                    o.matches
                        .first()
                        .map(|m| m.explanation.reason.as_str())
                        .unwrap_or("")
                ),
            ),
            None if ids.iter().any(|i| known.get(*i).copied().unwrap_or(false)) => (
                Agreement::PackageNotNamed,
                "Vexil's advisories for this vulnerability do not name this package".to_owned(),
            ),
            None => (
                Agreement::UnknownToVexil,
                "no advisory in the database has this id or alias".to_owned(),
            ),
        };
        *tally
            .entry(e.tool.clone())
            .or_default()
            .entry(agreement)
            .or_default() += 1;
        if agreement != Agreement::Agree {
            rows.push(Disagreement {
                tool: e.tool.clone(),
                agreement,
                package: e.package.clone(),
                version: e.version.clone(),
                vuln: e.vuln_id.clone(),
                detail,
            });
        }
    }
    // What Vexil finds affected in a package a scanner read (a component listed by the
    // scanner's own report) but that scanner did not report.
    let mut files_of: BTreeMap<&str, HashSet<&str>> = BTreeMap::new();
    for e in &evidence {
        files_of
            .entry(e.tool.as_str())
            .or_default()
            .insert(e.location.file.as_str());
    }
    for (tool, files) in &files_of {
        for (ci, o) in &observed {
            let c = &components[*ci];
            if o.verdict != vexil_core::matching::Verdict::Affected
                || o.informational.is_some()
                || !files.contains(c.location.file.as_str())
                || matched.contains(&((*tool).to_owned(), std::ptr::from_ref(o)))
            {
                continue;
            }
            *tally
                .entry((*tool).to_owned())
                .or_default()
                .entry(Agreement::VexilOnly)
                .or_default() += 1;
            rows.push(Disagreement {
                tool: (*tool).to_owned(),
                agreement: Agreement::VexilOnly,
                package: c.name.clone(),
                version: c.version.clone(),
                vuln: o.vuln.clone(),
                detail: o
                    .matches
                    .first()
                    .map(|m| m.explanation.reason.clone())
                    .unwrap_or_default(),
            });
        }
    }
    rows.sort_by(|a, b| {
        (&a.tool, a.agreement, &a.package, &a.vuln).cmp(&(
            &b.tool,
            b.agreement,
            &b.package,
            &b.vuln,
        ))
    });
    if args.format == ListFormat::Json {
        println!(
            "{}",
            serde_json::json!({ "release": release.to_string(), "tools": tally, "disagreements": rows })
        );
        return Ok(Outcome::Success);
    }
    if !rows.is_empty() {
        let table: Vec<[String; 6]> = rows
            .iter()
            .map(|d| {
                [
                    d.tool.clone(),
                    serde_json::to_value(d.agreement)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    d.package.clone(),
                    d.version.clone().unwrap_or_else(|| "-".into()),
                    d.vuln.clone(),
                    d.detail.clone(),
                ]
            })
            .collect();
        print_table(
            &[
                "TOOL",
                "DISAGREEMENT",
                "PACKAGE",
                "VERSION",
                "VULNERABILITY",
                "DETAIL",
            ],
            &table,
        );
        println!();
    }
    for (tool, counts) in &tally {
        let n = |a: Agreement| counts.get(&a).copied().unwrap_or(0);
        println!(
            "{tool}: {} agree; scanner only: {} unknown to Vexil, {} package not named, {} Vexil says \
             fixed/not affected; Vexil only: {}{}",
            n(Agreement::Agree),
            n(Agreement::UnknownToVexil),
            n(Agreement::PackageNotNamed),
            n(Agreement::VexilSaysNotAffected),
            n(Agreement::VexilOnly),
            match n(Agreement::NotAnAdvisory) {
                0 => String::new(),
                k => format!("; {k} not advisories (yanked)"),
            }
        );
    }
    Ok(Outcome::Success)
}

/// The (name, version) keys a scanner finding may be filed under: its purl's package and its
/// package name as given.
fn evidence_keys(e: &ScannerFinding) -> Vec<(String, String)> {
    let version = e.version.clone().unwrap_or_default();
    let mut keys = vec![(e.package.to_lowercase(), version.clone())];
    if let Some(purl) = &e.purl {
        keys.push((package_of(purl).0.to_lowercase(), version));
    }
    keys
}
