//! OSV records (schema ≤ 1.7) of every ecosystem: JSON, OSV-in-YAML (PyPA's advisory database),
//! JSON arrays of records, and osv.dev's per-ecosystem `all.zip` archives.
//!
//! Unknown fields are ignored; unknown ecosystems are kept with a warning; `MAL-*` records are
//! flagged malicious; withdrawn records are kept (matching skips them).

use std::str::FromStr;

use jiff::Timestamp;
use serde::Deserialize;
use vexil_version::EcosystemName;

use crate::ingest::archive::{self, Limits};
use crate::ingest::{IngestError, Location, Parsed};
use crate::model::{
    Advisory, Affected, Event, Feed, Package, Range, RangeKind, Reference, Severity, SeverityKind,
};

/// Parses one OSV document: a record, or a JSON array of records, in JSON or YAML; or a zip
/// archive of such documents (as osv.dev publishes `<Ecosystem>/all.zip`).
pub fn parse(bytes: &[u8], file: &str) -> Result<Parsed<Advisory>, IngestError> {
    if archive::is_zip(bytes) {
        return parse_zip(bytes, file, Limits::default());
    }
    parse_document(bytes, file, None)
}

/// Parses every `.json`/`.yaml`/`.yml` entry of a zip archive; other entries are skipped with a
/// warning. One bad entry fails the whole archive, naming the entry.
pub fn parse_zip(
    bytes: &[u8],
    file: &str,
    limits: Limits,
) -> Result<Parsed<Advisory>, IngestError> {
    let mut all = Parsed::default();
    parse_zip_batches(bytes, file, limits, usize::MAX, |batch| {
        all.extend(batch);
        Ok(())
    })?;
    Ok(all)
}

/// [`parse_zip`] handing records over in batches of about `batch`, so an archive of a million
/// records never sits in memory parsed. Stops at the first error, from the archive or `visit`.
pub fn parse_zip_batches(
    bytes: &[u8],
    file: &str,
    limits: Limits,
    batch: usize,
    mut visit: impl FnMut(Parsed<Advisory>) -> Result<(), IngestError>,
) -> Result<(), IngestError> {
    let mut parsed = Parsed::default();
    archive::zip_entries(bytes, file, limits, |entry| {
        let lower = entry.name.to_ascii_lowercase();
        if lower.ends_with(".json") || lower.ends_with(".yaml") || lower.ends_with(".yml") {
            parsed.extend(parse_document(&entry.bytes, file, Some(&entry.name))?);
        } else {
            parsed.warn(
                Location::file(file).with_entry(&entry.name),
                "skipped: not a `.json` or `.yaml` OSV record",
            );
        }
        if parsed.records.len() >= batch {
            visit(std::mem::take(&mut parsed))?;
        }
        Ok(())
    })?;
    if !parsed.records.is_empty() || !parsed.warnings.is_empty() {
        visit(parsed)?;
    }
    Ok(())
}

fn location(file: &str, entry: Option<&str>) -> Location {
    let mut location = Location::file(file);
    location.entry = entry.map(str::to_owned);
    location
}

fn parse_document(
    bytes: &[u8],
    file: &str,
    entry: Option<&str>,
) -> Result<Parsed<Advisory>, IngestError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        IngestError::new(
            location(file, entry),
            format!("not UTF-8 text: invalid byte at offset {}", e.valid_up_to()),
        )
    })?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let raw: Vec<RawRecord> = if trimmed.starts_with('[') {
        serde_json::from_str(trimmed).map_err(|e| IngestError::json(file, entry, &e))?
    } else if trimmed.starts_with('{') {
        vec![serde_json::from_str(trimmed).map_err(|e| IngestError::json(file, entry, &e))?]
    } else if trimmed.is_empty() {
        return Err(IngestError::new(
            location(file, entry),
            "empty file; expected an OSV record",
        ));
    } else {
        vec![serde_saphyr::from_str(trimmed).map_err(|e| {
            IngestError::new(
                location(file, entry),
                format!("not an OSV record in JSON or YAML: {e}"),
            )
        })?]
    };
    let mut parsed = Parsed::default();
    for (index, record) in raw.into_iter().enumerate() {
        let at = if trimmed.starts_with('[') {
            location(file, entry).field(format!("/{index}"))
        } else {
            location(file, entry)
        };
        let advisory = convert(record, &at, &mut parsed)?;
        parsed.records.push(advisory);
    }
    Ok(parsed)
}

/// An OSV record as written; only the fields Vexil uses. Unknown fields are ignored.
#[derive(Debug, Deserialize)]
struct RawRecord {
    #[serde(default)]
    schema_version: Option<String>,
    id: Option<String>,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    aliases: Option<Vec<String>>,
    #[serde(default)]
    upstream: Option<Vec<String>>,
    #[serde(default)]
    related: Option<Vec<String>>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    severity: Option<Vec<RawSeverity>>,
    #[serde(default)]
    affected: Option<Vec<RawAffected>>,
    #[serde(default)]
    references: Option<Vec<RawReference>>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct RawSeverity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Debug, Deserialize)]
struct RawAffected {
    #[serde(default)]
    package: Option<RawPackage>,
    #[serde(default)]
    ranges: Option<Vec<RawRange>>,
    #[serde(default)]
    versions: Option<Vec<String>>,
    #[serde(default)]
    severity: Option<Vec<RawSeverity>>,
    #[serde(default)]
    ecosystem_specific: Option<serde_json::Value>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct RawPackage {
    ecosystem: String,
    name: String,
    #[serde(default)]
    purl: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawRange {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    repo: Option<String>,
    events: Vec<std::collections::BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
struct RawReference {
    #[serde(rename = "type")]
    kind: String,
    url: String,
}

/// Raw → model, collecting warnings; errors for what makes a record unusable.
fn convert(
    raw: RawRecord,
    at: &Location,
    parsed: &mut Parsed<Advisory>,
) -> Result<Advisory, IngestError> {
    let id = match raw.id {
        Some(id) if !id.trim().is_empty() => id,
        _ => {
            return Err(IngestError::new(
                at.clone().field("id"),
                "expected an OSV record, which has an `id`; is this an OSV file?",
            ));
        }
    };
    if let Some(version) = &raw.schema_version
        && !(version.starts_with("1.") || version == "1")
    {
        parsed.warn(
            at.clone().field("schema_version"),
            format!("schema version `{version}` is newer than Vexil knows (1.x); read as 1.7"),
        );
    }
    let mut advisory = Advisory::new(id.clone(), Feed::Osv);
    advisory.modified = timestamp(raw.modified.as_deref(), at, "modified")?;
    if advisory.modified.is_none() {
        parsed.warn(
            at.clone().field("modified"),
            "no `modified` timestamp (required by OSV)",
        );
    }
    advisory.published = timestamp(raw.published.as_deref(), at, "published")?;
    advisory.withdrawn = timestamp(raw.withdrawn.as_deref(), at, "withdrawn")?;
    advisory.aliases = raw.aliases.unwrap_or_default();
    advisory.upstream = raw.upstream.unwrap_or_default();
    advisory.related = raw.related.unwrap_or_default();
    advisory.summary = raw.summary.filter(|s| !s.is_empty());
    advisory.details = raw.details.filter(|s| !s.is_empty());
    advisory.severity = severities(raw.severity.unwrap_or_default(), at, "severity")?;
    advisory.references = raw
        .references
        .unwrap_or_default()
        .into_iter()
        .map(|r| Reference {
            kind: r.kind,
            url: r.url,
        })
        .collect();
    if let Some(db) = &raw.database_specific {
        database_specific(db, &mut advisory);
    }
    for (i, affected) in raw.affected.unwrap_or_default().into_iter().enumerate() {
        let here = format!("affected/{i}");
        advisory
            .affected
            .push(convert_affected(affected, at, &here, parsed)?);
    }
    advisory.malicious = id.starts_with("MAL-") || advisory.malicious;
    advisory.informational = advisory
        .affected
        .iter()
        .filter_map(|a| a.database_specific.as_ref()?.get("informational")?.as_str())
        .map(str::to_owned)
        .next();
    Ok(advisory)
}

/// GHSA's severity label and CWE ids, and OSSF's malicious-package origins.
fn database_specific(db: &serde_json::Value, advisory: &mut Advisory) {
    if let Some(label) = db.get("severity").and_then(|v| v.as_str()) {
        advisory.severity.push(Severity {
            kind: SeverityKind::Label,
            score: label.to_owned(),
            source: Some("GHSA".to_owned()),
        });
    }
    if let Some(cwes) = db.get("cwe_ids").and_then(|v| v.as_array()) {
        advisory
            .cwes
            .extend(cwes.iter().filter_map(|c| c.as_str()).map(str::to_owned));
    }
    if db.get("malicious-packages-origins").is_some() {
        advisory.malicious = true;
    }
}

fn convert_affected(
    raw: RawAffected,
    at: &Location,
    here: &str,
    parsed: &mut Parsed<Advisory>,
) -> Result<Affected, IngestError> {
    let package = raw.package.map(|p| {
        if EcosystemName::from_str(&p.ecosystem).is_err() {
            parsed.warn(
                at.clone().field(format!("{here}/package/ecosystem")),
                format!(
                    "unknown ecosystem `{}`: kept, but Vexil cannot order its versions",
                    p.ecosystem
                ),
            );
        }
        Package {
            ecosystem: p.ecosystem,
            name: p.name,
            purl: p.purl,
        }
    });
    let mut ranges = Vec::new();
    for (j, range) in raw.ranges.unwrap_or_default().into_iter().enumerate() {
        ranges.push(convert_range(range, at, &format!("{here}/ranges/{j}"))?);
    }
    Ok(Affected {
        package,
        ranges,
        versions: raw.versions.unwrap_or_default(),
        severity: severities(
            raw.severity.unwrap_or_default(),
            at,
            &format!("{here}/severity"),
        )?,
        ecosystem_specific: raw.ecosystem_specific,
        database_specific: raw.database_specific,
        distro: None,
    })
}

fn convert_range(raw: RawRange, at: &Location, here: &str) -> Result<Range, IngestError> {
    let kind = match raw.kind.as_str() {
        "SEMVER" => RangeKind::Semver,
        "ECOSYSTEM" => RangeKind::Ecosystem,
        "GIT" => RangeKind::Git,
        other => {
            return Err(IngestError::new(
                at.clone().field(format!("{here}/type")),
                format!("expected `SEMVER`, `ECOSYSTEM` or `GIT`, found `{other}`"),
            ));
        }
    };
    let mut events = Vec::with_capacity(raw.events.len());
    for (k, event) in raw.events.into_iter().enumerate() {
        let field = || at.clone().field(format!("{here}/events/{k}"));
        let mut pairs = event.into_iter();
        let (Some((key, value)), None) = (pairs.next(), pairs.next()) else {
            return Err(IngestError::new(
                field(),
                "expected exactly one of `introduced`, `fixed`, `last_affected`, `limit`",
            ));
        };
        events.push(match key.as_str() {
            "introduced" => Event::Introduced(value),
            "fixed" => Event::Fixed(value),
            "last_affected" => Event::LastAffected(value),
            "limit" => Event::Limit(value),
            other => {
                return Err(IngestError::new(
                    field(),
                    format!(
                        "expected `introduced`, `fixed`, `last_affected` or `limit`, found `{other}`"
                    ),
                ));
            }
        });
    }
    Ok(Range {
        kind,
        repo: raw.repo,
        events,
    })
}

fn severities(
    raw: Vec<RawSeverity>,
    at: &Location,
    here: &str,
) -> Result<Vec<Severity>, IngestError> {
    raw.into_iter()
        .enumerate()
        .map(|(i, s)| {
            let kind = match s.kind.as_str() {
                "CVSS_V2" => SeverityKind::CvssV2,
                "CVSS_V3" => SeverityKind::CvssV3,
                "CVSS_V4" => SeverityKind::CvssV4,
                "Ubuntu" => SeverityKind::Ubuntu,
                other => {
                    return Err(IngestError::new(
                        at.clone().field(format!("{here}/{i}/type")),
                        format!(
                            "expected `CVSS_V2`, `CVSS_V3`, `CVSS_V4` or `Ubuntu`, found `{other}`"
                        ),
                    ));
                }
            };
            Ok(Severity {
                kind,
                score: s.score,
                source: None,
            })
        })
        .collect()
}

/// RFC 3339; a timestamp without a zone is UTC.
fn timestamp(
    value: Option<&str>,
    at: &Location,
    field: &str,
) -> Result<Option<Timestamp>, IngestError> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Ok(ts) = value.parse::<Timestamp>() {
        return Ok(Some(ts));
    }
    value
        .parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|dt| jiff::tz::Offset::UTC.to_timestamp(dt).ok())
        .map(Some)
        .ok_or_else(|| {
            IngestError::new(
                at.clone().field(field),
                format!(
                    "expected an RFC 3339 timestamp like `2024-01-31T12:00:00Z`, found `{value}`"
                ),
            )
        })
}
