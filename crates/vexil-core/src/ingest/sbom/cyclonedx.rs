//! CycloneDX SBOMs, JSON (1.2–1.7) and XML (1.1–1.7): components (nested ones too), the
//! `dependencies` graph and the `vulnerabilities` section, which becomes scanner evidence.
//!
//! What real files do: `metadata.component` is the subject (the image or project scanned), not a
//! component, but the graph starts from it; `bom-ref`s are purls, UUIDs or tool hashes, and Red
//! Hat's refer to components by purl instead; `metadata.tools` is a legacy array (≤ 1.4) or an
//! object of `components`/`services` (1.5+); graphs may loop (libc6 ↔ libcrypt1) and 1.6's
//! `provides` lists are not dependencies; Trivy and Syft give the source package in
//! `properties`; test fixtures carry invalid purls, duplicate `bom-ref`s and redacted serials.

use std::collections::HashMap;

use serde::Deserialize;

use crate::ingest::IngestError;
use crate::ingest::Location;
use crate::ingest::inventory::{Sniff, Source};
use crate::ingest::sbom::cyclonedx_xml;
use crate::ingest::sbom::document::{MAX_DEPTH, Origin, Text, nullable, present, refuse_array};
use crate::ingest::sbom::package::{self, Collector, Listed};
use crate::model::purl::Purl;
use crate::model::{Component, Dependency, Inventory, ScannerFinding, Scope, SourcePackage};

pub(crate) fn looks_like_json(sniff: &Sniff<'_>) -> bool {
    sniff.has_key("bomFormat") || truncated_json_with(sniff, "\"bomFormat\"")
}

/// Broken JSON that still shows the format's key near its start: claimed, so the parse error
/// (truncated file, bad syntax) is reported instead of "not a format Vexil reads".
pub(super) fn truncated_json_with(sniff: &Sniff<'_>, key: &str) -> bool {
    sniff.json.is_none()
        && sniff.text.trim_start().starts_with('{')
        && sniff.head(4096).contains(key)
}

pub fn parse_json(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let origin = Origin::file(src.name);
    refuse_array(src.text, &origin, "a CycloneDX BOM")?;
    let bom: RawBom<'_> = serde_json::from_str(src.text).map_err(|e| origin.json_error(&e))?;
    read(&bom, &origin)
}

pub(crate) fn looks_like_xml(sniff: &Sniff<'_>) -> bool {
    cyclonedx_xml::looks_like(sniff.head(4096))
}

pub fn parse_xml(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let origin = Origin::file(src.name);
    let bom = cyclonedx_xml::read(src.text, &origin)?;
    read(&bom, &origin)
}

/// A CycloneDX BOM as written; only what Vexil uses. XML is read into the same structs, with the
/// line and column of each element in `at` (JSON leaves it `None`: locations are pointers).
#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "a CycloneDX BOM (a JSON object with `bomFormat`)")]
pub(super) struct RawBom<'a> {
    #[serde(rename = "bomFormat", borrow)]
    pub(super) bom_format: Option<Text<'a>>,
    #[serde(rename = "specVersion", borrow)]
    pub(super) spec_version: Option<Text<'a>>,
    #[serde(rename = "serialNumber", borrow)]
    pub(super) serial_number: Option<Text<'a>>,
    #[serde(default, borrow)]
    pub(super) metadata: Option<RawMetadata<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    pub(super) components: Vec<RawComponent<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    pub(super) services: Vec<RawService<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    pub(super) dependencies: Vec<RawDependency<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    pub(super) vulnerabilities: Vec<RawVulnerability<'a>>,
    #[serde(skip)]
    pub(super) at: Option<(usize, usize)>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RawMetadata<'a> {
    #[serde(borrow)]
    pub(super) timestamp: Option<Text<'a>>,
    #[serde(default, borrow)]
    pub(super) tools: Option<RawTools<'a>>,
    #[serde(default, borrow)]
    pub(super) component: Option<RawComponent<'a>>,
    #[serde(skip)]
    pub(super) at: Option<(usize, usize)>,
}

/// `metadata.tools`: an array of tools (legacy, ≤ 1.4) or `{components, services}` (1.5+).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum RawTools<'a> {
    #[serde(borrow)]
    Legacy(Vec<RawTool<'a>>),
    Modern {
        #[serde(default, borrow)]
        components: Vec<RawTool<'a>>,
        #[serde(default, borrow)]
        services: Vec<RawTool<'a>>,
    },
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RawTool<'a> {
    #[serde(borrow)]
    pub(super) name: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) version: Option<Text<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RawComponent<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Option<Text<'a>>,
    #[serde(rename = "bom-ref", borrow)]
    pub(super) bom_ref: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) group: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) name: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) version: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) scope: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) purl: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) cpe: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    pub(super) hashes: Vec<RawHash<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    pub(super) licenses: Vec<RawLicenseChoice<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    pub(super) properties: Vec<RawProperty<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    pub(super) components: Vec<RawComponent<'a>>,
    #[serde(default, borrow)]
    pub(super) evidence: Option<RawEvidence<'a>>,
    #[serde(skip)]
    pub(super) at: Option<(usize, usize)>,
}

/// A service: not inventoried, but a node of the dependency graph.
#[derive(Debug, Default, Deserialize)]
pub(super) struct RawService<'a> {
    #[serde(rename = "bom-ref", borrow)]
    pub(super) bom_ref: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    pub(super) services: Vec<RawService<'a>>,
}

/// `evidence.identity`: one object (1.5) or an array of them (1.6+); Red Hat gives the CPEs of
/// a product here.
#[derive(Debug, Default, Deserialize)]
pub(super) struct RawEvidence<'a> {
    #[serde(default, borrow)]
    pub(super) identity: Option<OneOrMany<RawIdentity<'a>>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    fn as_slice(&self) -> &[T] {
        match self {
            OneOrMany::One(one) => std::slice::from_ref(one),
            OneOrMany::Many(many) => many,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RawIdentity<'a> {
    #[serde(borrow)]
    pub(super) field: Option<Text<'a>>,
    #[serde(rename = "concludedValue", borrow)]
    pub(super) concluded_value: Option<Text<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RawHash<'a> {
    #[serde(borrow)]
    pub(super) alg: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) content: Option<Text<'a>>,
}

/// One entry of `licenses`: a `license` (by SPDX `id` or free `name`) or an `expression`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct RawLicenseChoice<'a> {
    #[serde(default, borrow)]
    pub(super) license: Option<RawLicense<'a>>,
    #[serde(borrow)]
    pub(super) expression: Option<Text<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RawLicense<'a> {
    #[serde(borrow)]
    pub(super) id: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) name: Option<Text<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RawProperty<'a> {
    #[serde(borrow)]
    pub(super) name: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) value: Option<Text<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RawDependency<'a> {
    #[serde(rename = "ref", borrow)]
    pub(super) reference: Option<Text<'a>>,
    #[serde(rename = "dependsOn", default, borrow, deserialize_with = "nullable")]
    pub(super) depends_on: Vec<Text<'a>>,
    #[serde(skip)]
    pub(super) at: Option<(usize, usize)>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RawVulnerability<'a> {
    #[serde(borrow)]
    pub(super) id: Option<Text<'a>>,
    #[serde(default, borrow)]
    pub(super) source: Option<RawSource<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    pub(super) references: Vec<RawReference<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    pub(super) ratings: Vec<RawRating<'a>>,
    #[serde(borrow)]
    pub(super) recommendation: Option<Text<'a>>,
    #[serde(default, borrow)]
    pub(super) analysis: Option<RawAnalysis<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    pub(super) affects: Vec<RawAffect<'a>>,
    #[serde(skip)]
    pub(super) at: Option<(usize, usize)>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RawSource<'a> {
    #[serde(borrow)]
    pub(super) name: Option<Text<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RawReference<'a> {
    #[serde(borrow)]
    pub(super) id: Option<Text<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RawRating<'a> {
    #[serde(default, borrow)]
    pub(super) source: Option<RawSource<'a>>,
    #[serde(borrow)]
    pub(super) severity: Option<Text<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RawAnalysis<'a> {
    #[serde(borrow)]
    pub(super) state: Option<Text<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RawAffect<'a> {
    #[serde(rename = "ref", borrow)]
    pub(super) reference: Option<Text<'a>>,
}

/// Component types of CycloneDX 1.7 (`component.type`).
const COMPONENT_TYPES: &[&str] = &[
    "application",
    "framework",
    "library",
    "container",
    "platform",
    "operating-system",
    "device",
    "device-driver",
    "firmware",
    "file",
    "machine-learning-model",
    "data",
    "cryptographic-asset",
];

/// Reads a BOM already deserialized (from JSON, XML, or an in-toto predicate).
pub(super) fn read(bom: &RawBom<'_>, origin: &Origin<'_>) -> Result<Inventory, IngestError> {
    check_header(bom, origin)?;
    let mut reader = Reader {
        origin,
        out: Collector::default(),
        refs: HashMap::with_capacity(bom.components.len()),
        by_purl: HashMap::with_capacity(bom.components.len()),
        subject: None,
    };
    reader
        .out
        .inventory
        .components
        .reserve(bom.components.len());
    reader
        .out
        .inventory
        .dependencies
        .reserve(bom.dependencies.len());
    reader.header_warnings(bom);
    if let Some(subject) = bom.metadata.as_ref().and_then(|m| m.component.as_ref()) {
        reader.subject(subject);
    }
    reader.services(&bom.services, 1)?;
    for (i, c) in bom.components.iter().enumerate() {
        reader.component(c, &format!("/components/{i}"), 1)?;
    }
    for (i, d) in bom.dependencies.iter().enumerate() {
        reader.dependency(d, i);
    }
    let tool = tool(bom);
    for (i, v) in bom.vulnerabilities.iter().enumerate() {
        reader.vulnerability(v, i, &tool);
    }
    Ok(reader.out.finish(origin.location()))
}

fn check_header(bom: &RawBom<'_>, origin: &Origin<'_>) -> Result<(), IngestError> {
    match present(&bom.bom_format) {
        Some("CycloneDX") => Ok(()),
        Some(other) => Err(IngestError::new(
            origin.field("/bomFormat"),
            format!("`bomFormat` is `{other}`; a CycloneDX BOM says `CycloneDX`"),
        )),
        None => Err(origin.error("valid JSON but not a CycloneDX BOM: no `bomFormat`")),
    }
}

/// The tool that wrote the BOM, named in its vulnerability evidence.
#[derive(Debug)]
struct Tool {
    name: String,
    version: Option<String>,
}

/// The first `metadata.tools` entry, or `cyclonedx` when the BOM names none.
fn tool(bom: &RawBom<'_>) -> Tool {
    let tools = bom.metadata.as_ref().and_then(|m| m.tools.as_ref());
    let first = match tools {
        Some(RawTools::Legacy(list)) => list.first(),
        Some(RawTools::Modern {
            components,
            services,
        }) => components.first().or(services.first()),
        None => None,
    };
    match first.and_then(|t| present(&t.name).map(|n| (n, present(&t.version)))) {
        Some((name, version)) => Tool {
            name: name.to_owned(),
            version: version.map(str::to_owned),
        },
        None => Tool {
            name: "cyclonedx".to_owned(),
            version: None,
        },
    }
}

/// What a `bom-ref` (or a purl used as one) resolves to.
#[derive(Clone, Copy, Debug)]
enum Node {
    Component(usize),
    Subject,
    /// A service: a graph node with no purl, so edges to it are dropped without a warning.
    Service,
}

/// What a vulnerability's `affects` entry names.
#[derive(Debug)]
struct Affected {
    purl: Option<String>,
    package: String,
    version: Option<String>,
}

/// The subject (`metadata.component`): its purl, name and version when it has them.
#[derive(Debug)]
struct Subject {
    purl: Option<String>,
    name: String,
    version: Option<String>,
}

struct Reader<'o, 's, 'r> {
    origin: &'o Origin<'s>,
    out: Collector,
    /// `bom-ref` → node, first listing wins.
    refs: HashMap<&'r str, Node>,
    /// Purl as written → node, for refs that give a purl instead of a `bom-ref`.
    by_purl: HashMap<&'r str, Node>,
    subject: Option<Subject>,
}

impl<'r> Reader<'_, '_, 'r> {
    fn location(&self, at: Option<(usize, usize)>, pointer: &str) -> Location {
        match at {
            Some((line, column)) => self.origin.line(line, column),
            None => self.origin.field(pointer),
        }
    }

    fn header_warnings(&mut self, bom: &RawBom<'_>) {
        match present(&bom.spec_version) {
            Some("1.0" | "1.1" | "1.2" | "1.3" | "1.4" | "1.5" | "1.6" | "1.7") => {}
            Some(other) => self.out.warn(
                self.location(bom.at, "/specVersion"),
                format!("`specVersion` `{other}` is not one Vexil knows (1.1–1.7); read as 1.7"),
            ),
            None => self.out.warn(
                self.origin.location(),
                "no `specVersion`; read as CycloneDX 1.7",
            ),
        }
        if let Some(serial) = present(&bom.serial_number)
            && !is_urn_uuid(serial)
        {
            self.out.warn(
                self.location(bom.at, "/serialNumber"),
                format!("`serialNumber` `{serial}` is not a `urn:uuid:` UUID (RFC 4122)"),
            );
        }
        if let Some(metadata) = &bom.metadata
            && let Some(ts) = present(&metadata.timestamp)
            && ts.parse::<jiff::Timestamp>().is_err()
        {
            self.out.warn(
                self.location(metadata.at, "/metadata/timestamp"),
                format!("`metadata.timestamp` `{ts}` is not an RFC 3339 date-time"),
            );
        }
    }

    fn subject(&mut self, c: &'r RawComponent<'_>) {
        let name = present(&c.name).unwrap_or_default();
        let purl = present(&c.purl)
            .and_then(|p| Purl::parse(p).ok())
            .or_else(|| {
                (!name.is_empty()).then(|| Purl::package("generic", name, present(&c.version)))
            })
            .and_then(|p| p.to_purl_string().ok());
        self.subject = Some(Subject {
            purl,
            name: name.to_owned(),
            version: present(&c.version).map(str::to_owned),
        });
        if let Some(r) = present(&c.bom_ref) {
            self.refs.insert(r, Node::Subject);
        }
        if let Some(p) = present(&c.purl) {
            self.by_purl.insert(p, Node::Subject);
        }
    }

    /// Records the `bom-ref`s of services (and the services nested in them).
    fn services(
        &mut self,
        services: &'r [RawService<'_>],
        depth: usize,
    ) -> Result<(), IngestError> {
        if depth > MAX_DEPTH {
            return Err(self.origin.error(format!(
                "services nested deeper than {MAX_DEPTH} levels; refused"
            )));
        }
        for s in services {
            if let Some(r) = present(&s.bom_ref) {
                self.refs.entry(r).or_insert(Node::Service);
            }
            self.services(&s.services, depth + 1)?;
        }
        Ok(())
    }

    /// Reads one component and those nested in it (each nested one a dependency of its parent).
    fn component(
        &mut self,
        c: &'r RawComponent<'_>,
        pointer: &str,
        depth: usize,
    ) -> Result<Option<usize>, IngestError> {
        let at = self.location(c.at, pointer);
        if depth > MAX_DEPTH {
            return Err(IngestError::new(
                at,
                format!("components nested deeper than {MAX_DEPTH} levels; refused"),
            ));
        }
        let package_like = self.check_type(c, &at);
        let listed = Listed {
            name: present(&c.name),
            group: present(&c.group),
            version: present(&c.version),
            purl: present(&c.purl),
            evident: None,
            package_like,
        };
        let parent = self
            .out
            .identify(listed, &at)
            .map(|component| self.fill(component, c));
        for (j, child) in c.components.iter().enumerate() {
            let child = self.component(child, &format!("{pointer}/components/{j}"), depth + 1)?;
            let purls = (parent.and_then(|p| self.purl_of(Node::Component(p))))
                .zip(child.and_then(|c| self.purl_of(Node::Component(c))));
            if let Some((from, to)) = purls {
                let edge = Dependency {
                    from: from.to_owned(),
                    to: to.to_owned(),
                };
                self.out.inventory.dependencies.push(edge);
            }
        }
        Ok(parent)
    }

    /// Warns about a missing or unknown `type`; says whether the component is package-like.
    fn check_type(&mut self, c: &RawComponent<'_>, at: &Location) -> bool {
        match present(&c.kind) {
            None => {
                self.out.warn(
                    at.clone(),
                    "component has no `type` (CycloneDX requires one: `library`, `application`, …)",
                );
                true
            }
            Some(kind) if !COMPONENT_TYPES.contains(&kind) => {
                self.out.warn(
                    at.clone(),
                    format!(
                        "unknown component `type` `{kind}`; expected one of {}",
                        COMPONENT_TYPES.join(", ")
                    ),
                );
                true
            }
            Some(kind) => matches!(kind, "library" | "framework"),
        }
    }

    /// Completes an identified component from the entry, records it and its refs; returns its
    /// index.
    fn fill(&mut self, mut component: Component, c: &'r RawComponent<'_>) -> usize {
        component.scope = self.scope(c, &component.location);
        for h in &c.hashes {
            match package::hash(
                present(&h.alg).unwrap_or_default(),
                present(&h.content).unwrap_or_default(),
            ) {
                Ok(hash) => component.hashes.push(hash),
                Err(message) => self.out.warn(component.location.clone(), message),
            }
        }
        component.cpes.extend(present(&c.cpe).map(str::to_owned));
        let identities = c.evidence.as_ref().and_then(|e| e.identity.as_ref());
        for identity in identities.map_or(&[][..], OneOrMany::as_slice) {
            if identity.field.as_deref() == Some("cpe")
                && let Some(cpe) = present(&identity.concluded_value)
                && !component.cpes.iter().any(|c| c == cpe)
            {
                component.cpes.push(cpe.to_owned());
            }
        }
        component.licenses = c.licenses.iter().filter_map(license).collect();
        if let Some(source) = source_from_properties(&c.properties) {
            component.source = Some(source);
        }
        let index = self.out.inventory.components.len();
        if let Some(r) = present(&c.bom_ref) {
            if self.refs.contains_key(r) {
                self.out.warn(
                    component.location.clone(),
                    format!("duplicate `bom-ref` `{r}` (they must be unique); references go to its first listing"),
                );
            } else {
                self.refs.insert(r, Node::Component(index));
            }
        }
        if let Some(p) = present(&c.purl) {
            self.by_purl.entry(p).or_insert(Node::Component(index));
        }
        self.out.inventory.components.push(component);
        index
    }

    fn scope(&mut self, c: &RawComponent<'_>, at: &Location) -> Option<Scope> {
        match present(&c.scope)? {
            "required" => Some(Scope::Runtime),
            "optional" => Some(Scope::Optional),
            "excluded" => Some(Scope::Excluded),
            other => {
                self.out.warn(
                    at.clone(),
                    format!(
                        "unknown `scope` `{other}`; expected `required`, `optional` or `excluded`"
                    ),
                );
                None
            }
        }
    }

    /// The node a reference names: a `bom-ref`, a BOM-Link (`urn:cdx:…#ref`), or a purl.
    fn resolve(&self, reference: &str) -> Option<Node> {
        let local = match reference.strip_prefix("urn:cdx:") {
            Some(link) => link.rsplit_once('#').map_or(reference, |(_, r)| r),
            None => reference,
        };
        self.refs
            .get(local)
            .or_else(|| self.by_purl.get(local))
            .copied()
    }

    fn purl_of(&self, node: Node) -> Option<&str> {
        match node {
            Node::Component(i) => self
                .out
                .inventory
                .components
                .get(i)
                .map(|c| c.purl.as_str()),
            Node::Subject => self.subject.as_ref().and_then(|s| s.purl.as_deref()),
            Node::Service => None,
        }
    }

    /// The purl a graph reference names; `None` (with a warning when it names nothing) otherwise.
    fn endpoint(&mut self, reference: &str, at: &Location) -> Option<String> {
        match self.resolve(reference) {
            Some(node) => self.purl_of(node).map(str::to_owned),
            None => {
                self.out.warn(
                    at.clone(),
                    format!(
                        "`{reference}` is no component's `bom-ref` or purl; its edges are dropped"
                    ),
                );
                None
            }
        }
    }

    fn dependency(&mut self, d: &RawDependency<'_>, i: usize) {
        let at = self.location(d.at, &format!("/dependencies/{i}"));
        let Some(reference) = present(&d.reference) else {
            self.out
                .warn(at, "dependency entry without a `ref`; skipped");
            return;
        };
        let from = self.endpoint(reference, &at);
        for target in &d.depends_on {
            let to = self.endpoint(target, &at);
            if let (Some(from), Some(to)) = (&from, to)
                && *from != to
            {
                self.out.inventory.dependencies.push(Dependency {
                    from: from.clone(),
                    to,
                });
            }
        }
    }

    fn vulnerability(&mut self, v: &RawVulnerability<'_>, i: usize, tool: &Tool) {
        let at = self.location(v.at, &format!("/vulnerabilities/{i}"));
        let Some(id) = present(&v.id) else {
            self.out.warn(at, "vulnerability without an `id`; skipped");
            return;
        };
        if v.affects.is_empty() {
            self.out.warn(
                at,
                format!("vulnerability `{id}` names no affected component (`affects`); not kept"),
            );
            return;
        }
        for a in &v.affects {
            let Some(reference) = present(&a.reference) else {
                self.out.warn(
                    at.clone(),
                    format!("an `affects` entry of `{id}` has no `ref`"),
                );
                continue;
            };
            let Some(Affected {
                purl,
                package,
                version,
            }) = self.affected(reference, &at)
            else {
                continue;
            };
            self.out.inventory.evidence.push(ScannerFinding {
                tool: tool.name.clone(),
                tool_version: tool.version.clone(),
                vuln_id: id.to_owned(),
                aliases: aliases(v, id),
                purl,
                package,
                version,
                fixed_version: fixed_version(v),
                severity: severity(v),
                status: v
                    .analysis
                    .as_ref()
                    .and_then(|a| present(&a.state))
                    .map(str::to_owned),
                location: at.clone(),
            });
        }
    }

    /// The component (or subject) an `affects` ref names.
    fn affected(&mut self, reference: &str, at: &Location) -> Option<Affected> {
        match self.resolve(reference) {
            Some(Node::Component(i)) => self.out.inventory.components.get(i).map(|c| Affected {
                purl: Some(c.purl.clone()),
                package: c.name.clone(),
                version: c.version.clone(),
            }),
            Some(Node::Subject) => self.subject.as_ref().map(|s| Affected {
                purl: s.purl.clone(),
                package: s.name.clone(),
                version: s.version.clone(),
            }),
            Some(Node::Service) => {
                self.out.warn(
                    at.clone(),
                    format!("`affects` names the service `{reference}`; only components are inventoried, finding dropped"),
                );
                None
            }
            None => {
                self.out.warn(
                    at.clone(),
                    format!("`affects` names `{reference}`, which is no component's `bom-ref` or purl; finding dropped"),
                );
                None
            }
        }
    }
}

fn license(l: &RawLicenseChoice<'_>) -> Option<String> {
    l.license
        .as_ref()
        .and_then(|l| present(&l.id).or(present(&l.name)))
        .or(present(&l.expression))
        .map(str::to_owned)
}

/// The source package Trivy (`aquasecurity:trivy:SrcName`, `SrcVersion`, `SrcRelease`,
/// `SrcEpoch`) or Syft (`syft:metadata:source`, `sourceVersion`) put in `properties`.
fn source_from_properties(properties: &[RawProperty<'_>]) -> Option<SourcePackage> {
    let get = |key: &str| {
        properties
            .iter()
            .find(|p| p.name.as_deref() == Some(key))
            .and_then(|p| present(&p.value))
    };
    if let Some(name) = get("aquasecurity:trivy:SrcName") {
        let version = get("aquasecurity:trivy:SrcVersion").map(|v| {
            let v = match get("aquasecurity:trivy:SrcRelease") {
                Some(release) => format!("{v}-{release}"),
                None => v.to_owned(),
            };
            match get("aquasecurity:trivy:SrcEpoch").filter(|e| *e != "0") {
                Some(epoch) => format!("{epoch}:{v}"),
                None => v,
            }
        });
        return Some(SourcePackage {
            name: name.to_owned(),
            version,
        });
    }
    get("syft:metadata:source").map(|name| SourcePackage {
        name: name.to_owned(),
        version: get("syft:metadata:sourceVersion").map(str::to_owned),
    })
}

fn aliases(v: &RawVulnerability<'_>, id: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in &v.references {
        if let Some(alias) = present(&r.id)
            && alias != id
            && !out.iter().any(|a| a == alias)
        {
            out.push(alias.to_owned());
        }
    }
    out
}

/// The severity of the rating from the vulnerability's own source, else of the first rating.
fn severity(v: &RawVulnerability<'_>) -> Option<String> {
    let source = v.source.as_ref().and_then(|s| present(&s.name));
    let rated = |r: &&RawRating<'_>| present(&r.severity).is_some();
    v.ratings
        .iter()
        .filter(rated)
        .find(|r| source.is_some() && r.source.as_ref().and_then(|s| present(&s.name)) == source)
        .or_else(|| v.ratings.iter().find(rated))
        .and_then(|r| present(&r.severity))
        .map(str::to_ascii_lowercase)
}

/// Trivy writes the fixed version(s) only in prose: `Upgrade jquery to version 3.4.0` (or
/// `… to version 2.9.10.7, 2.10.5.1`); other recommendations are free text and give none.
fn fixed_version(v: &RawVulnerability<'_>) -> Option<String> {
    let text = present(&v.recommendation)?.strip_prefix("Upgrade ")?;
    let (_, fixed) = text.split_once(" to version ")?;
    let fixed = fixed.trim();
    let versions_only = fixed
        .split(", ")
        .all(|v| !v.is_empty() && !v.contains(char::is_whitespace));
    versions_only.then(|| fixed.to_owned())
}

/// `urn:uuid:` and an RFC 4122 UUID, as the CycloneDX schema's `serialNumber` pattern asks.
fn is_urn_uuid(serial: &str) -> bool {
    let Some(uuid) = serial.strip_prefix("urn:uuid:") else {
        return false;
    };
    let groups: Vec<&str> = uuid.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}
