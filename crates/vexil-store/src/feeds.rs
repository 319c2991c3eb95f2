//! Advisory feeds in the store: importing documents (one transaction per call), listing feeds,
//! and a canonical dump of every table for audits and before/after comparisons.
//!
//! Re-import rules: a document whose digest was imported before is skipped whole; an OSV or NVD
//! record replaces the stored one only when its `modified` is newer; Debian and Alpine records
//! merge per (ecosystem, package), so re-importing one secdb branch replaces exactly its entries.

use std::borrow::Cow;
use std::collections::HashMap;

use jiff::Timestamp;
use vexil_core::ingest::feed::{Document, FeedKind, Records};
use vexil_core::matching::lookup_name;
use vexil_core::model::Advisory;

use crate::StoreError;
use crate::error::Doing;
use crate::store::{Db, Store, dispatch};

/// What one import did to one source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceReport {
    pub feed: FeedKind,
    pub source: String,
    pub digest: String,
    /// Records the source holds.
    pub records: usize,
    /// Records written (new or replacing older ones).
    pub changed: usize,
    /// The same content was imported before: nothing was read into the store.
    pub unchanged_document: bool,
    /// HTTP validators of a fetched source, kept for the next conditional request.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl SourceReport {
    /// A report for a source about to be read: nothing counted yet.
    pub fn new(feed: FeedKind, source: &str, digest: &str) -> SourceReport {
        SourceReport {
            feed,
            source: source.to_owned(),
            digest: digest.to_owned(),
            records: 0,
            changed: 0,
            unchanged_document: false,
            etag: None,
            last_modified: None,
        }
    }
}

/// Orders two stored `modified` values: as instants when both are RFC 3339 timestamps (their
/// text does not sort: fractional seconds vary), else as text (dates like `2025-08-25` do).
pub fn cmp_modified(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<Timestamp>(), b.parse::<Timestamp>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// The later of two optional `modified` values, by [`cmp_modified`].
pub fn later_modified(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if cmp_modified(&b, &a).is_gt() { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// What one `import` call did, per source, in the order given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub sources: Vec<SourceReport>,
}

/// One line of `vexil feeds list`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FeedSummary {
    pub feed: String,
    pub records: i64,
    pub newest_modified: Option<String>,
    pub imported_at: Option<String>,
    pub source: Option<String>,
    pub digest: Option<String>,
}

/// Records with their stored form (advisory JSON) computed, so that a worker thread can do that
/// CPU work while the database writes the previous batch.
#[derive(Debug)]
pub struct Prepared {
    pub records: Records,
    bodies: Vec<String>,
}

/// Computes the stored form of `records` (pure CPU; call it off the async task).
pub fn prepare(records: Records) -> Result<Prepared, StoreError> {
    let bodies = match &records {
        Records::Advisories(advisories) => {
            advisories.iter().map(to_json).collect::<Result<_, _>>()?
        }
        _ => Vec::new(),
    };
    Ok(Prepared { records, bodies })
}

/// Stored `(id → modified)` per advisory feed, loaded once per import and kept current.
type Known = HashMap<FeedKind, HashMap<String, Option<Timestamp>>>;

enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// An import in progress: one transaction that sources are streamed into.
pub struct Import {
    tx: Tx,
    now: Timestamp,
    known: Known,
    report: ImportReport,
    /// The secondary indexes were dropped for a bulk load into empty tables; `commit` rebuilds
    /// them inside the same transaction.
    indexes_dropped: bool,
    bulk_expected: bool,
}

/// Indexes of the advisory tables, as `migrations/*/0001_feeds.sql` (and `0004`) create them. A bulk load
/// into empty tables drops them first and rebuilds them once at the end, which is several times
/// cheaper than maintaining them row by row.
const SECONDARY_INDEXES: &[(&str, &str)] = &[
    (
        "advisory_packages_lookup",
        "CREATE INDEX advisory_packages_lookup ON advisory_packages (lookup_name, ecosystem)",
    ),
    (
        "advisory_packages_owner",
        "CREATE INDEX advisory_packages_owner ON advisory_packages (feed, advisory_id)",
    ),
    (
        "aliases_alias",
        "CREATE INDEX aliases_alias ON aliases (alias)",
    ),
    (
        "aliases_owner",
        "CREATE INDEX aliases_owner ON aliases (feed, advisory_id)",
    ),
];

impl std::fmt::Debug for Import {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Import")
            .field("report", &self.report)
            .finish_non_exhaustive()
    }
}

impl Import {
    /// Whether content with this digest was imported before (then the caller skips it).
    pub async fn seen(&mut self, feed: FeedKind, digest: &str) -> Result<bool, StoreError> {
        match &mut self.tx {
            Tx::Sqlite(tx) => sqlite_impl::seen(tx, feed, digest).await,
            Tx::Postgres(tx) => postgres_impl::seen(tx, feed, digest).await,
        }
    }

    /// Writes one part of a source (a file of a directory, a chunk of an archive); returns the
    /// number of records written (new or replacing older ones).
    pub async fn write(
        &mut self,
        feed: FeedKind,
        source: &str,
        records: &Records,
    ) -> Result<u64, StoreError> {
        self.write_with(feed, source, records, None).await
    }

    /// [`Import::write`] for records whose stored form [`prepare`] computed ahead, off this task.
    pub async fn write_prepared(
        &mut self,
        feed: FeedKind,
        source: &str,
        prepared: &Prepared,
    ) -> Result<u64, StoreError> {
        self.write_with(feed, source, &prepared.records, Some(&prepared.bodies))
            .await
    }

    async fn write_with(
        &mut self,
        feed: FeedKind,
        source: &str,
        records: &Records,
        bodies: Option<&[String]>,
    ) -> Result<u64, StoreError> {
        if matches!(records, Records::Advisories(a) if !a.is_empty())
            && !self.indexes_dropped
            && self.known.is_empty()
        {
            let bulk = self.bulk_expected
                || match &mut self.tx {
                    Tx::Sqlite(tx) => sqlite_impl::advisories_empty(tx).await?,
                    Tx::Postgres(tx) => postgres_impl::advisories_empty(tx).await?,
                };
            if bulk {
                self.bulk_load().await?;
            }
        }
        match &mut self.tx {
            Tx::Sqlite(tx) => {
                sqlite_impl::write_records(tx, feed, source, records, bodies, &mut self.known).await
            }
            Tx::Postgres(tx) => {
                postgres_impl::write_records(tx, feed, source, records, bodies, &mut self.known)
                    .await
            }
        }
    }

    /// Records a finished source in the import log.
    pub async fn finish_source(
        &mut self,
        report: SourceReport,
        newest: Option<String>,
    ) -> Result<(), StoreError> {
        let finished = self.now;
        match &mut self.tx {
            Tx::Sqlite(tx) => {
                sqlite_impl::log_source(tx, &report, newest, self.now, finished).await?
            }
            Tx::Postgres(tx) => {
                postgres_impl::log_source(tx, &report, newest, self.now, finished).await?
            }
        }
        self.report.sources.push(report);
        Ok(())
    }

    /// The last successful import of `source` into `feed`: its digest and HTTP validators.
    pub async fn last_import(
        &mut self,
        feed: FeedKind,
        source: &str,
    ) -> Result<Option<(String, Option<String>, Option<String>)>, StoreError> {
        match &mut self.tx {
            Tx::Sqlite(tx) => sqlite_impl::last_import(tx, feed, source).await,
            Tx::Postgres(tx) => postgres_impl::last_import(tx, feed, source).await,
        }
    }

    /// Notes a source skipped because its content was imported before.
    pub fn skip_source(&mut self, report: SourceReport) {
        self.report.sources.push(report);
    }

    /// Imports a whole parsed document: skipped when seen, else written and logged.
    pub async fn add_document(&mut self, doc: &Document) -> Result<(), StoreError> {
        let mut report = SourceReport::new(doc.feed, &doc.source, &doc.digest);
        report.records = doc.records.len();
        if self.seen(doc.feed, &doc.digest).await? {
            report.unchanged_document = true;
            self.skip_source(report);
            return Ok(());
        }
        let changed = self.write(doc.feed, &doc.source, &doc.records).await?;
        report.changed = usize::try_from(changed).unwrap_or(usize::MAX);
        self.finish_source(report, newest_in(&doc.records)).await
    }

    /// Declares a large import: at the first advisory write, the advisory tables' secondary
    /// indexes are dropped, to be rebuilt once at commit in the same transaction — cheaper than
    /// row-by-row upkeep once an import is large next to what the tables hold. Happens anyway
    /// when the tables are empty. An import that writes nothing touches no index.
    pub fn expect_bulk(&mut self) {
        self.bulk_expected = true;
    }

    async fn bulk_load(&mut self) -> Result<(), StoreError> {
        if !self.indexes_dropped {
            let drops = SECONDARY_INDEXES
                .iter()
                .map(|(name, _)| format!("DROP INDEX {name}"));
            self.run_ddl(drops).await?;
            self.indexes_dropped = true;
        }
        Ok(())
    }

    async fn run_ddl(
        &mut self,
        statements: impl Iterator<Item = String>,
    ) -> Result<(), StoreError> {
        for sql in statements {
            // Index names and definitions come from the constant `SECONDARY_INDEXES`.
            let sql = sqlx::AssertSqlSafe(sql);
            match &mut self.tx {
                Tx::Sqlite(tx) => sqlx::query(sql).execute(&mut **tx).await.map(drop),
                Tx::Postgres(tx) => sqlx::query(sql).execute(&mut **tx).await.map(drop),
            }
            .doing("rebuilding the advisory indexes")?;
        }
        Ok(())
    }

    /// Commits everything written; the report lists each source in order.
    pub async fn commit(mut self) -> Result<ImportReport, StoreError> {
        if self.indexes_dropped {
            self.run_ddl(
                SECONDARY_INDEXES
                    .iter()
                    .map(|(_, create)| (*create).to_owned()),
            )
            .await?;
        }
        match self.tx {
            Tx::Sqlite(tx) => tx.commit().await.doing("committing the import")?,
            Tx::Postgres(tx) => tx.commit().await.doing("committing the import")?,
        }
        Ok(self.report)
    }
}

/// The tables a dump covers, with their columns in a stable order.
const TABLES: &[(&str, &str)] = &[
    (
        "advisories",
        "feed, id, modified, published, withdrawn, malicious, source, body",
    ),
    (
        "advisory_packages",
        "feed, advisory_id, ecosystem, name, lookup_name",
    ),
    ("aliases", "feed, advisory_id, alias"),
    ("kev", "cve, date_added, due_date, ransomware, body"),
    ("epss", "cve, epss, percentile, model_version, score_date"),
    (
        "debian_binaries",
        "binary_name, version, architecture, source, source_version",
    ),
    ("apk_index", "name, version, arch, origin, maintainer"),
    ("projects", "id, name, created_at"),
    (
        "releases",
        "id, project_id, version, revision, created_at, updated_at",
    ),
    (
        "release_documents",
        "release_id, ordinal, name, format, digest, components, evidence, warnings",
    ),
    (
        "components",
        "release_id, ordinal, purl, ecosystem, name, version, source_name, source_version, scope, direct, body, \
         lookup_name, source_lookup_name, has_cpe",
    ),
    (
        "component_dependencies",
        "release_id, from_ordinal, from_purl, to_ordinal, to_purl",
    ),
    (
        "scanner_evidence",
        "release_id, ordinal, tool, vuln_id, purl, package, version, fixed_version, severity, body",
    ),
    (
        "inventory_imports",
        "id, release_id, revision, imported_at, documents, components, added, removed, changed",
    ),
    (
        "inventory_events",
        "release_id, revision, ordinal, change, package, old_version, new_version",
    ),
    (
        "scans",
        "id, release_id, revision, scanned_at, components, advisories, open, new, resolved, reactivated, changed",
    ),
    (
        "findings",
        "id, release_id, purl, name, version, ecosystem, vuln, ids, state, verdict, fixed_version, malicious, \
         informational, severity, kev, epss, first_seen, last_seen, updated_at, body, decision, decision_status, \
         decision_rule",
    ),
    (
        "finding_events",
        "id, finding_id, scan_id, at, kind, detail",
    ),
    (
        "imports",
        "id, feed, source, digest, records, changed, newest_modified, started_at, finished_at, outcome, etag, last_modified",
    ),
];

/// Rows per multi-row INSERT: well under SQLite's 32,766 and PostgreSQL's 65,535 parameters.
pub(crate) const CHUNK: usize = 1000;

impl Store {
    /// Whether a document with this digest was already imported into `feed`.
    pub async fn is_imported(&self, feed: FeedKind, digest: &str) -> Result<bool, StoreError> {
        dispatch!(&self.db, pool => {
            let (count,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM imports WHERE feed = $1 AND digest = $2")
                    .bind(feed.name())
                    .bind(digest)
                    .fetch_one(pool)
                    .await
                    .doing("looking up the import log")?;
            Ok(count > 0)
        })
    }

    /// Imports every document in one transaction: all land, or (on any error) none does and the
    /// store is exactly as before.
    pub async fn import(
        &self,
        documents: &[Document],
        now: Timestamp,
    ) -> Result<ImportReport, StoreError> {
        let mut import = self.begin_import(now).await?;
        for document in documents {
            import.add_document(document).await?;
        }
        import.commit().await
    }

    /// Starts an import transaction that sources are streamed into, part by part, so memory
    /// stays bounded by one part. Dropping it without `commit` rolls everything back.
    pub async fn begin_import(&self, now: Timestamp) -> Result<Import, StoreError> {
        let tx = match &self.db {
            Db::Sqlite(pool) => Tx::Sqlite(
                pool.begin()
                    .await
                    .doing("starting the import transaction")?,
            ),
            Db::Postgres(pool) => Tx::Postgres(
                pool.begin()
                    .await
                    .doing("starting the import transaction")?,
            ),
        };
        Ok(Import {
            tx,
            now,
            known: Known::new(),
            report: ImportReport::default(),
            indexes_dropped: false,
            bulk_expected: false,
        })
    }

    /// Whether any stored advisory has `id` as its id or one of its aliases (case-insensitive).
    pub async fn knows_vulnerability(&self, id: &str) -> Result<bool, StoreError> {
        let id = id.to_uppercase();
        let (n,): (i64,) = dispatch!(&self.db, pool => {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM advisories WHERE upper(id) = $1) + \
                 (SELECT COUNT(*) FROM aliases WHERE upper(alias) = $1)",
            )
            .bind(&id)
            .fetch_one(pool)
            .await
            .doing("looking up a vulnerability id")?
        });
        Ok(n > 0)
    }

    /// Every stored advisory that names a package with one of these lookup names (see
    /// [`vexil_core::matching::lookup_name`]) in one of these ecosystems (base names: `npm`,
    /// `Debian` also finds `Debian:12`; empty means any): the candidates a matcher then decides
    /// on, each once, in (feed, id) order. Filtering by ecosystem in the query keeps a name that
    /// several ecosystems share from loading (and parsing) every ecosystem's advisories.
    pub async fn advisories_named(
        &self,
        lookup_names: &[String],
        ecosystems: &[String],
    ) -> Result<Vec<Advisory>, StoreError> {
        let mut names: Vec<&str> = lookup_names.iter().map(String::as_str).collect();
        names.sort_unstable();
        names.dedup();
        let mut bases: Vec<&str> = ecosystems.iter().map(String::as_str).collect();
        bases.sort_unstable();
        bases.dedup();
        let prefixes: Vec<String> = bases.iter().map(|b| format!("{b}:%")).collect();
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for chunk in names.chunks(CHUNK) {
            let rows: Vec<(String, String, String)> = dispatch!(&self.db, pool => {
                let mut q = sqlx::QueryBuilder::new(
                    // Driven from the lookup index: the packages named, then their advisories.
                    "SELECT a.feed, a.id, a.body FROM advisory_packages p JOIN advisories a \
                     ON a.feed = p.feed AND a.id = p.advisory_id WHERE p.lookup_name IN (",
                );
                let mut list = q.separated(", ");
                for name in chunk {
                    list.push_bind(*name);
                }
                q.push(")");
                if !bases.is_empty() {
                    q.push(" AND (p.ecosystem IN (");
                    let mut list = q.separated(", ");
                    for base in &bases {
                        list.push_bind(*base);
                    }
                    q.push(")");
                    for prefix in &prefixes {
                        q.push(" OR p.ecosystem LIKE ").push_bind(prefix.as_str());
                    }
                    q.push(")");
                }
                q.build_query_as().fetch_all(pool).await.doing("looking up advisories by package")?
            });
            for (feed, id, body) in rows {
                if seen.insert((feed, id)) {
                    out.push(
                        serde_json::from_str(&body).map_err(|e| StoreError::Corrupt {
                            what: "advisory",
                            detail: e.to_string(),
                        })?,
                    );
                }
            }
        }
        out.sort_by(|a: &Advisory, b| (a.feed, &a.id).cmp(&(b.feed, &b.id)));
        Ok(out)
    }

    /// Per feed: records held, newest `modified`, and the last import's time, source and digest.
    pub async fn feeds(&self) -> Result<Vec<FeedSummary>, StoreError> {
        let mut out = Vec::new();
        for &feed in FeedKind::ALL {
            let summary = match &self.db {
                Db::Sqlite(pool) => sqlite_impl::feed_summary(pool, feed).await?,
                Db::Postgres(pool) => postgres_impl::feed_summary(pool, feed).await?,
            };
            if let Some(summary) = summary {
                out.push(summary);
            }
        }
        Ok(out)
    }

    /// Every row of every feed table, and every index, as sorted text lines: equal dumps mean
    /// equal stores.
    pub async fn dump(&self) -> Result<Vec<String>, StoreError> {
        let indexes: Vec<(String,)> = match &self.db {
            Db::Sqlite(pool) => {
                sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'")
                    .fetch_all(pool)
                    .await
            }
            Db::Postgres(pool) => {
                sqlx::query_as("SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT LIKE '%_pkey'")
                    .fetch_all(pool)
                    .await
            }
        }
        .doing("listing indexes")?;
        let mut lines: Vec<String> = indexes
            .into_iter()
            .map(|(name,)| format!("index: {name}"))
            .collect();
        lines.sort();
        for (table, columns) in TABLES {
            let cells: Vec<String> = columns
                .split(", ")
                .map(|c| format!("COALESCE(CAST({c} AS TEXT), '<null>')"))
                .collect();
            let sql = format!("SELECT {} FROM {table}", cells.join(" || '|' || "));
            let rows: Vec<(String,)> = dispatch!(&self.db, pool => {
                // Table and column names come from the constant `TABLES`, never from input.
                sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).fetch_all(pool).await.doing("dumping the store")?
            });
            let mut rows: Vec<String> = rows
                .into_iter()
                .map(|(r,)| format!("{table}: {r}"))
                .collect();
            rows.sort();
            lines.extend(rows);
        }
        Ok(lines)
    }
}

/// The newest `modified` (advisories), `dateAdded` (KEV) or score date (EPSS) of a document.
pub fn newest_in(records: &Records) -> Option<String> {
    match records {
        Records::Advisories(a) => a
            .iter()
            .filter_map(|a| a.modified)
            .max()
            .map(|t| t.to_string()),
        Records::Kev(k) => k.iter().map(|e| e.date_added).max().map(|d| d.to_string()),
        Records::Epss(e) => e
            .iter()
            .filter_map(|s| s.score_date)
            .max()
            .map(|d| d.to_string()),
        Records::Binaries(_) | Records::ApkIndex(_) => None,
    }
}

/// Merges `incoming`'s affected entries into `stored`: entries for the same (ecosystem, package)
/// are replaced, others kept; the text fields take the incoming values when present.
fn merge_affected(stored: &Advisory, incoming: &Advisory) -> Advisory {
    let key = |a: &vexil_core::model::Affected| {
        a.package
            .as_ref()
            .map(|p| (p.ecosystem.clone(), p.name.clone()))
    };
    let replaced: std::collections::HashSet<_> = incoming.affected.iter().map(key).collect();
    let mut merged = incoming.clone();
    merged.affected = stored
        .affected
        .iter()
        .filter(|a| !replaced.contains(&key(a)))
        .cloned()
        .chain(incoming.affected.iter().cloned())
        .collect();
    merged.affected.sort_by_key(key);
    for alias in &stored.aliases {
        if !merged.aliases.contains(alias) {
            merged.aliases.push(alias.clone());
        }
    }
    if merged.details.is_none() {
        merged.details.clone_from(&stored.details);
    }
    merged
}

/// Whether an incoming advisory should replace the stored one, per the feed's rule.
fn replaces(feed: FeedKind, stored_modified: Option<Timestamp>, incoming: &Advisory) -> bool {
    match feed {
        FeedKind::Osv | FeedKind::Nvd => match (stored_modified, incoming.modified) {
            (Some(old), Some(new)) => new > old,
            (None, Some(_)) => true,
            (_, None) => false,
        },
        _ => true,
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt {
        what: "serialising a record",
        detail: e.to_string(),
    })
}

fn text(ts: Option<Timestamp>) -> Option<String> {
    ts.map(|t| t.to_string())
}

/// The SQL, written once and compiled for each backend.
macro_rules! backend_impl {
    ($module:ident, $db:ty, $pool:ty) => {
        mod $module {
            use super::*;
            use sqlx::{QueryBuilder, Transaction};

            type Tx<'a> = Transaction<'a, $db>;

            pub(super) async fn advisories_empty(tx: &mut Tx<'_>) -> Result<bool, StoreError> {
                let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM (SELECT 1 FROM advisories LIMIT 1) AS any_row")
                    .fetch_one(&mut **tx)
                    .await
                    .doing("checking for stored advisories")?;
                Ok(count == 0)
            }

            pub(super) async fn last_import(
                tx: &mut Tx<'_>,
                feed: FeedKind,
                source: &str,
            ) -> Result<Option<(String, Option<String>, Option<String>)>, StoreError> {
                sqlx::query_as(
                    "SELECT digest, etag, last_modified FROM imports WHERE feed = $1 AND source = $2 \
                     ORDER BY id DESC LIMIT 1",
                )
                .bind(feed.name())
                .bind(source)
                .fetch_optional(&mut **tx)
                .await
                .doing("reading the import log")
            }

            pub(super) async fn seen(
                tx: &mut Tx<'_>,
                feed: FeedKind,
                digest: &str,
            ) -> Result<bool, StoreError> {
                let (seen,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM imports WHERE feed = $1 AND digest = $2")
                        .bind(feed.name())
                        .bind(digest)
                        .fetch_one(&mut **tx)
                        .await
                        .doing("looking up the import log")?;
                Ok(seen > 0)
            }

            pub(super) async fn write_records(
                tx: &mut Tx<'_>,
                feed: FeedKind,
                source: &str,
                records: &Records,
                prepared: Option<&[String]>,
                known: &mut Known,
            ) -> Result<u64, StoreError> {
                match records {
                    Records::Advisories(advisories) => {
                        if !known.contains_key(&feed) {
                            let stored: Vec<(String, Option<String>)> =
                                sqlx::query_as("SELECT id, modified FROM advisories WHERE feed = $1")
                                    .bind(feed.name())
                                    .fetch_all(&mut **tx)
                                    .await
                                    .doing("reading stored advisories")?;
                            let stored = stored
                                .into_iter()
                                .map(|(id, m)| (id, m.and_then(|m| m.parse().ok())))
                                .collect();
                            known.insert(feed, stored);
                        }
                        let stored = known.entry(feed).or_default();
                        import_advisories(tx, feed, source, advisories, prepared, stored).await
                    }
                    Records::Kev(entries) => {
                        let rows: Vec<_> = entries
                            .iter()
                            .map(|e| {
                                Ok((
                                    e.cve.clone(),
                                    e.date_added.to_string(),
                                    e.due_date.map(|d| d.to_string()),
                                    e.known_ransomware_campaign_use.clone(),
                                    to_json(e)?,
                                ))
                            })
                            .collect::<Result<_, StoreError>>()?;
                        upsert_kev(tx, &rows).await
                    }
                    Records::Epss(scores) => upsert_epss(tx, scores).await,
                    Records::Binaries(binaries) => upsert_binaries(tx, binaries).await,
                    Records::ApkIndex(entries) => upsert_apk_index(tx, entries).await,
                }
            }

            pub(super) async fn log_source(
                tx: &mut Tx<'_>,
                report: &SourceReport,
                newest: Option<String>,
                started: Timestamp,
                finished: Timestamp,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO imports (feed, source, digest, records, changed, newest_modified, \
                     started_at, finished_at, outcome, etag, last_modified) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'imported', $9, $10)",
                )
                .bind(report.feed.name())
                .bind(&report.source)
                .bind(&report.digest)
                .bind(i64::try_from(report.records).unwrap_or(i64::MAX))
                .bind(i64::try_from(report.changed).unwrap_or(i64::MAX))
                .bind(newest)
                .bind(started.to_string())
                .bind(finished.to_string())
                .bind(report.etag.as_deref())
                .bind(report.last_modified.as_deref())
                .execute(&mut **tx)
                .await
                .doing("writing the import log")?;
                Ok(())
            }

            async fn import_advisories(
                tx: &mut Tx<'_>,
                kind: FeedKind,
                source: &str,
                advisories: &[Advisory],
                prepared: Option<&[String]>,
                stored: &mut HashMap<String, Option<Timestamp>>,
            ) -> Result<u64, StoreError> {
                // Bodies serialised ahead (by `prepare`, on another thread), found by identity.
                let given: HashMap<&str, (&Advisory, &str)> = prepared
                    .map(|bodies| {
                        advisories
                            .iter()
                            .zip(bodies)
                            .map(|(a, b)| (a.id.as_str(), (a, b.as_str())))
                            .collect()
                    })
                    .unwrap_or_default();
                let feed = kind.name();
                let merge = matches!(kind, FeedKind::Debian | FeedKind::Alpine);
                // Later records with the same id in one document win, as a re-import would.
                let mut chosen: HashMap<&str, Cow<'_, Advisory>> = HashMap::new();
                let mut order = Vec::new();
                for advisory in advisories {
                    match chosen.get(advisory.id.as_str()) {
                        Some(previous) if merge => {
                            let merged = merge_affected(previous, advisory);
                            chosen.insert(advisory.id.as_str(), Cow::Owned(merged));
                        }
                        Some(previous) if !replaces(kind, previous.modified, advisory) => {}
                        _ => {
                            if !chosen.contains_key(advisory.id.as_str()) {
                                order.push(advisory.id.as_str());
                            }
                            chosen.insert(advisory.id.as_str(), Cow::Borrowed(advisory));
                        }
                    }
                }
                let mut writes: Vec<Cow<'_, Advisory>> = Vec::new();
                let mut merge_ids = Vec::new();
                for id in order {
                    let Some(advisory) = chosen.remove(id) else { continue };
                    match stored.get(id) {
                        None => writes.push(advisory),
                        Some(_) if merge => merge_ids.push(advisory),
                        Some(old) if replaces(kind, *old, &advisory) => writes.push(advisory),
                        Some(_) => {}
                    }
                }
                // Merging feeds: read the stored bodies of the ids present, merge, keep changes.
                for incoming in merge_ids {
                    let (body,): (String,) =
                        sqlx::query_as("SELECT body FROM advisories WHERE feed = $1 AND id = $2")
                            .bind(feed)
                            .bind(&incoming.id)
                            .fetch_one(&mut **tx)
                            .await
                            .doing("reading a stored advisory")?;
                    let old: Advisory = serde_json::from_str(&body).map_err(|e| StoreError::Corrupt {
                        what: "a stored advisory body",
                        detail: format!("{}: {e}", incoming.id),
                    })?;
                    let merged = merge_affected(&old, &incoming);
                    if merged != old {
                        writes.push(Cow::Owned(merged));
                    }
                }
                let replaced: Vec<&str> = writes
                    .iter()
                    .filter(|a| stored.contains_key(&a.id))
                    .map(|a| a.id.as_str())
                    .collect();
                for id in &replaced {
                    for sql in [
                        "DELETE FROM advisory_packages WHERE feed = $1 AND advisory_id = $2",
                        "DELETE FROM aliases WHERE feed = $1 AND advisory_id = $2",
                    ] {
                        sqlx::query(sql)
                            .bind(feed)
                            .bind(*id)
                            .execute(&mut **tx)
                            .await
                            .doing("replacing an advisory's index rows")?;
                    }
                }
                // New rows are plain inserts; only replacements need the upsert clause (which
                // also makes SQLite keep a statement journal).
                writes.sort_by_key(|a| stored.contains_key(&a.id));
                let bodies: Vec<Cow<'_, str>> = writes
                    .iter()
                    .map(|a| match (a, given.get(a.id.as_str())) {
                        (Cow::Borrowed(a), Some((same, body))) if std::ptr::eq(*a, *same) => {
                            Ok(Cow::Borrowed(*body))
                        }
                        _ => to_json(a.as_ref()).map(Cow::Owned),
                    })
                    .collect::<Result<_, _>>()?;
                for (chunk, bodies) in writes.chunks(CHUNK).zip(bodies.chunks(CHUNK)) {
                    let upsert = chunk.iter().any(|a| stored.contains_key(&a.id));
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO advisories (feed, id, modified, published, withdrawn, malicious, source, body) ",
                    );
                    q.push_values(chunk.iter().zip(bodies), |mut row, (a, body)| {
                        row.push_bind(feed)
                            .push_bind(a.id.as_str())
                            .push_bind(text(a.modified))
                            .push_bind(text(a.published))
                            .push_bind(text(a.withdrawn))
                            .push_bind(a.malicious)
                            .push_bind(source)
                            .push_bind(body.as_ref());
                    });
                    if upsert {
                        q.push(
                            " ON CONFLICT (feed, id) DO UPDATE SET modified = excluded.modified, \
                             published = excluded.published, withdrawn = excluded.withdrawn, \
                             malicious = excluded.malicious, source = excluded.source, body = excluded.body",
                        );
                    }
                    q.build().execute(&mut **tx).await.doing("writing advisories")?;
                }
                let packages: Vec<(&str, &str, &str, String)> = writes
                    .iter()
                    .flat_map(|a| {
                        let mut seen = std::collections::BTreeSet::new();
                        a.affected.iter().filter_map(move |af| {
                            let p = af.package.as_ref()?;
                            seen.insert((p.ecosystem.as_str(), p.name.as_str()))
                                .then(|| {
                                    let lookup = lookup_name(&p.ecosystem, &p.name);
                                    (a.id.as_str(), p.ecosystem.as_str(), p.name.as_str(), lookup)
                                })
                        })
                    })
                    .collect();
                for chunk in packages.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO advisory_packages (feed, advisory_id, ecosystem, name, lookup_name) ",
                    );
                    q.push_values(chunk, |mut row, (id, eco, name, lookup)| {
                        row.push_bind(feed)
                            .push_bind(*id)
                            .push_bind(*eco)
                            .push_bind(*name)
                            .push_bind(lookup.as_str());
                    });
                    q.build().execute(&mut **tx).await.doing("indexing advisory packages")?;
                }
                let aliases: Vec<(&str, &str)> = writes
                    .iter()
                    .flat_map(|a| a.aliases.iter().map(move |al| (a.id.as_str(), al.as_str())))
                    .collect();
                for chunk in aliases.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new("INSERT INTO aliases (feed, advisory_id, alias) ");
                    q.push_values(chunk, |mut row, (id, alias)| {
                        row.push_bind(feed).push_bind(*id).push_bind(*alias);
                    });
                    q.build().execute(&mut **tx).await.doing("writing aliases")?;
                }
                for advisory in &writes {
                    stored.insert(advisory.id.clone(), advisory.modified);
                }
                Ok(writes.len() as u64)
            }

            async fn upsert_kev(
                tx: &mut Tx<'_>,
                rows: &[(String, String, Option<String>, String, String)],
            ) -> Result<u64, StoreError> {
                let stored: Vec<(String, String)> = sqlx::query_as("SELECT cve, body FROM kev")
                    .fetch_all(&mut **tx)
                    .await
                    .doing("reading the stored KEV catalogue")?;
                let stored: HashMap<String, String> = stored.into_iter().collect();
                let changed: Vec<_> =
                    rows.iter().filter(|r| stored.get(&r.0) != Some(&r.4)).collect();
                for chunk in changed.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO kev (cve, date_added, due_date, ransomware, body) ",
                    );
                    q.push_values(chunk, |mut row, r| {
                        row.push_bind(r.0.as_str())
                            .push_bind(r.1.as_str())
                            .push_bind(r.2.as_deref())
                            .push_bind(r.3.as_str())
                            .push_bind(r.4.as_str());
                    });
                    q.push(
                        " ON CONFLICT (cve) DO UPDATE SET date_added = excluded.date_added, \
                         due_date = excluded.due_date, ransomware = excluded.ransomware, body = excluded.body",
                    );
                    q.build().execute(&mut **tx).await.doing("writing KEV entries")?;
                }
                Ok(changed.len() as u64)
            }

            async fn upsert_epss(
                tx: &mut Tx<'_>,
                scores: &[vexil_core::model::EpssScore],
            ) -> Result<u64, StoreError> {
                let stored: Vec<(String, f64, f64, Option<String>)> =
                    sqlx::query_as("SELECT cve, epss, percentile, score_date FROM epss")
                        .fetch_all(&mut **tx)
                        .await
                        .doing("reading stored EPSS scores")?;
                let stored: HashMap<String, (f64, f64, Option<String>)> =
                    stored.into_iter().map(|(c, e, p, d)| (c, (e, p, d))).collect();
                let changed: Vec<_> = scores
                    .iter()
                    .filter(|s| {
                        let date = s.score_date.map(|d| d.to_string());
                        match stored.get(&s.cve) {
                            None => true,
                            // An older score never replaces a newer one.
                            Some((_, _, old)) if old.is_some() && date.is_some() && date < *old => false,
                            Some((e, p, old)) => *e != s.epss || *p != s.percentile || *old != date,
                        }
                    })
                    .collect();
                for chunk in changed.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO epss (cve, epss, percentile, model_version, score_date) ",
                    );
                    q.push_values(chunk, |mut row, s| {
                        row.push_bind(s.cve.as_str())
                            .push_bind(s.epss)
                            .push_bind(s.percentile)
                            .push_bind(s.model_version.as_deref())
                            .push_bind(s.score_date.map(|d| d.to_string()));
                    });
                    q.push(
                        " ON CONFLICT (cve) DO UPDATE SET epss = excluded.epss, percentile = excluded.percentile, \
                         model_version = excluded.model_version, score_date = excluded.score_date",
                    );
                    q.build().execute(&mut **tx).await.doing("writing EPSS scores")?;
                }
                Ok(changed.len() as u64)
            }

            async fn upsert_binaries(
                tx: &mut Tx<'_>,
                binaries: &[vexil_core::ingest::advisory::debian::BinarySource],
            ) -> Result<u64, StoreError> {
                for chunk in binaries.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO debian_binaries (binary_name, version, architecture, source, source_version) ",
                    );
                    q.push_values(chunk, |mut row, b| {
                        row.push_bind(b.binary.as_str())
                            .push_bind(b.version.as_str())
                            .push_bind(b.architecture.as_deref().unwrap_or(""))
                            .push_bind(b.source.as_str())
                            .push_bind(b.source_version.as_deref());
                    });
                    q.push(
                        " ON CONFLICT (binary_name, version, architecture) DO UPDATE SET \
                         source = excluded.source, source_version = excluded.source_version",
                    );
                    q.build().execute(&mut **tx).await.doing("writing Debian package indexes")?;
                }
                Ok(binaries.len() as u64)
            }

            async fn upsert_apk_index(
                tx: &mut Tx<'_>,
                entries: &[vexil_core::ingest::advisory::apkindex::ApkIndexEntry],
            ) -> Result<u64, StoreError> {
                for chunk in entries.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO apk_index (name, version, arch, origin, maintainer) ",
                    );
                    q.push_values(chunk, |mut row, e| {
                        row.push_bind(e.name.as_str())
                            .push_bind(e.version.as_str())
                            .push_bind(e.arch.as_deref().unwrap_or(""))
                            .push_bind(e.origin.as_str())
                            .push_bind(e.maintainer.as_deref());
                    });
                    q.push(
                        " ON CONFLICT (name, version, arch) DO UPDATE SET origin = excluded.origin, \
                         maintainer = excluded.maintainer",
                    );
                    q.build().execute(&mut **tx).await.doing("writing APKINDEX entries")?;
                }
                Ok(entries.len() as u64)
            }

            pub(super) async fn feed_summary(
                pool: &$pool,
                feed: FeedKind,
            ) -> Result<Option<FeedSummary>, StoreError> {
                let count_sql = match feed {
                    FeedKind::Osv | FeedKind::Nvd | FeedKind::Debian | FeedKind::Alpine => {
                        "SELECT COUNT(*) FROM advisories WHERE feed = $1"
                    }
                    FeedKind::Kev => "SELECT COUNT(*) FROM kev WHERE $1 = $1",
                    FeedKind::Epss => "SELECT COUNT(*) FROM epss WHERE $1 = $1",
                    FeedKind::DebianPackages => "SELECT COUNT(*) FROM debian_binaries WHERE $1 = $1",
                    FeedKind::ApkIndex => "SELECT COUNT(*) FROM apk_index WHERE $1 = $1",
                };
                let (records,): (i64,) = sqlx::query_as(count_sql)
                    .bind(feed.name())
                    .fetch_one(pool)
                    .await
                    .doing("counting feed records")?;
                let last: Option<(String, String, String)> = sqlx::query_as(
                    "SELECT finished_at, source, digest FROM imports WHERE feed = $1 ORDER BY id DESC LIMIT 1",
                )
                .bind(feed.name())
                .fetch_optional(pool)
                .await
                .doing("reading the import log")?;
                let newest: Vec<(Option<String>,)> =
                    sqlx::query_as("SELECT newest_modified FROM imports WHERE feed = $1")
                        .bind(feed.name())
                        .fetch_all(pool)
                        .await
                        .doing("reading the import log")?;
                if records == 0 && last.is_none() {
                    return Ok(None);
                }
                // Compared as instants or dates, not as text (fractional seconds vary).
                let newest_modified = newest
                    .into_iter()
                    .filter_map(|(n,)| n)
                    .max_by(|a, b| cmp_modified(a, b));
                Ok(Some(FeedSummary {
                    feed: feed.name().to_owned(),
                    records,
                    newest_modified,
                    imported_at: last.as_ref().map(|l| l.0.clone()),
                    source: last.as_ref().map(|l| l.1.clone()),
                    digest: last.map(|l| l.2),
                }))
            }
        }
    };
}

backend_impl!(sqlite_impl, sqlx::Sqlite, sqlx::SqlitePool);
backend_impl!(postgres_impl, sqlx::Postgres, sqlx::PgPool);
