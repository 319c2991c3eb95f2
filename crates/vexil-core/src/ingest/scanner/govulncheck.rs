//! govulncheck's JSON output. `govulncheck -json` writes a stream of pretty-printed objects
//! concatenated with no separator (not NDJSON, not an array), each with one key: `config`
//! (scanner name and version, scan mode and level), `progress`, `SBOM` (the build's modules, from
//! govulncheck 1.1), `osv` (full OSV records) and `finding`.
//!
//! Quirks of real reports: one vulnerability in one module is reported once per depth the scan
//! reached — `trace[0]` with only `module` (the module is required), with `package` (imported),
//! with `function` (called) — so findings merge per (OSV id, module, version) keeping the
//! deepest status. Go versions keep their `v` (`pkg:golang/stdlib@v1.18.0`); the main module has
//! no version and is not a component; `fixed_version` is absent when there is no fix. A
//! `-mode query` run lists advisories but no modules. DefectDojo's corpus wraps the messages in
//! a JSON array (read the same way) and keeps the pre-1.0 single object (see [`legacy`]);
//! `-format sarif` names no module versions and is refused.

use std::collections::HashMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::ingest::inventory::{Sniff, Source, line_column};
use crate::ingest::scanner::identity;
use crate::ingest::{IngestError, Location};
use crate::model::{Inventory, Purl, ScannerFinding};

const MESSAGE_KEYS: [&str; 5] = ["config", "progress", "SBOM", "osv", "finding"];

/// A `-json` stream (or its array-wrapped copy), the pre-1.0 object, or govulncheck's SARIF
/// (claimed so that it is refused with a hint rather than "not recognised").
pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    let one_message_key = sniff.json.as_ref().is_some_and(
        |j| matches!(j.keys.as_slice(), [key] if MESSAGE_KEYS.contains(&key.as_str())),
    );
    one_message_key || legacy::looks_like(sniff) || is_sarif(sniff)
}

fn is_sarif(sniff: &Sniff<'_>) -> bool {
    sniff.has_key("runs")
        && sniff.has_key("version")
        && sniff.head(4096).contains("\"govulncheck\"")
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let sniff = Sniff::new(src.name, src.text);
    if is_sarif(&sniff) {
        return Err(IngestError::new(
            src.location(),
            "govulncheck SARIF output (`-format sarif`) names no module versions, so it cannot be \
             inventoried; run `govulncheck -json` and import that",
        ));
    }
    if legacy::looks_like(&sniff) {
        return legacy::parse(src);
    }
    let messages = read_messages(src)?;
    build(src, &messages)
}

/// One message: exactly one of these keys is set in what govulncheck writes.
#[derive(Deserialize)]
struct Message {
    config: Option<Config>,
    progress: Option<IgnoredAny>,
    #[serde(rename = "SBOM")]
    sbom: Option<Sbom>,
    osv: Option<Osv>,
    finding: Option<Finding>,
}

#[derive(Deserialize)]
struct Config {
    scanner_name: Option<String>,
    scanner_version: Option<String>,
    scan_mode: Option<String>,
}

#[derive(Deserialize)]
struct Sbom {
    #[serde(default)]
    modules: Vec<Module>,
}

#[derive(Deserialize)]
struct Module {
    path: String,
    version: Option<String>,
}

#[derive(Deserialize)]
struct Osv {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Deserialize)]
struct Finding {
    osv: String,
    fixed_version: Option<String>,
    #[serde(default)]
    trace: Vec<Frame>,
}

#[derive(Deserialize)]
struct Frame {
    module: Option<String>,
    version: Option<String>,
    package: Option<String>,
    function: Option<String>,
}

/// How far the scan followed a vulnerability into the code; a finding's status word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Depth {
    Required,
    Imported,
    Called,
}

impl Depth {
    fn of(frame: &Frame) -> Depth {
        match (&frame.function, &frame.package) {
            (Some(_), _) => Depth::Called,
            (None, Some(_)) => Depth::Imported,
            (None, None) => Depth::Required,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Depth::Required => "required",
            Depth::Imported => "imported",
            Depth::Called => "called",
        }
    }
}

/// A message and where it starts: its line, and its JSON-pointer prefix (`/3` when the stream
/// was wrapped in an array, empty otherwise).
struct Placed {
    line: usize,
    prefix: String,
    message: Message,
}

impl Placed {
    fn location(&self, src: &Source<'_>, field: String) -> Location {
        let mut location = src.location().field(format!("{}{field}", self.prefix));
        location.line = Some(self.line);
        location
    }
}

/// Reads the messages one value at a time, so each keeps its line (counted incrementally: a
/// stream of many small messages stays linear).
fn read_messages(src: &Source<'_>) -> Result<Vec<Placed>, IngestError> {
    let text = src.text;
    let mut pos = skip_ws(text, 0);
    let array = text[pos..].starts_with('[');
    if array {
        pos = skip_ws(text, pos + 1);
    }
    let mut lines = LineCounter::default();
    let mut out = Vec::new();
    loop {
        if array {
            if text[pos..].starts_with(']') {
                return after_array(src, skip_ws(text, pos + 1)).map(|()| out);
            }
            if !out.is_empty() {
                if !text[pos..].starts_with(',') {
                    return Err(at(src, pos, "expected `,` or `]` between array elements"));
                }
                pos = skip_ws(text, pos + 1);
            }
        } else if pos >= text.len() {
            return Ok(out);
        }
        let mut values = serde_json::Deserializer::from_str(&text[pos..]).into_iter::<Message>();
        match values.next() {
            Some(Ok(message)) => {
                out.push(Placed {
                    line: lines.line_at(text, pos),
                    prefix: if array {
                        format!("/{}", out.len())
                    } else {
                        String::new()
                    },
                    message,
                });
                pos = skip_ws(text, pos + values.byte_offset());
            }
            Some(Err(e)) => return Err(shifted_json_error(src, pos, &e)),
            None => {
                return Err(at(
                    src,
                    pos,
                    "the array ends early (truncated?): expected `]`",
                ));
            }
        }
    }
}

fn after_array(src: &Source<'_>, pos: usize) -> Result<(), IngestError> {
    if pos < src.text.len() {
        return Err(at(src, pos, "unexpected content after the closing `]`"));
    }
    Ok(())
}

fn skip_ws(text: &str, from: usize) -> usize {
    let rest = text.get(from..).unwrap_or("");
    text.len() - rest.trim_start_matches([' ', '\t', '\n', '\r']).len()
}

fn at(src: &Source<'_>, offset: usize, message: &str) -> IngestError {
    let (line, column) = line_column(src.text, offset);
    IngestError::new(src.location().at(line, column), message)
}

/// A serde_json error from a deserializer started at `start`: its line and column are relative
/// to that point, so shift them to the document's.
fn shifted_json_error(src: &Source<'_>, start: usize, e: &serde_json::Error) -> IngestError {
    let mut err = IngestError::json(src.name, None, e);
    let (line, column) = line_column(src.text, start);
    let (line, column) = if e.line() <= 1 {
        (line, column + e.column().saturating_sub(1))
    } else {
        (line + e.line() - 1, e.column())
    };
    err.location.line = Some(line);
    err.location.column = Some(column);
    err
}

/// Line numbers of increasing offsets, counting each newline once.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    newlines: usize,
}

impl LineCounter {
    fn line_at(&mut self, text: &str, offset: usize) -> usize {
        if let Some(between) = text.get(self.offset..offset) {
            self.newlines += between.bytes().filter(|&b| b == b'\n').count();
            self.offset = offset;
        }
        self.newlines + 1
    }
}

fn build(src: &Source<'_>, messages: &[Placed]) -> Result<Inventory, IngestError> {
    let known = messages.iter().any(|p| {
        let m = &p.message;
        m.config.is_some()
            || m.progress.is_some()
            || m.sbom.is_some()
            || m.osv.is_some()
            || m.finding.is_some()
    });
    if !known {
        return Err(IngestError::new(
            src.location(),
            "not a govulncheck -json stream: no `config`, `progress`, `SBOM`, `osv` or `finding` \
             message",
        ));
    }
    let config = messages.iter().find_map(|p| p.message.config.as_ref());
    let mut inv = Inventory::default();
    for placed in messages {
        if let Some(sbom) = &placed.message.sbom {
            sbom_components(src, placed, sbom, &mut inv);
        }
    }
    findings(src, messages, config, &mut inv);
    let query = config.and_then(|c| c.scan_mode.as_deref()) == Some("query");
    if query && inv.components.is_empty() {
        inv.warn(
            src.location(),
            "govulncheck ran in query mode (`-mode query`): the report lists the advisories of the \
             modules queried, not the modules of a build, so it gives no components",
        );
    }
    Ok(inv)
}

/// The SBOM's modules; the main module (no version) is the project scanned, not a dependency.
fn sbom_components(src: &Source<'_>, placed: &Placed, sbom: &Sbom, inv: &mut Inventory) {
    for (i, module) in sbom.modules.iter().enumerate() {
        if let Some(version) = module.version.as_deref().filter(|v| !v.is_empty()) {
            let location = placed.location(src, format!("/SBOM/modules/{i}"));
            push_component(inv, &module.path, version, location);
        }
    }
}

fn push_component(
    inv: &mut Inventory,
    module: &str,
    version: &str,
    location: Location,
) -> Option<String> {
    let build = || Purl::package("golang", module, Some(version));
    let component = identity::component(inv, None, None, &location, build)?;
    let purl = component.purl.clone();
    inv.components.push(component);
    Some(purl)
}

/// Findings merged per (OSV id, module, version), keeping the deepest status and its location.
fn findings(src: &Source<'_>, messages: &[Placed], config: Option<&Config>, inv: &mut Inventory) {
    let aliases: HashMap<&str, &[String]> = messages
        .iter()
        .filter_map(|p| p.message.osv.as_ref())
        .map(|o| (o.id.as_str(), o.aliases.as_slice()))
        .collect();
    let tool = config
        .and_then(|c| c.scanner_name.as_deref())
        .unwrap_or("govulncheck");
    let tool_version = config.and_then(|c| c.scanner_version.as_deref());
    let mut seen: HashMap<(&str, &str, Option<&str>), (usize, Depth)> = HashMap::new();
    for placed in messages {
        let Some(finding) = &placed.message.finding else {
            continue;
        };
        let purl = trace_components(src, placed, finding, inv);
        let Some(first) = finding.trace.first() else {
            let location = placed.location(src, "/finding/trace".to_owned());
            inv.warn(
                location,
                format!("finding for `{}` has an empty trace; skipped", finding.osv),
            );
            continue;
        };
        let module = first.module.as_deref().unwrap_or_default();
        let depth = Depth::of(first);
        let location = placed.location(src, "/finding/trace/0".to_owned());
        let key = (finding.osv.as_str(), module, first.version.as_deref());
        if let Some((index, before)) = seen.get_mut(&key) {
            if let Some(kept) = inv.evidence.get_mut(*index) {
                merge(kept, *before, depth, finding, location);
            }
            *before = (*before).max(depth);
            continue;
        }
        if first.version.is_none() {
            let message = format!(
                "finding for `{}` in `{module}` gives no version",
                finding.osv
            );
            inv.warn(location.clone(), message);
        }
        seen.insert(key, (inv.evidence.len(), depth));
        inv.evidence.push(ScannerFinding {
            tool: tool.to_owned(),
            tool_version: tool_version.map(str::to_owned),
            vuln_id: finding.osv.clone(),
            aliases: aliases
                .get(finding.osv.as_str())
                .map(|a| a.to_vec())
                .unwrap_or_default(),
            purl,
            package: module.to_owned(),
            version: first.version.clone(),
            fixed_version: finding.fixed_version.clone(),
            severity: None,
            status: Some(depth.as_str().to_owned()),
            location,
        });
    }
}

fn merge(kept: &mut ScannerFinding, before: Depth, depth: Depth, f: &Finding, at: Location) {
    if depth > before {
        kept.status = Some(depth.as_str().to_owned());
        kept.location = at;
    }
    if kept.fixed_version.is_none() {
        kept.fixed_version = f.fixed_version.clone();
    }
}

/// Every module of a trace with a version is in the build (frames of the main module have
/// none). Returns the purl of the first frame, the vulnerable module.
fn trace_components(
    src: &Source<'_>,
    placed: &Placed,
    finding: &Finding,
    inv: &mut Inventory,
) -> Option<String> {
    let mut first = None;
    for (j, frame) in finding.trace.iter().enumerate() {
        let version = frame.version.as_deref().filter(|v| !v.is_empty());
        if let (Some(module), Some(version)) = (&frame.module, version) {
            let location = placed.location(src, format!("/finding/trace/{j}"));
            let purl = push_component(inv, module, version, location);
            if j == 0 {
                first = purl;
            }
        }
    }
    first
}

/// The pre-1.0 output (`golang.org/x/vuln/vulncheck.Result`): one object with `Modules`
/// (`Path`, `Version`, `Replace`), `Vulns` (one per vulnerable symbol: `OSV`, `ModPath`, and
/// non-zero `CallSink`/`ImportSink`/`RequireSink` ids when it is called, imported, required) and
/// the call/import/require graphs (not read: their edges to `stdlib` are synthetic). It has no
/// fixed version: it is the `fixed` event closing the OSV range that holds the module version.
mod legacy {
    use std::collections::HashMap;

    use serde::Deserialize;
    use vexil_version::go::GoVersion;

    use super::{Depth, push_component};
    use crate::ingest::inventory::{Sniff, Source};
    use crate::ingest::{IngestError, Location};
    use crate::model::{Inventory, ScannerFinding};

    pub(super) fn looks_like(sniff: &Sniff<'_>) -> bool {
        sniff.has_key("Vulns") && (sniff.has_key("Modules") || sniff.has_key("Requires"))
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Report {
        #[serde(default)]
        modules: Vec<Module>,
        #[serde(default)]
        vulns: Vec<Vuln>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Module {
        path: String,
        #[serde(default)]
        version: String,
        replace: Option<Box<Module>>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Vuln {
        #[serde(rename = "OSV")]
        osv: Osv,
        mod_path: String,
        #[serde(default)]
        call_sink: u64,
        #[serde(default)]
        import_sink: u64,
        #[serde(default)]
        require_sink: u64,
    }

    #[derive(Deserialize)]
    struct Osv {
        id: String,
        #[serde(default)]
        aliases: Vec<String>,
        #[serde(default)]
        affected: Vec<Affected>,
    }

    #[derive(Deserialize)]
    struct Affected {
        package: Package,
        #[serde(default)]
        ranges: Vec<Range>,
    }

    #[derive(Deserialize)]
    struct Package {
        name: String,
    }

    #[derive(Deserialize)]
    struct Range {
        #[serde(default)]
        events: Vec<Event>,
    }

    #[derive(Deserialize)]
    struct Event {
        introduced: Option<String>,
        fixed: Option<String>,
    }

    pub(super) fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
        let result: Report =
            serde_json::from_str(src.text).map_err(|e| IngestError::json(src.name, None, &e))?;
        let mut inv = Inventory::default();
        let mut versions: HashMap<&str, (&str, Option<String>)> = HashMap::new();
        for (i, module) in result.modules.iter().enumerate() {
            let location = src.location().field(format!("/Modules/{i}"));
            if let Some((version, purl)) = module_component(module, location, &mut inv) {
                versions.insert(module.path.as_str(), (version, purl));
            }
        }
        let mut seen: HashMap<(&str, &str), (usize, Option<Depth>)> = HashMap::new();
        for (i, vuln) in result.vulns.iter().enumerate() {
            let depth = depth(vuln);
            let key = (vuln.osv.id.as_str(), vuln.mod_path.as_str());
            if let Some((index, before)) = seen.get_mut(&key) {
                if depth > *before {
                    *before = depth;
                    if let Some(kept) = inv.evidence.get_mut(*index) {
                        kept.status = depth.map(|d| d.as_str().to_owned());
                    }
                }
                continue;
            }
            seen.insert(key, (inv.evidence.len(), depth));
            let location = src.location().field(format!("/Vulns/{i}"));
            inv.evidence
                .push(finding(vuln, versions.get(key.1), depth, location));
        }
        Ok(inv)
    }

    /// The module as built: its replacement when it has one. A main module or a replacement by
    /// a local directory has no version and makes no component.
    fn module_component<'a>(
        module: &'a Module,
        location: Location,
        inv: &mut Inventory,
    ) -> Option<(&'a str, Option<String>)> {
        let built = module.replace.as_deref().unwrap_or(module);
        if built.version.is_empty() {
            if module.replace.is_some() {
                inv.warn(
                    location,
                    format!(
                        "module `{}` is replaced by `{}`, which has no version; not inventoried",
                        module.path, built.path
                    ),
                );
            }
            return None;
        }
        let purl = push_component(inv, &built.path, &built.version, location);
        Some((&built.version, purl))
    }

    fn depth(vuln: &Vuln) -> Option<Depth> {
        match (vuln.call_sink, vuln.import_sink, vuln.require_sink) {
            (c, _, _) if c != 0 => Some(Depth::Called),
            (_, i, _) if i != 0 => Some(Depth::Imported),
            (_, _, r) if r != 0 => Some(Depth::Required),
            _ => None,
        }
    }

    fn finding(
        vuln: &Vuln,
        module: Option<&(&str, Option<String>)>,
        depth: Option<Depth>,
        location: Location,
    ) -> ScannerFinding {
        let version = module.map(|(v, _)| *v);
        ScannerFinding {
            tool: "govulncheck".to_owned(),
            tool_version: None,
            vuln_id: vuln.osv.id.clone(),
            aliases: vuln.osv.aliases.clone(),
            purl: module.and_then(|(_, p)| p.clone()),
            package: vuln.mod_path.clone(),
            version: version.map(str::to_owned),
            fixed_version: version.and_then(|v| fixed(&vuln.osv, &vuln.mod_path, v)),
            severity: None,
            status: depth.map(|d| d.as_str().to_owned()),
            location,
        }
    }

    /// The `fixed` event that closes the range holding `version`, with Go's `v` (OSV omits it).
    fn fixed(osv: &Osv, module: &str, version: &str) -> Option<String> {
        let version = GoVersion::parse(version).ok()?;
        osv.affected
            .iter()
            .filter(|a| a.package.name == module)
            .flat_map(|a| &a.ranges)
            .find_map(|r| closing_fix(&r.events, &version))
            .map(|f| format!("v{}", f.trim_start_matches('v')))
    }

    fn closing_fix<'a>(events: &'a [Event], version: &GoVersion) -> Option<&'a str> {
        let mut introduced: Option<GoVersion> = None;
        for event in events {
            if let Some(i) = &event.introduced {
                introduced = GoVersion::parse(i).ok();
            } else if let Some(f) = &event.fixed {
                let fixed = GoVersion::parse(f).ok();
                let inside = introduced.as_ref().is_some_and(|i| i <= version)
                    && fixed.as_ref().is_some_and(|f| version < f);
                if inside {
                    return Some(f);
                }
                introduced = None;
            }
        }
        None
    }
}
