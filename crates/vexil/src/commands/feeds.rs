//! `vexil feeds import|list`: advisory feeds from files, directories and URLs into the store.

use std::path::{Path, PathBuf};

use serde_json::json;
use vexil_core::ingest::feed::{self, FeedKind};
use vexil_core::ingest::{IngestError, Location, Warning};
use vexil_store::{SourceReport, Store, later_modified, newest_in};

use super::read;
use crate::cli::{FeedsCommand, ImportArgs, ListArgs, ListFormat};
use crate::exit::{InputError, Outcome};
use crate::output::{Format, print_table, progress};

pub(crate) async fn run(command: FeedsCommand, url: &str) -> anyhow::Result<Outcome> {
    match command {
        FeedsCommand::Import(args) => import(args, url).await,
        FeedsCommand::List(args) => list(args, url).await,
    }
}

/// Sources this large (on disk) are imported in bulk mode: indexes rebuilt once at commit.
const BULK_BYTES: u64 = 64 << 20;

/// Records per write to the database when a source is many small files.
const BATCH: usize = 2_000;

/// One file read, parsed and prepared for the store on the reader thread.
struct Parsed {
    source: String,
    /// How many files this batch gathers.
    files: usize,
    warnings: Vec<Warning>,
    newest: Option<String>,
    prepared: vexil_store::Prepared,
}

type Batches = tokio::sync::mpsc::Sender<anyhow::Result<Parsed>>;

/// Reads and parses a source's files on a blocking thread, sending batches of about BATCH
/// records: small files (one OSV record each) are gathered, large archives split. Stops at the
/// first error (which it sends) or when the writer has stopped listening.
fn read_source(kind: FeedKind, files: Vec<PathBuf>, tx: &Batches) {
    let mut pending: Option<feed::Document> = None;
    let mut files_in_batch = 0;
    let mut stopped = false;
    for file in files {
        let bytes = match read(&file) {
            Ok(bytes) => bytes,
            Err(e) => {
                let _ = tx.blocking_send(Err(e));
                return;
            }
        };
        files_in_batch += 1;
        let name = file.display().to_string();
        let result = feed::parse_batches(kind, &bytes, &name, BATCH, |document| {
            match pending.as_mut() {
                Some(p) => p.append(document),
                None => pending = Some(document),
            }
            if pending.as_ref().is_some_and(|p| p.records.len() >= BATCH)
                && let Some(done) = pending.take()
                && !send_batch(tx, done, std::mem::take(&mut files_in_batch))
            {
                stopped = true;
                return Err(IngestError::new(
                    Location::file(&name),
                    "the import stopped",
                ));
            }
            Ok(())
        });
        if let Err(e) = result {
            if !stopped {
                let _ = tx.blocking_send(Err(e.into()));
            }
            return;
        }
    }
    if let Some(done) = pending.take() {
        send_batch(tx, done, files_in_batch);
    }
}

/// Prepares a batch for the store and sends it; `false` when the writer has stopped.
fn send_batch(tx: &Batches, done: feed::Document, files: usize) -> bool {
    let newest = newest_in(&done.records);
    let message = vexil_store::prepare(done.records)
        .map(|prepared| Parsed {
            source: done.source,
            files,
            warnings: done.warnings,
            newest,
            prepared,
        })
        .map_err(Into::into);
    let failed = message.is_err();
    tx.blocking_send(message).is_ok() && !failed
}

/// What one source expands to: the files to read, in a stable order.
struct Source {
    arg: String,
    files: Vec<PathBuf>,
    is_dir: bool,
    is_url: bool,
}

/// Files a directory holds for `kind` (walked recursively, sorted; hidden entries skipped).
fn walk(dir: &Path, kind: FeedKind, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| InputError(format!("cannot read directory `{}`: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, kind, out)?;
        } else if kind != FeedKind::Osv || has_osv_extension(&path) {
            out.push(path);
        }
    }
    Ok(())
}

fn has_osv_extension(path: &Path) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    matches!(ext.as_deref(), Some("json" | "yaml" | "yml" | "zip"))
}

fn resolve(arg: &str, kind: FeedKind) -> anyhow::Result<Source> {
    if vexil_connectors::is_url(arg) {
        return Ok(Source {
            arg: arg.to_owned(),
            files: Vec::new(),
            is_dir: false,
            is_url: true,
        });
    }
    if let Some((scheme, _)) = arg.split_once("://") {
        return Err(InputError(format!(
            "`{arg}`: `{scheme}://` is not supported; expected a file, a directory or an http(s) URL"
        ))
        .into());
    }
    let path = Path::new(arg);
    if path.is_dir() {
        let mut files = Vec::new();
        walk(path, kind, &mut files)?;
        if files.is_empty() {
            return Err(InputError(format!("directory `{arg}` holds no {kind} files")).into());
        }
        Ok(Source {
            arg: arg.to_owned(),
            files,
            is_dir: true,
            is_url: false,
        })
    } else if path.is_file() {
        Ok(Source {
            arg: arg.to_owned(),
            files: vec![path.to_path_buf()],
            is_dir: false,
            is_url: false,
        })
    } else {
        Err(InputError(format!(
            "`{arg}` does not exist (expected a file, a directory or an http(s) URL)"
        ))
        .into())
    }
}

/// The content digest of a source: of the file, or of a directory's files and their digests.
fn digest(source: &Source) -> anyhow::Result<String> {
    if !source.is_dir {
        return Ok(feed::digest(&read(&source.files[0])?));
    }
    let root = Path::new(&source.arg);
    let mut parts = Vec::with_capacity(source.files.len());
    for file in &source.files {
        let rel = file
            .strip_prefix(root)
            .unwrap_or(file)
            .to_string_lossy()
            .into_owned();
        parts.push((rel, feed::digest(&read(file)?)));
    }
    Ok(feed::digest_of_parts(&mut parts))
}

/// Downloads a feed; a malformed URL is the user's input error, a network failure a runtime one.
async fn fetch(
    client: &vexil_connectors::Client,
    url: &str,
    previous: Option<&vexil_connectors::Validators>,
) -> anyhow::Result<vexil_connectors::Fetched> {
    use vexil_connectors::FetchError;
    let options = vexil_connectors::FetchOptions::default();
    match vexil_connectors::fetch(client, url, &options, previous).await {
        Ok(fetched) => Ok(fetched),
        Err(e @ (FetchError::InvalidUrl { .. } | FetchError::UnsupportedScheme { .. })) => {
            Err(InputError(e.to_string()).into())
        }
        Err(e) => Err(e.into()),
    }
}

async fn import(args: ImportArgs, url: &str) -> anyhow::Result<Outcome> {
    let kind: FeedKind = args.feed.parse().map_err(InputError)?;
    // Every argument is resolved before the database is touched.
    let sources: Vec<Source> = args
        .sources
        .iter()
        .map(|a| resolve(a, kind))
        .collect::<Result<_, _>>()?;
    let store = Store::open(url).await?;
    let now = super::now();
    let mut import = store.begin_import(now).await?;
    let bar = progress(sources.iter().map(|s| s.files.len() as u64).sum(), "files");
    let bytes: u64 = sources
        .iter()
        .flat_map(|s| &s.files)
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    if bytes >= BULK_BYTES {
        import.expect_bulk();
    }
    let mut warnings: Vec<Warning> = Vec::new();
    let client = if sources.iter().any(|s| s.is_url) {
        Some(vexil_connectors::client(
            &vexil_connectors::FetchOptions::default(),
        )?)
    } else {
        None
    };
    for source in &sources {
        if let Some(client) = client.as_ref().filter(|_| source.is_url) {
            bar.set_message(format!("fetching {}", source.arg));
            // A URL imported before is fetched conditionally: a 304 costs one round trip.
            let previous = import.last_import(kind, &source.arg).await?;
            let validators =
                previous
                    .as_ref()
                    .map(|(_, etag, last_modified)| vexil_connectors::Validators {
                        etag: etag.clone(),
                        last_modified: last_modified.clone(),
                    });
            let mut report = SourceReport::new(kind, &source.arg, "");
            let (bytes, fresh) = match fetch(client, &source.arg, validators.as_ref()).await? {
                vexil_connectors::Fetched::Body {
                    bytes, validators, ..
                } => (bytes, validators),
                vexil_connectors::Fetched::NotModified => {
                    report.digest = previous.map(|(digest, _, _)| digest).unwrap_or_default();
                    report.unchanged_document = true;
                    import.skip_source(report);
                    continue;
                }
            };
            report.digest = feed::digest(&bytes);
            report.etag = fresh.etag;
            report.last_modified = fresh.last_modified;
            if import.seen(kind, &report.digest).await? {
                report.unchanged_document = true;
                import.skip_source(report);
                continue;
            }
            let name = source.arg.clone();
            let document = tokio::task::spawn_blocking(move || feed::parse(kind, &bytes, &name))
                .await
                .map_err(|e| anyhow::anyhow!("the feed reader stopped: {e}"))??;
            report.records = document.records.len();
            let changed = import.write(kind, &source.arg, &document.records).await?;
            report.changed = usize::try_from(changed).unwrap_or(usize::MAX);
            warnings.extend(document.warnings);
            import
                .finish_source(report, newest_in(&document.records))
                .await?;
            continue;
        }
        let digest = digest(source)?;
        let mut report = SourceReport::new(kind, &source.arg, &digest);
        if import.seen(kind, &digest).await? {
            report.unchanged_document = true;
            import.skip_source(report);
            bar.inc(source.files.len() as u64);
            continue;
        }
        // Files are read and parsed on a blocking thread while the previous one is written, so
        // parsing and the database use both cores.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<anyhow::Result<Parsed>>(2);
        let files = source.files.clone();
        let producer = tokio::task::spawn_blocking(move || read_source(kind, files, &tx));
        let mut newest = None;
        while let Some(parsed) = rx.recv().await {
            let document = parsed?;
            bar.set_message(document.source.clone());
            report.records += document.prepared.records.len();
            let changed = import
                .write_prepared(kind, &source.arg, &document.prepared)
                .await?;
            report.changed += usize::try_from(changed).unwrap_or(usize::MAX);
            newest = later_modified(newest, document.newest);
            warnings.extend(document.warnings);
            bar.inc(document.files as u64);
        }
        producer
            .await
            .map_err(|e| anyhow::anyhow!("the feed reader stopped: {e}"))?;
        import.finish_source(report, newest).await?;
    }
    let report = import.commit().await?;
    bar.finish_and_clear();
    print_import(&report.sources, &warnings, url, args.format);
    store.close().await;
    Ok(Outcome::Success)
}

fn print_import(sources: &[SourceReport], warnings: &[Warning], url: &str, format: Format) {
    match format {
        Format::Json => {
            let sources: Vec<_> = sources
                .iter()
                .map(|s| {
                    json!({
                        "feed": s.feed.name(), "source": s.source, "digest": s.digest,
                        "records": s.records, "changed": s.changed, "unchanged": s.unchanged_document,
                    })
                })
                .collect();
            let warnings: Vec<_> = warnings
                .iter()
                .map(|w| json!({"location": w.location, "message": w.message}))
                .collect();
            println!(
                "{}",
                json!({"database": url, "sources": sources, "warnings": warnings})
            );
        }
        Format::Text => {
            const SHOWN: usize = 20;
            for warning in warnings.iter().take(SHOWN) {
                eprintln!("warning: {warning}");
            }
            if warnings.len() > SHOWN {
                eprintln!(
                    "warning: … and {} more (use --format json for all)",
                    warnings.len() - SHOWN
                );
            }
            for s in sources {
                if s.unchanged_document {
                    println!(
                        "{} {}: unchanged since a previous import ({})",
                        s.feed, s.source, s.digest
                    );
                } else {
                    println!(
                        "{} {}: {} records, {} new or changed",
                        s.feed, s.source, s.records, s.changed
                    );
                }
            }
            println!("{} warnings; database {url}", warnings.len());
        }
    }
}

async fn list(args: ListArgs, url: &str) -> anyhow::Result<Outcome> {
    let store = Store::open(url).await?;
    let feeds = store.feeds().await?;
    store.close().await;
    match args.format {
        ListFormat::Json => println!("{}", serde_json::to_string(&feeds)?),
        ListFormat::Table => {
            if feeds.is_empty() {
                println!("no feeds imported yet; try `vexil feeds import osv DIR`");
                return Ok(Outcome::Success);
            }
            let rows: Vec<[String; 6]> = feeds
                .iter()
                .map(|f| {
                    [
                        f.feed.clone(),
                        f.records.to_string(),
                        f.newest_modified.clone().unwrap_or_else(|| "-".into()),
                        f.imported_at.clone().unwrap_or_else(|| "-".into()),
                        f.source.clone().unwrap_or_else(|| "-".into()),
                        f.digest
                            .as_deref()
                            .map_or("-".into(), |d| d.chars().take(19).collect()),
                    ]
                })
                .collect();
            print_table(
                &[
                    "FEED",
                    "RECORDS",
                    "NEWEST MODIFIED",
                    "IMPORTED",
                    "SOURCE",
                    "DIGEST",
                ],
                &rows,
            );
        }
    }
    Ok(Outcome::Success)
}
