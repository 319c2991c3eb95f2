//! `vexil affected VULN-ID`: "am I affected by CVE-X?" — per release (from the database) or for
//! inventory files given ad hoc, affected / fixed / not affected / unknown, and why.

use vexil_core::matching::Verdict;
use vexil_core::matching::audit::Finding;
use vexil_core::model::decision::Decision;
use vexil_core::model::{Component, Inventory};
use vexil_core::output::deferred::Deferred;
use vexil_store::{FindingFilter, Store};

use std::collections::BTreeMap;

use super::inventory::{print_skipped, read_documents};
use super::scan::audit_in;
use crate::cli::{AffectedArgs, ListFormat};
use crate::config::Loaded;
use crate::exit::{InputError, Outcome};
use crate::output::print_table;
use vexil_core::matching::lookup_name;

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
    /// The team's decision on the stored finding, when a rule or VEX document made one.
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<Decision>,
    /// The acknowledged-and-deferred entry covering it (deferred.toml), and whether it expired.
    #[serde(skip_serializing_if = "Option::is_none")]
    deferred: Option<DeferredAnswer>,
}

#[derive(serde::Serialize)]
struct DeferredAnswer {
    resolve_by: jiff::civil::Date,
    reason: String,
    expired: bool,
}

pub(crate) async fn run(args: AffectedArgs, url: &str, loaded: &Loaded) -> anyhow::Result<Outcome> {
    let store = Store::open(url).await?;
    let group = store.vulnerability(&args.vuln).await?;
    if group.is_empty() {
        store.close().await;
        return Err(InputError(format!(
            "no advisory in the database has the id or alias `{}`; import the feeds that publish it \
             (`vexil feeds import …`) or check the spelling",
            args.vuln
        ))
        .into());
    }
    // Every place looked in, with its candidate components; all are audited together, so the
    // advisories are looked up and grouped once however many releases there are.
    let mut places: Vec<(String, Vec<Component>)> = Vec::new();
    if args.inventory.is_empty() {
        // Only components the group's advisories name (or that carry a CPE, when an NVD record
        // of the group has CPE configurations) can be affected: found through the name index.
        let names: Vec<String> = group
            .iter()
            .flat_map(|a| &a.affected)
            .filter_map(|af| af.package.as_ref())
            .map(|p| lookup_name(&p.ecosystem, &p.name))
            .collect();
        let with_cpes = group
            .iter()
            .any(|a| a.nvd.as_ref().is_some_and(|n| !n.configurations.is_empty()));
        let mut by_release: BTreeMap<String, Vec<Component>> = BTreeMap::new();
        for release in store.release_ids(args.project.as_deref()).await? {
            by_release.insert(release.to_string(), Vec::new());
        }
        for (release, component) in store
            .components_named(&names, with_cpes, args.project.as_deref())
            .await?
        {
            by_release
                .entry(release.to_string())
                .or_default()
                .push(component);
        }
        places.extend(by_release);
    } else {
        let documents = read_documents(&args.inventory, None, "nothing was checked").await?;
        print_skipped(&documents.skipped);
        let shown = args
            .inventory
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" ");
        places.push((shown, Inventory::union(documents.inventories).components));
    }
    let from_store = args.inventory.is_empty();
    let mut answers = answers(&store, places, &args.vuln).await?;
    if from_store {
        // The stored findings' decisions, and the deferred list beside vexil.toml.
        // A finding is displayed by one id of its group: every id the group's advisories give
        // finds it through the index on that column.
        let displayed_as: Vec<String> = group
            .iter()
            .flat_map(|a| std::iter::once(&a.id).chain(&a.aliases).chain(&a.upstream))
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let filter = FindingFilter {
            displayed_as,
            ..FindingFilter::default()
        };
        let stored = store.findings(&filter).await?;
        let deferred = deferred_list(loaded);
        let today = crate::config::today(None)?;
        for a in &mut answers {
            for c in &mut a.components {
                c.decision = stored
                    .iter()
                    .find(|f| f.release == a.release && f.observation.purl == c.purl)
                    .and_then(|f| f.decision.clone());
                c.deferred = deferred
                    .iter()
                    .find(|d| d.covers_parts(&c.finding.ids, &c.purl, &c.name))
                    .map(|d| DeferredAnswer {
                        resolve_by: d.resolve_by,
                        reason: d.reason.clone(),
                        expired: d.is_expired(today),
                    });
            }
        }
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

/// Per place, the findings on `vuln` (any id of its alias group) among its components.
async fn answers(
    store: &Store,
    places: Vec<(String, Vec<Component>)>,
    vuln: &str,
) -> anyhow::Result<Vec<Answer>> {
    let mut owner = Vec::new();
    let mut names = Vec::with_capacity(places.len());
    let mut all = Vec::new();
    for (place, (name, components)) in places.into_iter().enumerate() {
        owner.extend(std::iter::repeat_n(place, components.len()));
        all.extend(components);
        names.push(name);
    }
    let audited = audit_in(store, all).await?;
    let (components, findings) = (audited.components, audited.findings);
    let mut answers: Vec<Answer> = names
        .into_iter()
        .map(|release| Answer {
            release,
            verdict: Verdict::NotAffected,
            components: Vec::new(),
        })
        .collect();
    for finding in findings {
        if !finding.ids.iter().any(|id| id.eq_ignore_ascii_case(vuln)) {
            continue;
        }
        let c = &components[finding.component];
        let answer = &mut answers[owner[finding.component]];
        if finding.verdict.urgency() > answer.verdict.urgency() || answer.components.is_empty() {
            answer.verdict = finding.verdict;
        }
        answer.components.push(ComponentAnswer {
            purl: c.purl.clone(),
            name: c.name.clone(),
            version: c.version.clone(),
            finding,
            decision: None,
            deferred: None,
        });
    }
    Ok(answers)
}

/// The acknowledged-and-deferred list beside vexil.toml, if there is a readable, valid one (a
/// problem in it is the gate's to refuse; here it is only mentioned).
fn deferred_list(loaded: &Loaded) -> Vec<Deferred> {
    let path = loaded.base_dir().join("deferred.toml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Vec::new();
    };
    let shown = path.display().to_string();
    let (entries, diagnostics) = vexil_core::output::deferred::parse(&text, &shown);
    if !diagnostics.is_empty() {
        eprintln!(
            "warning: `{shown}` has {} problem(s) (`vexil gate` shows them); deferrals not shown",
            diagnostics.len()
        );
        return Vec::new();
    }
    entries
}

/// The verdict's reason, then the team's decision and any deferral.
fn why(c: &ComponentAnswer) -> String {
    let mut why = c
        .finding
        .matches
        .first()
        .map(|m| format!("{}: {}", m.explanation.advisory, m.explanation.reason))
        .unwrap_or_default();
    if let Some(d) = &c.decision {
        why.push_str(&format!("; decided {}: {}", d.status.as_str(), d.reason));
    }
    if let Some(d) = &c.deferred {
        let state = if d.expired {
            "deferral expired"
        } else {
            "deferred until"
        };
        why.push_str(&format!("; {state} {}: {}", d.resolve_by, d.reason));
    }
    why
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
                why(c),
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
