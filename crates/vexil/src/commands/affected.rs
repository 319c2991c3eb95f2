//! `vexil affected VULN-ID`: "am I affected by CVE-X?" — per release (from the database) or for
//! inventory files given ad hoc, affected / fixed / not affected / unknown, and why.

use vexil_core::matching::Verdict;
use vexil_core::matching::audit::Finding;
use vexil_core::model::{Component, Inventory};
use vexil_store::Store;

use super::check::audit_in;
use super::inventory::{print_skipped, read_documents};
use crate::cli::{AffectedArgs, ListFormat};
use crate::exit::{InputError, Outcome};
use crate::output::print_table;

/// One place the vulnerability was looked for: a release, or the files given.
#[derive(serde::Serialize)]
struct Answer {
    release: String,
    /// `affected`, `fixed`, `not_affected` or `unknown` over the release's components: the
    /// most pressing of its findings, or `not_affected` when no component is named.
    verdict: Verdict,
    components: Vec<ComponentAnswer>,
}

#[derive(serde::Serialize)]
struct ComponentAnswer {
    purl: String,
    name: String,
    version: Option<String>,
    finding: Finding,
}

pub(crate) async fn run(args: AffectedArgs, url: &str) -> anyhow::Result<Outcome> {
    let store = Store::open(url).await?;
    if !store.knows_vulnerability(&args.vuln).await? {
        store.close().await;
        return Err(InputError(format!(
            "no advisory in the database has the id or alias `{}`; import the feeds that publish it \
             (`vexil feeds import …`) or check the spelling",
            args.vuln
        ))
        .into());
    }
    let mut answers = Vec::new();
    if args.inventory.is_empty() {
        let releases = store.releases(args.project.as_deref()).await?;
        for r in releases {
            let id = format!("{}@{}", r.project, r.version);
            let Some(stored) = store.release(&id.parse().map_err(InputError)?).await? else {
                continue;
            };
            answers.push(answer(&store, id, stored.components, &args.vuln).await?);
        }
    } else {
        let documents = read_documents(&args.inventory, None, "nothing was checked").await?;
        print_skipped(&documents.skipped);
        let inventory = Inventory::union(documents.inventories);
        let shown = args
            .inventory
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" ");
        answers.push(answer(&store, shown, inventory.components, &args.vuln).await?);
    }
    store.close().await;
    let any_affected = answers.iter().any(|a| a.verdict == Verdict::Affected);
    match args.format {
        ListFormat::Json => println!("{}", serde_json::to_string(&answers)?),
        ListFormat::Table => print_answers(&args.vuln, &answers),
    }
    Ok(if any_affected {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}

/// The findings on `vuln` (any id of its alias group) among `components`.
async fn answer(
    store: &Store,
    release: String,
    components: Vec<Component>,
    vuln: &str,
) -> anyhow::Result<Answer> {
    let (components, findings) = audit_in(store, components).await?;
    let wanted = |f: &Finding| f.ids.iter().any(|id| id.eq_ignore_ascii_case(vuln));
    let found: Vec<ComponentAnswer> = findings
        .into_iter()
        .filter(wanted)
        .map(|finding| {
            let c = &components[finding.component];
            ComponentAnswer {
                purl: c.purl.clone(),
                name: c.name.clone(),
                version: c.version.clone(),
                finding,
            }
        })
        .collect();
    let rank = |v: Verdict| match v {
        Verdict::Affected => 3,
        Verdict::Unknown => 2,
        Verdict::Fixed => 1,
        Verdict::NotAffected => 0,
    };
    let verdict = found
        .iter()
        .map(|a| a.finding.verdict)
        .max_by_key(|v| rank(*v))
        .unwrap_or(Verdict::NotAffected);
    Ok(Answer {
        release,
        verdict,
        components: found,
    })
}

fn print_answers(vuln: &str, answers: &[Answer]) {
    if answers.is_empty() {
        println!(
            "no releases in the database; `vexil inventory import` records them, or use --inventory FILE"
        );
        return;
    }
    let mut rows: Vec<[String; 6]> = Vec::new();
    for a in answers {
        if a.components.is_empty() {
            rows.push([
                a.release.clone(),
                "-".into(),
                "-".into(),
                "not_affected".into(),
                "-".into(),
                format!("no component is named by {vuln}"),
            ]);
        }
        for c in &a.components {
            rows.push([
                a.release.clone(),
                c.name.clone(),
                c.version.clone().unwrap_or_else(|| "-".into()),
                c.finding.verdict.as_str().to_owned(),
                c.finding
                    .fixed_version
                    .clone()
                    .unwrap_or_else(|| "-".into()),
                c.finding
                    .matches
                    .first()
                    .map(|m| format!("{}: {}", m.explanation.advisory, m.explanation.reason))
                    .unwrap_or_default(),
            ]);
        }
    }
    print_table(
        &[
            "RELEASE", "PACKAGE", "VERSION", "VERDICT", "FIXED IN", "WHY",
        ],
        &rows,
    );
    let affected = answers
        .iter()
        .filter(|a| a.verdict == Verdict::Affected)
        .count();
    println!();
    println!("{vuln}: {affected} of {} affected", answers.len());
}
