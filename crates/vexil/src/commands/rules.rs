//! `vexil rules check|plan|apply|stale [DIR]`: a team's rules (`rules/auto/*.toml`,
//! `rules/triage/*.toml` next to vexil.toml) validated, planned against the stored findings,
//! recorded, and reminded of when stale.

use std::path::{Path, PathBuf};

use jiff::civil::Date;
use vexil_core::model::finding::EventKind;
use vexil_core::rules::check::{RuleFile, RuleSet, check};
use vexil_core::rules::diagnostic::{Diagnostic, Level};
use vexil_core::rules::plan::{Action, Plan, Planned, plan};
use vexil_core::rules::suggest::{Backlog, suggest};
use vexil_core::rules::{Rule, RuleKind};
use vexil_store::DecisionWrite;

use crate::cli::{
    ListFormat, PlanFormat, RulesArgs, RulesCommand, RulesImportArgs, RulesSuggestArgs,
};
use crate::config::Loaded;
use crate::exit::{InputError, Outcome};
use crate::output::{print_table, terminal_safe};
use vexil_core::output::escape::markdown_cell;

pub(crate) async fn run(
    command: RulesCommand,
    url: &str,
    loaded: &Loaded,
) -> anyhow::Result<Outcome> {
    match command {
        RulesCommand::Check(args) => check_cmd(args, url, loaded).await,
        RulesCommand::Plan(args) => {
            let format = args.format;
            let (set, today) = load(args.dir.as_deref(), args.today.as_deref(), loaded)?;
            stop_on_errors(&set, format == PlanFormat::Json)?;
            let (plan, _) = planned(url, &set, today).await?;
            print_plan(&plan, format);
            Ok(Outcome::Success)
        }
        RulesCommand::Apply(args) => apply(args, url, loaded).await,
        RulesCommand::Stale(args) => stale(args, loaded),
        RulesCommand::Suggest(args) => suggest_cmd(args, url).await,
        RulesCommand::Import(args) => import(args),
    }
}

/// Where `rules/` is: the directory given, else vexil.toml's, else the current one.
fn base_dir(dir: Option<&Path>, loaded: &Loaded) -> PathBuf {
    dir.map_or_else(|| loaded.base_dir(), Path::to_path_buf)
}

/// Every rule file under `base/rules/auto` and `base/rules/triage`, each folder by file name.
fn read_files(base: &Path) -> anyhow::Result<Vec<RuleFile>> {
    let root = base.join("rules");
    if !root.is_dir() {
        return Err(InputError(format!(
            "no `rules/` directory in `{}`; rules live in rules/auto/*.toml and rules/triage/*.toml next to vexil.toml",
            base.display()
        ))
        .into());
    }
    let mut files = Vec::new();
    for (folder, kind) in [("auto", RuleKind::Auto), ("triage", RuleKind::Triage)] {
        let dir = root.join(folder);
        if !dir.is_dir() {
            continue;
        }
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| InputError(format!("cannot read `{}`: {e}", dir.display())))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| InputError(format!("cannot read `{}`: {e}", path.display())))?;
            let name = format!(
                "rules/{folder}/{}",
                path.file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default()
            );
            files.push(RuleFile {
                name,
                text,
                kind: Some(kind),
            });
        }
    }
    Ok(files)
}

fn load(
    dir: Option<&Path>,
    today_arg: Option<&str>,
    loaded: &Loaded,
) -> anyhow::Result<(RuleSet, Date)> {
    let today = crate::config::today(today_arg)?;
    let files = read_files(&base_dir(dir, loaded))?;
    Ok((check(&files, today), today))
}

/// Prints the diagnostics (to stderr, or as JSON on stdout) and fails with exit 2 when any is
/// an error.
fn stop_on_errors(set: &RuleSet, json: bool) -> anyhow::Result<()> {
    if set.errors() == 0 {
        return Ok(());
    }
    if json {
        println!("{}", serde_json::json!({ "diagnostics": set.diagnostics }));
    } else {
        for d in &set.diagnostics {
            eprintln!("{}", d.render());
        }
    }
    Err(InputError(format!(
        "{} error(s) in the rule files; nothing was planned or applied",
        set.errors()
    ))
    .into())
}

/// The stored findings (of every release) and the plan of the rules against them.
async fn planned(url: &str, set: &RuleSet, today: Date) -> anyhow::Result<(Plan, usize)> {
    let subjects = super::with_store(url, async |store| Ok(store.rule_subjects().await?)).await?;
    let releases: Vec<String> = subjects.iter().map(|s| s.release.to_string()).collect();
    let input: Vec<Planned<'_>> = subjects
        .iter()
        .zip(&releases)
        .map(|(s, release)| Planned {
            id: s.id,
            project: &s.release.project,
            release,
            finding: &s.facts,
            decision: s.decision.as_ref(),
        })
        .collect();
    Ok((plan(&set.rules, &input, today), subjects.len()))
}

async fn check_cmd(args: RulesArgs, url: &str, loaded: &Loaded) -> anyhow::Result<Outcome> {
    let (mut set, today) = load(args.dir.as_deref(), args.today.as_deref(), loaded)?;
    // `rule-unused` needs findings to judge by: only when a database with findings exists.
    if set.errors() == 0 && database_exists(url) {
        let (plan, findings) = planned(url, &set, today).await?;
        if findings > 0 {
            for rule in &set.rules {
                if plan.decided.get(&rule.id) == Some(&0) && !rule.expired(today) {
                    set.diagnostics.push(unused(rule, findings));
                }
            }
        }
    }
    let errors = set.errors();
    let warnings = set.diagnostics.len() - errors;
    if args.format == ListFormat::Json {
        println!(
            "{}",
            serde_json::json!({ "rules": set.rules.len(), "errors": errors, "warnings": warnings, "diagnostics": set.diagnostics })
        );
    } else {
        for d in &set.diagnostics {
            println!("{}", d.render());
        }
        println!(
            "{} rules checked: {errors} errors, {warnings} warnings",
            set.rules.len()
        );
    }
    if errors > 0 {
        return Err(InputError(format!("{errors} error(s) in the rule files")).into());
    }
    Ok(Outcome::Success)
}

fn unused(rule: &Rule, findings: usize) -> Diagnostic {
    Diagnostic {
        level: Level::Warning,
        code: "rule-unused",
        file: rule.location.file.clone(),
        line: rule.location.line,
        column: 1,
        message: format!(
            "rule `{}` decides none of the {findings} stored findings",
            rule.id
        ),
        snippet: "[[rule]]".to_owned(),
        width: 8,
        help: Some("remove it, or check its patterns against `vexil findings list`".to_owned()),
    }
}

/// Whether the database is there already (a SQLite file, or any server URL): `rules check`
/// must not create one.
fn database_exists(url: &str) -> bool {
    match url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        Some(path) => Path::new(path.split('?').next().unwrap_or(path)).is_file(),
        None => true,
    }
}

async fn apply(args: RulesArgs, url: &str, loaded: &Loaded) -> anyhow::Result<Outcome> {
    let (set, today) = load(args.dir.as_deref(), args.today.as_deref(), loaded)?;
    stop_on_errors(&set, args.format == ListFormat::Json)?;
    let (plan, _) = planned(url, &set, today).await?;
    let writes: Vec<DecisionWrite<'_>> = plan
        .changes
        .iter()
        .map(|c| DecisionWrite {
            finding: c.finding,
            decision: c.to.as_ref(),
            kind: match c.action {
                Action::Apply | Action::Change => EventKind::RuleApplied,
                Action::Unapply => EventKind::RuleUnapplied,
            },
            detail: &c.detail,
        })
        .collect();
    super::with_store(url, async |store| {
        Ok(store.record_decisions(&writes, super::now()).await?)
    })
    .await?;
    let count = |a: Action| plan.changes.iter().filter(|c| c.action == a).count();
    if args.format == ListFormat::Json {
        println!(
            "{}",
            serde_json::json!({
                "applied": count(Action::Apply),
                "changed": count(Action::Change),
                "unapplied": count(Action::Unapply),
                "changes": plan.changes,
            })
        );
    } else {
        println!(
            "{} rules applied: {} findings decided, {} changed, {} decisions removed",
            set.rules.len(),
            count(Action::Apply),
            count(Action::Change),
            count(Action::Unapply)
        );
    }
    Ok(Outcome::Success)
}

fn stale(args: RulesArgs, loaded: &Loaded) -> anyhow::Result<Outcome> {
    let (set, today) = load(args.dir.as_deref(), args.today.as_deref(), loaded)?;
    let stale: Vec<&Rule> = set.rules.iter().filter(|r| r.stale(today)).collect();
    if args.format == ListFormat::Json {
        let rows: Vec<_> = stale
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id, "recheck": r.recheck, "owner": r.owner, "issue": r.issue,
                    "file": r.location.file, "line": r.location.line,
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(rows));
    } else if stale.is_empty() {
        println!("no rule is past its recheck date ({today})");
    } else {
        let rows: Vec<[String; 5]> = stale
            .iter()
            .map(|r| {
                [
                    r.id.clone(),
                    r.recheck.map(|d| d.to_string()).unwrap_or_default(),
                    r.owner.clone().unwrap_or_else(|| "-".into()),
                    r.issue.clone().unwrap_or_else(|| "-".into()),
                    format!("{}:{}", r.location.file, r.location.line),
                ]
            })
            .collect();
        print_table(&["RULE", "RECHECK", "OWNER", "ISSUE", "WHERE"], &rows);
    }
    Ok(if stale.is_empty() {
        Outcome::Success
    } else {
        Outcome::Failed
    })
}

fn print_plan(plan: &Plan, format: PlanFormat) {
    match format {
        PlanFormat::Json => println!("{}", serde_json::json!(plan)),
        PlanFormat::Table => {
            if plan.changes.is_empty() {
                println!("no changes: every finding already has the decision the rules make");
                return;
            }
            let rows: Vec<[String; 6]> = plan
                .changes
                .iter()
                .map(|c| {
                    [
                        c.rule.clone(),
                        c.action.as_str().to_owned(),
                        c.release.clone(),
                        c.vuln.clone(),
                        c.purl.clone(),
                        transition(c),
                    ]
                })
                .collect();
            print_table(
                &[
                    "RULE",
                    "ACTION",
                    "RELEASE",
                    "VULNERABILITY",
                    "COMPONENT",
                    "DECISION",
                ],
                &rows,
            );
            println!("\n{}", summary(plan));
        }
        PlanFormat::Markdown => print!("{}", markdown(plan)),
    }
}

fn transition(c: &vexil_core::rules::plan::Change) -> String {
    let show = |d: &Option<vexil_core::model::decision::Decision>| {
        d.as_ref()
            .map_or("none".to_owned(), |d| d.status.as_str().to_owned())
    };
    format!("{} → {}", show(&c.from), show(&c.to))
}

fn summary(plan: &Plan) -> String {
    let count = |a: Action| plan.changes.iter().filter(|c| c.action == a).count();
    format!(
        "plan: {} to decide, {} to change, {} to un-apply",
        count(Action::Apply),
        count(Action::Change),
        count(Action::Unapply)
    )
}

/// The plan as a pull-request comment: a summary, then per rule a table of its changes.
/// Package names and ids come from advisories and inventories: escaped for Markdown.
fn markdown(plan: &Plan) -> String {
    let mut out = String::from("### Vexil rules plan\n\n");
    if plan.changes.is_empty() {
        out.push_str("No changes: every finding already has the decision the rules make.\n");
        return out;
    }
    out.push_str(&format!("{}\n", summary(plan)));
    let mut current = "";
    for c in &plan.changes {
        if c.rule != current {
            current = &c.rule;
            out.push_str(&format!(
                "\n#### `{}` ({})\n\n| action | release | vulnerability | component | decision |\n|---|---|---|---|---|\n",
                markdown_cell(&c.rule),
                markdown_cell(&c.rule_at)
            ));
        }
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            c.action.as_str(),
            markdown_cell(&c.release),
            markdown_cell(&c.vuln),
            markdown_cell(&c.purl),
            transition(c)
        ));
    }
    out
}

async fn suggest_cmd(args: RulesSuggestArgs, url: &str) -> anyhow::Result<Outcome> {
    let subjects = super::with_store(url, async |store| Ok(store.rule_subjects().await?)).await?;
    let releases: Vec<String> = subjects.iter().map(|s| s.release.to_string()).collect();
    let backlog: Vec<Backlog<'_>> = subjects
        .iter()
        .zip(&releases)
        .filter(|(s, _)| s.open && s.decision.is_none())
        .map(|(s, release)| Backlog {
            release,
            facts: &s.facts,
        })
        .collect();
    let suggestions = suggest(&backlog, args.min_findings);
    if args.format == ListFormat::Json {
        println!("{}", serde_json::to_string(&suggestions)?);
        return Ok(Outcome::Success);
    }
    if suggestions.is_empty() {
        println!(
            "no cluster of {} or more untriaged findings ({} in the backlog)",
            args.min_findings,
            backlog.len()
        );
        return Ok(Outcome::Success);
    }
    println!(
        "# {} suggestions for {} untriaged findings; paste into rules/auto or rules/triage and edit\n",
        suggestions.len(),
        backlog.len()
    );
    for s in &suggestions {
        println!(
            "# e.g. {}\n{}",
            s.examples
                .iter()
                .map(|e| terminal_safe(e).into_owned())
                .collect::<Vec<_>>()
                .join(", "),
            terminal_safe_block(&s.rule)
        );
    }
    Ok(Outcome::Success)
}

/// A multi-line block with each line made terminal-safe.
fn terminal_safe_block(text: &str) -> String {
    text.lines()
        .map(|l| terminal_safe(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

fn import(args: RulesImportArgs) -> anyhow::Result<Outcome> {
    let mut toml = String::new();
    let mut left_out = 0;
    for path in &args.files {
        let name = path.display().to_string();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let kind = match args.kind.as_deref() {
            Some("auto") => RuleKind::Auto,
            Some("triage") => RuleKind::Triage,
            Some(other) => {
                return Err(
                    InputError(format!("unknown kind `{other}`; expected auto or triage")).into(),
                );
            }
            None if file_name.contains("triage") => RuleKind::Triage,
            None if file_name.contains("auto") => RuleKind::Auto,
            None => {
                return Err(InputError(format!(
                    "cannot tell the kind of `{name}` from its name; give --kind auto or --kind triage"
                ))
                .into());
            }
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| InputError(format!("cannot read `{name}`: {e}")))?;
        let converted =
            vexil_core::rules::import::convert(&text, &name, kind).map_err(InputError)?;
        for u in &converted.unconverted {
            eprintln!(
                "not converted: {name}{}{}: {}",
                u.at,
                u.id.as_ref()
                    .map(|i| format!(" (`{i}`)"))
                    .unwrap_or_default(),
                u.reason
            );
        }
        left_out += converted.unconverted.len();
        eprintln!(
            "{name}: {} rules converted, {} entries not converted",
            converted.rules,
            converted.unconverted.len()
        );
        if !toml.is_empty() && !converted.toml.is_empty() {
            toml.push('\n');
        }
        toml.push_str(&converted.toml);
    }
    match &args.output {
        Some(path) => std::fs::write(path, &toml)
            .map_err(|e| anyhow::anyhow!("cannot write `{}`: {e}", path.display()))?,
        None => print!("{toml}"),
    }
    Ok(if left_out == 0 {
        Outcome::Success
    } else {
        Outcome::Failed
    })
}
