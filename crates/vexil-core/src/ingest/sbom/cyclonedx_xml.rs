//! CycloneDX XML (1.1–1.7): the document is read into an element tree with quick-xml, then into
//! the same raw structs as JSON, each component keeping its line and column.
//!
//! Hostile XML is refused: a DOCTYPE that declares entities (billion laughs), any entity other
//! than the five predefined ones and character references, and nesting deeper than
//! [`MAX_DEPTH`] × 4 elements. Elements are matched by local name, so prefixed documents and the
//! 1.1 dependency-graph extension (`dg:dependencies`) read alike; `pedigree` ancestors and other
//! component lists that are not the BOM's own are not descended into.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;

use crate::ingest::IngestError;
use crate::ingest::inventory::line_column;
use crate::ingest::sbom::cyclonedx::{
    OneOrMany, RawAffect, RawAnalysis, RawBom, RawComponent, RawDependency, RawEvidence, RawHash,
    RawIdentity, RawLicense, RawLicenseChoice, RawMetadata, RawProperty, RawRating, RawReference,
    RawService, RawSource, RawTool, RawTools, RawVulnerability,
};
use crate::ingest::sbom::document::{MAX_DEPTH, Origin, Text};

const NAMESPACE: &str = "cyclonedx.org/schema/bom";

/// The text starts with a `<bom>` root element in the CycloneDX namespace.
pub(super) fn looks_like(head: &str) -> bool {
    let Some(root) = root_tag(head) else {
        return false;
    };
    let name = root
        .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .next()
        .unwrap_or_default();
    (name == "bom" || name.ends_with(":bom")) && root.contains(NAMESPACE)
}

/// The first start tag after the prolog (declaration, comments, DOCTYPE), without its `<`.
fn root_tag(head: &str) -> Option<&str> {
    let mut rest = head.trim_start();
    loop {
        rest = rest.strip_prefix('<')?;
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.split_once("-->")?.1.trim_start();
        } else if let Some(doctype) = rest.strip_prefix("!DOCTYPE") {
            rest = skip_doctype(doctype)?.trim_start();
        } else if rest.starts_with('?') || rest.starts_with('!') {
            rest = rest.split_once('>')?.1.trim_start();
        } else {
            return Some(rest);
        }
    }
}

/// The text after a DOCTYPE, whose internal subset (`[ … ]`) may hold `>` characters.
fn skip_doctype(doctype: &str) -> Option<&str> {
    let close = doctype.find('>')?;
    match doctype.find('[') {
        Some(open) if open < close => {
            let after_subset = doctype.get(open..)?.split_once(']')?.1;
            Some(after_subset.split_once('>')?.1)
        }
        _ => doctype.get(close + 1..),
    }
}

/// Reads a CycloneDX XML document into the raw BOM.
pub(super) fn read(text: &str, origin: &Origin<'_>) -> Result<RawBom<'static>, IngestError> {
    let root = tree(text, origin)?;
    let namespace = root
        .attrs
        .iter()
        .find(|(k, v)| k.starts_with("xmlns") && v.contains(NAMESPACE))
        .or_else(|| root.attrs.iter().find(|(k, _)| k == "xmlns"))
        .map_or("", |(_, v)| v.as_str());
    if root.name != "bom" || !namespace.contains(NAMESPACE) {
        return Err(IngestError::new(
            origin.line(root.line, root.column),
            format!(
                "valid XML but not a CycloneDX BOM: the root element is <{}> in namespace `{namespace}`; expected <bom xmlns=\"http://cyclonedx.org/schema/bom/1.x\">",
                root.name
            ),
        ));
    }
    Ok(bom(&root, namespace))
}

/// One element: local name, attributes (local names), text and children, where it starts.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Element>,
    line: usize,
    column: usize,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn all<'e>(&'e self, name: &'e str) -> impl Iterator<Item = &'e Element> + 'e {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The elements `<list><item/>…</list>` of a list child.
    fn list<'e>(&'e self, list: &'e str, item: &'e str) -> impl Iterator<Item = &'e Element> + 'e {
        self.all(list).flat_map(move |l| l.all(item))
    }

    /// The trimmed text of a child element, `None` when absent.
    fn text_of(&self, name: &str) -> Option<Text<'static>> {
        self.child(name).map(Element::own_text)
    }

    fn own_text(&self) -> Text<'static> {
        Text::owned(self.text.trim().to_owned())
    }

    fn attr_text(&self, name: &str) -> Option<Text<'static>> {
        self.attr(name).map(|v| Text::owned(v.to_owned()))
    }
}

/// Parses the whole document into its root element.
fn tree(text: &str, origin: &Origin<'_>) -> Result<Element, IngestError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut lines = Lines::default();
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| {
            let offset = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
            let (line, column) = line_column(text, offset);
            IngestError::new(origin.line(line, column), format!("invalid XML: {e}"))
        })?;
        let (line, column) = lines.at(text, start);
        match event {
            Event::Start(e) | Event::Empty(e) if root.is_some() => {
                return Err(IngestError::new(
                    origin.line(line, column),
                    format!("content after the root element: <{}>", local(e.name())),
                ));
            }
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH * 4 {
                    return Err(IngestError::new(
                        origin.line(line, column),
                        format!("XML nested deeper than {} elements; refused", MAX_DEPTH * 4),
                    ));
                }
                stack.push(element(&e, line, column, origin)?);
            }
            Event::Empty(e) => {
                let el = element(&e, line, column, origin)?;
                close(el, &mut stack, &mut root);
            }
            Event::End(_) => {
                if let Some(el) = stack.pop() {
                    close(el, &mut stack, &mut root);
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.xml_content(XmlVersion::Implicit1_0)),
            Event::CData(t) => push_text(&mut stack, &t.xml_content(XmlVersion::Implicit1_0)),
            Event::GeneralRef(r) => {
                let resolved = entity(&r.xml_content(XmlVersion::Implicit1_0)).ok_or_else(|| {
                    IngestError::new(
                        origin.line(line, column),
                        format!(
                            "XML entity `&{};` is not one of the predefined ones; Vexil expands no custom entities",
                            r.xml_content(XmlVersion::Implicit1_0)
                        ),
                    )
                })?;
                push_text(&mut stack, &resolved);
            }
            Event::DocType(d) => {
                if d.xml_content(XmlVersion::Implicit1_0).contains("<!ENTITY") {
                    return Err(IngestError::new(
                        origin.line(line, column),
                        "the DOCTYPE declares XML entities; refused (entity expansion can exhaust memory)",
                    ));
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(IngestError::new(
            origin.line(open.line, open.column),
            format!(
                "the document ends early (truncated?): <{}> is never closed",
                open.name
            ),
        ));
    }
    root.ok_or_else(|| origin.error("the document has no root element; expected a CycloneDX <bom>"))
}

/// A finished element: a child of the open one, or the root.
fn close(el: Element, stack: &mut [Element], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}

fn push_text(stack: &mut [Element], text: &str) {
    if let Some(open) = stack.last_mut() {
        open.text.push_str(text);
    }
}

/// The replacement of an entity reference: the five predefined entities and character
/// references; `None` for anything else.
fn entity(name: &str) -> Option<String> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix('x') {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code)
            .filter(|c| *c != '\0')
            .map(String::from);
    }
    let c = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    };
    Some(c.to_string())
}

fn local(name: QName<'_>) -> String {
    name.local_name().as_ref().to_owned()
}

fn element(
    e: &BytesStart<'_>,
    line: usize,
    column: usize,
    origin: &Origin<'_>,
) -> Result<Element, IngestError> {
    let bad = |what: String| IngestError::new(origin.line(line, column), what);
    let mut attrs = Vec::new();
    for attr in e.attributes() {
        let attr = attr.map_err(|err| bad(format!("invalid XML attribute: {err}")))?;
        // Namespace declarations keep their full name (`xmlns`, `xmlns:cdx`).
        let key = if attr.key.as_ref().starts_with("xmlns") {
            attr.key.as_ref().to_owned()
        } else {
            local(attr.key)
        };
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|err| {
                bad(format!(
                    "invalid XML attribute value (only the predefined entities are expanded): {err}"
                ))
            })?;
        attrs.push((key, value.into_owned()));
    }
    Ok(Element {
        name: local(e.name()),
        attrs,
        line,
        column,
        ..Element::default()
    })
}

/// Line and column of byte offsets visited in increasing order, each byte counted once (a
/// minified document is one long line: columns must not be recounted from its start).
#[derive(Debug)]
struct Lines {
    offset: usize,
    line: usize,
    column: usize,
}

impl Default for Lines {
    fn default() -> Lines {
        Lines {
            offset: 0,
            line: 1,
            column: 1,
        }
    }
}

impl Lines {
    fn at(&mut self, text: &str, offset: usize) -> (usize, usize) {
        if let Some(passed) = text.get(self.offset..offset) {
            match passed.rfind('\n') {
                Some(last) => {
                    self.line += passed.matches('\n').count();
                    self.column = passed.get(last + 1..).map_or(0, |s| s.chars().count()) + 1;
                }
                None => self.column += passed.chars().count(),
            }
            self.offset = offset;
        }
        (self.line, self.column)
    }
}

fn bom(root: &Element, namespace: &str) -> RawBom<'static> {
    let spec = namespace
        .rsplit('/')
        .next()
        .filter(|v| v.starts_with("1."))
        .map(|v| Text::owned(v.to_owned()));
    RawBom {
        bom_format: Some(Text::owned("CycloneDX".to_owned())),
        spec_version: spec,
        serial_number: root.attr_text("serialNumber"),
        metadata: root.child("metadata").map(metadata),
        components: root
            .list("components", "component")
            .map(component)
            .collect(),
        services: root.list("services", "service").map(service).collect(),
        dependencies: root
            .list("dependencies", "dependency")
            .map(dependency)
            .collect(),
        vulnerabilities: root
            .list("vulnerabilities", "vulnerability")
            .map(vulnerability)
            .collect(),
        at: Some((root.line, root.column)),
    }
}

fn service(s: &Element) -> RawService<'static> {
    RawService {
        bom_ref: s.attr_text("bom-ref"),
        services: s.list("services", "service").map(service).collect(),
    }
}

fn metadata(m: &Element) -> RawMetadata<'static> {
    let tools = m.child("tools").map(|t| {
        let legacy: Vec<RawTool<'static>> = t.all("tool").map(tool).collect();
        if legacy.is_empty() {
            RawTools::Modern {
                components: t.list("components", "component").map(tool).collect(),
                services: t.list("services", "service").map(tool).collect(),
            }
        } else {
            RawTools::Legacy(legacy)
        }
    });
    RawMetadata {
        timestamp: m.text_of("timestamp"),
        tools,
        component: m.child("component").map(component),
        at: m.child("timestamp").map(|t| (t.line, t.column)),
    }
}

fn tool(t: &Element) -> RawTool<'static> {
    RawTool {
        name: t.text_of("name"),
        version: t.text_of("version"),
    }
}

fn component(c: &Element) -> RawComponent<'static> {
    RawComponent {
        kind: c.attr_text("type"),
        bom_ref: c.attr_text("bom-ref"),
        group: c.text_of("group"),
        name: c.text_of("name"),
        version: c.text_of("version"),
        scope: c.text_of("scope"),
        purl: c.text_of("purl"),
        cpe: c.text_of("cpe"),
        hashes: c
            .list("hashes", "hash")
            .map(|h| RawHash {
                alg: h.attr_text("alg"),
                content: Some(h.own_text()),
            })
            .collect(),
        licenses: c.all("licenses").flat_map(licenses).collect(),
        properties: c
            .list("properties", "property")
            .map(|p| RawProperty {
                name: p.attr_text("name"),
                value: Some(p.own_text()),
            })
            .collect(),
        components: c.list("components", "component").map(component).collect(),
        evidence: c.child("evidence").map(|e| RawEvidence {
            identity: Some(OneOrMany::Many(e.all("identity").map(identity).collect())),
        }),
        at: Some((c.line, c.column)),
    }
}

fn identity(i: &Element) -> RawIdentity<'static> {
    RawIdentity {
        field: i.text_of("field"),
        concluded_value: i.text_of("concludedValue"),
    }
}

/// `<licenses>`: `<license>` elements (by `<id>` or `<name>`) or `<expression>`s.
fn licenses(list: &Element) -> impl Iterator<Item = RawLicenseChoice<'static>> + '_ {
    list.children.iter().filter_map(|l| match l.name.as_str() {
        "license" => Some(RawLicenseChoice {
            license: Some(RawLicense {
                id: l.text_of("id"),
                name: l.text_of("name"),
            }),
            expression: None,
        }),
        "expression" => Some(RawLicenseChoice {
            license: None,
            expression: Some(l.own_text()),
        }),
        _ => None,
    })
}

fn dependency(d: &Element) -> RawDependency<'static> {
    RawDependency {
        reference: d.attr_text("ref"),
        depends_on: d
            .all("dependency")
            .filter_map(|t| t.attr_text("ref"))
            .collect(),
        at: Some((d.line, d.column)),
    }
}

fn vulnerability(v: &Element) -> RawVulnerability<'static> {
    let source = |e: &Element| {
        e.child("source").map(|s| RawSource {
            name: s.text_of("name"),
        })
    };
    RawVulnerability {
        id: v.text_of("id"),
        source: source(v),
        references: v
            .list("references", "reference")
            .map(|r| RawReference {
                id: r.text_of("id"),
            })
            .collect(),
        ratings: v
            .list("ratings", "rating")
            .map(|r| RawRating {
                source: source(r),
                severity: r.text_of("severity"),
            })
            .collect(),
        recommendation: v.text_of("recommendation"),
        analysis: v.child("analysis").map(|a| RawAnalysis {
            state: a.text_of("state"),
        }),
        affects: v
            .list("affects", "target")
            .map(|t| RawAffect {
                reference: t.text_of("ref"),
            })
            .collect(),
        at: Some((v.line, v.column)),
    }
}
