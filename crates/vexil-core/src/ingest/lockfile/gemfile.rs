//! Gemfile.lock (Bundler): sections at column 0. Source sections (`GEM`, `GIT`, `PATH`,
//! `PLUGIN SOURCE`) hold `  remote:` (and `revision:` for git) and `  specs:`, under which each
//! locked gem is a 4-space line `name (version)` followed by 6-space lines naming its
//! dependencies (`name` or `name (constraints)`). A version may end in a platform
//! (`1.17.4-x86_64-linux-gnu`): Bundler splits at the first `-`, and the platform becomes the purl's
//! `platform` qualifier. `DEPENDENCIES` lists what the Gemfile asks for (`name!` when it comes
//! from a git or path source): those are direct. `CHECKSUMS` (Bundler 2.5+) gives
//! `sha256=` hashes; `PLATFORMS`, `RUBY VERSION` and `BUNDLED WITH` say nothing about
//! components. Gems under `PATH` with `remote: .` are the project itself; other `PATH` gems are
//! local code, warned about. Git gems keep a `vcs_url` qualifier. Gemfile.lock has no groups,
//! so scope is not set.

use std::collections::{HashMap, HashSet};

use crate::ingest::inventory::{Sniff, Source};
use crate::ingest::lockfile::py_lock::entry::{component, purl_string, unique, vcs_url};
use crate::ingest::lockfile::py_lock::graph::{Ambiguous, Graph, Node, Ref};
use crate::ingest::{IngestError, Location};
use crate::model::purl::Purl;
use crate::model::{Hash, Inventory};

const SOURCE_SECTIONS: &[&str] = &["GEM", "GIT", "PATH", "PLUGIN SOURCE"];
const OTHER_SECTIONS: &[&str] = &[
    "PLATFORMS",
    "DEPENDENCIES",
    "RUBY VERSION",
    "BUNDLED WITH",
    "CHECKSUMS",
];

/// Starts with a Bundler section and has gem specs or a `DEPENDENCIES` section.
pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    let starts = sniff
        .first_lines(1)
        .next()
        .is_some_and(|l| SOURCE_SECTIONS.contains(&l) || OTHER_SECTIONS.contains(&l));
    starts && (sniff.text.contains("\n  specs:") || sniff.text.contains("\nDEPENDENCIES"))
}

/// Where a source section's gems come from.
#[derive(Clone, Debug, Default)]
struct Origin {
    section: String,
    remote: Option<String>,
    revision: Option<String>,
}

/// One gem under `specs:`.
struct Spec {
    name: String,
    version: String,
    platform: Option<String>,
    origin: Origin,
    line: usize,
    /// Dependency names and the line each is on.
    deps: Vec<(String, usize)>,
}

impl Spec {
    /// `version-platform` as Bundler writes it (the `CHECKSUMS` key).
    fn full_version(&self) -> String {
        match &self.platform {
            Some(p) => format!("{}-{p}", self.version),
            None => self.version.clone(),
        }
    }

    fn is_project(&self) -> bool {
        self.origin.section == "PATH" && self.origin.remote.as_deref() == Some(".")
    }
}

/// Everything read from the file before components are built.
#[derive(Default)]
struct Lock {
    specs: Vec<Spec>,
    /// `DEPENDENCIES` names, when the section exists.
    direct: Option<HashSet<String>>,
    checksums: HashMap<(String, String), Vec<Hash>>,
    sections: usize,
    /// The last 4-space line was a gem spec, so 6-space lines belong to it.
    spec_open: bool,
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let mut inv = Inventory::default();
    let lock = read(src, &mut inv);
    if lock.sections == 0 {
        return Err(IngestError::new(
            src.location(),
            "not a Gemfile.lock: expected sections such as `GEM` (with `remote:` and `specs:`) \
             and `DEPENDENCIES` at the start of lines",
        ));
    }
    let mut graph = Graph::default();
    let mut nodes: Vec<(&Spec, Purl)> = Vec::new();
    for spec in &lock.specs {
        let at = line_at(src, spec.line);
        let purl = purl_for(spec);
        let Some(text) = purl_string(&mut inv, &purl, &at) else {
            continue;
        };
        graph.add(Node {
            key: spec.name.clone(),
            version: Some(spec.full_version()),
            source: None,
            purl: text,
        });
        nodes.push((spec, purl));
    }
    for (from, (spec, _)) in nodes.iter().enumerate() {
        for (dep, line) in &spec.deps {
            let r = Ref {
                key: dep,
                version: None,
                source: None,
            };
            graph.link(&mut inv, from, &r, Ambiguous::LinkAll, &line_at(src, *line));
        }
    }
    let projects: Vec<bool> = nodes.iter().map(|(s, _)| s.is_project()).collect();
    let from_project = graph.direct_from(&projects);
    for (i, (spec, purl)) in nodes.iter().enumerate() {
        let at = line_at(src, spec.line);
        if spec.is_project() || !inventoriable(&mut inv, spec, &at) {
            continue;
        }
        let Some(mut c) = component(&mut inv, purl, at) else {
            continue;
        };
        let in_gemfile = lock.direct.as_ref().map(|d| d.contains(&spec.name));
        let from_project = from_project.get(i).copied().unwrap_or(false);
        c.direct = in_gemfile.map(|d| d || from_project);
        let key = (spec.name.clone(), spec.full_version());
        c.hashes = lock.checksums.get(&key).cloned().unwrap_or_default();
        inv.components.push(c);
    }
    inv.dependencies = graph.dependencies();
    Ok(inv)
}

fn line_at(src: &Source<'_>, line: usize) -> Location {
    let mut at = src.location();
    at.line = Some(line);
    at
}

fn purl_for(spec: &Spec) -> Purl {
    let mut purl = Purl::package("gem", &spec.name, Some(&spec.version));
    if let Some(p) = &spec.platform {
        purl = purl.qualifier("platform", p);
    }
    match (spec.origin.section.as_str(), &spec.origin.remote) {
        ("GIT", Some(remote)) => {
            purl.qualifier("vcs_url", &vcs_url(remote, spec.origin.revision.as_deref()))
        }
        _ => purl,
    }
}

/// Warns about a gem from a local path other than the project; true when it can be inventoried.
fn inventoriable(inv: &mut Inventory, spec: &Spec, at: &Location) -> bool {
    if spec.origin.section != "PATH" {
        return true;
    }
    inv.warn(
        at.clone(),
        format!(
            "`{}` comes from a local path (`{}`), not a published release: not inventoried",
            spec.name,
            spec.origin.remote.as_deref().unwrap_or_default()
        ),
    );
    false
}

/// Reads the sections line by line.
fn read(src: &Source<'_>, inv: &mut Inventory) -> Lock {
    let mut lock = Lock::default();
    let mut section = String::new();
    let mut origin = Origin::default();
    for (i, raw) in src.text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end();
        if line.is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 0 {
            section = line.to_owned();
            lock.spec_open = false;
            origin = Origin {
                section: section.clone(),
                ..Origin::default()
            };
            if SOURCE_SECTIONS.contains(&line) || OTHER_SECTIONS.contains(&line) {
                lock.sections += 1;
            } else {
                inv.warn(
                    line_at(src, line_no),
                    format!("unknown section `{line}`: skipped"),
                );
            }
            if line == "DEPENDENCIES" {
                lock.direct = Some(HashSet::new());
            }
            continue;
        }
        let at = line_at(src, line_no);
        match section.as_str() {
            s if SOURCE_SECTIONS.contains(&s) => {
                source_line(inv, &mut lock, &mut origin, line, indent, line_no, at);
            }
            "DEPENDENCIES" => {
                let name = line.trim().split(' ').next().unwrap_or_default();
                if let Some(d) = &mut lock.direct {
                    d.insert(name.trim_end_matches('!').to_owned());
                }
            }
            "CHECKSUMS" => checksum_line(inv, &mut lock, line.trim(), at),
            _ => {}
        }
    }
    lock
}

/// A line inside `GEM`/`GIT`/`PATH`: a source attribute, a spec, or a spec's dependency.
fn source_line(
    inv: &mut Inventory,
    lock: &mut Lock,
    origin: &mut Origin,
    line: &str,
    indent: usize,
    line_no: usize,
    at: Location,
) {
    let text = line.trim();
    match indent {
        2 => match text.split_once(": ") {
            Some(("remote", v)) => origin.remote = Some(v.to_owned()),
            Some(("revision", v)) => origin.revision = Some(v.to_owned()),
            _ => {}
        },
        4 => match name_version(text) {
            Some((name, Some(version))) => {
                lock.spec_open = true;
                let (version, platform) = match version.split_once('-') {
                    Some((v, p)) => (v, Some(p.to_owned())),
                    None => (version, None),
                };
                lock.specs.push(Spec {
                    name: name.to_owned(),
                    version: version.to_owned(),
                    platform,
                    origin: origin.clone(),
                    line: line_no,
                    deps: Vec::new(),
                });
            }
            _ => {
                lock.spec_open = false;
                inv.warn(
                    at,
                    format!("gem spec `{text}`: expected `name (version)`; skipped"),
                );
            }
        },
        6 => match (name_version(text), lock.specs.last_mut()) {
            (Some((name, _)), Some(spec)) if lock.spec_open => {
                spec.deps.push((name.to_owned(), line_no));
            }
            _ => inv.warn(
                at,
                format!("dependency line `{text}` outside a gem spec: skipped"),
            ),
        },
        _ => inv.warn(
            at,
            format!(
                "line indented by {indent} spaces: expected 2 (source attribute), 4 (gem) or 6 \
                 (its dependency); skipped"
            ),
        ),
    }
}

/// `name` or `name (inside)`.
fn name_version(text: &str) -> Option<(&str, Option<&str>)> {
    match text.split_once(' ') {
        None => (!text.is_empty()).then_some((text, None)),
        Some((name, rest)) => {
            let inside = rest.strip_prefix('(')?.strip_suffix(')')?;
            Some((name, Some(inside)))
        }
    }
}

/// `name (version[-platform]) sha256=hex[,…]`.
fn checksum_line(inv: &mut Inventory, lock: &mut Lock, text: &str, at: Location) {
    let Some((spec, sums)) = text.split_once(") ").map(|(a, b)| (format!("{a})"), b)) else {
        return;
    };
    let Some((name, Some(version))) = name_version(&spec) else {
        inv.warn(
            at,
            format!("checksum line `{text}`: expected `name (version) sha256=…`; skipped"),
        );
        return;
    };
    let hashes = sums
        .split(',')
        .filter_map(|sum| sum.trim().split_once('='))
        .map(|(algorithm, value)| Hash {
            algorithm: algorithm.to_ascii_lowercase(),
            value: value.to_owned(),
        })
        .collect();
    lock.checksums
        .insert((name.to_owned(), version.to_owned()), unique(hashes));
}
