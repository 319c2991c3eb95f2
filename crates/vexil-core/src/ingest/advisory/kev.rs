//! CISA's Known Exploited Vulnerabilities catalogue, as its JSON or its CSV form, into
//! [`KevEntry`] records plus the catalogue's version and release time. Pure: no I/O, no clock.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::{Map, Value};

use crate::ingest::archive::Limits;
use crate::ingest::{IngestError, Location, Parsed};
use crate::model::KevEntry;

/// The whole catalogue: its entries and, from the JSON form, its version and release time.
///
/// The CSV form carries neither, so `version` and `released` are `None` for it.
#[derive(Clone, Debug, PartialEq)]
pub struct KevCatalog {
    /// `catalogVersion`, e.g. `2025.08.25`.
    pub version: Option<String>,
    /// `dateReleased`; a time without a zone is taken as UTC.
    pub released: Option<Timestamp>,
    pub entries: Parsed<KevEntry>,
}

/// The CSV header CISA publishes, in its order (kev-data `known_exploited_vulnerabilities.csv`).
const CSV_HEADER: &str = "cveID,vendorProject,product,vulnerabilityName,dateAdded,\
                          shortDescription,requiredAction,dueDate,knownRansomwareCampaignUse,\
                          notes,cwes";

/// Parses the catalogue (JSON or CSV, told apart by content) and returns its entries.
/// Use [`parse_catalog`] to also get the catalogue's version and release time.
pub fn parse(bytes: &[u8], file: &str) -> Result<Parsed<KevEntry>, IngestError> {
    parse_catalog(bytes, file).map(|catalog| catalog.entries)
}

/// Parses the catalogue, JSON or CSV, told apart by its first non-blank byte (`{` is JSON, a
/// `cveID,…` header is CSV). Warns when the JSON `count` disagrees with the entries listed.
pub fn parse_catalog(bytes: &[u8], file: &str) -> Result<KevCatalog, IngestError> {
    check_size(bytes, file)?;
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = bytes.trim_ascii_start();
    if start.starts_with(b"{") {
        parse_json(bytes, file)
    } else if start.starts_with(b"cveID,") || start.starts_with(b"\"cveID\",") {
        parse_csv(bytes, file)
    } else {
        Err(IngestError::new(
            Location::file(file),
            format!(
                "this looks like {}; expected the CISA KEV catalogue as JSON \
                 (`{{\"catalogVersion\": …, \"vulnerabilities\": […]}}`) or CSV (header `{CSV_HEADER}`)",
                describe_start(bytes)
            ),
        ))
    }
}

/// Refuses input larger than an archive entry may expand to: a feed file is never that big.
pub(crate) fn check_size(bytes: &[u8], file: &str) -> Result<(), IngestError> {
    let cap = Limits::default().max_entry_bytes;
    if bytes.len() as u64 > cap {
        return Err(IngestError::new(
            Location::file(file),
            format!(
                "the file is {} bytes, more than the {cap} accepted",
                bytes.len()
            ),
        ));
    }
    Ok(())
}

/// A few words on what the start of a file looks like, for wrong-format errors.
pub(crate) fn describe_start(bytes: &[u8]) -> String {
    let start = bytes.trim_ascii_start();
    if start.is_empty() {
        return "an empty file".to_owned();
    }
    if start.starts_with(&[0x1f, 0x8b]) {
        return "gzip-compressed data".to_owned();
    }
    if start.starts_with(b"PK\x03\x04") {
        return "a zip archive".to_owned();
    }
    if start.starts_with(b"<") {
        return "HTML or XML".to_owned();
    }
    if start.starts_with(b"{") || start.starts_with(b"[") {
        return "JSON".to_owned();
    }
    let first_line = start.split(|&b| b == b'\n').next().unwrap_or_default();
    match std::str::from_utf8(first_line) {
        Ok(line) => format!("text starting `{}`", shown(line.trim_end())),
        Err(_) => "binary data (not UTF-8 text)".to_owned(),
    }
}

/// An untrusted value for a message: control characters escaped, cut after 60 characters.
pub(crate) fn shown(value: &str) -> String {
    let mut out: String = value
        .chars()
        .take(60)
        .flat_map(char::escape_debug)
        .collect();
    if value.chars().nth(60).is_some() {
        out.push('…');
    }
    out
}

/// Whether `id` is a CVE id as the KEV schema states it: `^CVE-[0-9]{4}-[0-9]{4,19}$`.
pub(crate) fn is_cve_id(id: &str) -> bool {
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    match id
        .strip_prefix("CVE-")
        .and_then(|rest| rest.split_once('-'))
    {
        Some((year, number)) => {
            year.len() == 4
                && all_digits(year)
                && (4..=19).contains(&number.len())
                && all_digits(number)
        }
        None => false,
    }
}

/// A calendar date written exactly `YYYY-MM-DD` (the KEV schema's `format: date`).
fn parse_ymd(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    let year = text.get(0..4)?.parse().ok()?;
    let month = text.get(5..7)?.parse().ok()?;
    let day = text.get(8..10)?.parse().ok()?;
    Date::new(year, month, day).ok()
}

/// An RFC 3339 / ISO 8601 date-time; without an offset it is UTC, a bare date is midnight UTC.
pub(crate) fn parse_timestamp(text: &str) -> Option<Timestamp> {
    use jiff::fmt::temporal::{Pieces, PiecesOffset};
    let pieces = Pieces::parse(text).ok()?;
    let datetime = pieces.date().to_datetime(pieces.time().unwrap_or_default());
    let offset = match pieces.offset() {
        Some(PiecesOffset::Numeric(numeric)) => numeric.offset(),
        Some(PiecesOffset::Zulu) | None => jiff::tz::Offset::UTC,
        Some(_) => return None,
    };
    offset.to_timestamp(datetime).ok()
}

/// One entry's fields as read from JSON or CSV, before validation.
struct RawEntry {
    cve: Option<String>,
    vendor_project: Option<String>,
    product: Option<String>,
    vulnerability_name: Option<String>,
    date_added: Option<String>,
    due_date: Option<String>,
    ransomware: Option<String>,
    required_action: Option<String>,
    cwes: Vec<String>,
}

/// Checks one entry and makes the model's record; `at(field)` locates a field of this entry.
fn validate(
    raw: RawEntry,
    at: &dyn Fn(&str) -> Location,
    parsed: &mut Parsed<KevEntry>,
) -> Result<KevEntry, IngestError> {
    let required = |value: Option<String>, field: &str| {
        value.ok_or_else(|| {
            IngestError::new(at(field), "missing; the KEV schema requires it".to_owned())
        })
    };
    let cve = required(raw.cve, "cveID")?;
    if !is_cve_id(&cve) {
        return Err(IngestError::new(
            at("cveID"),
            format!(
                "expected a CVE id like `CVE-2024-3094`, found `{}`",
                shown(&cve)
            ),
        ));
    }
    let date = |value: &str, field: &str| {
        parse_ymd(value).ok_or_else(|| {
            IngestError::new(
                at(field),
                format!(
                    "`{cve}`: expected a date like `2024-01-31`, found `{}`",
                    shown(value)
                ),
            )
        })
    };
    let date_added = date(&required(raw.date_added, "dateAdded")?, "dateAdded")?;
    let due_date = match raw.due_date.filter(|d| !d.is_empty()) {
        Some(due) => Some(date(&due, "dueDate")?),
        None => {
            parsed.warn(at("dueDate"), format!("`{cve}` has no due date"));
            None
        }
    };
    // The field came in October 2022; the schema says `Unknown` means "CISA lacks confirmation",
    // which is also what an entry without it tells us.
    let ransomware = raw.ransomware.filter(|r| !r.is_empty());
    let known_ransomware_campaign_use = ransomware.unwrap_or_else(|| "Unknown".to_owned());
    if !matches!(known_ransomware_campaign_use.as_str(), "Known" | "Unknown") {
        parsed.warn(
            at("knownRansomwareCampaignUse"),
            format!(
                "`{cve}`: expected `Known` or `Unknown`, found `{}`; kept as is",
                shown(&known_ransomware_campaign_use)
            ),
        );
    }
    let mut cwes = Vec::new();
    for cwe in raw.cwes {
        // Schema: `^CWE-([0-9])+$`. Anything else (`NVD-CWE-noinfo`) is dropped, not guessed at.
        if cwe
            .strip_prefix("CWE-")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        {
            cwes.push(cwe);
        } else {
            parsed.warn(
                at("cwes"),
                format!(
                    "`{cve}`: expected a CWE id like `CWE-79`, found `{}`; dropped",
                    shown(&cwe)
                ),
            );
        }
    }
    Ok(KevEntry {
        vendor_project: required(raw.vendor_project, "vendorProject")?,
        product: required(raw.product, "product")?,
        vulnerability_name: required(raw.vulnerability_name, "vulnerabilityName")?,
        date_added,
        due_date,
        known_ransomware_campaign_use,
        required_action: raw.required_action.unwrap_or_default(),
        cwes,
        cve,
    })
}

/// Warns about a CVE listed twice (both entries are kept: they may differ and a user should see it).
fn warn_duplicate(
    seen: &mut HashMap<String, String>,
    entry: &KevEntry,
    here: String,
    at: Location,
    parsed: &mut Parsed<KevEntry>,
) {
    if let Some(first) = seen.get(&entry.cve) {
        parsed.warn(
            at,
            format!("`{}` is listed again (first at {first})", entry.cve),
        );
    } else {
        seen.insert(entry.cve.clone(), here);
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A string member; absent or `null` is `None`, any other type an error at `field`.
fn string_member(
    object: &Map<String, Value>,
    key: &str,
    at: &dyn Fn(&str) -> Location,
) -> Result<Option<String>, IngestError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(IngestError::new(
            at(key),
            format!("expected a string, found {}", kind(other)),
        )),
    }
}

fn parse_json(bytes: &[u8], file: &str) -> Result<KevCatalog, IngestError> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| IngestError::json(file, None, &e))?;
    let top_at = |field: &str| Location::file(file).field(field);
    let top = match value {
        Value::Object(top) if top.contains_key("catalogVersion") => top,
        Value::Object(top) => {
            let keys: Vec<String> = top.keys().take(8).map(|k| shown(k)).collect();
            return Err(IngestError::new(
                Location::file(file),
                format!(
                    "this JSON object has keys `{}`; expected the CISA KEV catalogue, an object \
                     with `catalogVersion`, `dateReleased`, `count` and `vulnerabilities`",
                    keys.join("`, `")
                ),
            ));
        }
        other => {
            return Err(IngestError::new(
                Location::file(file),
                format!(
                    "expected the CISA KEV catalogue object, found {}",
                    kind(&other)
                ),
            ));
        }
    };
    let mut entries = Parsed::default();
    let version = string_member(&top, "catalogVersion", &top_at)?;
    let released = match string_member(&top, "dateReleased", &top_at)? {
        Some(text) => Some(parse_timestamp(&text).ok_or_else(|| {
            IngestError::new(
                top_at("dateReleased"),
                format!(
                    "expected a date-time like `2025-08-25T17:04:19.9796Z`, found `{}`",
                    shown(&text)
                ),
            )
        })?),
        None => {
            entries.warn(top_at("dateReleased"), "the catalogue has no release time");
            None
        }
    };
    let vulnerabilities = match top.get("vulnerabilities") {
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(IngestError::new(
                top_at("vulnerabilities"),
                format!("expected an array, found {}", kind(other)),
            ));
        }
        None => return Err(IngestError::new(top_at("vulnerabilities"), "missing")),
    };
    let mut seen = HashMap::new();
    for (index, item) in vulnerabilities.iter().enumerate() {
        let at =
            |field: &str| Location::file(file).field(format!("vulnerabilities/{index}/{field}"));
        let Value::Object(object) = item else {
            return Err(IngestError::new(
                Location::file(file).field(format!("vulnerabilities/{index}")),
                format!("expected an object, found {}", kind(item)),
            ));
        };
        let raw = raw_from_json(object, &at)?;
        let entry = validate(raw, &at, &mut entries)?;
        let here = format!("`vulnerabilities/{index}`");
        warn_duplicate(&mut seen, &entry, here, at("cveID"), &mut entries);
        entries.records.push(entry);
    }
    check_count(&top, &mut entries, &top_at)?;
    Ok(KevCatalog {
        version,
        released,
        entries,
    })
}

fn raw_from_json(
    object: &Map<String, Value>,
    at: &dyn Fn(&str) -> Location,
) -> Result<RawEntry, IngestError> {
    let cwes = match object.get("cwes") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let mut cwes = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => cwes.push(s.clone()),
                    other => {
                        return Err(IngestError::new(
                            at(&format!("cwes/{i}")),
                            format!("expected a string, found {}", kind(other)),
                        ));
                    }
                }
            }
            cwes
        }
        Some(other) => {
            return Err(IngestError::new(
                at("cwes"),
                format!("expected an array of CWE ids, found {}", kind(other)),
            ));
        }
    };
    Ok(RawEntry {
        cve: string_member(object, "cveID", at)?,
        vendor_project: string_member(object, "vendorProject", at)?,
        product: string_member(object, "product", at)?,
        vulnerability_name: string_member(object, "vulnerabilityName", at)?,
        date_added: string_member(object, "dateAdded", at)?,
        due_date: string_member(object, "dueDate", at)?,
        ransomware: string_member(object, "knownRansomwareCampaignUse", at)?,
        required_action: string_member(object, "requiredAction", at)?,
        cwes,
    })
}

/// `count` is the catalogue's own tally; a mismatch means a truncated or edited file.
fn check_count(
    top: &Map<String, Value>,
    entries: &mut Parsed<KevEntry>,
    at: &dyn Fn(&str) -> Location,
) -> Result<(), IngestError> {
    let listed = entries.records.len();
    match top.get("count") {
        None | Some(Value::Null) => entries.warn(at("count"), "the catalogue has no `count`"),
        Some(Value::Number(n)) if n.as_u64().is_some() => {
            if n.as_u64() != Some(listed as u64) {
                entries.warn(
                    at("count"),
                    format!("the catalogue says `count: {n}` but lists {listed} entries"),
                );
            }
        }
        Some(other) => {
            return Err(IngestError::new(
                at("count"),
                format!("expected a whole number, found {}", kind(other)),
            ));
        }
    }
    Ok(())
}

fn csv_error(file: &str, err: &csv::Error) -> IngestError {
    let mut location = Location::file(file);
    location.line = err.position().map(|p| p.line() as usize);
    let message = match err.kind() {
        csv::ErrorKind::Utf8 { err, .. } => {
            format!(
                "invalid UTF-8 in field {}; expected UTF-8 text",
                err.field() + 1
            )
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("expected {expected_len} fields as in the header, found {len} (truncated?)")
        }
        _ => format!("cannot read the CSV: {err}"),
    };
    IngestError::new(location, message)
}

fn parse_csv(bytes: &[u8], file: &str) -> Result<KevCatalog, IngestError> {
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let header = reader.headers().map_err(|e| csv_error(file, &e))?.clone();
    let column = |name: &str| header.iter().position(|h| h == name);
    for name in [
        "cveID",
        "vendorProject",
        "product",
        "vulnerabilityName",
        "dateAdded",
    ] {
        if column(name).is_none() {
            let mut location = Location::file(file).field(name);
            location.line = Some(1);
            return Err(IngestError::new(
                location,
                format!("the header has no `{name}` column; expected `{CSV_HEADER}`"),
            ));
        }
    }
    let columns = [
        "cveID",
        "vendorProject",
        "product",
        "vulnerabilityName",
        "dateAdded",
        "dueDate",
        "knownRansomwareCampaignUse",
        "requiredAction",
        "cwes",
    ]
    .map(column);
    let mut entries = Parsed::default();
    let mut seen = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(file, &e))?;
        let line = record.position().map(|p| p.line() as usize);
        let at = |field: &str| {
            let mut location = Location::file(file).field(field);
            location.line = line;
            location
        };
        let get = |i: usize| {
            let index = columns.get(i).copied().flatten()?;
            record.get(index).map(str::to_owned)
        };
        // The CSV joins `cwes` with `, ` (kev-data: `"CWE-59, CWE-436"`).
        let cwes = get(8).unwrap_or_default();
        let raw = RawEntry {
            cve: get(0),
            vendor_project: get(1),
            product: get(2),
            vulnerability_name: get(3),
            date_added: get(4),
            due_date: get(5),
            ransomware: get(6),
            required_action: get(7),
            cwes: cwes
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
        };
        let entry = validate(raw, &at, &mut entries)?;
        let here = format!("line {}", line.unwrap_or_default());
        warn_duplicate(&mut seen, &entry, here, at("cveID"), &mut entries);
        entries.records.push(entry);
    }
    Ok(KevCatalog {
        version: None,
        released: None,
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict() {
        assert_eq!(
            parse_ymd("2024-02-29"),
            Some(jiff::civil::date(2024, 2, 29))
        );
        for bad in [
            "2023-02-29",
            "2024-2-29",
            "20240229",
            "2024-02-29T00:00",
            "",
            "２０２４-02-29",
        ] {
            assert_eq!(parse_ymd(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_without_a_zone_are_utc() {
        let utc: Timestamp = "2025-08-25T17:04:19Z".parse().unwrap();
        assert_eq!(parse_timestamp("2025-08-25T17:04:19"), Some(utc));
        assert_eq!(parse_timestamp("2025-08-25T19:04:19+0200"), Some(utc));
        assert_eq!(
            parse_timestamp("2025-08-25T17:04:19.9796Z").map(|t| t.subsec_nanosecond()),
            Some(979_600_000)
        );
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    #[test]
    fn cve_ids_follow_the_schema() {
        assert!(is_cve_id("CVE-2021-44228"));
        assert!(is_cve_id("CVE-2024-1234567"));
        for bad in [
            "CVE-21-44228",
            "CVE-2021-123",
            "cve-2021-44228",
            "CVE-2021-4422a",
            "GHSA-x",
        ] {
            assert!(!is_cve_id(bad), "{bad}");
        }
    }

    #[test]
    fn shown_values_are_escaped_and_cut() {
        assert_eq!(shown("a\nb"), "a\\nb");
        assert_eq!(shown(&"x".repeat(70)).chars().count(), 61);
    }
}
