//! Maven's `pom.xml`, read for the dependencies it pins: `<project><dependencies>`.
//!
//! A POM is not a lockfile: Vexil lists the project's declared dependencies (all direct) at the
//! versions the POM states, and does not resolve transitive ones (that needs the repository).
//! What it does resolve, as Maven would:
//! - `${name}` in coordinates and versions, from `<properties>` and the built-ins
//!   `project.version`, `project.groupId`, `project.artifactId`, `project.parent.*` (and their
//!   deprecated `pom.*` spellings);
//! - versions left out of a `<dependency>` and given by `<dependencyManagement>`;
//! - the parent POM, when `<parent>` points at `../pom.xml` (Maven's default `relativePath`)
//!   and that file is beside: its properties, managed versions and dependencies are inherited
//!   (the child's win). Grandparents and imported BOMs are not read.
//!
//! A version that stays unresolved (`${undefined}`, managed elsewhere) or is a range (`[1.0,2.0)`)
//! is not inventoriable: left out with a warning. `<scope>test</scope>`, `provided` and `system`
//! are `dev` (not shipped with the application); `compile` and `runtime` are `runtime`.
//! `<dependencyManagement>` entries are not components; nor are profile or plugin dependencies.
//! XML safety: a DOCTYPE that declares entities is refused, only the predefined entities and
//! character references are expanded, and nesting deeper than 128 elements is refused.

use std::collections::{HashMap, HashSet};

use quick_xml::Reader;
use quick_xml::events::{BytesRef, Event};

use crate::ingest::inventory::{Sniff, Source, line_column};
use crate::ingest::{IngestError, Location};
use crate::model::purl::Purl;
use crate::model::{Component, Inventory, Scope};

const POM_NAMESPACE: &str = "http://maven.apache.org/POM/4.0.0";
const PARENT_PATH: &str = "../pom.xml";
/// Deepest element nesting read; real POMs stay under 10.
const MAX_DEPTH: usize = 128;
/// Property references followed inside one value, and the longest value they may build.
const MAX_EXPANSIONS: usize = 16;
const MAX_VALUE_LEN: usize = 4096;

/// XML whose root element is `<project>`, with the POM namespace or a `<modelVersion>`.
pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    if sniff.json.is_some() {
        return false;
    }
    let head = sniff.head(8192);
    root_name(head).is_some_and(|n| n == "project")
        && (head.contains(POM_NAMESPACE) || head.contains("<modelVersion>"))
}

/// The name of the first element, skipping the declaration, comments and DOCTYPE.
fn root_name(text: &str) -> Option<&str> {
    let mut rest = text.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("<?") {
            rest = after.split_once("?>")?.1.trim_start();
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.split_once("-->")?.1.trim_start();
        } else if let Some(after) = rest.strip_prefix("<!") {
            // A DOCTYPE's internal subset (`[ … ]`) holds `>` of its own.
            let close = match (after.find('['), after.find('>')) {
                (Some(open), Some(gt)) if open < gt => after.find("]>")? + 1,
                _ => after.find('>')?,
            };
            rest = after.get(close + 1..)?.trim_start();
        } else {
            let tag = rest.strip_prefix('<')?;
            let end = tag
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(tag.len());
            let name = tag.get(..end)?;
            return Some(name.rsplit(':').next().unwrap_or(name));
        }
    }
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let root = read_xml(src.name, src.text)?;
    if root.name != "project" {
        return Err(IngestError::new(
            src.location().at(root.line, 1),
            format!(
                "XML, but not a Maven POM: the root element is <{}>, expected <project>",
                root.name
            ),
        ));
    }
    let pom = Pom::from_root(&root);
    let mut inv = Inventory::default();
    let parent = parent_pom(src, &pom, &mut inv);
    let model = Model::new(&pom, parent.as_ref().map(|(p, _)| p));
    let parent_file = parent.as_ref().map(|(_, name)| name.as_str());
    for (dep, file) in model.dependencies(src.name, parent_file) {
        if let Some(c) = model.component(dep, file, &mut inv) {
            inv.components.push(c);
        }
    }
    Ok(inv)
}

// --- XML -------------------------------------------------------------------------------------

/// An element: local name, text, children, and the line it starts on.
#[derive(Debug, Default)]
struct Element {
    name: String,
    text: String,
    children: Vec<Element>,
    line: usize,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of a child, if present and not empty.
    fn value(&self, name: &str) -> Option<String> {
        self.child(name)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    }
}

/// Reads the document into elements (namespace prefixes dropped).
fn read_xml(file: &str, text: &str) -> Result<Element, IngestError> {
    let mut reader = Reader::from_str(text);
    let mut lines = LineCounter::default();
    let mut stack: Vec<Element> = Vec::new();
    loop {
        let offset = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| {
            let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
            let (line, column) = line_column(text, at);
            IngestError::new(
                Location::file(file).at(line, column),
                format!("invalid XML: {e}"),
            )
        })?;
        let at = |lines: &mut LineCounter| {
            let line = lines.line_of(text, offset);
            Location::file(file).at(line, 1)
        };
        match event {
            Event::Start(start) | Event::Empty(start) if stack.len() >= MAX_DEPTH => {
                return Err(IngestError::new(
                    at(&mut lines),
                    format!(
                        "<{}> nests deeper than {MAX_DEPTH} levels; refused",
                        start.local_name().as_ref()
                    ),
                ));
            }
            Event::Start(start) => stack.push(Element {
                name: start.local_name().as_ref().to_owned(),
                line: lines.line_of(text, offset),
                ..Element::default()
            }),
            Event::Empty(start) => {
                let element = Element {
                    name: start.local_name().as_ref().to_owned(),
                    line: lines.line_of(text, offset),
                    ..Element::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => return Ok(element),
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(IngestError::new(
                        at(&mut lines),
                        "a closing tag with no element open",
                    ));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content()),
            Event::CData(t) => push_text(&mut stack, &t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = entity(&r).map_err(|m| IngestError::new(at(&mut lines), m))?;
                push_text(&mut stack, c.encode_utf8(&mut [0; 4]));
            }
            Event::DocType(d) if d.to_ascii_uppercase().contains("<!ENTITY") => {
                return Err(IngestError::new(
                    at(&mut lines),
                    "the DOCTYPE declares entities; refused (entity expansion is a known \
                     attack and POMs never need it)",
                ));
            }
            Event::Eof => {
                let message = match stack.last() {
                    Some(open) => format!(
                        "the document ends inside <{}> (line {}): truncated?",
                        open.name, open.line
                    ),
                    None => "no root element; expected <project>".to_owned(),
                };
                return Err(IngestError::new(at(&mut lines), message));
            }
            _ => {}
        }
    }
}

fn push_text(stack: &mut [Element], text: &str) {
    if let Some(open) = stack.last_mut() {
        open.text.push_str(text);
    }
}

/// The predefined entities and character references; anything else is refused.
fn entity(r: &BytesRef<'_>) -> Result<char, String> {
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) => Ok(c),
            _ => Err(format!(
                "`&{};` is not a valid character reference",
                r.as_ref()
            )),
        };
    }
    match r.as_ref() {
        "amp" => Ok('&'),
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "quot" => Ok('"'),
        "apos" => Ok('\''),
        other => Err(format!(
            "undefined entity `&{other};`; only XML's predefined entities are read"
        )),
    }
}

/// Line numbers of increasing byte offsets, counted incrementally.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: usize,
}

impl LineCounter {
    fn line_of(&mut self, text: &str, offset: usize) -> usize {
        if offset < self.offset {
            return line_column(text, offset).0;
        }
        let end = offset.min(text.len());
        let counted = text
            .as_bytes()
            .get(self.offset..end)
            .map_or(0, |s| s.iter().filter(|&&b| b == b'\n').count());
        self.line += counted;
        self.offset = end;
        self.line + 1
    }
}

// --- POM model -------------------------------------------------------------------------------

/// What Vexil reads of one POM.
#[derive(Debug, Default)]
struct Pom {
    group_id: Option<String>,
    artifact_id: Option<String>,
    version: Option<String>,
    parent: Option<ParentRef>,
    properties: HashMap<String, String>,
    dependencies: Vec<Dep>,
    managed: Vec<Dep>,
}

#[derive(Debug)]
struct ParentRef {
    group_id: Option<String>,
    artifact_id: Option<String>,
    version: Option<String>,
    /// `None`: not given (Maven's default `../pom.xml`); `Some("")`: `<relativePath/>`.
    relative_path: Option<String>,
}

#[derive(Clone, Debug)]
struct Dep {
    group_id: Option<String>,
    artifact_id: Option<String>,
    version: Option<String>,
    scope: Option<String>,
    kind: Option<String>,
    classifier: Option<String>,
    line: usize,
}

impl Pom {
    fn from_root(root: &Element) -> Pom {
        let dependencies = |e: Option<&Element>| -> Vec<Dep> {
            e.map(|d| d.children_named("dependency").map(Dep::from).collect())
                .unwrap_or_default()
        };
        Pom {
            group_id: root.value("groupId"),
            artifact_id: root.value("artifactId"),
            version: root.value("version"),
            parent: root.child("parent").map(|p| ParentRef {
                group_id: p.value("groupId"),
                artifact_id: p.value("artifactId"),
                version: p.value("version"),
                relative_path: p.child("relativePath").map(|r| r.text.trim().to_owned()),
            }),
            properties: root
                .child("properties")
                .map(|p| {
                    p.children
                        .iter()
                        .map(|c| (c.name.clone(), c.text.trim().to_owned()))
                        .collect()
                })
                .unwrap_or_default(),
            dependencies: dependencies(root.child("dependencies")),
            managed: dependencies(
                root.child("dependencyManagement")
                    .and_then(|m| m.child("dependencies")),
            ),
        }
    }
}

impl From<&Element> for Dep {
    fn from(e: &Element) -> Dep {
        Dep {
            group_id: e.value("groupId"),
            artifact_id: e.value("artifactId"),
            version: e.value("version"),
            scope: e.value("scope"),
            kind: e.value("type"),
            classifier: e.value("classifier"),
            line: e.line,
        }
    }
}

/// The parent POM beside this one, when `<parent>` points at it and its coordinates agree.
fn parent_pom(src: &Source<'_>, pom: &Pom, inv: &mut Inventory) -> Option<(Pom, String)> {
    let parent = pom.parent.as_ref()?;
    let path = parent.relative_path.as_deref().unwrap_or(PARENT_PATH);
    let shown = parent_display(src.name);
    if !matches!(path, "../pom.xml" | ".." | "../") {
        inv.warn(
            src.location(),
            format!(
                "the parent POM is at `{path}`, which is not read (only `{PARENT_PATH}` is): \
                 properties and versions it defines stay unresolved"
            ),
        );
        return None;
    }
    let Some(text) = src.related(PARENT_PATH) else {
        inv.warn(
            src.location(),
            format!(
                "the parent POM `{PARENT_PATH}` is not there: properties and versions it defines \
                 stay unresolved"
            ),
        );
        return None;
    };
    let root = match read_xml(&shown, text) {
        Ok(root) if root.name == "project" => root,
        Ok(_) | Err(_) => {
            inv.warn(
                Location::file(&shown),
                "the parent POM is not a readable POM; it is ignored",
            );
            return None;
        }
    };
    let found = Pom::from_root(&root);
    let group = found
        .group_id
        .as_ref()
        .or_else(|| found.parent.as_ref().and_then(|p| p.group_id.as_ref()));
    if group != parent.group_id.as_ref() || found.artifact_id != parent.artifact_id {
        inv.warn(
            Location::file(&shown),
            format!(
                "`{PARENT_PATH}` is `{}:{}`, not the parent `{}:{}` this POM names; it is ignored",
                group.map_or("?", String::as_str),
                found.artifact_id.as_deref().unwrap_or("?"),
                parent.group_id.as_deref().unwrap_or("?"),
                parent.artifact_id.as_deref().unwrap_or("?"),
            ),
        );
        return None;
    }
    Some((found, shown))
}

/// `dir/pom.xml` → `dir/../pom.xml`, the parent's display name.
fn parent_display(name: &str) -> String {
    let dir = name.rsplit_once('/').map_or(".", |(dir, _)| dir);
    format!("{dir}/{PARENT_PATH}")
}

/// A POM with its parent: the effective model Vexil needs.
struct Model<'a> {
    pom: &'a Pom,
    parent: Option<&'a Pom>,
    /// `<dependencyManagement>` by management key, the POM's over the parent's.
    managed: HashMap<Key, &'a Dep>,
}

/// Maven's management key: groupId, artifactId, type, classifier (properties resolved).
type Key = (String, String, String, Option<String>);

impl<'a> Model<'a> {
    fn new(pom: &'a Pom, parent: Option<&'a Pom>) -> Model<'a> {
        let mut model = Model {
            pom,
            parent,
            managed: HashMap::new(),
        };
        let mut managed = HashMap::new();
        let entries = pom
            .managed
            .iter()
            .chain(parent.into_iter().flat_map(|p| &p.managed));
        for d in entries {
            if let Some(key) = model.key(d) {
                managed.entry(key).or_insert(d);
            }
        }
        model.managed = managed;
        model
    }

    /// The key of a dependency, when its groupId and artifactId resolve.
    fn key(&self, d: &Dep) -> Option<Key> {
        Some((
            self.resolve(d.group_id.as_deref()?).ok()?,
            self.resolve(d.artifact_id.as_deref()?).ok()?,
            d.kind.clone().unwrap_or_else(|| "jar".to_owned()),
            d.classifier.clone(),
        ))
    }

    /// The POM's dependencies, then the parent's that the POM does not redeclare, each with
    /// the file it is in.
    fn dependencies(&self, file: &'a str, parent_file: Option<&'a str>) -> Vec<(&'a Dep, &'a str)> {
        let mut out: Vec<(&Dep, &str)> = self.pom.dependencies.iter().map(|d| (d, file)).collect();
        if let (Some(parent), Some(parent_file)) = (self.parent, parent_file) {
            let own: HashSet<Key> = self
                .pom
                .dependencies
                .iter()
                .filter_map(|d| self.key(d))
                .collect();
            for d in &parent.dependencies {
                if self.key(d).is_none_or(|k| !own.contains(&k)) {
                    out.push((d, parent_file));
                }
            }
        }
        out
    }

    fn component(&self, dep: &Dep, file: &str, inv: &mut Inventory) -> Option<Component> {
        let mut location = Location::file(file);
        location.line = Some(dep.line);
        let coordinate = |v: &Option<String>, what: &str| match v.as_deref() {
            Some(v) => self.resolve(v),
            None => Err(format!("no <{what}>")),
        };
        let (group, artifact) = match (
            coordinate(&dep.group_id, "groupId"),
            coordinate(&dep.artifact_id, "artifactId"),
        ) {
            (Ok(g), Ok(a)) => (g, a),
            (Err(why), _) | (_, Err(why)) => {
                inv.warn(location, format!("a dependency with {why}; left out"));
                return None;
            }
        };
        let name = format!("{group}:{artifact}");
        let managed = self.managed(&group, &artifact, dep);
        let version = match self.version(dep, managed) {
            Ok(v) => v,
            Err(why) => {
                inv.warn(location, format!("`{name}`: {why}; not inventoriable"));
                return None;
            }
        };
        let scope = dep
            .scope
            .as_ref()
            .or(managed.and_then(|m| m.scope.as_ref()));
        let mut purl = Purl::package("maven", &name, Some(&version));
        if let Some(kind) = dep.kind.as_deref().filter(|k| *k != "jar") {
            purl = purl.qualifier("type", kind);
        }
        if let Some(classifier) = &dep.classifier {
            purl = purl.qualifier("classifier", classifier);
        }
        let mut c = match Component::from_purl(&purl, location.clone()) {
            Ok(c) => c,
            Err(e) => {
                inv.warn(location, format!("`{name}`: {e}; left out"));
                return None;
            }
        };
        c.direct = Some(true);
        c.scope = Some(match scope.map(String::as_str) {
            Some("test" | "provided" | "system") => Scope::Dev,
            _ => Scope::Runtime,
        });
        Some(c)
    }

    /// The `<dependencyManagement>` entry for this dependency, the POM's before the parent's.
    fn managed(&self, group: &str, artifact: &str, dep: &Dep) -> Option<&'a Dep> {
        let key = (
            group.to_owned(),
            artifact.to_owned(),
            dep.kind.clone().unwrap_or_else(|| "jar".to_owned()),
            dep.classifier.clone(),
        );
        self.managed.get(&key).copied()
    }

    /// The pinned version: the dependency's own, else the managed one, properties resolved.
    fn version(&self, dep: &Dep, managed: Option<&Dep>) -> Result<String, String> {
        let raw = match (&dep.version, managed.and_then(|m| m.version.as_ref())) {
            (Some(v), _) | (None, Some(v)) => v,
            (None, None) => {
                return Err(
                    "no <version> and no <dependencyManagement> entry for it here (a \
                     grandparent POM or an imported BOM would say it)"
                        .to_owned(),
                );
            }
        };
        let version = self.resolve(raw)?;
        if version.starts_with(['[', '(']) || version.contains(',') {
            return Err(format!(
                "version `{version}` is a range, not a pinned version"
            ));
        }
        Ok(version)
    }

    /// Replaces every `${name}`; the error names the first property nobody defines.
    fn resolve(&self, value: &str) -> Result<String, String> {
        let mut out = value.to_owned();
        for _ in 0..MAX_EXPANSIONS {
            let Some(start) = out.find("${") else {
                return Ok(out);
            };
            let Some(len) = out.get(start..).and_then(|s| s.find('}')) else {
                return Err(format!("`{value}` has an unclosed `${{`"));
            };
            let name = out
                .get(start + 2..start + len)
                .unwrap_or_default()
                .to_owned();
            let Some(replacement) = self.property(&name) else {
                let nobody = if self.parent.is_some() {
                    "neither this POM nor its parent defines"
                } else {
                    "this POM does not define"
                };
                return Err(format!(
                    "`{value}` uses the property `{name}`, which {nobody}"
                ));
            };
            out.replace_range(start..=start + len, &replacement);
            if out.len() > MAX_VALUE_LEN {
                return Err(format!("`{value}` expands past {MAX_VALUE_LEN} characters"));
            }
        }
        Err(format!(
            "`{value}` still has `${{…}}` after {MAX_EXPANSIONS} expansions (a property cycle?)"
        ))
    }

    /// A property: the built-ins, then the POM's `<properties>`, then the parent's.
    fn property(&self, name: &str) -> Option<String> {
        let parent_ref = self.pom.parent.as_ref();
        let name = name
            .strip_prefix("pom.")
            .map_or_else(|| name.to_owned(), |rest| format!("project.{rest}"));
        let builtin = match name.as_str() {
            "project.version" | "version" => self
                .pom
                .version
                .clone()
                .or_else(|| parent_ref.and_then(|p| p.version.clone())),
            "project.groupId" | "groupId" => self
                .pom
                .group_id
                .clone()
                .or_else(|| parent_ref.and_then(|p| p.group_id.clone())),
            "project.artifactId" | "artifactId" => self.pom.artifact_id.clone(),
            "project.parent.version" | "parent.version" => {
                parent_ref.and_then(|p| p.version.clone())
            }
            "project.parent.groupId" | "parent.groupId" => {
                parent_ref.and_then(|p| p.group_id.clone())
            }
            "project.parent.artifactId" => parent_ref.and_then(|p| p.artifact_id.clone()),
            _ => None,
        };
        builtin
            .or_else(|| self.pom.properties.get(&name).cloned())
            .or_else(|| self.parent.and_then(|p| p.properties.get(&name).cloned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_name_skips_prolog() {
        let xml = "<?xml version='1.0'?>\n<!-- a <b> -->\n<!DOCTYPE x>\n<m:project xmlns:m='x'>";
        assert_eq!(root_name(xml), Some("project"));
        assert_eq!(root_name("<bom>"), Some("bom"));
        assert_eq!(root_name("text"), None);
    }

    #[test]
    fn line_counter_counts_forward_and_back() {
        let text = "a\nb\nc\n";
        let mut lines = LineCounter::default();
        assert_eq!(lines.line_of(text, 2), 2);
        assert_eq!(lines.line_of(text, 4), 3);
        assert_eq!(lines.line_of(text, 0), 1);
    }
}
