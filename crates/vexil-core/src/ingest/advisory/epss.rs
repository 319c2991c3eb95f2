//! FIRST's EPSS scores CSV (`epss_scores-current.csv`, plain or gzip) into [`EpssScore`]
//! records, each carrying the file's model version and score date. Pure: no I/O, no clock.

use std::collections::HashMap;

use jiff::civil::Date;

use crate::ingest::advisory::kev::{check_size, describe_start, is_cve_id, shown};
use crate::ingest::archive::{self, Limits};
use crate::ingest::{IngestError, Location, Parsed};
use crate::model::EpssScore;

/// The header every EPSS CSV has since percentiles were added (FIRST, EPSS data dictionary).
const HEADER: &str = "cve,epss,percentile";

/// What the first line `#model_version:v2026.06.15,score_date:2026-09-29T12:00:22Z` says.
#[derive(Default)]
struct Meta {
    model_version: Option<String>,
    score_date: Option<Date>,
}

/// Parses an EPSS CSV, plain or gzip-compressed (told apart by the gzip magic bytes).
///
/// The leading `#model_version:…,score_date:…` line feeds `model_version` and `score_date` of
/// every score. A file without that line, or without `score_date` in it, is still read — the
/// scores are valid and the policy thresholds need them — with a warning and `score_date: None`,
/// so the feed's age falls back on when it was fetched. A `score_date` present but unreadable is
/// an error: it means a corrupt or different file. Blank lines are skipped; anything else that
/// is not `CVE-…,<0..=1>,<0..=1>` is an error naming the line and column.
pub fn parse(bytes: &[u8], file: &str) -> Result<Parsed<EpssScore>, IngestError> {
    let expanded;
    let bytes = if archive::is_gzip(bytes) {
        expanded = archive::gunzip(bytes, file, Limits::default())?;
        expanded.as_slice()
    } else {
        check_size(bytes, file)?;
        bytes
    };
    let text = utf8(bytes, file)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().map(|(i, line)| (i + 1, line));
    let mut parsed = Parsed::default();
    let Some((first_number, first)) = lines.next() else {
        return Err(wrong_format(file, 1, bytes));
    };
    let (meta, header) = match first.strip_prefix('#') {
        Some(comment) => (read_meta(comment, file, &mut parsed)?, lines.next()),
        None if first.trim() != HEADER => {
            return Err(IngestError::new(
                line_at(file, first_number),
                format!(
                    "this looks like {}; expected FIRST's EPSS CSV, starting with \
                     `#model_version:…,score_date:…` or the header `{HEADER}`",
                    describe_start(bytes)
                ),
            ));
        }
        None => {
            parsed.warn(
                line_at(file, first_number),
                "no `#model_version:…,score_date:…` line: scores kept without model version \
                 or date, so their age cannot be judged",
            );
            (Meta::default(), Some((first_number, first)))
        }
    };
    match header {
        Some((_, line)) if line.trim() == HEADER => {}
        Some((number, line)) => {
            return Err(IngestError::new(
                line_at(file, number),
                format!("expected the header `{HEADER}`, found `{}`", shown(line)),
            ));
        }
        None => return Err(wrong_format(file, first_number + 1, bytes)),
    }
    let mut seen = HashMap::new();
    for (number, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let score = read_row(line, number, file, &meta)?;
        if let Some(first) = seen.insert(score.cve.clone(), number) {
            parsed.warn(
                line_at(file, number),
                format!("`{}` is scored again (first on line {first})", score.cve),
            );
        }
        parsed.records.push(score);
    }
    Ok(parsed)
}

fn line_at(file: &str, line: usize) -> Location {
    let mut location = Location::file(file);
    location.line = Some(line);
    location
}

fn wrong_format(file: &str, line: usize, bytes: &[u8]) -> IngestError {
    IngestError::new(
        line_at(file, line),
        format!(
            "the file ends before the header; expected FIRST's EPSS CSV: \
             `#model_version:…,score_date:…`, then `{HEADER}`, then rows (this looks like {})",
            describe_start(bytes)
        ),
    )
}

/// The text, or an error naming the line and column of the first byte that is not UTF-8.
fn utf8<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, IngestError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let before = bytes.get(..e.valid_up_to()).unwrap_or_default();
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(before.get(line_start..).unwrap_or_default())
            .chars()
            .count()
            + 1;
        IngestError::new(
            Location::file(file).at(line, column),
            format!(
                "invalid UTF-8; expected FIRST's EPSS CSV text (this looks like {})",
                describe_start(bytes)
            ),
        )
    })
}

/// Reads `model_version:…,score_date:…`; unknown keys are ignored (FIRST may add some).
fn read_meta(
    comment: &str,
    file: &str,
    parsed: &mut Parsed<EpssScore>,
) -> Result<Meta, IngestError> {
    let mut meta = Meta::default();
    for pair in comment.split(',') {
        // `split_once` on the first `:` only: the date-time has colons of its own.
        match pair.trim().split_once(':') {
            Some(("model_version", version)) if !version.trim().is_empty() => {
                meta.model_version = Some(version.trim().to_owned());
            }
            Some(("score_date", date)) => meta.score_date = Some(score_date(date.trim(), file)?),
            _ => {}
        }
    }
    if meta.model_version.is_none() {
        parsed.warn(
            line_at(file, 1).field("model_version"),
            "no `model_version` in the first line: scores kept without it",
        );
    }
    if meta.score_date.is_none() {
        parsed.warn(
            line_at(file, 1).field("score_date"),
            "no `score_date` in the first line: scores kept without a date, so their age \
             cannot be judged",
        );
    }
    Ok(meta)
}

/// The civil date as written: `2026-09-29T12:00:22Z`, `2025-02-20T00:00:00+0000` (files before
/// 2025), or a bare `2025-02-20`.
fn score_date(text: &str, file: &str) -> Result<Date, IngestError> {
    jiff::fmt::temporal::Pieces::parse(text)
        .map(|pieces| pieces.date())
        .map_err(|_| {
            IngestError::new(
                line_at(file, 1).field("score_date"),
                format!(
                    "expected a date-time like `2026-09-29T12:00:22Z`, found `{}`",
                    shown(text)
                ),
            )
        })
}

/// One `CVE-…,epss,percentile` row.
fn read_row(line: &str, number: usize, file: &str, meta: &Meta) -> Result<EpssScore, IngestError> {
    let mut fields = Vec::with_capacity(3);
    let mut offset = 0;
    for field in line.split(',') {
        let column = line.get(..offset).unwrap_or_default().chars().count() + 1;
        fields.push((field.trim(), column));
        offset += field.len() + 1;
    }
    let [
        (cve, cve_column),
        (epss, epss_column),
        (percentile, percentile_column),
    ] = fields[..]
    else {
        return Err(IngestError::new(
            line_at(file, number),
            format!(
                "expected 3 fields `{HEADER}`, found {}: `{}`",
                fields.len(),
                shown(line)
            ),
        ));
    };
    if !is_cve_id(cve) {
        return Err(IngestError::new(
            Location::file(file).at(number, cve_column).field("cve"),
            format!(
                "expected a CVE id like `CVE-2024-3094`, found `{}`",
                shown(cve)
            ),
        ));
    }
    let probability = |text: &str, column: usize, field: &str| {
        text.parse::<f64>()
            .ok()
            .filter(|p| (0.0..=1.0).contains(p))
            .ok_or_else(|| {
                IngestError::new(
                    Location::file(file).at(number, column).field(field),
                    format!(
                        "`{cve}`: expected a number from 0 to 1, found `{}`",
                        shown(text)
                    ),
                )
            })
    };
    Ok(EpssScore {
        cve: cve.to_owned(),
        epss: probability(epss, epss_column, "epss")?,
        percentile: probability(percentile, percentile_column, "percentile")?,
        model_version: meta.model_version.clone(),
        score_date: meta.score_date,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_dates_of_both_eras() {
        let date = jiff::civil::date(2025, 2, 20);
        assert_eq!(score_date("2025-02-20T00:00:00+0000", "f").ok(), Some(date));
        assert_eq!(score_date("2025-02-20T23:59:59Z", "f").ok(), Some(date));
        assert_eq!(score_date("2025-02-20", "f").ok(), Some(date));
        assert!(score_date("20th of Feb", "f").is_err());
    }
}
