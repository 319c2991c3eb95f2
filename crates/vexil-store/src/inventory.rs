//! Inventory state: projects, releases (`PROJECT@VERSION`) and what each release holds — its
//! components, dependency edges, scanner evidence and source documents — plus the history of
//! every change between imports. Importing a release replaces its inventory in one transaction.

use jiff::Timestamp;
use vexil_core::matching::lookup_name;
use vexil_core::model::inventory::diff;
use vexil_core::model::{
    Component, Dependency, Inventory, InventoryChange, ReleaseId, ScannerFinding, Scope,
    SourcePackage,
};

use crate::StoreError;
use crate::error::Doing;
use crate::feeds::CHUNK;
use crate::store::{Db, Store};

/// One parsed document going into a release (its components are in the merged inventory).
#[derive(Clone, Copy, Debug)]
pub struct NewDocument<'a> {
    /// The path as the user gave it.
    pub name: &'a str,
    /// The format name (`cyclonedx-json`, `package-lock`, …).
    pub format: &'a str,
    /// SHA-256 of the document's bytes.
    pub digest: &'a str,
    /// How many components and scanner findings the document gave.
    pub components: usize,
    pub evidence: usize,
    pub warnings: &'a [vexil_core::ingest::Warning],
}

impl<'a> NewDocument<'a> {
    /// The summary of a parsed document, named as the user gave it.
    pub fn of(
        name: &'a str,
        document: &'a vexil_core::ingest::inventory::Document,
    ) -> NewDocument<'a> {
        NewDocument {
            name,
            format: document.format.name(),
            digest: &document.digest,
            components: document.inventory.components.len(),
            evidence: document.inventory.evidence.len(),
            warnings: &document.inventory.warnings,
        }
    }
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

/// A component row: the component's columns, and as JSON what has no column.
struct ComponentRow<'a> {
    c: &'a Component,
    body: String,
    /// The names advisories are looked up by (see [`vexil_core::matching::lookup_name`]).
    lookup_name: String,
    source_lookup_name: Option<String>,
}

/// The part of a component stored as JSON (the rest has columns).
#[derive(serde::Serialize)]
struct BodyOut<'a> {
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    hashes: &'a [vexil_core::model::Hash],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    cpes: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    licenses: &'a [String],
    location: &'a vexil_core::ingest::Location,
}

#[derive(serde::Deserialize)]
struct BodyIn {
    #[serde(default)]
    hashes: Vec<vexil_core::model::Hash>,
    #[serde(default)]
    cpes: Vec<String>,
    #[serde(default)]
    licenses: Vec<String>,
    location: vexil_core::ingest::Location,
}

/// A stored component row, read back.
pub(crate) type ComponentColumns = (
    i64,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<bool>,
    String,
);

pub(crate) fn component_from_row(row: ComponentColumns) -> Result<(i64, Component), StoreError> {
    let (ordinal, purl, ecosystem, name, version, source_name, source_version, scope, direct, body) =
        row;
    let body: BodyIn = serde_json::from_str(&body).map_err(corrupt("component"))?;
    let scope = match scope.as_deref() {
        None => None,
        Some(s) => Some(Scope::parse(s).ok_or_else(|| StoreError::Corrupt {
            what: "component scope",
            detail: s.to_owned(),
        })?),
    };
    Ok((
        ordinal,
        Component {
            purl,
            ecosystem,
            name,
            version,
            source: source_name.map(|name| SourcePackage {
                name,
                version: source_version,
            }),
            scope,
            direct,
            hashes: body.hashes,
            cpes: body.cpes,
            licenses: body.licenses,
            location: body.location,
        },
    ))
}

impl Store {
    /// Replaces `release`'s inventory with `merged` (the union of `documents`, see
    /// [`Inventory::union`]), creating the project and release when new, and records what
    /// changed. One transaction: on any error the release is exactly as before.
    pub async fn import_inventory(
        &self,
        release: &ReleaseId,
        documents: &[NewDocument<'_>],
        merged: &Inventory,
        now: Timestamp,
    ) -> Result<InventoryReport, StoreError> {
        let rows = merged
            .components
            .iter()
            .map(|c| {
                let body = BodyOut {
                    hashes: &c.hashes,
                    cpes: &c.cpes,
                    licenses: &c.licenses,
                    location: &c.location,
                };
                let eco = c.ecosystem.as_deref().unwrap_or("");
                Ok(ComponentRow {
                    c,
                    body: serde_json::to_string(&body).map_err(corrupt("component"))?,
                    lookup_name: lookup_name(eco, &c.name),
                    source_lookup_name: c.source.as_ref().map(|s| lookup_name(eco, &s.name)),
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
                let report =
                    sqlite_inv::import(&mut tx, release, documents, merged, &rows, &evidence, &now)
                        .await?;
                tx.commit().await.doing("committing the inventory import")?;
                Ok(report)
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await.doing("starting the inventory import")?;
                let report = postgres_inv::import(
                    &mut tx, release, documents, merged, &rows, &evidence, &now,
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

pub(crate) fn corrupt(what: &'static str) -> impl Fn(serde_json::Error) -> StoreError {
    move |e| StoreError::Corrupt {
        what,
        detail: e.to_string(),
    }
}

pub(crate) fn count(n: usize) -> i64 {
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
                        let old: Vec<(String, Option<String>)> =
                            sqlx::query_as("SELECT purl, version FROM components WHERE release_id = $1")
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
                        (id, revision + 1, old)
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
                let changes = diff(
                    old.iter().map(|(p, v)| (p.as_str(), v.as_deref())),
                    merged.components.iter().map(|c| (c.purl.as_str(), c.version.as_deref())),
                );

                for (ordinal, d) in documents.iter().enumerate() {
                    let warnings = serde_json::to_string(d.warnings).map_err(corrupt("warnings"))?;
                    sqlx::query(
                        "INSERT INTO release_documents (release_id, ordinal, name, format, digest, components, evidence, warnings) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(release_id)
                    .bind(count(ordinal))
                    .bind(d.name)
                    .bind(d.format)
                    .bind(d.digest)
                    .bind(count(d.components))
                    .bind(count(d.evidence))
                    .bind(warnings)
                    .execute(&mut **tx)
                    .await
                    .doing("recording the release's documents")?;
                }
                let numbered: Vec<(usize, &ComponentRow<'_>)> = rows.iter().enumerate().collect();
                for chunk in numbered.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO components (release_id, ordinal, purl, ecosystem, name, version, \
                         source_name, source_version, scope, direct, body, lookup_name, \
                         source_lookup_name, has_cpe) ",
                    );
                    q.push_values(chunk, |mut row, (i, r)| {
                        let c = r.c;
                        row.push_bind(release_id)
                            .push_bind(count(*i))
                            .push_bind(c.purl.as_str())
                            .push_bind(c.ecosystem.as_deref())
                            .push_bind(c.name.as_str())
                            .push_bind(c.version.as_deref())
                            .push_bind(c.source.as_ref().map(|s| s.name.as_str()))
                            .push_bind(c.source.as_ref().and_then(|s| s.version.as_deref()))
                            .push_bind(c.scope.map(|s| s.as_str()))
                            .push_bind(c.direct)
                            .push_bind(r.body.as_str())
                            .push_bind(r.lookup_name.as_str())
                            .push_bind(r.source_lookup_name.as_deref())
                            .push_bind(!c.cpes.is_empty());
                    });
                    q.build().execute(&mut **tx).await.doing("writing components")?;
                }
                let ordinals: std::collections::HashMap<&str, i64> = rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (r.c.purl.as_str(), count(i)))
                    .collect();
                let end = |purl: &str| match ordinals.get(purl) {
                    Some(&i) => (Some(i), None),
                    None => (None, Some(purl.to_owned())),
                };
                let edges: Vec<_> = merged
                    .dependencies
                    .iter()
                    .map(|d| (end(&d.from), end(&d.to)))
                    .collect();
                for chunk in edges.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO component_dependencies (release_id, from_ordinal, from_purl, \
                         to_ordinal, to_purl) ",
                    );
                    q.push_values(chunk, |mut row, ((from_i, from_p), (to_i, to_p))| {
                        row.push_bind(release_id)
                            .push_bind(*from_i)
                            .push_bind(from_p.clone())
                            .push_bind(*to_i)
                            .push_bind(to_p.clone());
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
                let rows: Vec<ComponentColumns> = sqlx::query_as(
                    "SELECT ordinal, purl, ecosystem, name, version, source_name, source_version, \
                     scope, direct, body FROM components WHERE release_id = $1 ORDER BY purl",
                )
                .bind(id)
                .fetch_all(pool)
                .await
                .doing("reading components")?;
                let rows = rows
                    .into_iter()
                    .map(component_from_row)
                    .collect::<Result<Vec<_>, _>>()?;
                let by_ordinal: std::collections::HashMap<i64, &str> =
                    rows.iter().map(|(i, c)| (*i, c.purl.as_str())).collect();
                type Edge = (Option<i64>, Option<String>, Option<i64>, Option<String>);
                let edges: Vec<Edge> = sqlx::query_as(
                    "SELECT from_ordinal, from_purl, to_ordinal, to_purl FROM component_dependencies \
                     WHERE release_id = $1",
                )
                .bind(id)
                .fetch_all(pool)
                .await
                .doing("reading dependency edges")?;
                let end = |ordinal: Option<i64>, purl: Option<String>| match (ordinal, purl) {
                    (Some(i), _) => by_ordinal.get(&i).map(|p| (*p).to_owned()).ok_or_else(|| {
                        StoreError::Corrupt { what: "dependency edge", detail: format!("no component {i}") }
                    }),
                    (None, Some(p)) => Ok(p),
                    (None, None) => Err(StoreError::Corrupt {
                        what: "dependency edge",
                        detail: "an end with neither ordinal nor purl".into(),
                    }),
                };
                let mut dependencies = edges
                    .into_iter()
                    .map(|(fi, fp, ti, tp)| Ok(Dependency { from: end(fi, fp)?, to: end(ti, tp)? }))
                    .collect::<Result<Vec<_>, StoreError>>()?;
                dependencies.sort();
                let components: Vec<Component> = rows.into_iter().map(|(_, c)| c).collect();
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
