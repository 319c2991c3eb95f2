//! Inventory documents: which formats Vexil reads, recognising them from their content, and one
//! `parse` for all of them. Each format's parser lives in `sbom/`, `lockfile/`, `os/` or
//! `scanner/`; this file only routes.

use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::ingest::{IngestError, Location};
use crate::ingest::{lockfile, os, sbom, scanner};
use crate::model::Inventory;

/// Largest inventory document read (bytes). Bigger input is refused before parsing, so one
/// hostile file cannot exhaust memory.
pub const MAX_DOCUMENT_BYTES: usize = 256 * 1024 * 1024;

/// One document to parse: its display name (the path as the user gave it), its text (already
/// decoded by [`decode`]), and companion files the caller read because the format asked for
/// them ([`InventoryFormat::companions`], e.g. `go.sum` beside `go.mod`).
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
    /// `(relative path as asked, text)` of each companion that exists.
    pub related: &'a [(String, String)],
}

impl<'a> Source<'a> {
    pub fn new(name: &'a str, text: &'a str) -> Source<'a> {
        Source {
            name,
            text,
            related: &[],
        }
    }

    /// The text of a companion file, if the caller found it.
    pub fn related(&self, path: &str) -> Option<&'a str> {
        self.related
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, t)| t.as_str())
    }

    pub fn location(&self) -> Location {
        Location::file(self.name)
    }
}

/// The family a format belongs to (its folder under `ingest/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    Sbom,
    Lockfile,
    Os,
    Scanner,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Sbom => "SBOM",
            Family::Lockfile => "lockfile",
            Family::Os => "OS package database",
            Family::Scanner => "scanner report",
        }
    }
}

macro_rules! formats {
    ($( $variant:ident => $name:literal, $family:ident, $description:literal,
        looks_like $looks:path, parse $parse:path, companions [$($companion:literal),*]; )*) => {
        /// Every inventory format Vexil reads, in detection order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum InventoryFormat {
            $( #[doc = $description] $variant, )*
        }

        impl InventoryFormat {
            pub const ALL: &'static [InventoryFormat] = &[$(InventoryFormat::$variant),*];

            /// The name used by `--format` and printed after detection.
            pub fn name(self) -> &'static str {
                match self { $(InventoryFormat::$variant => $name,)* }
            }

            pub fn family(self) -> Family {
                match self { $(InventoryFormat::$variant => Family::$family,)* }
            }

            pub fn description(self) -> &'static str {
                match self { $(InventoryFormat::$variant => $description,)* }
            }

            /// Files next to this one that the parser reads when present (paths relative to
            /// the document's folder).
            pub fn companions(self) -> &'static [&'static str] {
                match self { $(InventoryFormat::$variant => &[$($companion),*],)* }
            }

            fn looks_like(self, sniff: &Sniff<'_>) -> bool {
                match self { $(InventoryFormat::$variant => $looks(sniff),)* }
            }

            /// Parses a document of this format.
            pub fn parse(self, src: &Source<'_>) -> Result<Inventory, IngestError> {
                match self { $(InventoryFormat::$variant => $parse(src),)* }
            }
        }
    };
}

formats! {
    InToto => "in-toto", Sbom, "an in-toto attestation or DSSE envelope (JSON or JSON Lines) carrying a CycloneDX or SPDX SBOM",
        looks_like sbom::intoto::looks_like, parse sbom::intoto::parse, companions [];
    CycloneDxJson => "cyclonedx-json", Sbom, "CycloneDX 1.2–1.7 JSON SBOM",
        looks_like sbom::cyclonedx::looks_like_json, parse sbom::cyclonedx::parse_json, companions [];
    CycloneDxXml => "cyclonedx-xml", Sbom, "CycloneDX 1.1–1.7 XML SBOM",
        looks_like sbom::cyclonedx::looks_like_xml, parse sbom::cyclonedx::parse_xml, companions [];
    SpdxJson => "spdx-json", Sbom, "SPDX 2.2/2.3 JSON SBOM",
        looks_like sbom::spdx::looks_like_json, parse sbom::spdx::parse_json, companions [];
    SpdxYaml => "spdx-yaml", Sbom, "SPDX 2.2/2.3 YAML SBOM",
        looks_like sbom::spdx::looks_like_yaml, parse sbom::spdx::parse_yaml, companions [];
    SpdxTagValue => "spdx-tag-value", Sbom, "SPDX 2.2/2.3 tag-value SBOM",
        looks_like sbom::spdx::looks_like_tag_value, parse sbom::spdx::parse_tag_value, companions [];
    Trivy => "trivy", Scanner, "Trivy JSON report (SchemaVersion 2, legacy array, Kubernetes)",
        looks_like scanner::trivy::looks_like, parse scanner::trivy::parse, companions [];
    Grype => "grype", Scanner, "Grype JSON report",
        looks_like scanner::grype::looks_like, parse scanner::grype::parse, companions [];
    OsvScanner => "osv-scanner", Scanner, "osv-scanner JSON report",
        looks_like scanner::osv_scanner::looks_like, parse scanner::osv_scanner::parse, companions [];
    Govulncheck => "govulncheck", Scanner, "govulncheck -json message stream",
        looks_like scanner::govulncheck::looks_like, parse scanner::govulncheck::parse, companions [];
    PipAudit => "pip-audit", Scanner, "pip-audit JSON report",
        looks_like scanner::pip_audit::looks_like, parse scanner::pip_audit::parse, companions [];
    NpmAudit => "npm-audit", Scanner, "npm audit --json report (v2 and v1)",
        looks_like scanner::npm_audit::looks_like, parse scanner::npm_audit::parse, companions [];
    CargoAudit => "cargo-audit", Scanner, "cargo audit --json report",
        looks_like scanner::cargo_audit::looks_like, parse scanner::cargo_audit::parse, companions [];
    PackageLock => "package-lock", Lockfile, "npm package-lock.json / npm-shrinkwrap.json v1–v3",
        looks_like lockfile::npm::looks_like, parse lockfile::npm::parse, companions [];
    YarnV1 => "yarn-v1", Lockfile, "yarn.lock (Yarn 1)",
        looks_like lockfile::yarn::looks_like_v1, parse lockfile::yarn::parse_v1, companions [];
    YarnBerry => "yarn-berry", Lockfile, "yarn.lock (Yarn 2+ / berry)",
        looks_like lockfile::yarn::looks_like_berry, parse lockfile::yarn::parse_berry, companions [];
    PnpmLock => "pnpm-lock", Lockfile, "pnpm-lock.yaml",
        looks_like lockfile::pnpm::looks_like, parse lockfile::pnpm::parse, companions [];
    BunLock => "bun-lock", Lockfile, "bun.lock (text lockfile)",
        looks_like lockfile::bun::looks_like, parse lockfile::bun::parse, companions [];
    CargoLock => "cargo-lock", Lockfile, "Cargo.lock",
        looks_like lockfile::cargo::looks_like, parse lockfile::cargo::parse, companions [];
    PoetryLock => "poetry-lock", Lockfile, "poetry.lock",
        looks_like lockfile::poetry::looks_like, parse lockfile::poetry::parse, companions ["pyproject.toml"];
    UvLock => "uv-lock", Lockfile, "uv.lock",
        looks_like lockfile::uv::looks_like, parse lockfile::uv::parse, companions [];
    PylockToml => "pylock-toml", Lockfile, "pylock.toml (PEP 751)",
        looks_like lockfile::pylock::looks_like, parse lockfile::pylock::parse, companions [];
    PipfileLock => "pipfile-lock", Lockfile, "Pipfile.lock",
        looks_like lockfile::pipfile::looks_like, parse lockfile::pipfile::parse, companions [];
    Requirements => "requirements-txt", Lockfile, "pip requirements.txt",
        looks_like lockfile::requirements::looks_like, parse lockfile::requirements::parse, companions [];
    GoMod => "go-mod", Lockfile, "go.mod (with go.sum beside it)",
        looks_like lockfile::gomod::looks_like, parse lockfile::gomod::parse, companions ["go.sum"];
    GemfileLock => "gemfile-lock", Lockfile, "Gemfile.lock",
        looks_like lockfile::gemfile::looks_like, parse lockfile::gemfile::parse, companions [];
    ComposerLock => "composer-lock", Lockfile, "composer.lock",
        looks_like lockfile::composer::looks_like, parse lockfile::composer::parse, companions [];
    GradleLockfile => "gradle-lockfile", Lockfile, "gradle.lockfile",
        looks_like lockfile::gradle::looks_like, parse lockfile::gradle::parse, companions [];
    MavenPom => "maven-pom", Lockfile, "Maven pom.xml (dependencies with literal versions)",
        looks_like lockfile::maven::looks_like, parse lockfile::maven::parse, companions ["../pom.xml"];
    DpkgStatus => "dpkg-status", Os, "Debian dpkg status database (/var/lib/dpkg/status, status.d/*)",
        looks_like os::dpkg::looks_like, parse os::dpkg::parse, companions ["../../../etc/os-release", "../../../../etc/os-release"];
    ApkInstalled => "apk-installed", Os, "Alpine apk installed database (/lib/apk/db/installed)",
        looks_like os::apk::looks_like, parse os::apk::parse, companions ["../../../etc/os-release"];
    RpmQaJson => "rpm-qa-json", Os, "RPM package list as JSON (`rpm -qa --queryformat` JSON)",
        looks_like os::rpm::looks_like_json, parse os::rpm::parse_json, companions [];
    RpmQa => "rpm-qa", Os, "RPM package list as `rpm -qa --queryformat` text (tab-separated) or a container manifest",
        looks_like os::rpm::looks_like_text, parse os::rpm::parse_text, companions [];
}

impl InventoryFormat {
    pub fn from_name(name: &str) -> Option<InventoryFormat> {
        InventoryFormat::ALL
            .iter()
            .copied()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for InventoryFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What detection knows about a document: its file name and text, and, when the text is JSON,
/// the shape of its top level (so detectors don't each parse it).
#[derive(Debug)]
pub struct Sniff<'a> {
    /// The last path component (`package-lock.json`); a hint, never decisive alone.
    pub file_name: &'a str,
    pub text: &'a str,
    pub json: Option<JsonShape>,
}

/// The top level of a JSON document (or of the first value of a JSON stream).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JsonShape {
    /// The top level is an array (`keys` are then those of its first element, if an object).
    pub array: bool,
    /// Top-level object keys, in document order.
    pub keys: Vec<String>,
    /// More JSON values follow the first (a stream such as govulncheck's, or JSON Lines).
    pub stream: bool,
}

impl<'a> Sniff<'a> {
    pub fn new(name: &'a str, text: &'a str) -> Sniff<'a> {
        let file_name = name.rsplit(['/', '\\']).next().unwrap_or(name);
        Sniff {
            file_name,
            text,
            json: json_shape(text),
        }
    }

    /// The JSON top level is an object with this key.
    pub fn has_key(&self, key: &str) -> bool {
        self.json
            .as_ref()
            .is_some_and(|j| !j.array && j.keys.iter().any(|k| k == key))
    }

    /// The JSON top level is an array whose first element is an object with this key.
    pub fn array_of_key(&self, key: &str) -> bool {
        self.json
            .as_ref()
            .is_some_and(|j| j.array && j.keys.iter().any(|k| k == key))
    }

    /// The first `n` bytes of the text (cut at a character boundary).
    pub fn head(&self, n: usize) -> &'a str {
        let mut end = n.min(self.text.len());
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        &self.text[..end]
    }

    /// The text's first lines that are neither blank nor `#` comments.
    pub fn first_lines(&self, n: usize) -> impl Iterator<Item = &'a str> {
        self.text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .take(n)
    }

    /// A one-line description of what the document looked like, for "not recognised" errors.
    pub fn describe(&self) -> String {
        if let Some(j) = &self.json {
            let keys: Vec<&str> = j.keys.iter().take(8).map(String::as_str).collect();
            let more = if j.keys.len() > 8 { ", …" } else { "" };
            return match (j.array, keys.is_empty()) {
                (true, true) => "a JSON array".to_owned(),
                (true, false) => format!(
                    "a JSON array of objects with keys {}{more}",
                    keys.join(", ")
                ),
                (false, true) => "an empty JSON object".to_owned(),
                (false, false) => format!("a JSON object with keys {}{more}", keys.join(", ")),
            };
        }
        let t = self.text.trim_start();
        if t.starts_with('<') {
            let root = t
                .split('<')
                .map(|s| s.trim_start())
                .find(|s| !s.starts_with('?') && !s.starts_with('!') && !s.is_empty())
                .and_then(|s| {
                    s.split(|c: char| c.is_whitespace() || c == '>' || c == '/')
                        .next()
                })
                .unwrap_or("?");
            return format!("XML with root element <{root}>");
        }
        match self.first_lines(1).next() {
            None => "an empty document".to_owned(),
            Some(line) => {
                let shown: String = line.chars().take(60).collect();
                let cut = if line.chars().count() > 60 { "…" } else { "" };
                format!("text starting `{shown}{cut}`")
            }
        }
    }
}

/// Recognises a document's format from its content (the file name only breaks ties).
pub fn detect(name: &str, text: &str) -> Result<InventoryFormat, IngestError> {
    let sniff = Sniff::new(name, text);
    InventoryFormat::ALL
        .iter()
        .copied()
        .find(|f| f.looks_like(&sniff))
        .ok_or_else(|| {
            IngestError::new(
                Location::file(name),
                format!(
                    "not a format Vexil reads: it looks like {}. Vexil reads {}",
                    sniff.describe(),
                    known_formats()
                ),
            )
        })
}

/// "SBOM: cyclonedx-json, …; lockfile: …" — the list shown when a document is not recognised.
pub fn known_formats() -> String {
    let mut out = Vec::new();
    for family in [Family::Sbom, Family::Lockfile, Family::Os, Family::Scanner] {
        let names: Vec<&str> = InventoryFormat::ALL
            .iter()
            .filter(|f| f.family() == family)
            .map(|f| f.name())
            .collect();
        out.push(format!("{}s ({})", family.name(), names.join(", ")));
    }
    out.join("; ")
}

/// A parsed inventory document: its format, what it gave, and the SHA-256 of its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub format: InventoryFormat,
    pub inventory: Inventory,
    pub digest: String,
}

/// Decodes, recognises (unless `format` is forced) and parses one document. `companion` is asked
/// for the files the format reads beside it (paths relative to the document's folder) and
/// answers with their bytes when they exist; the caller does the I/O, the core stays pure.
pub fn read(
    name: &str,
    bytes: &[u8],
    format: Option<InventoryFormat>,
    mut companion: impl FnMut(&str) -> Option<Vec<u8>>,
) -> Result<Document, IngestError> {
    let text = decode(name, bytes)?;
    let format = match format {
        Some(f) => f,
        None => detect(name, &text)?,
    };
    let mut related = Vec::new();
    for path in format.companions() {
        if let Some(bytes) = companion(path) {
            let shown = format!(
                "{}/{path}",
                name.rsplit_once('/').map_or(".", |(dir, _)| dir)
            );
            related.push(((*path).to_owned(), decode(&shown, &bytes)?));
        }
    }
    let src = Source {
        name,
        text: &text,
        related: &related,
    };
    let inventory = format.parse(&src)?.finish();
    Ok(Document {
        format,
        inventory,
        digest: crate::ingest::feed::digest(bytes),
    })
}

/// One JSON-pointer reference token (RFC 6901): `~` → `~0`, `/` → `~1`, so
/// `/packages/node_modules~1lodash` names the key `node_modules/lodash`.
pub fn pointer_token(key: &str) -> std::borrow::Cow<'_, str> {
    if key.contains(['~', '/']) {
        std::borrow::Cow::Owned(key.replace('~', "~0").replace('/', "~1"))
    } else {
        std::borrow::Cow::Borrowed(key)
    }
}

/// The 1-based line and column of a byte offset in `text` (for parsers that report offsets,
/// such as quick-xml).
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Bytes to text: UTF-8 (a BOM is dropped) or UTF-16 with a BOM. Invalid UTF-8 is an error at
/// its line and column; so is a document over [`MAX_DOCUMENT_BYTES`].
pub fn decode(name: &str, bytes: &[u8]) -> Result<String, IngestError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(IngestError::new(
            Location::file(name),
            format!(
                "the document is {} bytes; inventory documents over {} MiB are refused",
                bytes.len(),
                MAX_DOCUMENT_BYTES / (1024 * 1024)
            ),
        ));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(name, rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(name, rest, u16::from_be_bytes);
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
            let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
            Err(IngestError::new(
                Location::file(name).at(line, column),
                format!(
                    "invalid UTF-8 (byte 0x{:02x} at offset {}); expected UTF-8 or UTF-16 text with a byte-order mark",
                    bytes[e.valid_up_to()],
                    e.valid_up_to()
                ),
            ))
        }
    }
}

fn utf16(name: &str, bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, IngestError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(IngestError::new(
            Location::file(name),
            "UTF-16 text with an odd number of bytes (truncated?)",
        ));
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|e| {
            IngestError::new(
                Location::file(name),
                format!(
                    "invalid UTF-16: unpaired surrogate 0x{:04x}",
                    e.unpaired_surrogate()
                ),
            )
        })
}

/// Reads the top level of the first JSON value without building it.
fn json_shape(text: &str) -> Option<JsonShape> {
    let t = text.trim_start();
    if !(t.starts_with('{') || t.starts_with('[')) {
        return None;
    }
    let mut stream = serde_json::Deserializer::from_str(t).into_iter::<TopLevel>();
    let TopLevel(mut shape) = stream.next()?.ok()?;
    shape.stream = stream.next().is_some();
    Some(shape)
}

struct TopLevel(JsonShape);

impl<'de> de::Deserialize<'de> for TopLevel {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ShapeVisitor { nested: false })
            .map(TopLevel)
    }
}

struct ShapeVisitor {
    /// Reading the first element of a top-level array.
    nested: bool,
}

impl<'de> Visitor<'de> for ShapeVisitor {
    type Value = JsonShape;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object or array")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonShape, A::Error> {
        let mut keys = Vec::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            keys.push(key.into_owned());
            map.next_value::<IgnoredAny>()?;
        }
        Ok(JsonShape {
            array: false,
            keys,
            stream: false,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JsonShape, A::Error> {
        if self.nested {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(JsonShape::default());
        }
        let first = seq.next_element_seed(FirstElement)?;
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(JsonShape {
            array: true,
            keys: first.map(|s| s.keys).unwrap_or_default(),
            stream: false,
        })
    }

    fn visit_bool<E>(self, _: bool) -> Result<JsonShape, E> {
        Ok(JsonShape::default())
    }
    fn visit_i64<E>(self, _: i64) -> Result<JsonShape, E> {
        Ok(JsonShape::default())
    }
    fn visit_u64<E>(self, _: u64) -> Result<JsonShape, E> {
        Ok(JsonShape::default())
    }
    fn visit_f64<E>(self, _: f64) -> Result<JsonShape, E> {
        Ok(JsonShape::default())
    }
    fn visit_str<E>(self, _: &str) -> Result<JsonShape, E> {
        Ok(JsonShape::default())
    }
    fn visit_unit<E>(self) -> Result<JsonShape, E> {
        Ok(JsonShape::default())
    }
}

struct FirstElement;

impl<'de> de::DeserializeSeed<'de> for FirstElement {
    type Value = JsonShape;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<JsonShape, D::Error> {
        d.deserialize_any(ShapeVisitor { nested: true })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape_reads_top_level_keys_and_streams() {
        let s = Sniff::new("x.json", r#"{"a": {"b": [1, 2]}, "c": null}"#);
        assert_eq!(
            s.json.as_ref().map(|j| j.keys.clone()),
            Some(vec!["a".into(), "c".into()])
        );
        let s = Sniff::new("x.json", "{\"config\": {}}\n{\"progress\": {}}");
        assert!(s.json.as_ref().is_some_and(|j| j.stream));
        let s = Sniff::new("x.json", r#"[{"name": "x", "vulns": []}, {"other": 1}]"#);
        assert!(s.array_of_key("vulns"));
        assert!(Sniff::new("x", "not json").json.is_none());
    }

    #[test]
    fn decode_handles_boms_and_names_bad_bytes() {
        assert_eq!(decode("f", b"\xEF\xBB\xBFabc").ok().as_deref(), Some("abc"));
        assert_eq!(decode("f", b"\xFF\xFEa\0b\0").ok().as_deref(), Some("ab"));
        let err = decode("f", b"ok\nab\xFFcd").expect_err("invalid");
        assert_eq!((err.location.line, err.location.column), (Some(2), Some(3)));
    }

    #[test]
    fn describe_says_what_a_document_looked_like() {
        assert_eq!(
            Sniff::new("f", r#"{"x": 1}"#).describe(),
            "a JSON object with keys x"
        );
        assert_eq!(
            Sniff::new("f", "<?xml version='1.0'?>\n<foo a='1'/>").describe(),
            "XML with root element <foo>"
        );
        assert_eq!(
            Sniff::new("f", "# c\nhello world").describe(),
            "text starting `hello world`"
        );
    }
}
