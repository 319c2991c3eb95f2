//! `vexil explain PROJECT@VERSION PURL-or-NAME VULN-ID`: why a component of a release has the
//! verdict it has on a vulnerability — every advisory of the alias group considered, the range
//! each used, and each comparison made.

use vexil_core::matching::Match;
use vexil_core::model::ReleaseId;

use super::inventory::stored_release;
use super::scan::audit_in;
use crate::cli::{ExplainArgs, ListFormat};
use crate::exit::{InputError, Outcome};
use crate::output::terminal_safe;

pub(crate) async fn run(args: ExplainArgs, url: &str) -> anyhow::Result<Outcome> {
    let release: ReleaseId = args.release.parse().map_err(InputError)?;
    let (components, findings) = super::with_store(url, async |store| {
        let stored = stored_release(store, &release).await?;
        let wanted = |c: &vexil_core::model::Component| {
            c.purl == args.component
                || c.name.eq_ignore_ascii_case(&args.component)
                || vexil_core::model::inventory::package_of(&c.purl).0 == args.component
        };
        let components: Vec<_> = stored.components.into_iter().filter(|c| wanted(c)).collect();
        if components.is_empty() {
            return Err(InputError(format!(
                "{release} has no component `{}`; give its purl or name (`vexil inventory show {release}` lists them)",
                args.component
            ))
            .into());
        }
        let audited = audit_in(store, components).await?;
        Ok((audited.components, audited.findings))
    })
    .await?;
    let findings: Vec<_> = findings
        .into_iter()
        .filter(|f| f.ids.iter().any(|id| id.eq_ignore_ascii_case(&args.vuln)))
        .collect();
    if args.format == ListFormat::Json {
        let rows: Vec<_> = findings
            .iter()
            .map(|f| serde_json::json!({ "component": components[f.component], "finding": f }))
            .collect();
        println!("{}", serde_json::to_string(&rows)?);
        return Ok(Outcome::Success);
    }
    if findings.is_empty() {
        for c in &components {
            println!(
                "{} {}: no advisory naming this package has {} among its ids or aliases: not affected",
                terminal_safe(&c.name),
                terminal_safe(c.version.as_deref().unwrap_or("-")),
                terminal_safe(&args.vuln)
            );
        }
        return Ok(Outcome::Success);
    }
    for f in &findings {
        let c = &components[f.component];
        println!(
            "{} {} ({}) on {}: {}{}",
            terminal_safe(&c.name),
            terminal_safe(c.version.as_deref().unwrap_or("-")),
            terminal_safe(&c.purl),
            f.vuln,
            f.verdict.as_str(),
            f.fixed_version
                .as_ref()
                .map(|v| format!(", fixed in {}", terminal_safe(v)))
                .unwrap_or_default()
        );
        println!("  ids: {}", f.ids.join(", "));
        println!("  listed at: {}", c.location);
        for (i, m) in f.matches.iter().enumerate() {
            print_match(i == 0, m);
        }
    }
    Ok(Outcome::Success)
}

fn print_match(deciding: bool, m: &Match) {
    let e = &m.explanation;
    println!(
        "  {} {} ({} feed, matcher {}): {}",
        if deciding { "deciding:" } else { "also:    " },
        e.advisory,
        e.feed.name(),
        e.matcher,
        m.verdict.as_str()
    );
    println!("    package {}", terminal_safe(&e.package));
    if let (Some(v), Some(s)) = (&e.version, &e.scheme) {
        println!("    version {} compared as {s}", terminal_safe(v));
    }
    if let Some(r) = &e.range {
        println!("    range {}", terminal_safe(r));
    }
    for step in &e.steps {
        println!("    - {}", terminal_safe(step));
    }
    println!("    because {}", terminal_safe(&e.reason));
    if m.malicious {
        println!("    MALICIOUS package advisory");
    }
    if let Some(kind) = &m.informational {
        println!("    informational ({kind}): a warning, not a vulnerability");
    }
}
