//! The Debian Security Tracker's source text lists — `data/CVE/list` (per-CVE package states)
//! and `data/DSA/list` / `data/DLA/list` (advisories with their CVEs and fixed versions) — into
//! advisories, the same shape the tracker's JSON export gives. Pure: bytes in, records out.

use jiff::civil::Date;

use crate::ingest::{IngestError, Location, Parsed};
use crate::model::{Advisory, Affected, DistroNote, Event, Feed, Package, Range, RangeKind};

/// Which list a text is, told from its first entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    /// `data/CVE/list`: `CVE-… (description)` entries.
    Cve,
    /// `data/DSA/list`, `data/DLA/list`: `[date] DSA-… package - description` entries.
    Advisories,
}

/// Whether `text` looks like one of the tracker's lists, and which.
pub fn detect(bytes: &[u8]) -> Option<ListKind> {
    let text = std::str::from_utf8(bytes.get(..bytes.len().min(4096))?)
        .ok()
        .or_else(|| {
            // A cut in the middle of a UTF-8 sequence: look at the valid prefix.
            let valid = std::str::from_utf8(bytes).err()?.valid_up_to();
            std::str::from_utf8(&bytes[..valid.min(4096)]).ok()
        })?;
    let first = text.lines().find(|l| !l.trim().is_empty())?;
    if first.starts_with("CVE-") {
        Some(ListKind::Cve)
    } else if first.starts_with('[') {
        Some(ListKind::Advisories)
    } else {
        None
    }
}

/// Parses a tracker list (either kind, told from content).
pub fn parse(bytes: &[u8], file: &str) -> Result<Parsed<Advisory>, IngestError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        IngestError::new(
            Location::file(file),
            format!("not UTF-8 text: invalid byte at offset {}", e.valid_up_to()),
        )
    })?;
    match detect(bytes) {
        Some(ListKind::Cve) => parse_cve_list(text, file),
        Some(ListKind::Advisories) => parse_advisory_list(text, file),
        None => Err(IngestError::new(
            Location::file(file).at(1, 1),
            "expected a Debian Security Tracker list: `CVE-…` entries (data/CVE/list) or \
             `[DD Mon YYYY] DSA-…` entries (data/DSA/list, data/DLA/list)",
        )),
    }
}

/// An entry line's package state: `[release] - package version-or-<tag> (notes)`.
struct State<'a> {
    release: &'a str,
    package: &'a str,
    value: &'a str,
    notes: Option<&'a str>,
}

/// Reads `- package value (notes)` after an optional `[release] `; `None` if not that shape.
fn package_state(line: &str) -> Option<State<'_>> {
    let (release, rest) = match line.strip_prefix('[') {
        Some(rest) => {
            let (release, rest) = rest.split_once(']')?;
            (release, rest.trim_start())
        }
        None => ("sid", line),
    };
    let rest = rest.strip_prefix("- ")?;
    let (head, notes) = match rest.split_once(" (") {
        Some((head, notes)) => (head, Some(notes.trim_end().trim_end_matches(')'))),
        None => (rest, None),
    };
    let mut words = head.split_whitespace();
    let package = words.next()?;
    let value = words.next().unwrap_or("");
    Some(State {
        release,
        package,
        value,
        notes,
    })
}

const URGENCIES: &[&str] = &["unimportant", "low", "medium", "high", "not yet assigned"];

/// The package state as an `Affected` entry, the same way the JSON tracker's states map.
fn affected(state: &State<'_>) -> Affected {
    let mut note = DistroNote {
        release: Some(state.release.to_owned()),
        ..DistroNote::default()
    };
    let mut ranges = Vec::new();
    match state.value {
        "<not-affected>" => note.never_affected = true,
        "<unfixed>" => {
            note.status = Some("open".into());
            ranges.push(Range {
                kind: RangeKind::Ecosystem,
                repo: None,
                events: vec![Event::Introduced("0".into())],
            });
        }
        "<no-dsa>" | "<ignored>" | "<postponed>" => {
            note.status = Some("open".into());
            note.nodsa = true;
            note.nodsa_reason = state.notes.map(str::to_owned);
            ranges.push(Range {
                kind: RangeKind::Ecosystem,
                repo: None,
                events: vec![Event::Introduced("0".into())],
            });
        }
        "<undetermined>" => note.status = Some("undetermined".into()),
        tag if tag.starts_with('<') => note.status = Some(tag.trim_matches(['<', '>']).to_owned()),
        "" => note.status = Some("undetermined".into()),
        version => {
            note.status = Some("resolved".into());
            ranges.push(Range {
                kind: RangeKind::Ecosystem,
                repo: None,
                events: vec![
                    Event::Introduced("0".into()),
                    Event::Fixed(version.to_owned()),
                ],
            });
        }
    }
    if !note.nodsa
        && let Some(notes) = state.notes
    {
        for part in notes.split(';').map(str::trim) {
            let (urgency, unconfirmed) = match part.strip_suffix("**") {
                Some(u) => (u, true),
                None => (part, false),
            };
            if URGENCIES.contains(&urgency) {
                note.urgency = Some(urgency.to_owned());
                note.urgency_unconfirmed = unconfirmed;
            }
        }
    }
    Affected {
        package: Some(Package {
            ecosystem: format!("Debian:{}", state.release),
            name: state.package.to_owned(),
            purl: None,
        }),
        ranges,
        distro: Some(note),
        ..Affected::default()
    }
}

/// One entry of a list: its header line (unindented), the header's line number, and the
/// trimmed indented lines under it. Blank lines are skipped.
struct Entry<'a> {
    line: usize,
    header: &'a str,
    body: Vec<&'a str>,
}

fn entries(text: &str) -> Vec<Entry<'_>> {
    let mut out: Vec<Entry<'_>> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            // Lines before the first header belong to no entry.
            if let Some(entry) = out.last_mut() {
                entry.body.push(line.trim());
            }
        } else {
            out.push(Entry {
                line: index + 1,
                header: line,
                body: Vec::new(),
            });
        }
    }
    out
}

fn parse_cve_list(text: &str, file: &str) -> Result<Parsed<Advisory>, IngestError> {
    let mut parsed = Parsed::default();
    for entry in entries(text) {
        let (id, rest) = entry.header.split_once(' ').unwrap_or((entry.header, ""));
        if !id.starts_with("CVE-") {
            return Err(IngestError::new(
                Location::file(file).at(entry.line, 1),
                format!(
                    "expected an entry starting `CVE-YYYY-NNNN`, found `{}`",
                    shown(entry.header)
                ),
            ));
        }
        if id.ends_with("XXXX") {
            // The tracker's placeholder for an issue still waiting for its CVE id.
            parsed.warn(
                Location::file(file).at(entry.line, 1),
                format!("skipped `{id}`: no CVE id assigned yet"),
            );
            continue;
        }
        let mut advisory = Advisory::new(id, Feed::Debian);
        let description = rest
            .trim()
            .trim_start_matches(['(', '['])
            .trim_end_matches([')', ']']);
        advisory.details = Some(description.to_owned()).filter(|d| !d.is_empty());
        read_body(&mut advisory, &entry.body);
        parsed.records.push(advisory);
    }
    Ok(parsed)
}

fn parse_advisory_list(text: &str, file: &str) -> Result<Parsed<Advisory>, IngestError> {
    let mut parsed = Parsed::default();
    for entry in entries(text) {
        let mut advisory = advisory_header(entry.header, file, entry.line)?;
        read_body(&mut advisory, &entry.body);
        parsed.records.push(advisory);
    }
    Ok(parsed)
}

/// The lines under a header: package states, and `{…}` cross-references (CVEs of a DSA, DSAs
/// of a CVE), which are aliases. Notes and TODOs are not data.
fn read_body(advisory: &mut Advisory, body: &[&str]) {
    for line in body {
        if let Some(ids) = line.strip_prefix('{').and_then(|b| b.strip_suffix('}')) {
            advisory
                .aliases
                .extend(ids.split_whitespace().map(str::to_owned));
        } else if let Some(state) = package_state(line) {
            advisory.affected.push(affected(&state));
        }
    }
}

/// `[DD Mon YYYY] DSA-NNNN-N package - description`.
fn advisory_header(line: &str, file: &str, number: usize) -> Result<Advisory, IngestError> {
    let expected = |found: &str| {
        IngestError::new(
            Location::file(file).at(number, 1),
            format!(
                "expected an entry header like `[11 Jul 2019] DSA-4480-1 redis - security update`, {found}"
            ),
        )
    };
    let rest = line
        .strip_prefix('[')
        .ok_or_else(|| expected("found no `[date]`"))?;
    let (date, rest) = rest
        .split_once(']')
        .ok_or_else(|| expected("found no `]` after the date"))?;
    let date = parse_date(date).ok_or_else(|| expected(&format!("found the date `{date}`")))?;
    let mut words = rest.split_whitespace();
    let id = words.next().unwrap_or("");
    let known = ["DSA-", "DLA-", "DTSA-"].iter().any(|p| id.starts_with(p))
        && id
            .split('-')
            .nth(1)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if !known {
        return Err(expected(&format!("found `{}`", shown(rest.trim()))));
    }
    let mut advisory = Advisory::new(id, Feed::Debian);
    advisory.summary = Some(words.collect::<Vec<_>>().join(" ")).filter(|s| !s.is_empty());
    advisory.published = jiff::tz::Offset::UTC.to_timestamp(date.at(0, 0, 0, 0)).ok();
    Ok(advisory)
}

/// `11 Jul 2019`.
fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.split_whitespace();
    let day: i8 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i16 = parts.next()?.parse().ok()?;
    Date::new(year, month, day).ok()
}

/// A line shortened for an error message.
fn shown(line: &str) -> String {
    let mut shown: String = line.chars().take(60).collect();
    if line.chars().count() > 60 {
        shown.push('…');
    }
    shown
}
