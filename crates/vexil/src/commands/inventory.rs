//! `vexil inventory import|list|show`: what a release deploys, from the documents a team
//! already produces, into the store; and reading it back.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use serde_json::json;
use vexil_core::ingest::inventory::{
    self, Document, InventoryFormat, MAX_DOCUMENT_BYTES, Recognised, Sniff,
};
use vexil_core::ingest::{IngestError, Warning};
use vexil_core::model::{ChangeKind, Inventory, ReleaseId, Scope};
use vexil_store::{NewDocument, ReleaseInventory, Store};

use crate::cli::{
    InventoryCommand, InventoryImportArgs, InventoryListArgs, InventoryShowArgs, ListFormat,
    ShowFormat,
};
use crate::exit::{InputError, Outcome};
use crate::output::{Format, print_table, progress, terminal_safe};

pub(crate) async fn run(command: InventoryCommand, url: &str) -> anyhow::Result<Outcome> {
    match command {
        InventoryCommand::Import(args) => import(args, url).await,
        InventoryCommand::List(args) => list(args, url).await,
        InventoryCommand::Show(args) => show(args, url).await,
    }
}

/// Warnings printed per import before the rest are only counted.
const SHOWN_WARNINGS: usize = 20;

/// Directories a walk never enters: version control and vendored dependency trees, whose
/// manifests are not this release's inventory.
const SKIPPED_DIRS: &[&str] = &[".git", ".hg", ".svn", "node_modules", "proc", "sys", "dev"];

pub(crate) fn release_arg(s: &str) -> anyhow::Result<ReleaseId> {
    s.parse::<ReleaseId>().map_err(|e| InputError(e).into())
}

/// A file to read: where it is, the name shown for it, and whether the user named it (then it
/// must be an inventory document) or a directory walk found it (then it may be skipped).
struct Candidate {
    path: PathBuf,
    name: String,
    explicit: bool,
}

/// A file a walk passed over, and why.
#[derive(serde::Serialize)]
pub(crate) struct Skipped {
    path: String,
    reason: String,
}

/// One document read and parsed.
struct Read {
    name: String,
    document: Document,
}

fn candidates(paths: &[PathBuf]) -> anyhow::Result<Vec<Candidate>> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path)
            .map_err(|e| InputError(format!("cannot read `{}`: {e}", path.display())))?;
        if meta.is_dir() {
            walk(path, &mut out)?;
        } else {
            out.push(Candidate {
                path: path.clone(),
                name: path.display().to_string(),
                explicit: true,
            });
        }
    }
    Ok(out)
}

/// Every file under `dir`, sorted, not following symbolic links.
fn walk(dir: &Path, out: &mut Vec<Candidate>) -> anyhow::Result<()> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| InputError(format!("cannot read directory `{}`: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if meta.is_dir() {
            if !name.as_deref().is_some_and(|n| SKIPPED_DIRS.contains(&n)) {
                walk(&path, out)?;
            }
        } else if meta.is_file() {
            out.push(Candidate {
                name: path.display().to_string(),
                path,
                explicit: false,
            });
        }
    }
    Ok(())
}

/// Reads a candidate's bytes, refusing oversized files before reading them. For walked files,
/// `Ok(Err(reason))` says why the file is passed over (too big, binary).
fn read_bytes(c: &Candidate) -> anyhow::Result<Result<Vec<u8>, String>> {
    let cannot = |e: std::io::Error| InputError(format!("cannot read `{}`: {e}", c.name));
    let file = std::fs::File::open(&c.path).map_err(cannot)?;
    let size = file.metadata().map_err(cannot)?.len();
    if size > MAX_DOCUMENT_BYTES as u64 {
        let message = format!(
            "{size} bytes; inventory documents over {} MiB are refused",
            MAX_DOCUMENT_BYTES >> 20
        );
        if c.explicit {
            return Err(
                IngestError::new(vexil_core::ingest::Location::file(&c.name), message).into(),
            );
        }
        return Ok(Err(message));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(MAX_DOCUMENT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if !c.explicit && bytes.iter().take(8192).any(|&b| b == 0) && !has_utf16_bom(&bytes) {
        return Ok(Err("binary file".into()));
    }
    Ok(Ok(bytes))
}

fn has_utf16_bom(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF])
}

/// Reads and parses every candidate. Walked files that are not inventory documents are
/// skipped with their reason; any other failure is collected and returned.
fn read_all(
    files: &[Candidate],
    forced: Option<InventoryFormat>,
) -> anyhow::Result<(Vec<Read>, Vec<Skipped>, Vec<anyhow::Error>)> {
    let bar = progress(files.len() as u64, "files");
    let mut read = Vec::new();
    let mut skipped = Vec::new();
    let mut errors = Vec::new();
    for c in files {
        bar.set_message(c.name.clone());
        let bytes = match read_bytes(c) {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(reason)) => {
                skipped.push(Skipped {
                    path: c.name.clone(),
                    reason,
                });
                bar.inc(1);
                continue;
            }
            Err(e) => {
                errors.push(e);
                bar.inc(1);
                continue;
            }
        };
        // A walked file is recognised here (to skip what is not an inventory); the format found
        // is handed on so the document is not sniffed a second time.
        let mut format = forced;
        if !c.explicit && forced.is_none() {
            match recognise(&c.name, &bytes) {
                Ok(found) => format = Some(found),
                Err(reason) => {
                    skipped.push(Skipped {
                        path: c.name.clone(),
                        reason,
                    });
                    bar.inc(1);
                    continue;
                }
            }
        }
        let dir = c.path.parent().map(Path::to_path_buf).unwrap_or_default();
        match inventory::read(&c.name, &bytes, format, |rel| {
            std::fs::read(dir.join(rel)).ok()
        }) {
            Ok(document) => read.push(Read {
                name: c.name.clone(),
                document,
            }),
            Err(e) => errors.push(e.into()),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    explain_companions(&read, &mut skipped);
    Ok((read, skipped, errors))
}

/// Whether a walked file is an inventory document; if not, a short reason.
fn recognise(name: &str, bytes: &[u8]) -> Result<InventoryFormat, String> {
    let text = inventory::decode(name, bytes).map_err(|e| format!("not text: {}", e.message))?;
    match inventory::recognise(name, &text) {
        Ok(Recognised::Format(format)) => Ok(format),
        Ok(Recognised::Companion { kind, advice }) => Err(format!("{kind}: {advice}")),
        Err(_) => Err(format!(
            "not a format Vexil reads (it looks like {})",
            Sniff::new(name, &text).describe()
        )),
    }
}

/// A skipped file that a parsed document read as its companion (`go.sum` beside `go.mod`,
/// `etc/os-release` of a root file system) says so.
fn explain_companions(read: &[Read], skipped: &mut [Skipped]) {
    for r in read {
        let dir = Path::new(&r.name).parent().unwrap_or(Path::new(""));
        for companion in r.document.format.companions() {
            let path = normalise(&dir.join(companion));
            for s in skipped.iter_mut() {
                if normalise(Path::new(&s.path)) == path {
                    s.reason = format!("read with {}", r.name);
                }
            }
        }
    }
}

/// `a/b/../c` → `a/c`, without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The documents a list of paths gave: each one's summary for the report, their inventories,
/// and the walked files passed over.
pub(crate) struct Documents {
    pub(crate) summaries: Vec<Summary>,
    pub(crate) inventories: Vec<Inventory>,
    pub(crate) skipped: Vec<Skipped>,
}

/// `--format auto|NAME` for inventory documents.
pub(crate) fn format_arg(name: &str) -> anyhow::Result<Option<InventoryFormat>> {
    match name {
        "auto" => Ok(None),
        name => Ok(Some(InventoryFormat::from_name(name).ok_or_else(|| {
            let names: Vec<&str> = InventoryFormat::ALL.iter().map(|f| f.name()).collect();
            InputError(format!(
                "unknown format `{name}`; expected auto or one of {}",
                names.join(", ")
            ))
        })?)),
    }
}

/// Reads every file (walking directories) and parses it; any failure is an error naming every
/// file that failed, after `then` (what the caller will not do: "nothing was imported").
pub(crate) async fn read_documents(
    paths: &[PathBuf],
    forced: Option<InventoryFormat>,
    then: &str,
) -> anyhow::Result<Documents> {
    let files = candidates(paths)?;
    let (read, skipped, mut errors) =
        tokio::task::spawn_blocking(move || read_all(&files, forced)).await??;
    if !errors.is_empty() {
        let count = errors.len();
        for e in errors.iter().skip(1) {
            eprintln!("error: {e}");
        }
        let first = errors.remove(0);
        let what = if count == 1 {
            "a file".to_owned()
        } else {
            format!("{count} files")
        };
        return Err(first.context(format!("{what} could not be read; {then}")));
    }
    if read.is_empty() {
        print_skipped(&skipped);
        return Err(InputError(format!(
            "no inventory documents among {}; `vexil inventory import --help` lists the formats Vexil reads",
            paths.iter().map(|p| format!("`{}`", p.display())).collect::<Vec<_>>().join(", ")
        ))
        .into());
    }
    // Each document's summary stays for the report; the inventories move out.
    let mut inventories = Vec::with_capacity(read.len());
    let summaries: Vec<Summary> = read
        .into_iter()
        .map(|r| {
            let mut inv = r.document.inventory;
            let summary = Summary {
                dev: inv
                    .components
                    .iter()
                    .filter(|c| c.scope == Some(Scope::Dev))
                    .count(),
                components: inv.components.len(),
                evidence: inv.evidence.len(),
                warnings: std::mem::take(&mut inv.warnings),
                includes: std::mem::take(&mut inv.includes),
                name: r.name,
                format: r.document.format,
                digest: r.document.digest,
            };
            inventories.push(inv);
            summary
        })
        .collect();
    Ok(Documents {
        summaries,
        inventories,
        skipped,
    })
}

/// "skipped PATH: REASON" for each walked file passed over, on stderr.
pub(crate) fn print_skipped(skipped: &[Skipped]) {
    for s in skipped {
        eprintln!(
            "skipped {}: {}",
            terminal_safe(&s.path),
            terminal_safe(&s.reason)
        );
    }
}

async fn import(args: InventoryImportArgs, url: &str) -> anyhow::Result<Outcome> {
    let release = release_arg(&args.release)?;
    let forced = format_arg(&args.format)?;
    let then = format!("nothing was imported and {release} is unchanged");
    let Documents {
        summaries,
        inventories,
        skipped,
    } = read_documents(&args.files, forced, &then).await?;
    let merged = Inventory::union(inventories);
    let documents = new_documents(&summaries);
    let store = Store::open(url).await?;
    let report = store
        .import_inventory(&release, &documents, &merged, super::now())
        .await?;
    store.close().await;

    let tally = |k: ChangeKind| report.changes.iter().filter(|c| c.kind == k).count();
    match args.output {
        Format::Json => {
            let docs: Vec<_> = summaries
                .iter()
                .map(|d| {
                    json!({
                        "name": d.name,
                        "format": d.format.name(),
                        "digest": d.digest,
                        "components": d.components,
                        "evidence": d.evidence,
                        "includes": d.includes,
                        "warnings": d.warnings,
                    })
                })
                .collect();
            println!(
                "{}",
                json!({
                    "release": report.release.to_string(),
                    "revision": report.revision,
                    "documents": docs,
                    "skipped": skipped,
                    "components": report.components,
                    "dependencies": report.dependencies,
                    "evidence": report.evidence,
                    "changes": report.changes,
                })
            );
        }
        Format::Text => {
            let rows: Vec<[String; 4]> = summaries
                .iter()
                .map(|d| {
                    [
                        d.name.clone(),
                        d.format.name().to_owned(),
                        count_phrase(d.components, "component"),
                        describe_extras(d),
                    ]
                })
                .collect();
            print_table(&["FILE", "FORMAT", "COMPONENTS", ""], &rows);
            for s in &skipped {
                println!(
                    "skipped {}: {}",
                    terminal_safe(&s.path),
                    terminal_safe(&s.reason)
                );
            }
            let warnings: Vec<&Warning> = summaries.iter().flat_map(|d| &d.warnings).collect();
            for w in warnings.iter().take(SHOWN_WARNINGS) {
                eprintln!("warning: {}", terminal_safe(&w.to_string()));
            }
            if warnings.len() > SHOWN_WARNINGS {
                eprintln!(
                    "… and {} more warnings (`--output json` lists them all)",
                    warnings.len() - SHOWN_WARNINGS
                );
            }
            for d in &summaries {
                for include in &d.includes {
                    println!(
                        "note: {} includes {}, which was not read; name it to import it",
                        terminal_safe(&d.name),
                        terminal_safe(include)
                    );
                }
            }
            println!(
                "{} revision {}: {}, {}, {}",
                terminal_safe(&report.release.to_string()),
                report.revision,
                count_phrase(report.components, "component"),
                count_phrase(report.dependencies, "dependency edge"),
                count_phrase(report.evidence, "scanner finding"),
            );
            if report.revision > 1 {
                println!(
                    "changes since revision {}: {} added, {} removed, {} changed",
                    report.revision - 1,
                    tally(ChangeKind::Added),
                    tally(ChangeKind::Removed),
                    tally(ChangeKind::Changed)
                );
            }
        }
    }
    Ok(Outcome::Success)
}

fn count_phrase(n: usize, what: &str) -> String {
    match n {
        1 => format!("1 {what}"),
        _ => format!("{n} {what}s"),
    }
}

/// What the report says of one document after its inventory joined the release's.
pub(crate) struct Summary {
    name: String,
    format: InventoryFormat,
    digest: String,
    components: usize,
    dev: usize,
    evidence: usize,
    warnings: Vec<Warning>,
    includes: Vec<String>,
}

/// The documents read, as the store records them.
pub(crate) fn new_documents(summaries: &[Summary]) -> Vec<NewDocument<'_>> {
    summaries
        .iter()
        .map(|d| NewDocument {
            name: &d.name,
            format: d.format.name(),
            digest: &d.digest,
            components: d.components,
            evidence: d.evidence,
            warnings: &d.warnings,
        })
        .collect()
}

/// "12 dev, 3 scanner findings, 2 warnings" for a document's line.
fn describe_extras(d: &Summary) -> String {
    let mut parts = Vec::new();
    if d.dev > 0 {
        parts.push(format!("{} dev", d.dev));
    }
    if d.evidence > 0 {
        parts.push(count_phrase(d.evidence, "scanner finding"));
    }
    if !d.warnings.is_empty() {
        parts.push(count_phrase(d.warnings.len(), "warning"));
    }
    parts.join(", ")
}

async fn list(args: InventoryListArgs, url: &str) -> anyhow::Result<Outcome> {
    let store = Store::open(url).await?;
    let releases = store.releases(args.project.as_deref()).await?;
    store.close().await;
    match args.format {
        ListFormat::Json => println!("{}", serde_json::to_string(&releases)?),
        ListFormat::Table => {
            if releases.is_empty() {
                match &args.project {
                    Some(p) => println!("no releases of `{}`", terminal_safe(p)),
                    None => println!(
                        "no releases yet; try `vexil inventory import PROJECT@VERSION FILE`"
                    ),
                }
                return Ok(Outcome::Success);
            }
            let rows: Vec<[String; 6]> = releases
                .iter()
                .map(|r| {
                    [
                        format!("{}@{}", r.project, r.version),
                        r.revision.to_string(),
                        r.components.to_string(),
                        r.evidence.to_string(),
                        r.documents.to_string(),
                        r.updated_at.clone(),
                    ]
                })
                .collect();
            print_table(
                &[
                    "RELEASE",
                    "REVISION",
                    "COMPONENTS",
                    "SCANNER FINDINGS",
                    "DOCUMENTS",
                    "IMPORTED",
                ],
                &rows,
            );
        }
    }
    Ok(Outcome::Success)
}

/// A release's stored inventory, or an input error saying where to find the releases there are.
pub(crate) async fn stored_release(
    store: &Store,
    release: &ReleaseId,
) -> anyhow::Result<ReleaseInventory> {
    store.release(release).await?.ok_or_else(|| {
        InputError(format!(
            "no release {release} in the database; `vexil inventory list` shows the releases there are"
        ))
        .into()
    })
}

async fn show(args: InventoryShowArgs, url: &str) -> anyhow::Result<Outcome> {
    let release = release_arg(&args.release)?;
    let store = Store::open(url).await?;
    let inv = stored_release(&store, &release).await;
    store.close().await;
    let inv = inv?;
    match args.format {
        ShowFormat::Json => println!("{}", serde_json::to_string(&inv)?),
        ShowFormat::Purl => {
            for c in &inv.components {
                println!("{}", terminal_safe(&c.purl));
            }
        }
        ShowFormat::Table => print_release(&inv, args.history),
    }
    Ok(Outcome::Success)
}

fn print_release(inv: &ReleaseInventory, history: bool) {
    println!(
        "{} revision {} (first imported {}, last {})",
        terminal_safe(&inv.release.to_string()),
        inv.revision,
        inv.created_at,
        inv.updated_at
    );
    let docs: Vec<[String; 4]> = inv
        .documents
        .iter()
        .map(|d| {
            [
                d.name.clone(),
                d.format.clone(),
                count_phrase(usize::try_from(d.components).unwrap_or(0), "component"),
                count_phrase(d.warnings.len(), "warning"),
            ]
        })
        .collect();
    println!();
    print_table(&["DOCUMENT", "FORMAT", "COMPONENTS", "WARNINGS"], &docs);
    println!();
    let rows: Vec<[String; 6]> = inv
        .components
        .iter()
        .map(|c| {
            [
                c.name.clone(),
                c.version.clone().unwrap_or_else(|| "-".into()),
                c.ecosystem.clone().unwrap_or_else(|| "-".into()),
                c.scope.map_or("-", Scope::as_str).to_owned(),
                match c.direct {
                    Some(true) => "direct".into(),
                    Some(false) => "transitive".into(),
                    None => "-".into(),
                },
                c.purl.clone(),
            ]
        })
        .collect();
    print_table(
        &[
            "NAME",
            "VERSION",
            "ECOSYSTEM",
            "SCOPE",
            "DEPENDENCY",
            "PURL",
        ],
        &rows,
    );
    if !inv.evidence.is_empty() {
        println!();
        let rows: Vec<[String; 6]> = inv
            .evidence
            .iter()
            .map(|f| {
                [
                    f.tool.clone(),
                    f.vuln_id.clone(),
                    f.package.clone(),
                    f.version.clone().unwrap_or_else(|| "-".into()),
                    f.fixed_version.clone().unwrap_or_else(|| "-".into()),
                    f.severity.clone().unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        print_table(
            &[
                "SCANNER",
                "VULNERABILITY",
                "PACKAGE",
                "VERSION",
                "FIXED",
                "SEVERITY",
            ],
            &rows,
        );
    }
    if history {
        println!();
        let rows: Vec<[String; 5]> = inv
            .history
            .iter()
            .map(|h| {
                [
                    format!("{} ({})", h.revision, h.imported_at),
                    h.change.kind.as_str().to_owned(),
                    h.change.package.clone(),
                    h.change.old_version.clone().unwrap_or_else(|| "-".into()),
                    h.change.new_version.clone().unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        print_table(&["REVISION", "CHANGE", "PACKAGE", "OLD", "NEW"], &rows);
    } else {
        let by_revision: BTreeMap<i64, usize> =
            inv.history.iter().fold(BTreeMap::new(), |mut m, h| {
                *m.entry(h.revision).or_default() += 1;
                m
            });
        if by_revision.len() > 1 {
            println!();
            println!(
                "{} recorded changes over {} imports; `--history` lists them",
                inv.history.len(),
                by_revision.len()
            );
        }
    }
}
