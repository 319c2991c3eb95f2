//! `vexil check FILE-or-DIR...`: the one-shot audit a CI job or a developer runs — read the
//! inventory files, match them against the advisories in the database, print what is affected
//! with the versions that fix it, and exit 1 when anything is. Records nothing.

use vexil_core::matching::audit::{Finding, audit};
use vexil_core::matching::{Verdict, lookup_name};
use vexil_core::model::{Component, Inventory};
use vexil_store::Store;

use crate::cli::AuditArgs;
use crate::cli::ListFormat;
use crate::commands::inventory::{format_arg, print_skipped, read_documents};
use crate::exit::Outcome;
use crate::output::print_table;

pub(crate) async fn run(args: AuditArgs, url: &str) -> anyhow::Result<Outcome> {
    let forced = format_arg(&args.input_format)?;
    let documents = read_documents(&args.files, forced, "nothing was checked").await?;
    print_skipped(&documents.skipped);
    let inventory = Inventory::union(documents.inventories);
    let store = Store::open(url).await?;
    let (components, findings) = audit_in(&store, inventory.components).await?;
    store.close().await;
    let affected = findings
        .iter()
        .filter(|f| f.verdict == Verdict::Affected && f.informational.is_none())
        .count();
    match args.format {
        ListFormat::Json => print_json(&components, &findings)?,
        ListFormat::Table => print_text(&components, &findings),
    }
    Ok(if affected > 0 {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}

/// Audits components against the advisories the store holds for their package names (matching
/// runs on a blocking thread).
pub(crate) async fn audit_in(
    store: &Store,
    components: Vec<Component>,
) -> anyhow::Result<(Vec<Component>, Vec<Finding>)> {
    let names: Vec<String> = components
        .iter()
        .flat_map(|c| {
            let eco = c.ecosystem.as_deref().unwrap_or("");
            std::iter::once(lookup_name(eco, &c.name))
                .chain(c.source.iter().map(move |s| lookup_name(eco, &s.name)))
        })
        .collect();
    let advisories = store.advisories_named(&names).await?;
    Ok(tokio::task::spawn_blocking(move || {
        let findings = audit(&components, &advisories);
        (components, findings)
    })
    .await?)
}

fn print_json(components: &[Component], findings: &[Finding]) -> anyhow::Result<()> {
    let rows: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let c = &components[f.component];
            serde_json::json!({
                "purl": c.purl,
                "name": c.name,
                "version": c.version,
                "ecosystem": c.ecosystem,
                "location": c.location,
                "finding": f,
            })
        })
        .collect();
    println!(
        "{}",
        serde_json::json!({ "components": components.len(), "findings": rows })
    );
    Ok(())
}

fn print_text(components: &[Component], findings: &[Finding]) {
    let shown: Vec<&Finding> = findings
        .iter()
        .filter(|f| matches!(f.verdict, Verdict::Affected | Verdict::Unknown))
        .collect();
    let row = |f: &&Finding| {
        let c = &components[f.component];
        let mut verdict = f.verdict.as_str().to_owned();
        if f.malicious {
            verdict.push_str(" (MALICIOUS)");
        }
        if let Some(kind) = &f.informational {
            verdict = format!("warning: {kind}");
        }
        [
            c.name.clone(),
            c.version.clone().unwrap_or_else(|| "-".into()),
            f.vuln.clone(),
            f.fixed_version.clone().unwrap_or_else(|| "-".into()),
            verdict,
            f.matches
                .first()
                .map(|m| m.explanation.reason.clone())
                .unwrap_or_default(),
        ]
    };
    let rows: Vec<[String; 6]> = shown.iter().map(row).collect();
    if !rows.is_empty() {
        print_table(
            &[
                "PACKAGE",
                "VERSION",
                "VULNERABILITY",
                "FIXED IN",
                "VERDICT",
                "WHY",
            ],
            &rows,
        );
        println!();
    }
    let count = |v: Verdict| {
        findings
            .iter()
            .filter(|f| f.verdict == v && f.informational.is_none())
            .count()
    };
    // An informational advisory is a warning only when it applies (an unmaintained crate past its
    // replacement version is not).
    let warnings = findings
        .iter()
        .filter(|f| f.informational.is_some() && f.verdict == Verdict::Affected)
        .count();
    let malicious = findings
        .iter()
        .filter(|f| f.malicious && f.verdict == Verdict::Affected)
        .count();
    println!(
        "{} components checked: {} affected{}, {} unknown, {} fixed, {} not affected{}",
        components.len(),
        count(Verdict::Affected),
        if malicious > 0 {
            format!(" ({malicious} malicious)")
        } else {
            String::new()
        },
        count(Verdict::Unknown),
        count(Verdict::Fixed),
        count(Verdict::NotAffected),
        if warnings > 0 {
            format!("; {warnings} warnings (unmaintained/unsound/notice)")
        } else {
            String::new()
        },
    );
}
