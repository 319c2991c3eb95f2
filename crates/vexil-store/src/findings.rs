//! Findings state: what each scan concluded per (release, component, vulnerability), the scans,
//! and every finding's append-only history. A scan is recorded in one transaction that diffs
//! against what is stored ([`vexil_core::matching::rescan`]).

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;
use vexil_core::matching::Verdict;
use vexil_core::matching::distro::tracker_notes;
use vexil_core::matching::rescan::{Change, Event, Stored, rescan};
use vexil_core::model::decision::{Decision, DecisionSource};
use vexil_core::model::finding::{EventKind, FindingState, Observation, SeverityLevel};
use vexil_core::model::{Advisory, Component, EpssScore, KevEntry, ReleaseId, SourcePackage};
use vexil_core::rules::evaluate::Facts;

use crate::StoreError;
use crate::error::Doing;
use crate::feeds::CHUNK;
use crate::inventory::{ComponentColumns, component_from_row, corrupt, count};
use crate::store::{Db, Store, dispatch};

/// What a recorded scan did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ScanReport {
    pub release: ReleaseId,
    pub scan: i64,
    /// The inventory revision scanned.
    pub revision: i64,
    pub components: usize,
    pub advisories: usize,
    pub new: usize,
    pub resolved: usize,
    pub reactivated: usize,
    pub changed: usize,
    /// Open findings after the scan by severity (informational warnings apart).
    pub open: BTreeMap<SeverityLevel, usize>,
    pub warnings: usize,
    /// This scan's events, for printing.
    pub events: Vec<ScanEvent>,
}

/// One event of a scan, with enough of its finding to print.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ScanEvent {
    pub finding: i64,
    pub kind: EventKind,
    pub vuln: String,
    pub purl: String,
    pub severity: SeverityLevel,
    pub detail: String,
}

/// A stored finding as listings show it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct StoredFinding {
    pub id: i64,
    pub release: String,
    pub state: FindingState,
    /// The triage decision on it, when a rule or a VEX document made one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    pub first_seen: String,
    pub last_seen: String,
    pub updated_at: String,
    #[serde(flatten)]
    pub observation: Observation,
}

/// One event of a finding's history.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FindingEvent {
    pub at: String,
    pub kind: EventKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan: Option<i64>,
    pub detail: String,
}

/// A stored finding as rules see it.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleSubject {
    pub id: i64,
    /// Affected or unknown at the last scan.
    pub open: bool,
    pub release: ReleaseId,
    pub facts: Facts,
    pub decision: Option<Decision>,
}

/// One decision to record: the finding, its new decision (`None`: removed), and the event.
#[derive(Clone, Copy, Debug)]
pub struct DecisionWrite<'a> {
    pub finding: i64,
    pub decision: Option<&'a Decision>,
    pub kind: EventKind,
    pub detail: &'a str,
}

/// Which findings a listing wants; every field narrows.
#[derive(Clone, Debug, Default)]
pub struct FindingFilter {
    pub project: Option<String>,
    pub release: Option<ReleaseId>,
    pub severity: Option<SeverityLevel>,
    pub state: Option<FindingState>,
    pub kev: bool,
    /// Any id of the alias group (case-insensitive).
    pub vuln: Option<String>,
    /// The finding's display id is one of these (exact): the indexed way to find a known alias
    /// group's findings, given all its ids.
    pub displayed_as: Vec<String>,
}

impl Store {
    /// A release's components and inventory revision, or `None` when it was never imported.
    pub async fn components_of(
        &self,
        release: &ReleaseId,
    ) -> Result<Option<(i64, Vec<Component>)>, StoreError> {
        let head = release_head(self, release).await?;
        let Some((id, revision)) = head else {
            return Ok(None);
        };
        let rows: Vec<ComponentColumns> = dispatch!(&self.db, pool => {
            sqlx::query_as(
                "SELECT ordinal, purl, ecosystem, name, version, source_name, source_version, \
                 scope, direct, body FROM components WHERE release_id = $1 ORDER BY purl",
            )
            .bind(id)
            .fetch_all(pool)
            .await
            .doing("reading components")?
        });
        let components = rows
            .into_iter()
            .map(|r| component_from_row(r).map(|(_, c)| c))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some((revision, components)))
    }

    /// Across releases (of one project, or all): the components with one of these lookup names
    /// as name or source name, and with `with_cpes` also every component carrying a CPE. The
    /// candidates for "who is affected by X", found through the lookup indexes.
    pub async fn components_named(
        &self,
        lookup_names: &[String],
        with_cpes: bool,
        project: Option<&str>,
    ) -> Result<Vec<(ReleaseId, Component)>, StoreError> {
        type Row = (String, String, ComponentColumns);
        let mut names: Vec<&str> = lookup_names.iter().map(String::as_str).collect();
        names.sort_unstable();
        names.dedup();
        let mut rows: Vec<Row> = Vec::new();
        let select = "SELECT p.name, r.version, c.ordinal, c.purl, c.ecosystem, c.name, c.version, \
             c.source_name, c.source_version, c.scope, c.direct, c.body FROM components c \
             JOIN releases r ON r.id = c.release_id JOIN projects p ON p.id = r.project_id WHERE ";
        // Each query: components whose name or source name is in a chunk of the names, or
        // (once) every component with a CPE.
        let mut wanted: Vec<(&str, &[&str])> = Vec::new();
        for column in ["c.lookup_name", "c.source_lookup_name"] {
            wanted.extend(names.chunks(CHUNK).map(|chunk| (column, chunk)));
        }
        if with_cpes {
            wanted.push(("c.has_cpe", &[]));
        }
        for (column, chunk) in wanted {
            let part: Vec<FlatRow> = dispatch!(&self.db, pool => {
                let mut q = sqlx::QueryBuilder::new(select);
                q.push(column);
                if !chunk.is_empty() {
                    q.push(" IN (");
                    let mut list = q.separated(", ");
                    for name in chunk {
                        list.push_bind(*name);
                    }
                    q.push(")");
                }
                q.push(" AND (").push_bind(project).push(" IS NULL OR p.name = ").push_bind(project).push(")");
                q.build_query_as().fetch_all(pool).await.doing("looking up components by name")?
            });
            rows.extend(part.into_iter().map(
                |(p, v, o, purl, eco, name, ver, sn, sv, scope, direct, body)| {
                    (p, v, (o, purl, eco, name, ver, sn, sv, scope, direct, body))
                },
            ));
        }
        let mut out = Vec::with_capacity(rows.len());
        let mut seen = std::collections::HashSet::new();
        for (project, version, columns) in rows {
            if !seen.insert((project.clone(), version.clone(), columns.1.clone())) {
                continue;
            }
            let (_, c) = component_from_row(columns)?;
            out.push((ReleaseId { project, version }, c));
        }
        out.sort_by(|(ra, a), (rb, b)| {
            (&ra.project, &ra.version, &a.purl).cmp(&(&rb.project, &rb.version, &b.purl))
        });
        Ok(out)
    }

    /// The advisories of `id`'s alias group (any feed), closed over aliases both ways: the
    /// records with that id, the records naming it as an alias, then theirs, and so on. Ids
    /// are matched as given, uppercased, and GHSA-style (`GHSA-` then lowercase), so the
    /// indexes serve the lookup. Empty when no stored advisory knows the id.
    pub async fn vulnerability(&self, id: &str) -> Result<Vec<Advisory>, StoreError> {
        let id = id.trim();
        let mut wanted: Vec<String> = vec![id.to_owned(), id.to_uppercase()];
        if let (Some(prefix), Some(rest)) = (id.get(..5), id.get(5..))
            && prefix.eq_ignore_ascii_case("GHSA-")
        {
            wanted.push(format!("GHSA-{}", rest.to_lowercase()));
        }
        let mut known: HashSet<String> = HashSet::new();
        let mut found: Vec<Advisory> = Vec::new();
        let mut held: HashSet<(vexil_core::model::Feed, String)> = HashSet::new();
        // Alias groups are small; a few rounds reach the closure of any real one.
        for _ in 0..4 {
            wanted.retain(|w| known.insert(w.clone()));
            if wanted.is_empty() {
                break;
            }
            let mut bodies: Vec<(String,)> = Vec::new();
            for chunk in wanted.chunks(CHUNK / 2) {
                let part: Vec<(String,)> = dispatch!(&self.db, pool => {
                    let mut q = sqlx::QueryBuilder::new("SELECT body FROM advisories WHERE id IN (");
                    let mut list = q.separated(", ");
                    for w in chunk {
                        list.push_bind(w.as_str());
                    }
                    q.push(") UNION ALL SELECT a.body FROM aliases s JOIN advisories a \
                            ON a.feed = s.feed AND a.id = s.advisory_id WHERE s.alias IN (");
                    let mut list = q.separated(", ");
                    for w in chunk {
                        list.push_bind(w.as_str());
                    }
                    q.push(")");
                    q.build_query_as().fetch_all(pool).await.doing("looking up a vulnerability")?
                });
                bodies.extend(part);
            }
            let mut next = Vec::new();
            for (body,) in bodies {
                let a: Advisory = serde_json::from_str(&body).map_err(corrupt("advisory"))?;
                if held.insert((a.feed, a.id.clone())) {
                    next.extend(
                        std::iter::once(a.id.clone())
                            .chain(a.aliases.iter().cloned())
                            .chain(a.upstream.iter().cloned()),
                    );
                    found.push(a);
                }
            }
            wanted = next;
        }
        found.sort_by(|a, b| (a.feed, &a.id).cmp(&(b.feed, &b.id)));
        Ok(found)
    }

    /// Every release (of one project, or all), sorted.
    pub async fn release_ids(&self, project: Option<&str>) -> Result<Vec<ReleaseId>, StoreError> {
        let rows: Vec<(String, String)> = dispatch!(&self.db, pool => {
            sqlx::query_as(
                "SELECT p.name, r.version FROM releases r JOIN projects p ON p.id = r.project_id \
                 WHERE $1 IS NULL OR p.name = $1 ORDER BY p.name, r.version",
            )
            .bind(project)
            .fetch_all(pool)
            .await
            .doing("listing releases")?
        });
        Ok(rows
            .into_iter()
            .map(|(project, version)| ReleaseId { project, version })
            .collect())
    }

    /// The source packages the archive indexes name for binary packages without one: Debian's
    /// Packages index (`debian_binaries`) for `deb` packages, the APKINDEX origin (`apk_index`)
    /// for `apk` ones. Keyed by (purl type, name, version) as asked; the entry of the same
    /// version is preferred (it carries the source version), else any entry of the name.
    pub async fn source_packages(
        &self,
        wanted: &[(String, String, Option<String>)],
    ) -> Result<HashMap<(String, String, Option<String>), SourcePackage>, StoreError> {
        let mut out = HashMap::new();
        for (kind, table, columns) in [
            (
                "deb",
                "debian_binaries",
                "binary_name, version, source, source_version",
            ),
            ("apk", "apk_index", "name, version, origin, NULL"),
        ] {
            let mut names: Vec<&str> = wanted
                .iter()
                .filter(|(t, ..)| t == kind)
                .map(|(_, n, _)| n.as_str())
                .collect();
            names.sort_unstable();
            names.dedup();
            let mut rows: Vec<IndexRow> = Vec::new();
            for chunk in names.chunks(CHUNK) {
                let name_column = if kind == "deb" { "binary_name" } else { "name" };
                let part: Vec<IndexRow> = dispatch!(&self.db, pool => {
                    // Table and column names come from the list above, never from input.
                    let mut q = sqlx::QueryBuilder::new(format!(
                        "SELECT {columns} FROM {table} WHERE {name_column} IN ("
                    ));
                    let mut list = q.separated(", ");
                    for name in chunk {
                        list.push_bind(*name);
                    }
                    q.push(") ORDER BY 1, 2");
                    q.build_query_as().fetch_all(pool).await.doing("looking up source packages")?
                });
                rows.extend(part);
            }
            let mut by_name: HashMap<&str, Vec<&IndexRow>> = HashMap::new();
            for row in &rows {
                by_name.entry(row.0.as_str()).or_default().push(row);
            }
            for key in wanted.iter().filter(|(t, ..)| t == kind) {
                let Some(entries) = by_name.get(key.1.as_str()) else {
                    continue;
                };
                let exact = entries.iter().find(|e| Some(&e.1) == key.2.as_ref());
                let source = match exact {
                    // The same version: its source version is known (apk: the origin's version
                    // is the package's own).
                    Some(e) => SourcePackage {
                        name: e.2.clone(),
                        version: e.3.clone().or_else(|| (kind == "apk").then(|| e.1.clone())),
                    },
                    None => match entries.last() {
                        Some(e) => SourcePackage {
                            name: e.2.clone(),
                            version: None,
                        },
                        None => continue,
                    },
                };
                out.insert(key.clone(), source);
            }
        }
        Ok(out)
    }

    /// When `release` was last scanned, or `None` when never.
    pub async fn last_scan(&self, release: &ReleaseId) -> Result<Option<String>, StoreError> {
        let row: Option<(Option<String>,)> = dispatch!(&self.db, pool => {
            sqlx::query_as(
                "SELECT MAX(s.scanned_at) FROM scans s JOIN releases r ON r.id = s.release_id \
                 JOIN projects p ON p.id = r.project_id WHERE p.name = $1 AND r.version = $2",
            )
            .bind(&release.project)
            .bind(&release.version)
            .fetch_optional(pool)
            .await
            .doing("reading the last scan")?
        });
        Ok(row.and_then(|(t,)| t))
    }

    /// Every stored advisory whose id is one of `ids` (any feed): the rest of an alias group,
    /// e.g. the NVD record of a CVE whose OSV records matched.
    pub async fn advisories_with_ids(&self, ids: &[String]) -> Result<Vec<Advisory>, StoreError> {
        let mut ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut out = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            let rows: Vec<(String,)> = dispatch!(&self.db, pool => {
                let mut q = sqlx::QueryBuilder::new("SELECT body FROM advisories WHERE id IN (");
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                q.push(")");
                q.build_query_as().fetch_all(pool).await.doing("looking up advisories by id")?
            });
            for (body,) in rows {
                out.push(serde_json::from_str::<Advisory>(&body).map_err(corrupt("advisory"))?);
            }
        }
        out.sort_by(|a, b| (a.feed, &a.id).cmp(&(b.feed, &b.id)));
        Ok(out)
    }

    /// KEV entries and EPSS scores of these CVEs, by CVE.
    pub async fn enrichment(
        &self,
        cves: &[String],
    ) -> Result<(HashMap<String, KevEntry>, HashMap<String, EpssScore>), StoreError> {
        let mut cves: Vec<&str> = cves.iter().map(String::as_str).collect();
        cves.sort_unstable();
        cves.dedup();
        let mut kev = HashMap::new();
        let mut epss = HashMap::new();
        for chunk in cves.chunks(CHUNK) {
            let (kev_rows, epss_rows): (Vec<(String,)>, Vec<EpssRow>) = dispatch!(&self.db, pool => {
                let mut q = sqlx::QueryBuilder::new("SELECT body FROM kev WHERE cve IN (");
                let mut list = q.separated(", ");
                for cve in chunk {
                    list.push_bind(*cve);
                }
                q.push(")");
                let kev_rows = q.build_query_as().fetch_all(pool).await.doing("reading KEV entries")?;
                let mut q = sqlx::QueryBuilder::new(
                    "SELECT cve, epss, percentile, model_version, score_date FROM epss WHERE cve IN (",
                );
                let mut list = q.separated(", ");
                for cve in chunk {
                    list.push_bind(*cve);
                }
                q.push(")");
                let epss_rows = q.build_query_as().fetch_all(pool).await.doing("reading EPSS scores")?;
                (kev_rows, epss_rows)
            });
            for (body,) in kev_rows {
                let entry: KevEntry = serde_json::from_str(&body).map_err(corrupt("KEV entry"))?;
                kev.insert(entry.cve.clone(), entry);
            }
            for (cve, score, percentile, model_version, date) in epss_rows {
                let score_date = match date {
                    Some(d) => Some(d.parse().map_err(|e: jiff::Error| StoreError::Corrupt {
                        what: "EPSS score date",
                        detail: e.to_string(),
                    })?),
                    None => None,
                };
                epss.insert(
                    cve.clone(),
                    EpssScore {
                        cve,
                        epss: score,
                        percentile,
                        model_version,
                        score_date,
                    },
                );
            }
        }
        Ok((kev, epss))
    }

    /// Records a scan of `release` (at inventory `revision`) that made `observed`: diffs them
    /// against the release's stored findings and writes the findings and their events, in one
    /// transaction — on any error the store is exactly as before.
    pub async fn record_scan(
        &self,
        release: &ReleaseId,
        revision: i64,
        advisories: usize,
        components: usize,
        observed: &[Observation],
        now: Timestamp,
    ) -> Result<ScanReport, StoreError> {
        let bodies = observed
            .iter()
            .map(|o| serde_json::to_string(o).map_err(corrupt("finding")))
            .collect::<Result<Vec<_>, _>>()?;
        let ids = observed
            .iter()
            .map(|o| serde_json::to_string(&o.ids).map_err(corrupt("finding ids")))
            .collect::<Result<Vec<_>, _>>()?;
        let scan = ScanWrite {
            release,
            revision,
            advisories,
            components,
            observed,
            bodies: &bodies,
            ids: &ids,
            now: &now.to_string(),
        };
        match &self.db {
            Db::Sqlite(pool) => {
                let mut tx = pool.begin().await.doing("starting the scan")?;
                let report = sqlite_findings::record(&mut tx, &scan).await?;
                tx.commit().await.doing("committing the scan")?;
                Ok(report)
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await.doing("starting the scan")?;
                let report = postgres_findings::record(&mut tx, &scan).await?;
                tx.commit().await.doing("committing the scan")?;
                Ok(report)
            }
        }
    }

    /// Stored findings narrowed by `filter`, by release, then severity (most severe first),
    /// then vulnerability and purl.
    pub async fn findings(&self, filter: &FindingFilter) -> Result<Vec<StoredFinding>, StoreError> {
        let rows: Vec<FindingRow> = dispatch!(&self.db, pool => {
            let mut q = sqlx::QueryBuilder::new(SELECT_FINDING);
            q.push(" WHERE 1 = 1");
            if let Some(project) = &filter.project {
                q.push(" AND p.name = ").push_bind(project.as_str());
            }
            if let Some(release) = &filter.release {
                q.push(" AND p.name = ").push_bind(release.project.as_str());
                q.push(" AND r.version = ").push_bind(release.version.as_str());
            }
            if let Some(severity) = filter.severity {
                q.push(" AND f.severity = ").push_bind(severity.as_str());
            }
            if let Some(state) = filter.state {
                q.push(" AND f.state = ").push_bind(state.as_str());
            }
            if filter.kev {
                q.push(" AND f.kev");
            }
            if let Some(vuln) = &filter.vuln {
                // The ids column is a JSON array of strings: look for the quoted id.
                q.push(" AND upper(f.ids) LIKE ").push_bind(format!("%\"{}\"%", vuln.to_uppercase()));
            }
            if !filter.displayed_as.is_empty() {
                q.push(" AND f.vuln IN (");
                let mut list = q.separated(", ");
                for id in &filter.displayed_as {
                    list.push_bind(id.as_str());
                }
                q.push(")");
            }
            q.build_query_as().fetch_all(pool).await.doing("listing findings")?
        });
        let mut out = rows
            .into_iter()
            .map(finding_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        out.sort_by(|a, b| {
            (
                &a.release,
                std::cmp::Reverse(a.observation.severity.level),
                &a.observation.vuln,
                &a.observation.purl,
            )
                .cmp(&(
                    &b.release,
                    std::cmp::Reverse(b.observation.severity.level),
                    &b.observation.vuln,
                    &b.observation.purl,
                ))
        });
        Ok(out)
    }

    /// Records decisions in one transaction: per finding its new decision (`None` removes it)
    /// and the history event saying why. On any error the store is exactly as before.
    pub async fn record_decisions(
        &self,
        decisions: &[DecisionWrite<'_>],
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        let bodies = decisions
            .iter()
            .map(|d| {
                d.decision
                    .map(|x| serde_json::to_string(x).map_err(corrupt("decision")))
                    .transpose()
            })
            .collect::<Result<Vec<_>, _>>()?;
        let now = now.to_string();
        match &self.db {
            Db::Sqlite(pool) => {
                let mut tx = pool.begin().await.doing("starting to record decisions")?;
                sqlite_findings::decide(&mut tx, decisions, &bodies, &now).await?;
                tx.commit().await.doing("committing decisions")?;
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await.doing("starting to record decisions")?;
                postgres_findings::decide(&mut tx, decisions, &bodies, &now).await?;
                tx.commit().await.doing("committing decisions")?;
            }
        }
        Ok(decisions.len())
    }

    /// Every stored finding as rules see it ([`Facts`]), with its release and decision: read
    /// from the columns, and from the stored explanation only for findings whose tracker notes
    /// a rule can ask about (Debian). The input of `rules plan` over a whole store.
    pub async fn rule_subjects(&self) -> Result<Vec<RuleSubject>, StoreError> {
        let rows: Vec<SubjectRow> = dispatch!(&self.db, pool => {
            sqlx::query_as(
                "SELECT f.id, p.name, r.version, f.purl, f.name, f.ecosystem, f.vuln, f.ids, f.severity, \
                 f.kev, f.epss, f.fixed_version, f.decision, \
                 CASE WHEN f.ecosystem LIKE 'Debian%' THEN f.body END, f.state \
                 FROM findings f JOIN releases r ON r.id = f.release_id JOIN projects p ON p.id = r.project_id \
                 ORDER BY f.id",
            )
            .fetch_all(pool)
            .await
            .doing("reading findings for rules")?
        });
        rows.into_iter()
            .map(
                |(
                    id,
                    project,
                    version,
                    purl,
                    name,
                    ecosystem,
                    vuln,
                    ids,
                    severity,
                    kev,
                    epss,
                    fixed,
                    decision,
                    body,
                    state,
                )| {
                    let tracker = match body {
                        Some(body) => {
                            let o: Observation =
                                serde_json::from_str(&body).map_err(corrupt("finding"))?;
                            o.matches.iter().map(tracker_notes).collect()
                        }
                        None => Vec::new(),
                    };
                    Ok(RuleSubject {
                        id,
                        open: state == FindingState::Open.as_str(),
                        release: ReleaseId { project, version },
                        facts: Facts {
                            name,
                            purl,
                            ecosystem,
                            vuln,
                            ids: serde_json::from_str(&ids).map_err(corrupt("finding ids"))?,
                            severity: SeverityLevel::parse(&severity).ok_or_else(|| {
                                StoreError::Corrupt {
                                    what: "finding severity",
                                    detail: severity.clone(),
                                }
                            })?,
                            kev,
                            epss,
                            fixed: fixed.is_some(),
                            tracker,
                        },
                        decision: decision
                            .map(|d| serde_json::from_str(&d).map_err(corrupt("finding decision")))
                            .transpose()?,
                    })
                },
            )
            .collect()
    }

    /// One finding and its history (oldest event first), or `None`.
    pub async fn finding(
        &self,
        id: i64,
    ) -> Result<Option<(StoredFinding, Vec<FindingEvent>)>, StoreError> {
        let (row, events): (Option<FindingRow>, Vec<EventRow>) = dispatch!(&self.db, pool => {
            let row = sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT_FINDING} WHERE f.id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await
                .doing("reading a finding")?;
            let events = sqlx::query_as(
                "SELECT at, kind, scan_id, detail FROM finding_events WHERE finding_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(pool)
            .await
            .doing("reading a finding's history")?;
            (row, events)
        });
        let Some(row) = row else {
            return Ok(None);
        };
        let events = events
            .into_iter()
            .map(|(at, kind, scan, detail)| {
                Ok(FindingEvent {
                    at,
                    kind: EventKind::parse(&kind).ok_or_else(|| StoreError::Corrupt {
                        what: "finding event",
                        detail: format!("unknown kind `{kind}`"),
                    })?,
                    scan,
                    detail,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some((finding_from_row(row)?, events)))
    }
}

const SELECT_FINDING: &str = "SELECT f.id, p.name, r.version, f.state, f.first_seen, f.last_seen, \
     f.updated_at, f.body, f.decision FROM findings f JOIN releases r ON r.id = f.release_id \
     JOIN projects p ON p.id = r.project_id";

/// A binary package index row: name, version, source, source version.
type IndexRow = (String, String, String, Option<String>);
/// A component row with its release's project and version in front.
type FlatRow = (
    String,
    String,
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
type SubjectRow = (
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    bool,
    Option<f64>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);
type EpssRow = (String, f64, f64, Option<String>, Option<String>);
type EventRow = (String, String, Option<i64>, String);
type FindingRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

fn finding_from_row(row: FindingRow) -> Result<StoredFinding, StoreError> {
    let (id, project, version, state, first_seen, last_seen, updated_at, body, decision) = row;
    Ok(StoredFinding {
        id,
        release: format!("{project}@{version}"),
        state: FindingState::parse(&state).ok_or_else(|| StoreError::Corrupt {
            what: "finding state",
            detail: state.clone(),
        })?,
        first_seen,
        last_seen,
        updated_at,
        observation: serde_json::from_str(&body).map_err(corrupt("finding"))?,
        decision: decision
            .map(|d| serde_json::from_str(&d).map_err(corrupt("finding decision")))
            .transpose()?,
    })
}

async fn release_head(
    store: &Store,
    release: &ReleaseId,
) -> Result<Option<(i64, i64)>, StoreError> {
    Ok(dispatch!(&store.db, pool => {
        sqlx::query_as(
            "SELECT r.id, r.revision FROM releases r JOIN projects p ON p.id = r.project_id \
             WHERE p.name = $1 AND r.version = $2",
        )
        .bind(&release.project)
        .bind(&release.version)
        .fetch_optional(pool)
        .await
        .doing("reading the release")?
    }))
}

/// A scan to record, with its observations serialised once.
struct ScanWrite<'a> {
    release: &'a ReleaseId,
    revision: i64,
    advisories: usize,
    components: usize,
    observed: &'a [Observation],
    bodies: &'a [String],
    ids: &'a [String],
    now: &'a str,
}

fn verdict_of(s: &str) -> Result<Verdict, StoreError> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(corrupt("finding verdict"))
}

macro_rules! findings_impl {
    ($module:ident, $db:ty) => {
        mod $module {
            use super::*;
            use sqlx::{QueryBuilder, Transaction};

            type Tx<'a> = Transaction<'a, $db>;

            pub(super) async fn decide(
                tx: &mut Tx<'_>,
                decisions: &[DecisionWrite<'_>],
                bodies: &[Option<String>],
                now: &str,
            ) -> Result<(), StoreError> {
                // Many findings at once: one UPDATE per chunk, joined to the new values (SQLite and
                // PostgreSQL both name a VALUES list's columns column1, column2, …).
                let rows: Vec<(&DecisionWrite<'_>, &Option<String>)> = decisions.iter().zip(bodies).collect();
                for chunk in rows.chunks(CHUNK / 2) {
                    let mut q = QueryBuilder::<$db>::new("UPDATE findings SET decision = v.column2, decision_status = v.column3, \
                         decision_rule = v.column4, updated_at = ");
                    q.push_bind(now).push(" FROM (");
                    q.push_values(chunk, |mut row, (d, body)| {
                        let rule = d.decision.and_then(|x| match &x.source {
                            DecisionSource::Rule(r) => Some(r.id.as_str()),
                            DecisionSource::Vex { .. } => None,
                        });
                        row.push_bind(d.finding)
                            .push_bind(body.as_deref())
                            .push_bind(d.decision.map(|x| x.status.as_str()))
                            .push_bind(rule);
                    });
                    q.push(") AS v WHERE findings.id = v.column1");
                    let done = q.build().execute(&mut **tx).await.doing("recording decisions")?;
                    if done.rows_affected() != chunk.len() as u64 {
                        return Err(StoreError::Corrupt {
                            what: "decision",
                            detail: format!(
                                "{} of {} findings to decide are not in the store",
                                chunk.len() as u64 - done.rows_affected(),
                                chunk.len()
                            ),
                        });
                    }
                }
                for chunk in decisions.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new("INSERT INTO finding_events (finding_id, scan_id, at, kind, detail) ");
                    q.push_values(chunk, |mut row, d| {
                        row.push_bind(d.finding)
                            .push_bind(None::<i64>)
                            .push_bind(now)
                            .push_bind(d.kind.as_str())
                            .push_bind(d.detail);
                    });
                    q.build().execute(&mut **tx).await.doing("recording decision history")?;
                }
                Ok(())
            }

            pub(super) async fn record(tx: &mut Tx<'_>, scan: &ScanWrite<'_>) -> Result<ScanReport, StoreError> {
                let head: Option<(i64,)> = sqlx::query_as(
                    "SELECT r.id FROM releases r JOIN projects p ON p.id = r.project_id \
                     WHERE p.name = $1 AND r.version = $2",
                )
                .bind(&scan.release.project)
                .bind(&scan.release.version)
                .fetch_optional(&mut **tx)
                .await
                .doing("reading the release")?;
                let Some((release_id,)) = head else {
                    return Err(StoreError::Corrupt {
                        what: "scan",
                        detail: format!("release {} has no inventory", scan.release),
                    });
                };
                type StoredRow = (i64, String, String, String, String, Option<String>, String, bool, String, String);
                let rows: Vec<StoredRow> = sqlx::query_as(
                    "SELECT id, purl, ids, state, verdict, fixed_version, severity, kev, body, vuln \
                     FROM findings WHERE release_id = $1 ORDER BY id",
                )
                .bind(release_id)
                .fetch_all(&mut **tx)
                .await
                .doing("reading the release's findings")?;
                let mut stored = Vec::with_capacity(rows.len());
                let mut old_body: HashMap<i64, String> = HashMap::with_capacity(rows.len());
                let mut old_vuln: HashMap<i64, String> = HashMap::new();
                for (id, purl, ids, state, verdict, fixed_version, severity, kev, body, vuln) in rows {
                    old_vuln.insert(id, vuln);
                    stored.push(Stored {
                        id,
                        purl,
                        ids: serde_json::from_str(&ids).map_err(corrupt("finding ids"))?,
                        state: FindingState::parse(&state).ok_or_else(|| StoreError::Corrupt {
                            what: "finding state",
                            detail: state.clone(),
                        })?,
                        verdict: verdict_of(&verdict)?,
                        fixed_version,
                        severity: SeverityLevel::parse(&severity).ok_or_else(|| StoreError::Corrupt {
                            what: "finding severity",
                            detail: severity.clone(),
                        })?,
                        kev,
                    });
                    old_body.insert(id, body);
                }
                let changes = rescan(&stored, scan.observed);
                let stored_by_id: HashMap<i64, &Stored> = stored.iter().map(|s| (s.id, s)).collect();

                let (scan_id,): (i64,) = sqlx::query_as(
                    "INSERT INTO scans (release_id, revision, scanned_at, components, advisories, open, new, \
                     resolved, reactivated, changed) VALUES ($1, $2, $3, $4, $5, 0, 0, 0, 0, 0) RETURNING id",
                )
                .bind(release_id)
                .bind(scan.revision)
                .bind(scan.now)
                .bind(count(scan.components))
                .bind(count(scan.advisories))
                .fetch_one(&mut **tx)
                .await
                .doing("recording the scan")?;

                // New findings: inserted in chunks; the ids come back with the key they were
                // inserted under (purl and alias group are unique within a scan).
                let inserts: Vec<(usize, &Event)> = changes
                    .iter()
                    .filter_map(|c| match c {
                        Change::Insert { observed, event } => Some((*observed, event)),
                        _ => None,
                    })
                    .collect();
                let mut events: Vec<(i64, Option<usize>, &Event)> = Vec::new();
                for chunk in inserts.chunks(CHUNK / 2) {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO findings (release_id, purl, name, version, ecosystem, vuln, ids, state, \
                         verdict, fixed_version, malicious, informational, severity, kev, epss, first_seen, \
                         last_seen, updated_at, body) ",
                    );
                    q.push_values(chunk, |mut row, (oi, _)| {
                        let o = &scan.observed[*oi];
                        row.push_bind(release_id)
                            .push_bind(o.purl.as_str())
                            .push_bind(o.name.as_str())
                            .push_bind(o.version.as_deref())
                            .push_bind(o.ecosystem.as_deref())
                            .push_bind(o.vuln.as_str())
                            .push_bind(scan.ids[*oi].as_str())
                            .push_bind(FindingState::Open.as_str())
                            .push_bind(o.verdict.as_str())
                            .push_bind(o.fixed_version.as_deref())
                            .push_bind(o.malicious)
                            .push_bind(o.informational.as_deref())
                            .push_bind(o.severity.level.as_str())
                            .push_bind(o.kev.is_some())
                            .push_bind(o.epss.as_ref().map(|e| e.score))
                            .push_bind(scan.now)
                            .push_bind(scan.now)
                            .push_bind(scan.now)
                            .push_bind(scan.bodies[*oi].as_str());
                    });
                    q.push(" RETURNING id, purl, ids");
                    let returned: Vec<(i64, String, String)> =
                        q.build_query_as().fetch_all(&mut **tx).await.doing("writing new findings")?;
                    let by_key: HashMap<(&str, &str), i64> =
                        returned.iter().map(|(id, p, i)| ((p.as_str(), i.as_str()), *id)).collect();
                    for (oi, event) in chunk {
                        let o = &scan.observed[*oi];
                        let id = by_key.get(&(o.purl.as_str(), scan.ids[*oi].as_str())).ok_or_else(|| {
                            StoreError::Corrupt { what: "finding", detail: format!("no id returned for {} {}", o.purl, o.vuln) }
                        })?;
                        events.push((*id, Some(*oi), event));
                    }
                }

                // Findings seen again: rewritten when anything about them changed; the rest only
                // get their last_seen moved, in bulk.
                let mut seen_quiet: Vec<i64> = Vec::new();
                for change in &changes {
                    match change {
                        Change::Update { id, observed, state, event } => {
                            let o = &scan.observed[*observed];
                            let body = &scan.bodies[*observed];
                            let stored_state = stored_by_id.get(id).map(|s| s.state);
                            if old_body.get(id) == Some(body) && stored_state == Some(*state) {
                                seen_quiet.push(*id);
                                continue;
                            }
                            sqlx::query(
                                "UPDATE findings SET name = $1, version = $2, ecosystem = $3, vuln = $4, ids = $5, \
                                 state = $6, verdict = $7, fixed_version = $8, malicious = $9, informational = $10, \
                                 severity = $11, kev = $12, epss = $13, last_seen = $14, updated_at = $14, body = $15, \
                                 purl = $17 WHERE id = $16",
                            )
                            .bind(o.name.as_str())
                            .bind(o.version.as_deref())
                            .bind(o.ecosystem.as_deref())
                            .bind(o.vuln.as_str())
                            .bind(scan.ids[*observed].as_str())
                            .bind(state.as_str())
                            .bind(o.verdict.as_str())
                            .bind(o.fixed_version.as_deref())
                            .bind(o.malicious)
                            .bind(o.informational.as_deref())
                            .bind(o.severity.level.as_str())
                            .bind(o.kev.is_some())
                            .bind(o.epss.as_ref().map(|e| e.score))
                            .bind(scan.now)
                            .bind(body.as_str())
                            .bind(*id)
                            .bind(o.purl.as_str())
                            .execute(&mut **tx)
                            .await
                            .doing("updating a finding")?;
                            if let Some(event) = event {
                                events.push((*id, Some(*observed), event));
                            }
                        }
                        Change::Vanish { id, event } => {
                            sqlx::query("UPDATE findings SET state = $1, updated_at = $2 WHERE id = $3")
                                .bind(FindingState::Resolved.as_str())
                                .bind(scan.now)
                                .bind(*id)
                                .execute(&mut **tx)
                                .await
                                .doing("resolving a finding")?;
                            events.push((*id, None, event));
                        }
                        Change::Insert { .. } => {}
                    }
                }
                for chunk in seen_quiet.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new("UPDATE findings SET last_seen = ");
                    q.push_bind(scan.now).push(" WHERE id IN (");
                    let mut list = q.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    q.push(")");
                    q.build().execute(&mut **tx).await.doing("marking findings seen")?;
                }

                events.sort_by_key(|(id, _, _)| *id);
                for chunk in events.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO finding_events (finding_id, scan_id, at, kind, detail) ",
                    );
                    q.push_values(chunk, |mut row, (id, _, event)| {
                        row.push_bind(*id)
                            .push_bind(scan_id)
                            .push_bind(scan.now)
                            .push_bind(event.kind.as_str())
                            .push_bind(event.detail.as_str());
                    });
                    q.build().execute(&mut **tx).await.doing("recording finding history")?;
                }

                let tally = |k: EventKind| events.iter().filter(|(_, _, e)| e.kind == k).count();
                let open: Vec<(String, Option<String>, i64)> = sqlx::query_as(
                    "SELECT severity, informational, COUNT(*) FROM findings WHERE release_id = $1 AND state = 'open' \
                     GROUP BY severity, informational",
                )
                .bind(release_id)
                .fetch_all(&mut **tx)
                .await
                .doing("counting open findings")?;
                let mut by_severity = BTreeMap::new();
                let mut warnings = 0;
                for (severity, informational, n) in open {
                    let n = usize::try_from(n).unwrap_or(0);
                    if informational.is_some() {
                        warnings += n;
                        continue;
                    }
                    let level = SeverityLevel::parse(&severity).ok_or_else(|| StoreError::Corrupt {
                        what: "finding severity",
                        detail: severity.clone(),
                    })?;
                    *by_severity.entry(level).or_insert(0) += n;
                }
                let report = ScanReport {
                    release: scan.release.clone(),
                    scan: scan_id,
                    revision: scan.revision,
                    components: scan.components,
                    advisories: scan.advisories,
                    new: tally(EventKind::New),
                    resolved: tally(EventKind::Resolved),
                    reactivated: tally(EventKind::Reactivated),
                    changed: tally(EventKind::Changed),
                    warnings,
                    events: events
                        .iter()
                        .map(|(id, oi, e)| {
                            let (vuln, purl, severity) = match oi.and_then(|i| scan.observed.get(i)) {
                                Some(o) => (o.vuln.clone(), o.purl.clone(), o.severity.level),
                                None => {
                                    let s = stored_by_id.get(id);
                                    (
                                        old_vuln.get(id).cloned().unwrap_or_default(),
                                        s.map(|s| s.purl.clone()).unwrap_or_default(),
                                        s.map_or(SeverityLevel::High, |s| s.severity),
                                    )
                                }
                            };
                            ScanEvent { finding: *id, kind: e.kind, vuln, purl, severity, detail: e.detail.clone() }
                        })
                        .collect(),
                    open: by_severity,
                };
                sqlx::query(
                    "UPDATE scans SET open = $1, new = $2, resolved = $3, reactivated = $4, changed = $5 WHERE id = $6",
                )
                .bind(count(report.open.values().sum::<usize>()))
                .bind(count(report.new))
                .bind(count(report.resolved))
                .bind(count(report.reactivated))
                .bind(count(report.changed))
                .bind(scan_id)
                .execute(&mut **tx)
                .await
                .doing("recording the scan")?;
                Ok(report)
            }
        }
    };
}

findings_impl!(sqlite_findings, sqlx::Sqlite);
findings_impl!(postgres_findings, sqlx::Postgres);
