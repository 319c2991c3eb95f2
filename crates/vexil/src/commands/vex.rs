//! `vexil vex export|import`: a release's findings and decisions as OpenVEX, CycloneDX or CSAF
//! (deterministic bytes), and VEX documents read back as decisions with the document as
//! provenance. Documents are checked against the official schemas when a schema directory is
//! given (`--schemas DIR` or `VEXIL_SCHEMAS`: the layout of the specs' `schemas/` folder).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use vexil_core::model::decision::{Decision, DecisionSource};
use vexil_core::model::finding::EventKind;
use vexil_core::output::vex::schema::{SchemaTexts, VexSchemas};
use vexil_core::output::vex::{
    ExportInput, ExportStatement, VexFormat, csaf::render_csaf, cyclonedx::render_cyclonedx,
    openvex::render_openvex, read,
};
use vexil_core::rules::evaluate::purl_covers;
use vexil_store::{DecisionWrite, FindingFilter, StoredFinding};

use super::inventory::{release_arg, stored_release};
use crate::cli::{ListFormat, VexCommand, VexExportArgs, VexImportArgs};
use crate::exit::{InputError, Outcome};

pub(crate) async fn run(command: VexCommand, url: &str) -> anyhow::Result<Outcome> {
    match command {
        VexCommand::Export(args) => export(args, url).await,
        VexCommand::Import(args) => import(args, url).await,
    }
}

/// The official schemas, compiled once, from `--schemas DIR`, else `VEXIL_SCHEMAS`; `None`
/// (with a notice) when neither is given.
fn schemas(dir: Option<&Path>) -> anyhow::Result<Option<VexSchemas>> {
    let dir: Option<PathBuf> = dir
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("VEXIL_SCHEMAS").map(PathBuf::from));
    let Some(dir) = dir else {
        eprintln!(
            "note: documents are not checked against the official schemas: give --schemas DIR (or VEXIL_SCHEMAS)"
        );
        return Ok(None);
    };
    let text = |rel: &str| {
        std::fs::read_to_string(dir.join(rel)).map_err(|e| {
            InputError(format!(
                "schema directory `{}`: cannot read `{rel}`: {e}",
                dir.display()
            ))
        })
    };
    let openvex = text("openvex/openvex_json_schema.json")?;
    let boms = ["1.5", "1.6", "1.7"]
        .into_iter()
        .map(|v| Ok((v, text(&format!("cyclonedx/bom-{v}.schema.json"))?)))
        .collect::<Result<Vec<_>, InputError>>()?;
    let bom_refs = [
        "spdx.schema.json",
        "jsf-0.82.schema.json",
        "cryptography-defs.schema.json",
    ]
    .into_iter()
    .map(|n| Ok((n, text(&format!("cyclonedx/{n}"))?)))
    .collect::<Result<Vec<_>, InputError>>()?;
    let csaf = text("csaf-2.0/csaf_json_schema.json")?;
    let cvss = ["cvss-v2.0.json", "cvss-v3.0.json", "cvss-v3.1.json"]
        .into_iter()
        .map(|n| Ok((n, text(&format!("csaf-2.0/{n}"))?)))
        .collect::<Result<Vec<_>, InputError>>()?;
    let (b, r, c) = (borrow(&boms), borrow(&bom_refs), borrow(&cvss));
    let compiled = VexSchemas::compile(&SchemaTexts {
        openvex: &openvex,
        cyclonedx: &b,
        cyclonedx_refs: &r,
        csaf: &csaf,
        csaf_refs: &c,
    })
    .map_err(|e| InputError(format!("schema directory `{}`: {e}", dir.display())))?;
    Ok(Some(compiled))
}

fn borrow<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(n, t)| (*n, t.as_str())).collect()
}

async fn export(args: VexExportArgs, url: &str) -> anyhow::Result<Outcome> {
    let release = release_arg(&args.release)?;
    let format = VexFormat::parse(&args.format).ok_or_else(|| {
        InputError(format!(
            "unknown VEX format `{}`; expected openvex, cyclonedx or csaf",
            args.format
        ))
    })?;
    let schemas = schemas(args.schemas.as_deref())?;
    let findings = super::with_store(url, async |store| {
        stored_release(store, &release).await?;
        let filter = FindingFilter {
            release: Some(release.clone()),
            ..FindingFilter::default()
        };
        Ok(store.findings(&filter).await?)
    })
    .await?;
    // The documents' time is the data's: the newest change of any finding.
    let timestamp = findings
        .iter()
        .filter_map(|f| f.updated_at.parse::<jiff::Timestamp>().ok())
        .max()
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let input = ExportInput {
        release: release.clone(),
        product_purl: args.product.clone(),
        product_name: None,
        timestamp,
        statements: findings
            .iter()
            .map(|f| ExportStatement::from_observation(&f.observation, f.decision.clone()))
            .collect(),
    };
    let bytes = match format {
        VexFormat::OpenVex => render_openvex(&input),
        VexFormat::CycloneDx => render_cyclonedx(&input),
        VexFormat::Csaf => render_csaf(&input),
    }
    .map_err(|e| InputError(e.to_string()))?;
    if let Some(schemas) = &schemas {
        let value: serde_json::Value = serde_json::from_slice(&bytes)?;
        schemas.validate(format, &value).map_err(|e| {
            anyhow::anyhow!("the exported {format} document is not valid against its schema: {e}")
        })?;
    }
    match &args.output {
        Some(path) => std::fs::write(path, &bytes)
            .map_err(|e| anyhow::anyhow!("cannot write `{}`: {e}", path.display()))?,
        None => {
            use std::io::Write as _;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(Outcome::Success)
}

/// What importing one document did.
#[derive(serde::Serialize)]
struct Imported {
    document: String,
    format: String,
    statements: usize,
    decided: usize,
    /// Findings a rule decides: the team's rule stands over a document.
    kept_rule: usize,
    /// Statements that name no stored finding.
    unmatched: usize,
}

async fn import(args: VexImportArgs, url: &str) -> anyhow::Result<Outcome> {
    let schemas = schemas(args.schemas.as_deref())?;
    // Every document is read and checked before the database is touched.
    let mut documents = Vec::new();
    for path in &args.files {
        let bytes = super::read(path)?;
        let name = path.display().to_string();
        let parsed = read(&bytes, &name, schemas.as_ref())?;
        let digest = sha256_hex(&bytes);
        for w in &parsed.warnings {
            eprintln!("warning: {name}: {w}");
        }
        for doc in parsed.records {
            documents.push((name.clone(), digest.clone(), doc));
        }
    }
    let release = args.release.as_deref().map(release_arg).transpose()?;
    let reports = super::with_store(url, async |store| {
        let filter = FindingFilter {
            release: release.clone(),
            ..FindingFilter::default()
        };
        let findings = store.findings(&filter).await?;
        // Every id of every finding's alias group (uppercased) → the findings it names, so a
        // document of many statements is matched without a pass over every finding each.
        let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, f) in findings.iter().enumerate() {
            for id in &f.observation.ids {
                by_id.entry(id.to_ascii_uppercase()).or_default().push(i);
            }
        }
        let mut decisions: Vec<(i64, Decision, String)> = Vec::new();
        let mut reports = Vec::new();
        for (name, digest, doc) in &documents {
            let mut report = Imported {
                document: name.clone(),
                format: doc.format.as_str().to_owned(),
                statements: doc.statements.len(),
                decided: 0,
                kept_rule: 0,
                unmatched: 0,
            };
            for st in &doc.statements {
                let ids: Vec<&str> = std::iter::once(st.vulnerability.as_str())
                    .chain(st.aliases.iter().map(String::as_str))
                    .collect();
                let subjects: Vec<&str> = st.subjects().collect();
                // Candidates by id through the index, then each checked against the subjects.
                let mut candidates: Vec<usize> = ids
                    .iter()
                    .filter_map(|id| by_id.get(&id.to_ascii_uppercase()))
                    .flatten()
                    .copied()
                    .collect();
                candidates.sort_unstable();
                candidates.dedup();
                let hits: Vec<&StoredFinding> = candidates
                    .into_iter()
                    .map(|i| &findings[i])
                    .filter(|f| subjects.iter().any(|s| names(s, f)))
                    .collect();
                if hits.is_empty() {
                    report.unmatched += 1;
                }
                for f in hits {
                    if matches!(
                        f.decision.as_ref().map(|d| &d.source),
                        Some(DecisionSource::Rule(_))
                    ) {
                        report.kept_rule += 1;
                        continue;
                    }
                    let decision = Decision {
                        status: st.status,
                        justification: st.justification,
                        impact_statement: st.impact_statement.clone(),
                        action_statement: st.action_statement.clone(),
                        reason: st
                            .notes
                            .clone()
                            .or_else(|| st.impact_statement.clone())
                            .or_else(|| st.action_statement.clone())
                            .unwrap_or_else(|| format!("stated {} by {name}", st.status.as_str())),
                        source: DecisionSource::Vex {
                            document: name.clone(),
                            format: doc.format.as_str().to_owned(),
                            digest: digest.clone(),
                        },
                        issue: None,
                        recheck: None,
                        expires: None,
                    };
                    if f.decision.as_ref() == Some(&decision) {
                        continue;
                    }
                    report.decided += 1;
                    let detail = format!(
                        "{name} ({} {}) states {}{}",
                        doc.format.as_str(),
                        st.field,
                        st.status.as_str(),
                        st.justification
                            .map(|j| format!(" ({})", j.as_str()))
                            .unwrap_or_default()
                    );
                    decisions.push((f.id, decision, detail));
                }
            }
            reports.push(report);
        }
        let writes: Vec<DecisionWrite<'_>> = decisions
            .iter()
            .map(|(id, d, detail)| DecisionWrite {
                finding: *id,
                decision: Some(d),
                kind: EventKind::VexApplied,
                detail,
            })
            .collect();
        store.record_decisions(&writes, super::now()).await?;
        Ok(reports)
    })
    .await?;
    if args.format == ListFormat::Json {
        println!("{}", serde_json::to_string(&reports)?);
    } else {
        for r in &reports {
            println!(
                "{} ({}): {} statements, {} findings decided, {} kept their rule's decision, {} statements name no stored finding",
                crate::output::terminal_safe(&r.document),
                r.format,
                r.statements,
                r.decided,
                r.kept_rule,
                r.unmatched
            );
        }
    }
    Ok(Outcome::Success)
}

/// Whether a statement's subject names a finding's component: its purl exactly, a versionless
/// purl covering it, or its package name.
fn names(subject: &str, f: &StoredFinding) -> bool {
    let purl = &f.observation.purl;
    subject == purl
        || (subject.starts_with("pkg:") && {
            let (package, version) = vexil_core::model::inventory::package_of(subject);
            match version {
                Some(v) => {
                    f.observation.version.as_deref() == Some(v.as_str())
                        && purl_covers(&package, purl)
                }
                None => purl_covers(subject, purl),
            }
        })
        || subject.eq_ignore_ascii_case(&f.observation.name)
}

fn sha256_hex(bytes: &[u8]) -> String {
    vexil_core::ingest::feed::digest(bytes)
}
