//! `vexil gate PROJECT@VERSION`: may this release ship? Fails (exit 1) on any affected finding
//! that no decision suppresses and the acknowledged-and-deferred list (`deferred.toml` beside
//! vexil.toml) does not cover; KEV and malicious findings always fail.

use jiff::civil::Date;
use vexil_core::model::finding::FindingState;
use vexil_core::output::gate::{
    GateFinding, evaluate, render_json, render_junit, render_markdown, render_public_log,
    render_table,
};
use vexil_core::output::sla::{Due, SlaPolicy, due_date};
use vexil_store::{FindingFilter, StoredFinding};

use super::inventory::{release_arg, stored_release};
use crate::cli::{GateArgs, GateFormat};
use crate::config::Loaded;
use crate::exit::{InputError, Outcome};
use crate::output::terminal_safe;

pub(crate) async fn run(args: GateArgs, url: &str, loaded: &Loaded) -> anyhow::Result<Outcome> {
    let release = release_arg(&args.release)?;
    let today = crate::config::today(args.today.as_deref())?;
    let deferred_path = args
        .deferred
        .clone()
        .unwrap_or_else(|| loaded.base_dir().join("deferred.toml"));
    // A missing list is an empty one; an unreadable or invalid one stops the gate (exit 2).
    let deferred = match std::fs::read_to_string(&deferred_path) {
        Ok(text) => {
            let shown = deferred_path.display().to_string();
            let (entries, diagnostics) = vexil_core::output::deferred::parse(&text, &shown);
            if !diagnostics.is_empty() {
                for d in &diagnostics {
                    eprintln!("{}", d.render());
                }
                return Err(InputError(format!(
                    "{} problem(s) in `{shown}`; the gate did not run",
                    diagnostics.len()
                ))
                .into());
            }
            entries
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && args.deferred.is_none() => Vec::new(),
        Err(e) => {
            return Err(
                InputError(format!("cannot read `{}`: {e}", deferred_path.display())).into(),
            );
        }
    };
    let findings = super::with_store(url, async |store| {
        stored_release(store, &release).await?;
        if store.last_scan(&release).await?.is_none() {
            return Err(InputError(format!(
                "{release} was never scanned: run `vexil scan {release}` first, so the gate judges its findings"
            ))
            .into());
        }
        let filter = FindingFilter {
            release: Some(release.clone()),
            state: Some(FindingState::Open),
            ..FindingFilter::default()
        };
        Ok(store.findings(&filter).await?)
    })
    .await?;
    let sla = &loaded.config.sla;
    let input = findings
        .into_iter()
        .map(|f| {
            let due = due_of(sla, &f)?;
            Ok(GateFinding {
                id: Some(format!("F-{}", f.id)),
                observation: f.observation,
                decision: f.decision,
                due,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let report = evaluate(&loaded.config.gate, &input, &deferred, today);
    let text = if args.public_log {
        render_public_log(&report)
    } else {
        match args.format {
            GateFormat::Table => render_table(&report)
                .lines()
                .map(|line| terminal_safe(line).into_owned() + "\n")
                .collect(),
            GateFormat::Json => render_json(&report),
            GateFormat::Markdown => render_markdown(&report),
            GateFormat::Junit => render_junit(&report),
        }
    };
    print!("{text}");
    if !text.ends_with('\n') {
        println!();
    }
    Ok(if report.passed() {
        Outcome::Success
    } else {
        Outcome::Failed
    })
}

/// An open finding's SLA due date, counted from the day it was first seen open; `None` when
/// nothing is due (resolved, or a decision says not affected or fixed).
pub(crate) fn due_of(sla: &SlaPolicy, f: &StoredFinding) -> anyhow::Result<Option<Due>> {
    if f.state != FindingState::Open || f.decision.as_ref().is_some_and(|d| d.status.suppresses()) {
        return Ok(None);
    }
    let first: Date = first_day(&f.first_seen)?;
    due_date(sla, f.observation.severity.level, first)
        .map(Some)
        .map_err(|e| InputError(format!("[sla] in vexil.toml: {e}")).into())
}

/// The UTC day of a stored RFC 3339 timestamp.
fn first_day(timestamp: &str) -> anyhow::Result<Date> {
    let ts: jiff::Timestamp = timestamp
        .parse()
        .map_err(|e| anyhow::anyhow!("stored timestamp `{timestamp}` is not RFC 3339: {e}"))?;
    Ok(jiff::tz::Offset::UTC.to_datetime(ts).date())
}
