//! SPDX 2.2/2.3 SBOMs in JSON, YAML and tag-value: packages, their purls, CPEs and checksums,
//! and the relationships that are dependencies. SPDX 3.0 (JSON-LD) is recognised and refused.
//!
//! What real files do: the purl is an external reference of category `PACKAGE-MANAGER` (2.3)
//! or `PACKAGE_MANAGER` (2.2); many packages have none (examples, Red Hat products, Trivy's
//! image and OS packages) and are given `pkg:generic`; versions are `NOASSERTION`; Trivy puts the
//! source package in `sourceInfo` (`built package from: openssl-libs 1:1.0.2k-16.el7`); the root
//! is named by `documentDescribes` or a `DESCRIBES` relationship and is a package like the others;
//! relationships also link files and external documents, which are not inventoried.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::ingest::inventory::{Sniff, Source};
use crate::ingest::sbom::cyclonedx::truncated_json_with;
use crate::ingest::sbom::document::{Origin, Text, nullable, present, refuse_array};
use crate::ingest::sbom::package::{self, Collector, Listed};
use crate::ingest::sbom::spdx_tag_value;
use crate::ingest::{IngestError, Location};
use crate::model::purl::Purl;
use crate::model::{Dependency, Inventory, Scope, SourcePackage};

pub(crate) fn looks_like_json(sniff: &Sniff<'_>) -> bool {
    sniff.has_key("spdxVersion") || is_spdx3(sniff) || truncated_json_with(sniff, "\"spdxVersion\"")
}

/// SPDX 3.0 JSON-LD: `@context` naming spdx.org's RDF vocabulary.
fn is_spdx3(sniff: &Sniff<'_>) -> bool {
    sniff.has_key("@context") && sniff.head(4096).contains("spdx.org/rdf/3")
}

pub fn parse_json(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let origin = Origin::file(src.name);
    if is_spdx3(&Sniff::new(src.name, src.text)) {
        return Err(origin.error(SPDX3));
    }
    refuse_array(src.text, &origin, "an SPDX document")?;
    let doc: RawDocument<'_> = serde_json::from_str(src.text).map_err(|e| origin.json_error(&e))?;
    read(&doc, &origin)
}

const SPDX3: &str = "SPDX 3.0 is not read yet; export SPDX 2.3";

pub(crate) fn looks_like_yaml(sniff: &Sniff<'_>) -> bool {
    sniff.json.is_none() && sniff.text.lines().any(|l| l.starts_with("spdxVersion:"))
}

pub fn parse_yaml(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let origin = Origin::file(src.name);
    let doc: RawDocument<'_> = serde_saphyr::from_str_with_options(src.text, yaml_options())
        .map_err(|e| yaml_error(&origin, &e))?;
    read(&doc, &origin)
}

fn yaml_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    options
}

fn yaml_error(origin: &Origin<'_>, err: &serde_saphyr::Error) -> IngestError {
    let mut location = origin.location();
    let mut message = err.to_string();
    if let Some(at) = err.location()
        && at.line() > 0
    {
        let line = usize::try_from(at.line()).unwrap_or(usize::MAX);
        let column = usize::try_from(at.column()).unwrap_or(usize::MAX);
        location = location.at(line, column);
        let suffix = format!(" at line {line}, column {column}");
        if let Some(stem) = message.strip_suffix(&suffix) {
            message = stem.to_owned();
        }
    }
    IngestError::new(location, format!("invalid SPDX YAML: {message}"))
}

pub(crate) fn looks_like_tag_value(sniff: &Sniff<'_>) -> bool {
    sniff.json.is_none() && sniff.text.lines().any(|l| l.starts_with("SPDXVersion:"))
}

pub fn parse_tag_value(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let origin = Origin::file(src.name);
    let doc = spdx_tag_value::read(src.text, &origin)?;
    read(&doc, &origin)
}

/// An SPDX 2.x document as written; only what Vexil uses. YAML gives each package's line through
/// its `SPDXID` span, tag-value through `line`; JSON locations are pointers.
#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "an SPDX document (an object with `spdxVersion`)")]
pub(super) struct RawDocument<'a> {
    #[serde(rename = "spdxVersion", borrow)]
    pub(super) spdx_version: Option<Text<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    pub(super) packages: Vec<RawPackage<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    pub(super) files: Vec<RawElement<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    pub(super) snippets: Vec<RawElement<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    pub(super) relationships: Vec<RawRelationship<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RawPackage<'a> {
    #[serde(rename = "SPDXID", borrow)]
    pub(super) id: Option<Spanned<Text<'a>>>,
    #[serde(borrow)]
    pub(super) name: Option<Text<'a>>,
    #[serde(rename = "versionInfo", borrow)]
    pub(super) version: Option<Text<'a>>,
    #[serde(
        rename = "externalRefs",
        default,
        borrow,
        deserialize_with = "nullable"
    )]
    pub(super) external_refs: Vec<RawExternalRef<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    pub(super) checksums: Vec<RawChecksum<'a>>,
    #[serde(rename = "licenseConcluded", borrow)]
    pub(super) license_concluded: Option<Text<'a>>,
    #[serde(rename = "licenseDeclared", borrow)]
    pub(super) license_declared: Option<Text<'a>>,
    #[serde(rename = "primaryPackagePurpose", borrow)]
    pub(super) purpose: Option<Text<'a>>,
    #[serde(rename = "sourceInfo", borrow)]
    pub(super) source_info: Option<Text<'a>>,
    #[serde(skip)]
    pub(super) line: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RawExternalRef<'a> {
    #[serde(rename = "referenceCategory", borrow)]
    pub(super) category: Option<Text<'a>>,
    #[serde(rename = "referenceType", borrow)]
    pub(super) kind: Option<Text<'a>>,
    #[serde(rename = "referenceLocator", borrow)]
    pub(super) locator: Option<Text<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RawChecksum<'a> {
    #[serde(borrow)]
    pub(super) algorithm: Option<Text<'a>>,
    #[serde(rename = "checksumValue", borrow)]
    pub(super) value: Option<Text<'a>>,
}

/// A file or snippet: only its id, so relationships naming it are not taken for dangling.
#[derive(Debug, Default, Deserialize)]
pub(super) struct RawElement<'a> {
    #[serde(rename = "SPDXID", borrow)]
    pub(super) id: Option<Text<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RawRelationship<'a> {
    #[serde(rename = "spdxElementId", borrow)]
    pub(super) element: Option<Text<'a>>,
    #[serde(rename = "relationshipType", borrow)]
    pub(super) kind: Option<Text<'a>>,
    #[serde(rename = "relatedSpdxElement", borrow)]
    pub(super) related: Option<Text<'a>>,
    #[serde(skip)]
    pub(super) line: Option<usize>,
}

/// Reads a document already deserialized (from JSON, YAML, tag-value or an in-toto predicate).
pub(super) fn read(doc: &RawDocument<'_>, origin: &Origin<'_>) -> Result<Inventory, IngestError> {
    let mut out = Collector::default();
    check_version(doc, origin, &mut out)?;
    let mut packages: HashMap<&str, usize> = HashMap::with_capacity(doc.packages.len());
    for (i, p) in doc.packages.iter().enumerate() {
        let at = match (p.line, p.id.as_ref().map(|s| s.referenced.line())) {
            (Some(line), _) => origin.line(line, 1),
            (None, Some(line)) if line > 0 => {
                origin.line(usize::try_from(line).unwrap_or(usize::MAX), 1)
            }
            _ => origin.field(&format!("/packages/{i}")),
        };
        let id = p.id.as_ref().map(|s| &*s.value);
        let duplicate = id.filter(|id| packages.contains_key(id));
        if let Some(id) = duplicate {
            out.warn(
                at.clone(),
                format!("duplicate `SPDXID` `{id}` (they must be unique); relationships go to its first package"),
            );
        }
        if let Some(index) = package(p, &at, &mut out)
            && let Some(id) = id
        {
            packages.entry(id).or_insert(index);
        }
    }
    // Packages that were not inventoried (already warned about) are not dangling either.
    let others: HashSet<&str> = doc
        .files
        .iter()
        .chain(&doc.snippets)
        .filter_map(|e| present(&e.id))
        .chain(
            doc.packages
                .iter()
                .filter_map(|p| p.id.as_ref().map(|s| &*s.value)),
        )
        .collect();
    let graph = Graph {
        packages: &packages,
        others: &others,
    };
    for (i, r) in doc.relationships.iter().enumerate() {
        let at = match r.line {
            Some(line) => origin.line(line, 1),
            None => origin.field(&format!("/relationships/{i}")),
        };
        graph.relationship(r, &at, &mut out);
    }
    Ok(out.finish(origin.location()))
}

fn check_version(
    doc: &RawDocument<'_>,
    origin: &Origin<'_>,
    out: &mut Collector,
) -> Result<(), IngestError> {
    match present(&doc.spdx_version) {
        None => Err(origin.error("not an SPDX 2 document: no `spdxVersion`")),
        Some("SPDX-2.2" | "SPDX-2.3") => Ok(()),
        Some(v) if v.starts_with("SPDX-3") => Err(origin.error(SPDX3)),
        Some(v) if v.starts_with("SPDX-2.") => {
            out.warn(
                origin.field("/spdxVersion"),
                format!("`spdxVersion` `{v}`: read as SPDX 2.3"),
            );
            Ok(())
        }
        Some(v) => Err(IngestError::new(
            origin.field("/spdxVersion"),
            format!("`spdxVersion` is `{v}`; Vexil reads `SPDX-2.2` and `SPDX-2.3`"),
        )),
    }
}

/// What a package's external references say: its purl (the first), a purl another
/// package-manager reference states, and its CPEs.
#[derive(Debug, Default)]
struct References<'r> {
    purl: Option<&'r str>,
    evident: Option<Purl>,
    cpes: Vec<String>,
}

fn references<'r>(refs: &'r [RawExternalRef<'_>]) -> References<'r> {
    let mut out = References::default();
    for r in refs {
        let (Some(category), Some(kind), Some(locator)) =
            (present(&r.category), present(&r.kind), present(&r.locator))
        else {
            continue;
        };
        // SPDX 2.2 spells the category `PACKAGE_MANAGER`, 2.3 `PACKAGE-MANAGER`.
        match (category.replace('_', "-").as_str(), kind) {
            ("PACKAGE-MANAGER", "purl") => out.purl = out.purl.or(Some(locator)),
            ("PACKAGE-MANAGER", kind) => {
                out.evident = out.evident.or_else(|| package_manager_ref(kind, locator));
            }
            ("SECURITY", "cpe23Type" | "cpe22Type") => out.cpes.push(locator.to_owned()),
            _ => {}
        }
    }
    out
}

/// Reads one package into a component; returns its index in the inventory.
fn package(p: &RawPackage<'_>, at: &Location, out: &mut Collector) -> Option<usize> {
    let refs = references(&p.external_refs);
    let listed = Listed {
        name: present(&p.name),
        group: None,
        version: present(&p.version).filter(|v| !is_no_assertion(v)),
        purl: refs.purl,
        evident: refs.evident,
        package_like: matches!(present(&p.purpose), None | Some("LIBRARY" | "FRAMEWORK")),
    };
    let mut component = out.identify(listed, at)?;
    component.cpes = refs.cpes;
    for c in &p.checksums {
        match package::hash(
            present(&c.algorithm).unwrap_or_default(),
            present(&c.value).unwrap_or_default(),
        ) {
            Ok(hash) => component.hashes.push(hash),
            Err(message) => out.warn(at.clone(), message),
        }
    }
    component.licenses = [&p.license_concluded, &p.license_declared]
        .into_iter()
        .filter_map(present)
        .find(|l| !is_no_assertion(l))
        .map(str::to_owned)
        .into_iter()
        .collect();
    if component.source.is_none() {
        component.source = present(&p.source_info).and_then(built_from);
    }
    out.inventory.components.push(component);
    Some(out.inventory.components.len() - 1)
}

fn is_no_assertion(s: &str) -> bool {
    matches!(s, "NOASSERTION" | "NONE")
}

/// The purl an SPDX package-manager reference other than `purl` states (SPDX 2.3 Annex F):
/// `maven-central` `group:artifact:version`, `npm` `name@version`, `nuget` `name/version`.
fn package_manager_ref(kind: &str, locator: &str) -> Option<Purl> {
    match kind {
        "maven-central" => {
            let mut parts = locator.split(':');
            let (group, artifact, version) = (parts.next()?, parts.next()?, parts.next());
            Some(Purl::package(
                "maven",
                &format!("{group}:{artifact}"),
                version,
            ))
        }
        "npm" => {
            let (name, version) = match locator.rsplit_once('@') {
                Some((name, version)) if !name.is_empty() => (name, Some(version)),
                _ => (locator, None),
            };
            Some(Purl::package("npm", name, version))
        }
        "nuget" => {
            let (name, version) = locator
                .split_once('/')
                .map_or((locator, None), |(n, v)| (n, Some(v)));
            Some(Purl::package("nuget", name, version))
        }
        _ => None,
    }
}

/// Trivy's `sourceInfo`: `built package from: <source name> <source version>`.
fn built_from(info: &str) -> Option<SourcePackage> {
    let rest = info.strip_prefix("built package from: ")?.trim();
    let (name, version) = match rest.split_once(' ') {
        Some((name, version)) => (name, Some(version.trim().to_owned())),
        None => (rest, None),
    };
    (!name.is_empty()).then(|| SourcePackage {
        name: name.to_owned(),
        version,
    })
}

/// How a relationship type reads as a dependency: which end depends on which, and the scope
/// it gives the dependency (`DEV_DEPENDENCY_OF` and the like).
fn dependency_kind(kind: &str) -> Option<(bool, Option<Scope>)> {
    const FORWARD: bool = true;
    Some(match kind {
        "DEPENDS_ON" | "CONTAINS" | "STATIC_LINK" | "DYNAMIC_LINK" | "HAS_PREREQUISITE" => {
            (FORWARD, None)
        }
        "DEPENDENCY_OF"
        | "CONTAINED_BY"
        | "PACKAGE_OF"
        | "PREREQUISITE_FOR"
        | "PROVIDED_DEPENDENCY_OF" => (!FORWARD, None),
        "RUNTIME_DEPENDENCY_OF" => (!FORWARD, Some(Scope::Runtime)),
        "OPTIONAL_DEPENDENCY_OF" | "OPTIONAL_COMPONENT_OF" => (!FORWARD, Some(Scope::Optional)),
        "DEV_DEPENDENCY_OF" | "TEST_DEPENDENCY_OF" | "BUILD_DEPENDENCY_OF" => {
            (!FORWARD, Some(Scope::Dev))
        }
        _ => return None,
    })
}

/// The inventoried packages of a document by id, and the ids of its other elements.
struct Graph<'g> {
    packages: &'g HashMap<&'g str, usize>,
    others: &'g HashSet<&'g str>,
}

impl Graph<'_> {
    fn relationship(&self, r: &RawRelationship<'_>, at: &Location, out: &mut Collector) {
        let (Some(element), Some(kind), Some(related)) =
            (present(&r.element), present(&r.kind), present(&r.related))
        else {
            out.warn(
                at.clone(),
                "relationship without `spdxElementId`, `relationshipType` or `relatedSpdxElement`; skipped",
            );
            return;
        };
        let Some((forward, scope)) = dependency_kind(kind) else {
            return;
        };
        let (from, to) = if forward {
            (element, related)
        } else {
            (related, element)
        };
        let (Some(from), Some(to)) = (self.package(from, at, out), self.package(to, at, out))
        else {
            return;
        };
        let components = &mut out.inventory.components;
        if let Some(dep) = components.get_mut(to)
            && let Some(scope) = scope
        {
            dep.scope = Some(dep.scope.map_or(scope, |s| s.min(scope)));
        }
        if let (Some(from), Some(to)) = (components.get(from), components.get(to))
            && from.purl != to.purl
        {
            let edge = Dependency {
                from: from.purl.clone(),
                to: to.purl.clone(),
            };
            out.inventory.dependencies.push(edge);
        }
    }

    /// The component index of a package id; `None` for the document, files, snippets, packages
    /// not inventoried, other
    /// documents' elements and `NONE`/`NOASSERTION`, and (with a warning) for unknown ids.
    fn package(&self, id: &str, at: &Location, out: &mut Collector) -> Option<usize> {
        if let Some(&index) = self.packages.get(id) {
            return Some(index);
        }
        let known = self.others.contains(id)
            || id == "SPDXRef-DOCUMENT"
            || id.starts_with("DocumentRef-")
            || is_no_assertion(id);
        if !known {
            out.warn(
                at.clone(),
                format!("relationship names `{id}`, which is no package, file or snippet of the document; edge dropped"),
            );
        }
        None
    }
}
