//! NVD CVE API 2.0 → [`Advisory`]: a response page, a yearly file of the same CVE objects, or a
//! bare array of `{"cve": …}` items (gzip accepted). Keeps CVSS, CWE, the English description,
//! references, `vulnStatus` and CPE configurations; matching CPEs is not this module's job.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde_json::{Map, Value};

use crate::ingest::archive::{self, Limits};
use crate::ingest::{IngestError, Location, Parsed};
use crate::model::{
    Advisory, CpeConfiguration, CpeMatch, CpeNode, Feed, NvdData, Reference, Severity, SeverityKind,
};

/// What every wrong-format error says was expected.
const EXPECTED: &str = "expected an NVD CVE API 2.0 response \
    (`{\"format\": \"NVD_CVE\", \"vulnerabilities\": [{\"cve\": {…}}]}`), a yearly file with \
    `vulnerabilities` or `cve_items`, or an array of `{\"cve\": {…}}` items";

/// The CVSS metric arrays of `cve.metrics`, newest version first, with the vector prefix each
/// must carry (NVD CVE API 2.0 schema: `cvssMetricV40`, `cvssMetricV31`, `cvssMetricV30`,
/// `cvssMetricV2`; a v2 vector has no `CVSS:` prefix).
const CVSS_METRICS: [(&str, SeverityKind, &str); 4] = [
    ("cvssMetricV40", SeverityKind::CvssV4, "CVSS:4.0/"),
    ("cvssMetricV31", SeverityKind::CvssV3, "CVSS:3.1/"),
    ("cvssMetricV30", SeverityKind::CvssV3, "CVSS:3.0/"),
    ("cvssMetricV2", SeverityKind::CvssV2, ""),
];

/// Parses one NVD document into one advisory per CVE, in document order.
///
/// Accepts an API 2.0 response page (an empty page may lack `vulnerabilities`), a yearly file
/// (`{"vulnerabilities": […]}` or `{"cve_items": […]}`, items wrapped in `{"cve": …}` or bare),
/// a bare array of `{"cve": …}` items, and any of these gzip-compressed.
///
/// A CVE whose `vulnStatus` is `Rejected` is kept (so it can be shown and explain why nothing
/// matched) with `withdrawn` set to its `lastModified`: a withdrawn advisory never matches.
/// Timestamps without a zone (NVD writes `2024-03-29T17:15:21.150`) are UTC.
pub fn parse(bytes: &[u8], file: &str) -> Result<Parsed<Advisory>, IngestError> {
    let unzipped;
    let bytes = if archive::is_gzip(bytes) {
        unzipped = archive::gunzip(bytes, file, Limits::default())?;
        unzipped.as_slice()
    } else {
        bytes
    };
    let doc = Reader {
        file,
        parsed: Parsed::default(),
    };
    doc.read(bytes)
}

/// The paging fields of an API 2.0 response: the next page starts at
/// `start_index + results_per_page` while that is below `total_results`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageInfo {
    pub results_per_page: u64,
    pub start_index: u64,
    pub total_results: u64,
}

/// Reads only the paging fields of an API 2.0 response (the CVEs are skipped, not built).
pub fn page_info(bytes: &[u8], file: &str) -> Result<PageInfo, IngestError> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct RawPage {
        results_per_page: u64,
        start_index: u64,
        total_results: u64,
    }
    let page: RawPage = serde_json::from_slice(bytes).map_err(|err| {
        let mut error = IngestError::json(file, None, &err);
        error.message = format!("{}; {EXPECTED}", error.message);
        error
    })?;
    Ok(PageInfo {
        results_per_page: page.results_per_page,
        start_index: page.start_index,
        total_results: page.total_results,
    })
}

/// One parse: the display name for errors, and what has been read so far.
struct Reader<'f> {
    file: &'f str,
    parsed: Parsed<Advisory>,
}

impl Reader<'_> {
    fn read(mut self, bytes: &[u8]) -> Result<Parsed<Advisory>, IngestError> {
        // serde_json refuses nesting deeper than 128 levels, so hostile input cannot overflow
        // the stack; it also checks that strings are UTF-8.
        let doc: Value =
            serde_json::from_slice(bytes).map_err(|err| self.json_error(bytes, &err))?;
        let (items, path) = self.items(&doc)?;
        for (i, item) in items.iter().enumerate() {
            let (cve, at) = self.cve_object(item, &format!("{path}/{i}"))?;
            let advisory = self.advisory(cve, &at)?;
            self.parsed.records.push(advisory);
        }
        Ok(self.parsed)
    }

    /// An empty file, or a CSV, YAML or HTML one, is said to be so rather than getting a bare
    /// "expected value at line 1 column 1".
    fn json_error(&self, bytes: &[u8], err: &serde_json::Error) -> IngestError {
        let start = bytes.trim_ascii_start();
        match start.first() {
            None => IngestError::new(
                Location::file(self.file),
                format!("the file is empty; {EXPECTED}"),
            ),
            Some(b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => {
                IngestError::json(self.file, None, err)
            }
            Some(_) => {
                let head = String::from_utf8_lossy(start.get(..40).unwrap_or(start));
                IngestError::new(
                    Location::file(self.file).at(err.line(), err.column()),
                    format!(
                        "not JSON: found text starting with `{}`; {EXPECTED}",
                        head.trim()
                    ),
                )
            }
        }
    }

    /// The array of CVE items and its JSON-pointer path, after checking the document's shape.
    fn items<'v>(&mut self, doc: &'v Value) -> Result<(&'v [Value], &'static str), IngestError> {
        let top = match doc {
            Value::Array(items) => return Ok((items, "")),
            Value::Object(top) => top,
            other => return Err(self.wrong_format("", other)),
        };
        let format = top.get("format");
        if let Some(format) = format {
            if format.as_str() != Some("NVD_CVE") {
                return Err(self.error(
                    "/format",
                    format!("expected `NVD_CVE`, found {}; {EXPECTED}", found(format)),
                ));
            }
            match top.get("version").and_then(Value::as_str) {
                Some("2.0") | None => {}
                Some(version) => self.warn(
                    "/version",
                    format!("API version `{version}`, read as 2.0 (the version this parser knows)"),
                ),
            }
        }
        for key in ["vulnerabilities", "cve_items"] {
            match top.get(key) {
                Some(Value::Null) | None => {}
                Some(items) => {
                    let path = if key == "vulnerabilities" {
                        "/vulnerabilities"
                    } else {
                        "/cve_items"
                    };
                    return Ok((self.array(items, path)?, path));
                }
            }
        }
        // The API leaves `vulnerabilities` out of a page with no results.
        if format.is_some() {
            return Ok((&[], ""));
        }
        Err(self.wrong_format("", doc))
    }

    /// The CVE object of an item: `{"cve": {…}}` as the API writes it, or the bare CVE object
    /// that yearly mirrors (fkie-cad/nvd-json-data-feeds) write.
    fn cve_object<'v>(
        &self,
        item: &'v Value,
        path: &str,
    ) -> Result<(&'v Map<String, Value>, String), IngestError> {
        let Some(obj) = item.as_object() else {
            return Err(self.wrong_format(path, item));
        };
        if let Some(cve) = obj.get("cve") {
            let at = format!("{path}/cve");
            return Ok((self.object(cve, &at)?, at));
        }
        if obj.contains_key("id") && obj.contains_key("lastModified") {
            return Ok((obj, path.to_owned()));
        }
        Err(self.wrong_format(path, item))
    }

    fn advisory(&mut self, cve: &Map<String, Value>, path: &str) -> Result<Advisory, IngestError> {
        let id = self.required_str(cve, "id", path)?;
        if !is_cve_id(id) {
            self.warn(
                &format!("{path}/id"),
                format!("expected a CVE id like `CVE-2024-3094`, found `{id}`; kept as is"),
            );
        }
        let mut advisory = Advisory::new(id, Feed::Nvd);
        advisory.published = Some(self.timestamp(cve, "published", path)?);
        let modified = self.timestamp(cve, "lastModified", path)?;
        advisory.modified = Some(modified);
        let vuln_status = self.optional_str(cve, "vulnStatus", path)?;
        // NVD keeps a rejected CVE with status `Rejected` and a `** REJECT **` description; it
        // must never match, so it is withdrawn as of its last modification.
        if vuln_status == Some("Rejected") {
            advisory.withdrawn = Some(modified);
        }
        advisory.details = self.description(cve, path)?;
        advisory.severity = self.severities(cve, path)?;
        advisory.cwes = self.cwes(cve, path)?;
        advisory.references = self.references(cve, path)?;
        advisory.nvd = Some(NvdData {
            vuln_status: vuln_status.map(str::to_owned),
            configurations: self.configurations(cve, path)?,
        });
        Ok(advisory)
    }

    /// The first English description; NVD adds translations (`es`) after it.
    fn description(
        &self,
        cve: &Map<String, Value>,
        path: &str,
    ) -> Result<Option<String>, IngestError> {
        let at = format!("{path}/descriptions");
        for (i, desc) in self
            .optional_array(cve, "descriptions", path)?
            .iter()
            .enumerate()
        {
            let at = format!("{at}/{i}");
            let desc = self.object(desc, &at)?;
            if self.optional_str(desc, "lang", &at)? == Some("en") {
                return Ok(Some(self.required_str(desc, "value", &at)?.to_owned()));
            }
        }
        Ok(None)
    }

    /// Every CVSS metric with the source that scored it, newest CVSS version first.
    fn severities(
        &mut self,
        cve: &Map<String, Value>,
        path: &str,
    ) -> Result<Vec<Severity>, IngestError> {
        let at = format!("{path}/metrics");
        let Some(metrics) = cve.get("metrics").filter(|m| !m.is_null()) else {
            return Ok(Vec::new());
        };
        let metrics = self.object(metrics, &at)?;
        for key in metrics.keys() {
            // Other metric kinds (`ssvcV203`) are not CVSS: left out without a word.
            if key.starts_with("cvssMetric") && !CVSS_METRICS.iter().any(|(k, ..)| k == key) {
                self.warn(&format!("{at}/{key}"), "unknown CVSS version: skipped");
            }
        }
        let mut severities = Vec::new();
        for (key, kind, prefix) in CVSS_METRICS {
            let at = format!("{at}/{key}");
            for (i, metric) in self.optional_array(metrics, key, path)?.iter().enumerate() {
                let at = format!("{at}/{i}");
                let metric = self.object(metric, &at)?;
                let source = self.optional_str(metric, "source", &at)?;
                let data_at = format!("{at}/cvssData");
                let data = self.object(self.required(metric, "cvssData", &at)?, &data_at)?;
                let vector = self.required_str(data, "vectorString", &data_at)?;
                let fits = if prefix.is_empty() {
                    !vector.starts_with("CVSS:")
                } else {
                    vector.starts_with(prefix)
                };
                if !fits {
                    let want = if prefix.is_empty() {
                        "no `CVSS:` prefix"
                    } else {
                        prefix
                    };
                    self.warn(
                        &format!("{data_at}/vectorString"),
                        format!("expected a vector with {want}, found `{vector}`: skipped"),
                    );
                    continue;
                }
                severities.push(Severity {
                    kind,
                    score: vector.to_owned(),
                    source: source.map(str::to_owned),
                });
            }
        }
        Ok(severities)
    }

    /// `CWE-…` values of `weaknesses`, each once. NVD's placeholders `NVD-CWE-Other` and
    /// `NVD-CWE-noinfo` say "no CWE" and are skipped.
    fn cwes(&mut self, cve: &Map<String, Value>, path: &str) -> Result<Vec<String>, IngestError> {
        let mut cwes: Vec<String> = Vec::new();
        let at = format!("{path}/weaknesses");
        for (i, weakness) in self
            .optional_array(cve, "weaknesses", path)?
            .iter()
            .enumerate()
        {
            let at = format!("{at}/{i}");
            let weakness = self.object(weakness, &at)?;
            let descs = self.optional_array(weakness, "description", &at)?;
            for (j, desc) in descs.iter().enumerate() {
                let at = format!("{at}/description/{j}");
                let value = self.required_str(self.object(desc, &at)?, "value", &at)?;
                if value.starts_with("NVD-CWE-") {
                    continue;
                }
                if !is_cwe_id(value) {
                    self.warn(
                        &format!("{at}/value"),
                        format!("expected a CWE id like `CWE-79`, found `{value}`: skipped"),
                    );
                    continue;
                }
                if !cwes.iter().any(|c| c == value) {
                    cwes.push(value.to_owned());
                }
            }
        }
        Ok(cwes)
    }

    /// Each URL once: NVD lists a URL again for every source that submitted it.
    fn references(
        &self,
        cve: &Map<String, Value>,
        path: &str,
    ) -> Result<Vec<Reference>, IngestError> {
        let mut references: Vec<Reference> = Vec::new();
        let at = format!("{path}/references");
        for (i, reference) in self
            .optional_array(cve, "references", path)?
            .iter()
            .enumerate()
        {
            let at = format!("{at}/{i}");
            let url = self.required_str(self.object(reference, &at)?, "url", &at)?;
            if !references.iter().any(|r| r.url == url) {
                references.push(Reference {
                    kind: "WEB".to_owned(),
                    url: url.to_owned(),
                });
            }
        }
        Ok(references)
    }

    fn configurations(
        &mut self,
        cve: &Map<String, Value>,
        path: &str,
    ) -> Result<Vec<CpeConfiguration>, IngestError> {
        let at = format!("{path}/configurations");
        let configs = self.optional_array(cve, "configurations", path)?;
        let mut out = Vec::with_capacity(configs.len());
        for (i, config) in configs.iter().enumerate() {
            let at = format!("{at}/{i}");
            let config = self.object(config, &at)?;
            let operator = self.operator(config, &at, false)?;
            let negate = self.optional_bool(config, "negate", &at)?;
            let nodes_at = format!("{at}/nodes");
            let nodes = self.array(self.required(config, "nodes", &at)?, &nodes_at)?;
            let mut cpe_nodes = Vec::with_capacity(nodes.len());
            for (j, node) in nodes.iter().enumerate() {
                cpe_nodes.push(self.node(node, &format!("{nodes_at}/{j}"))?);
            }
            out.push(CpeConfiguration {
                operator,
                negate,
                nodes: cpe_nodes,
            });
        }
        Ok(out)
    }

    fn node(&mut self, node: &Value, at: &str) -> Result<CpeNode, IngestError> {
        let node = self.object(node, at)?;
        let operator = self.operator(node, at, true)?.unwrap_or_default();
        let negate = self.optional_bool(node, "negate", at)?;
        let matches_at = format!("{at}/cpeMatch");
        let matches = self.array(self.required(node, "cpeMatch", at)?, &matches_at)?;
        let mut cpe_match = Vec::with_capacity(matches.len());
        for (k, m) in matches.iter().enumerate() {
            cpe_match.push(self.cpe_match(m, &format!("{matches_at}/{k}"))?);
        }
        Ok(CpeNode {
            operator,
            negate,
            cpe_match,
        })
    }

    fn cpe_match(&mut self, m: &Value, at: &str) -> Result<CpeMatch, IngestError> {
        let m = self.object(m, at)?;
        let vulnerable = self.required(m, "vulnerable", at)?;
        let Some(vulnerable) = vulnerable.as_bool() else {
            return Err(self.error(
                &format!("{at}/vulnerable"),
                format!("expected `true` or `false`, found {}", found(vulnerable)),
            ));
        };
        let criteria = self.required_str(m, "criteria", at)?;
        if !criteria.starts_with("cpe:2.3:") {
            self.warn(
                &format!("{at}/criteria"),
                format!("expected a CPE 2.3 name like `cpe:2.3:a:tukaani:xz:5.6.0:*:*:*:*:*:*:*`, found `{criteria}`; kept as is"),
            );
        }
        let bound = |key: &str| self.optional_str(m, key, at).map(|v| v.map(str::to_owned));
        Ok(CpeMatch {
            vulnerable,
            criteria: criteria.to_owned(),
            version_start_including: bound("versionStartIncluding")?,
            version_start_excluding: bound("versionStartExcluding")?,
            version_end_including: bound("versionEndIncluding")?,
            version_end_excluding: bound("versionEndExcluding")?,
        })
    }

    /// `AND` or `OR`: anything else would make the configuration mean something else.
    fn operator(
        &self,
        obj: &Map<String, Value>,
        path: &str,
        required: bool,
    ) -> Result<Option<String>, IngestError> {
        let operator = if required {
            Some(self.required_str(obj, "operator", path)?)
        } else {
            self.optional_str(obj, "operator", path)?
        };
        match operator {
            None => Ok(None),
            Some(op @ ("AND" | "OR")) => Ok(Some(op.to_owned())),
            Some(other) => Err(self.error(
                &format!("{path}/operator"),
                format!("expected `AND` or `OR`, found `{other}`"),
            )),
        }
    }

    fn timestamp(
        &self,
        obj: &Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<Timestamp, IngestError> {
        let text = self.required_str(obj, key, path)?;
        parse_timestamp(text).ok_or_else(|| {
            self.error(
                &format!("{path}/{key}"),
                format!("expected a timestamp like `2024-03-29T17:15:21.150`, found `{text}`"),
            )
        })
    }

    // Typed access to a `serde_json::Value`, each failure naming the field's JSON pointer.

    fn required<'v>(
        &self,
        obj: &'v Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<&'v Value, IngestError> {
        obj.get(key).ok_or_else(|| {
            self.error(
                &format!("{path}/{key}"),
                "missing (required by the NVD CVE API 2.0 schema)",
            )
        })
    }

    fn required_str<'v>(
        &self,
        obj: &'v Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<&'v str, IngestError> {
        let value = self.required(obj, key, path)?;
        value.as_str().ok_or_else(|| {
            self.error(
                &format!("{path}/{key}"),
                format!("expected a string, found {}", found(value)),
            )
        })
    }

    fn optional_str<'v>(
        &self,
        obj: &'v Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<Option<&'v str>, IngestError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.error(
                &format!("{path}/{key}"),
                format!("expected a string, found {}", found(other)),
            )),
        }
    }

    fn optional_bool(
        &self,
        obj: &Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<bool, IngestError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(self.error(
                &format!("{path}/{key}"),
                format!("expected `true` or `false`, found {}", found(other)),
            )),
        }
    }

    fn optional_array<'v>(
        &self,
        obj: &'v Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<&'v [Value], IngestError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(value) => self.array(value, &format!("{path}/{key}")),
        }
    }

    fn array<'v>(&self, value: &'v Value, path: &str) -> Result<&'v [Value], IngestError> {
        value
            .as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| self.error(path, format!("expected an array, found {}", found(value))))
    }

    fn object<'v>(
        &self,
        value: &'v Value,
        path: &str,
    ) -> Result<&'v Map<String, Value>, IngestError> {
        value
            .as_object()
            .ok_or_else(|| self.error(path, format!("expected an object, found {}", found(value))))
    }

    fn wrong_format(&self, path: &str, value: &Value) -> IngestError {
        let what = match guess(value) {
            Some(guess) => format!("this looks like {guess}"),
            None => format!("found {}", found(value)),
        };
        let message = format!("not an NVD CVE document: {what}; {EXPECTED}");
        if path.is_empty() {
            IngestError::new(Location::file(self.file), message)
        } else {
            self.error(path, message)
        }
    }

    fn error(&self, path: &str, message: impl Into<String>) -> IngestError {
        IngestError::new(Location::file(self.file).field(path), message)
    }

    fn warn(&mut self, path: &str, message: impl Into<String>) {
        self.parsed
            .warn(Location::file(self.file).field(path), message);
    }
}

/// A timestamp with a zone, or without one (NVD's own form, `2024-03-29T17:15:21.150`), which
/// is UTC: the NVD API documents all its dates as UTC.
fn parse_timestamp(text: &str) -> Option<Timestamp> {
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Some(ts);
    }
    // jiff's civil parser also takes a bare date; a CVE time always has one.
    if !text.contains('T') {
        return None;
    }
    let civil: DateTime = text.parse().ok()?;
    TimeZone::UTC.to_timestamp(civil).ok()
}

/// `CVE-YYYY-NNNN…`: four digits of year, four or more of sequence (CVE ID syntax, 2014).
fn is_cve_id(id: &str) -> bool {
    let mut parts = id.splitn(3, '-');
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    parts.next() == Some("CVE")
        && parts.next().is_some_and(|y| y.len() == 4 && all_digits(y))
        && parts.next().is_some_and(|n| n.len() >= 4 && all_digits(n))
}

/// `CWE-` followed by digits.
fn is_cwe_id(value: &str) -> bool {
    value
        .strip_prefix("CWE-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// What another feed's document looks like, from its telltale keys.
fn guess(value: &Value) -> Option<&'static str> {
    let obj = match value {
        Value::Object(obj) => obj,
        Value::Array(items) => return items.first().and_then(guess),
        _ => return None,
    };
    let has = |key| obj.contains_key(key);
    if has("catalogVersion") {
        Some("a CISA KEV catalogue")
    } else if has("cveID") {
        Some("a CISA KEV entry")
    } else if has("CVE_Items") || has("CVE_data_type") {
        Some("an NVD JSON 1.1 data feed (retired in 2023)")
    } else if has("schema_version") || (has("id") && (has("affected") || has("modified"))) {
        Some("an OSV record")
    } else if has("cveMetadata") {
        Some("a CVE JSON 5 record (cvelistV5)")
    } else if let Some(Value::Array(items)) = obj.get("vulnerabilities") {
        items.first().and_then(guess)
    } else {
        None
    }
}

/// A short description of a JSON value for an error message.
fn found(value: &Value) -> String {
    match value {
        Value::Null => "`null`".to_owned(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("`{n}`"),
        Value::String(s) => {
            let short: String = s.chars().take(60).collect();
            let more = if short.len() < s.len() { "…" } else { "" };
            format!("`{short}{more}`")
        }
        Value::Array(_) => "an array".to_owned(),
        Value::Object(obj) => {
            let keys: Vec<String> = obj.keys().take(5).map(|k| format!("`{k}`")).collect();
            let more = if obj.len() > keys.len() { ", …" } else { "" };
            if keys.is_empty() {
                "an empty object".to_owned()
            } else {
                format!("an object with keys {}{more}", keys.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_without_a_zone_are_utc() {
        let with_zone: Timestamp = "2024-03-29T17:15:21.150Z".parse().ok().unwrap_or_default();
        assert_eq!(parse_timestamp("2024-03-29T17:15:21.150"), Some(with_zone));
        assert_eq!(parse_timestamp("2024-03-29T17:15:21.150Z"), Some(with_zone));
        assert_eq!(parse_timestamp("2024-03-29"), None);
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    #[test]
    fn cve_and_cwe_ids() {
        assert!(is_cve_id("CVE-2024-3094"));
        assert!(is_cve_id("CVE-2018-1000500"));
        assert!(!is_cve_id("CVE-24-3094"));
        assert!(!is_cve_id("GHSA-xxxx-yyyy-zzzz"));
        assert!(is_cwe_id("CWE-79"));
        assert!(!is_cwe_id("CWE-"));
        assert!(!is_cwe_id("NVD-CWE-noinfo"));
    }
}
