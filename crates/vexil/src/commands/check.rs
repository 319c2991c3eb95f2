//! `vexil check FILE-or-DIR...`: the one-shot audit a CI job or a developer runs — read the
//! inventory files, match them against the advisories in the database, print what is affected
//! with the versions that fix it, and exit 1 when anything is. Records nothing.

use vexil_core::matching::Verdict;
use vexil_core::model::finding::Observation;
use vexil_core::model::{Component, Inventory};
use vexil_core::output::severity::SeverityPolicy;
use vexil_store::Store;

use crate::cli::AuditArgs;
use crate::cli::ListFormat;
use crate::commands::inventory::{
    Documents, format_arg, new_documents, print_skipped, read_documents, release_arg,
};
use crate::commands::scan::{audit_in, observe_in, print_report};
use crate::exit::Outcome;
use crate::output::print_table;

pub(crate) async fn run(
    args: AuditArgs,
    url: &str,
    policy: &SeverityPolicy,
) -> anyhow::Result<Outcome> {
    let forced = format_arg(&args.input_format)?;
    let release = args.record.as_deref().map(release_arg).transpose()?;
    let then = match &release {
        Some(r) => format!("nothing was checked and {r} is unchanged"),
        None => "nothing was checked".to_owned(),
    };
    // The files are read and parsed while the database opens.
    let (documents, store) =
        tokio::join!(read_documents(&args.files, forced, &then), Store::open(url));
    let Documents {
        summaries,
        inventories,
        skipped,
    } = documents?;
    let store = store?;
    print_skipped(&skipped);
    let inventory = Inventory::union(inventories);
    let audited = audit_in(&store, inventory.components.clone()).await?;
    let advisories = audited.advisories.len();
    let (components, observed) = observe_in(&store, audited, policy).await?;
    // `--record`: the files become the release's inventory, and this audit its scan.
    let recorded = match &release {
        Some(release) => {
            let now = super::now();
            let imported = store
                .import_inventory(release, &new_documents(&summaries), &inventory, now)
                .await?;
            let observations: Vec<Observation> = observed.iter().map(|(_, o)| o.clone()).collect();
            Some(
                store
                    .record_scan(
                        release,
                        imported.revision,
                        advisories,
                        components.len(),
                        &observations,
                        now,
                    )
                    .await?,
            )
        }
        None => None,
    };
    store.close().await;
    let affected = observed
        .iter()
        .filter(|(_, o)| o.verdict == Verdict::Affected && o.informational.is_none())
        .count();
    match args.format {
        ListFormat::Json => print_json(&components, &observed, recorded.as_ref())?,
        ListFormat::Table => {
            print_text(&components, &observed);
            if let Some(report) = &recorded {
                print_report(report, false);
            }
        }
    }
    Ok(if affected > 0 {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}

fn print_json(
    components: &[Component],
    observed: &[(usize, Observation)],
    recorded: Option<&vexil_store::ScanReport>,
) -> anyhow::Result<()> {
    let rows: Vec<serde_json::Value> = observed
        .iter()
        .map(|(ci, o)| {
            let c = &components[*ci];
            serde_json::json!({
                "purl": c.purl,
                "name": c.name,
                "version": c.version,
                "ecosystem": c.ecosystem,
                "location": c.location,
                "finding": o,
            })
        })
        .collect();
    let mut out = serde_json::json!({ "components": components.len(), "findings": rows });
    if let Some(report) = recorded {
        out["recorded"] = serde_json::to_value(report)?;
    }
    println!("{out}");
    Ok(())
}

fn print_text(components: &[Component], observed: &[(usize, Observation)]) {
    let shown: Vec<&(usize, Observation)> = observed.iter().filter(|(_, o)| o.is_open()).collect();
    let row = |(ci, f): &&(usize, Observation)| {
        let c = &components[*ci];
        let mut verdict = f.verdict.as_str().to_owned();
        if f.malicious {
            verdict.push_str(" (MALICIOUS)");
        }
        if let Some(kind) = &f.informational {
            verdict = format!("warning: {kind}");
        }
        let mut severity = f.severity.level.as_str().to_owned();
        if f.kev.is_some() {
            severity.push_str(" KEV");
        }
        [
            c.name.clone(),
            c.version.clone().unwrap_or_else(|| "-".into()),
            f.vuln.clone(),
            severity,
            f.fixed_version.clone().unwrap_or_else(|| "-".into()),
            verdict,
            f.matches
                .first()
                .map(|m| m.explanation.reason.clone())
                .unwrap_or_default(),
        ]
    };
    let rows: Vec<[String; 7]> = shown.iter().map(row).collect();
    if !rows.is_empty() {
        print_table(
            &[
                "PACKAGE",
                "VERSION",
                "VULNERABILITY",
                "SEVERITY",
                "FIXED IN",
                "VERDICT",
                "WHY",
            ],
            &rows,
        );
        println!();
    }
    let findings = || observed.iter().map(|(_, o)| o);
    let count = |v: Verdict| {
        findings()
            .filter(|f| f.verdict == v && f.informational.is_none())
            .count()
    };
    // An informational advisory is a warning only when it applies (an unmaintained crate past its
    // replacement version is not).
    let warnings = findings()
        .filter(|f| f.informational.is_some() && f.verdict == Verdict::Affected)
        .count();
    let malicious = findings()
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
