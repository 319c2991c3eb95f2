//! Inventory state: projects, releases (`PROJECT@VERSION`) and what each release holds — its
//! components, dependency edges, scanner evidence and source documents — plus the history of
//! every change between imports. Importing a release replaces its inventory in one transaction.

use jiff::Timestamp;
use vexil_core::model::inventory::diff;
use vexil_core::model::{
    Component, Dependency, Inventory, InventoryChange, ReleaseId, ScannerFinding,
};

use crate::StoreError;
use crate::error::Doing;
use crate::feeds::CHUNK;
use crate::store::{Db, Store};

/// One parsed document going into a release.
#[derive(Clone, Copy, Debug)]
pub struct NewDocument<'a> {
    /// The path as the user gave it.
    pub name: &'a str,
    /// The format name (`cyclonedx-json`, `package-lock`, …).
    pub format: &'a str,
    /// SHA-256 of the document's bytes.
    pub digest: &'a str,
    pub inventory: &'a Inventory,
}

/// What an import did to a release.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct InventoryReport {
    pub release: ReleaseId,
    /// 1 for the first import of a release, then one more per import.
    pub revision: i64,
    pub components: usize,
    pub dependencies: usize,
    pub evidence: usize,
    /// The changes from the previous revision (everything `added` on the first import).
    pub changes: Vec<InventoryChange>,
}

/// A release in listings.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ReleaseSummary {
    pub project: String,
    pub version: String,
    pub revision: i64,
    pub components: i64,
    pub evidence: i64,
    pub documents: i64,
    pub updated_at: String,
}

/// A document a release's inventory came from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StoredDocument {
    pub name: String,
    pub format: String,
    pub digest: String,
    pub components: i64,
    pub evidence: i64,
    pub warnings: Vec<vexil_core::ingest::Warning>,
}

/// One recorded change, with the import that made it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct HistoryEntry {
    pub revision: i64,
    pub imported_at: String,
    #[serde(flatten)]
    pub change: InventoryChange,
}

/// Everything stored for a release.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ReleaseInventory {
    pub release: ReleaseId,
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
    pub documents: Vec<StoredDocument>,
    pub components: Vec<Component>,
    pub dependencies: Vec<Dependency>,
    pub evidence: Vec<ScannerFinding>,
    pub history: Vec<HistoryEntry>,
}

/// A component row: the indexed columns and the whole component as JSON.
struct ComponentRow<'a> {
    c: &'a Component,
    body: String,
}

impl Store {
    /// Replaces `release`'s inventory with the union of `documents` (one component per purl),
    /// creating the project and release when new, and records what changed. One transaction:
    /// on any error the release is exactly as before.
    pub async fn import_inventory(
        &self,
        release: &ReleaseId,
        documents: &[NewDocument<'_>],
        now: Timestamp,
    ) -> Result<InventoryReport, StoreError> {
        let merged = Inventory::union(documents.iter().map(|d| d.inventory));
        let rows = merged
            .components
            .iter()
            .map(|c| {
                Ok(ComponentRow {
                    c,
                    body: serde_json::to_string(c).map_err(|e| StoreError::Corrupt {
                        what: "component",
                        detail: e.to_string(),
                    })?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let evidence = merged
            .evidence
            .iter()
            .map(|f| {
                serde_json::to_string(f).map_err(|e| StoreError::Corrupt {
                    what: "scanner finding",
                    detail: e.to_string(),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let now = now.to_string();
        match &self.db {
            Db::Sqlite(pool) => {
                let mut tx = pool.begin().await.doing("starting the inventory import")?;
                let report = sqlite_inv::import(
                    &mut tx, release, documents, &merged, &rows, &evidence, &now,
                )
                .await?;
                tx.commit().await.doing("committing the inventory import")?;
                Ok(report)
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await.doing("starting the inventory import")?;
                let report = postgres_inv::import(
                    &mut tx, release, documents, &merged, &rows, &evidence, &now,
                )
                .await?;
                tx.commit().await.doing("committing the inventory import")?;
                Ok(report)
            }
        }
    }

    /// Every release (of one project, or all), sorted by project then version.
    pub async fn releases(&self, project: Option<&str>) -> Result<Vec<ReleaseSummary>, StoreError> {
        match &self.db {
            Db::Sqlite(pool) => sqlite_inv::releases(pool, project).await,
            Db::Postgres(pool) => postgres_inv::releases(pool, project).await,
        }
    }

    /// A release's whole stored inventory and history, or `None` when it was never imported.
    pub async fn release(
        &self,
        release: &ReleaseId,
    ) -> Result<Option<ReleaseInventory>, StoreError> {
        match &self.db {
            Db::Sqlite(pool) => sqlite_inv::release(pool, release).await,
            Db::Postgres(pool) => postgres_inv::release(pool, release).await,
        }
    }
}

fn corrupt(what: &'static str) -> impl Fn(serde_json::Error) -> StoreError {
    move |e| StoreError::Corrupt {
        what,
        detail: e.to_string(),
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

macro_rules! inventory_impl {
    ($module:ident, $db:ty, $pool:ty) => {
        mod $module {
            use super::*;
            use sqlx::{QueryBuilder, Transaction};

            type Tx<'a> = Transaction<'a, $db>;

            pub(super) async fn import(
                tx: &mut Tx<'_>,
                release: &ReleaseId,
                documents: &[NewDocument<'_>],
                merged: &Inventory,
                rows: &[ComponentRow<'_>],
                evidence: &[String],
                now: &str,
            ) -> Result<InventoryReport, StoreError> {
                sqlx::query("INSERT INTO projects (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                    .bind(&release.project)
                    .bind(now)
                    .execute(&mut **tx)
                    .await
                    .doing("creating the project")?;
                let (project_id,): (i64,) = sqlx::query_as("SELECT id FROM projects WHERE name = $1")
                    .bind(&release.project)
                    .fetch_one(&mut **tx)
                    .await
                    .doing("reading the project")?;
                let existing: Option<(i64, i64)> = sqlx::query_as(
                    "SELECT id, revision FROM releases WHERE project_id = $1 AND version = $2",
                )
                .bind(project_id)
                .bind(&release.version)
                .fetch_optional(&mut **tx)
                .await
                .doing("reading the release")?;
                let (release_id, revision, old) = match existing {
                    Some((id, revision)) => {
                        let old: Vec<(String,)> =
                            sqlx::query_as("SELECT purl FROM components WHERE release_id = $1")
                                .bind(id)
                                .fetch_all(&mut **tx)
                                .await
                                .doing("reading the release's components")?;
                        for table in ["components", "component_dependencies", "scanner_evidence", "release_documents"] {
                            // Table names come from the list above, never from input.
                            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE release_id = $1")))
                                .bind(id)
                                .execute(&mut **tx)
                                .await
                                .doing("replacing the release's inventory")?;
                        }
                        sqlx::query("UPDATE releases SET revision = $1, updated_at = $2 WHERE id = $3")
                            .bind(revision + 1)
                            .bind(now)
                            .bind(id)
                            .execute(&mut **tx)
                            .await
                            .doing("updating the release")?;
                        (id, revision + 1, old.into_iter().map(|(p,)| p).collect::<Vec<_>>())
                    }
                    None => {
                        let (id,): (i64,) = sqlx::query_as(
                            "INSERT INTO releases (project_id, version, revision, created_at, updated_at) \
                             VALUES ($1, $2, 1, $3, $3) RETURNING id",
                        )
                        .bind(project_id)
                        .bind(&release.version)
                        .bind(now)
                        .fetch_one(&mut **tx)
                        .await
                        .doing("creating the release")?;
                        (id, 1, Vec::new())
                    }
                };
                let changes = diff(old.iter().map(String::as_str), merged.components.iter().map(|c| c.purl.as_str()));

                for (ordinal, d) in documents.iter().enumerate() {
                    let warnings = serde_json::to_string(&d.inventory.warnings).map_err(corrupt("warnings"))?;
                    sqlx::query(
                        "INSERT INTO release_documents (release_id, ordinal, name, format, digest, components, evidence, warnings) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(release_id)
                    .bind(count(ordinal))
                    .bind(d.name)
                    .bind(d.format)
                    .bind(d.digest)
                    .bind(count(d.inventory.components.len()))
                    .bind(count(d.inventory.evidence.len()))
                    .bind(warnings)
                    .execute(&mut **tx)
                    .await
                    .doing("recording the release's documents")?;
                }
                for chunk in rows.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO components (release_id, purl, ecosystem, name, version, source_name, \
                         source_version, scope, direct, body) ",
                    );
                    q.push_values(chunk, |mut row, r| {
                        let c = r.c;
                        row.push_bind(release_id)
                            .push_bind(c.purl.as_str())
                            .push_bind(c.ecosystem.as_deref())
                            .push_bind(c.name.as_str())
                            .push_bind(c.version.as_deref())
                            .push_bind(c.source.as_ref().map(|s| s.name.as_str()))
                            .push_bind(c.source.as_ref().and_then(|s| s.version.as_deref()))
                            .push_bind(c.scope.map(|s| s.as_str()))
                            .push_bind(c.direct)
                            .push_bind(r.body.as_str());
                    });
                    q.build().execute(&mut **tx).await.doing("writing components")?;
                }
                for chunk in merged.dependencies.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO component_dependencies (release_id, from_purl, to_purl) ",
                    );
                    q.push_values(chunk, |mut row, d| {
                        row.push_bind(release_id).push_bind(d.from.as_str()).push_bind(d.to.as_str());
                    });
                    q.build().execute(&mut **tx).await.doing("writing dependency edges")?;
                }
                let numbered: Vec<(usize, (&ScannerFinding, &String))> =
                    merged.evidence.iter().zip(evidence).enumerate().collect();
                for chunk in numbered.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO scanner_evidence (release_id, ordinal, tool, vuln_id, purl, package, \
                         version, fixed_version, severity, body) ",
                    );
                    q.push_values(chunk, |mut row, (i, (f, body))| {
                        row.push_bind(release_id)
                            .push_bind(count(*i))
                            .push_bind(f.tool.as_str())
                            .push_bind(f.vuln_id.as_str())
                            .push_bind(f.purl.as_deref())
                            .push_bind(f.package.as_str())
                            .push_bind(f.version.as_deref())
                            .push_bind(f.fixed_version.as_deref())
                            .push_bind(f.severity.as_deref())
                            .push_bind(body.as_str());
                    });
                    q.build().execute(&mut **tx).await.doing("writing scanner evidence")?;
                }
                let tally = |k| count(changes.iter().filter(|c| c.kind == k).count());
                use vexil_core::model::ChangeKind;
                sqlx::query(
                    "INSERT INTO inventory_imports (release_id, revision, imported_at, documents, components, \
                     added, removed, changed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(release_id)
                .bind(revision)
                .bind(now)
                .bind(count(documents.len()))
                .bind(count(rows.len()))
                .bind(tally(ChangeKind::Added))
                .bind(tally(ChangeKind::Removed))
                .bind(tally(ChangeKind::Changed))
                .execute(&mut **tx)
                .await
                .doing("recording the import")?;
                let numbered: Vec<(usize, &InventoryChange)> = changes.iter().enumerate().collect();
                for chunk in numbered.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO inventory_events (release_id, revision, ordinal, change, package, \
                         old_version, new_version) ",
                    );
                    q.push_values(chunk, |mut row, (i, c)| {
                        row.push_bind(release_id)
                            .push_bind(revision)
                            .push_bind(count(*i))
                            .push_bind(c.kind.as_str())
                            .push_bind(c.package.as_str())
                            .push_bind(c.old_version.as_deref())
                            .push_bind(c.new_version.as_deref());
                    });
                    q.build().execute(&mut **tx).await.doing("recording inventory changes")?;
                }
                Ok(InventoryReport {
                    release: release.clone(),
                    revision,
                    components: rows.len(),
                    dependencies: merged.dependencies.len(),
                    evidence: merged.evidence.len(),
                    changes,
                })
            }

            pub(super) async fn releases(
                pool: &$pool,
                project: Option<&str>,
            ) -> Result<Vec<ReleaseSummary>, StoreError> {
                let rows: Vec<(String, String, i64, i64, i64, i64, String)> = sqlx::query_as(
                    "SELECT p.name, r.version, r.revision, \
                     (SELECT COUNT(*) FROM components c WHERE c.release_id = r.id), \
                     (SELECT COUNT(*) FROM scanner_evidence e WHERE e.release_id = r.id), \
                     (SELECT COUNT(*) FROM release_documents d WHERE d.release_id = r.id), \
                     r.updated_at \
                     FROM releases r JOIN projects p ON p.id = r.project_id \
                     WHERE $1 IS NULL OR p.name = $1 ORDER BY p.name, r.version",
                )
                .bind(project)
                .fetch_all(pool)
                .await
                .doing("listing releases")?;
                Ok(rows
                    .into_iter()
                    .map(|(project, version, revision, components, evidence, documents, updated_at)| {
                        ReleaseSummary { project, version, revision, components, evidence, documents, updated_at }
                    })
                    .collect())
            }

            pub(super) async fn release(
                pool: &$pool,
                release: &ReleaseId,
            ) -> Result<Option<ReleaseInventory>, StoreError> {
                let head: Option<(i64, i64, String, String)> = sqlx::query_as(
                    "SELECT r.id, r.revision, r.created_at, r.updated_at FROM releases r \
                     JOIN projects p ON p.id = r.project_id WHERE p.name = $1 AND r.version = $2",
                )
                .bind(&release.project)
                .bind(&release.version)
                .fetch_optional(pool)
                .await
                .doing("reading the release")?;
                let Some((id, revision, created_at, updated_at)) = head else {
                    return Ok(None);
                };
                let docs: Vec<(String, String, String, i64, i64, String)> = sqlx::query_as(
                    "SELECT name, format, digest, components, evidence, warnings FROM release_documents \
                     WHERE release_id = $1 ORDER BY ordinal",
                )
                .bind(id)
                .fetch_all(pool)
                .await
                .doing("reading the release's documents")?;
                let documents = docs
                    .into_iter()
                    .map(|(name, format, digest, components, evidence, warnings)| {
                        Ok(StoredDocument {
                            name,
                            format,
                            digest,
                            components,
                            evidence,
                            warnings: serde_json::from_str(&warnings).map_err(corrupt("document warnings"))?,
                        })
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
                let bodies: Vec<(String,)> =
                    sqlx::query_as("SELECT body FROM components WHERE release_id = $1 ORDER BY purl")
                        .bind(id)
                        .fetch_all(pool)
                        .await
                        .doing("reading components")?;
                let components = bodies
                    .iter()
                    .map(|(b,)| serde_json::from_str(b).map_err(corrupt("component")))
                    .collect::<Result<Vec<Component>, _>>()?;
                let edges: Vec<(String, String)> = sqlx::query_as(
                    "SELECT from_purl, to_purl FROM component_dependencies WHERE release_id = $1 \
                     ORDER BY from_purl, to_purl",
                )
                .bind(id)
                .fetch_all(pool)
                .await
                .doing("reading dependency edges")?;
                let dependencies = edges.into_iter().map(|(from, to)| Dependency { from, to }).collect();
                let bodies: Vec<(String,)> = sqlx::query_as(
                    "SELECT body FROM scanner_evidence WHERE release_id = $1 ORDER BY ordinal",
                )
                .bind(id)
                .fetch_all(pool)
                .await
                .doing("reading scanner evidence")?;
                let evidence = bodies
                    .iter()
                    .map(|(b,)| serde_json::from_str(b).map_err(corrupt("scanner finding")))
                    .collect::<Result<Vec<ScannerFinding>, _>>()?;
                let events: Vec<(i64, String, String, String, Option<String>, Option<String>)> = sqlx::query_as(
                    "SELECT e.revision, i.imported_at, e.change, e.package, e.old_version, e.new_version \
                     FROM inventory_events e JOIN inventory_imports i \
                       ON i.release_id = e.release_id AND i.revision = e.revision \
                     WHERE e.release_id = $1 ORDER BY e.revision, e.ordinal",
                )
                .bind(id)
                .fetch_all(pool)
                .await
                .doing("reading the release's history")?;
                let history = events
                    .into_iter()
                    .map(|(revision, imported_at, change, package, old_version, new_version)| {
                        let kind = match change.as_str() {
                            "added" => vexil_core::model::ChangeKind::Added,
                            "removed" => vexil_core::model::ChangeKind::Removed,
                            "changed" => vexil_core::model::ChangeKind::Changed,
                            other => {
                                return Err(StoreError::Corrupt {
                                    what: "inventory event",
                                    detail: format!("unknown change `{other}`"),
                                });
                            }
                        };
                        Ok(HistoryEntry {
                            revision,
                            imported_at,
                            change: InventoryChange { package, kind, old_version, new_version },
                        })
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
                Ok(Some(ReleaseInventory {
                    release: release.clone(),
                    revision,
                    created_at,
                    updated_at,
                    documents,
                    components,
                    dependencies,
                    evidence,
                    history,
                }))
            }
        }
    };
}

inventory_impl!(sqlite_inv, sqlx::Sqlite, sqlx::SqlitePool);
inventory_impl!(postgres_inv, sqlx::Postgres, sqlx::PgPool);
