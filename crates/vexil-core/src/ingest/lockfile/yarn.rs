//! `yarn.lock`, both generations.
//!
//! Yarn 1 writes its own indentation format (not YAML): an entry line lists every specifier that
//! resolved to it (`lodash@^4.0.1, lodash@^4.17.4:`, quoted when they hold `@scope/`, spaces or
//! `||`), then `version "…"`, `resolved "<url>#<sha1>"`, `integrity sha512-…` and
//! `dependencies:` / `optionalDependencies:` blocks of `name "range"`, each of which names another
//! entry's specifier. It says nothing about the project: no direct or dev flags.
//!
//! Yarn 2+ ("berry") writes YAML with a `__metadata:` entry; keys are descriptors with a protocol
//! (`debug@npm:^4.3.4`, several joined by `, `), values give `resolution`, `version`, a `checksum`
//! of yarn's cache archive (prefixed by the cache key), and `dependencies` whose ranges lack the
//! default `npm:` protocol before lockfile version 8. The project's workspaces are entries with
//! `@workspace:` resolutions (`linkType: soft`); `patch:` resolutions are the patched package.
//! Real files repeat an entry now and then; the first is read.

use std::collections::HashMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::js_package::{self, Origin};
use super::js_serde::{self, Pairs, Str};
use crate::ingest::inventory::{Sniff, Source};
use crate::ingest::{IngestError, Location};
use crate::model::{Component, Dependency, Hash, Inventory};

pub(crate) fn looks_like_v1(sniff: &Sniff<'_>) -> bool {
    let head = sniff.head(4096);
    if head.lines().any(|l| l.trim() == "# yarn lockfile v1") {
        return true;
    }
    // Without the header: an unindented `pattern:` line, then an indented `version "…"`.
    let mut lines = head
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    match (lines.next(), lines.next()) {
        (Some(entry), Some(field)) => {
            !entry.starts_with(char::is_whitespace)
                && entry.trim_end().ends_with(':')
                && entry.contains('@')
                && field.trim_start().starts_with("version \"")
        }
        _ => false,
    }
}

pub(crate) fn looks_like_berry(sniff: &Sniff<'_>) -> bool {
    sniff.json.is_none()
        && sniff
            .head(4096)
            .lines()
            .any(|l| l.trim_end() == "__metadata:")
}

// --- Yarn 1 ---------------------------------------------------------------------------------

/// One entry of a Yarn 1 lockfile.
#[derive(Debug, Default)]
struct V1Entry<'a> {
    line: usize,
    specifiers: Vec<String>,
    version: Option<String>,
    resolved: Option<String>,
    integrity: Option<String>,
    /// `(name, range, line)` from `dependencies` and `optionalDependencies`.
    dependencies: Vec<(String, String, usize)>,
    /// The block being read (`dependencies`, …), for the lines indented under it.
    block: Option<&'a str>,
}

pub fn parse_v1(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let entries = read_v1_entries(src)?;
    let mut inv = Inventory::default();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut component = Vec::with_capacity(entries.len());
    for entry in &entries {
        let at = src.location().at(entry.line, 1);
        component.push(match v1_component(entry, at.clone()) {
            Ok(c) => {
                inv.components.push(c);
                Some(inv.components.len() - 1)
            }
            Err(why) => {
                inv.warn(at.clone(), format!("{why}; not inventoried"));
                None
            }
        });
        for spec in &entry.specifiers {
            if index.insert(spec, component.len() - 1).is_some() {
                inv.warn(
                    at.clone(),
                    format!("`{spec}` is listed by two entries; the last is read"),
                );
            }
        }
    }
    let mut spec = String::new();
    for (i, entry) in entries.iter().enumerate() {
        for (name, range, line) in &entry.dependencies {
            spec.clear();
            spec.push_str(name);
            spec.push('@');
            spec.push_str(range);
            match index.get(spec.as_str()) {
                Some(&j) => {
                    if let (Some(Some(from)), Some(Some(to))) = (component.get(i), component.get(j))
                    {
                        inv.dependencies
                            .push(dependency(&inv.components, *from, *to));
                    }
                }
                None => inv.warn(
                    src.location().at(*line, 1),
                    format!("`{spec}` has no entry in the lockfile; expected one listing it"),
                ),
            }
        }
    }
    Ok(inv)
}

fn v1_component(entry: &V1Entry<'_>, at: Location) -> Result<Component, String> {
    let first = entry.specifiers.first().map(String::as_str).unwrap_or("");
    let Some((name, range)) = js_package::split_spec(first) else {
        return Err(format!("`{first}` is not a `name@range` specifier"));
    };
    let (name, range) = match range.strip_prefix("npm:").and_then(js_package::split_spec) {
        Some(real) => real,
        None => (name, range),
    };
    let resolved = entry.resolved.as_deref();
    let origin = match js_package::origin(range) {
        Origin::Registry => resolved.map_or(Origin::Registry, js_package::origin),
        Origin::Git(url) => Origin::Git(resolved.unwrap_or(url)),
        Origin::Tarball(url) => Origin::Tarball(resolved.unwrap_or(url)),
        other => other,
    };
    let mut c = js_package::component(name, entry.version.as_deref(), origin, at)?;
    c.hashes = match (entry.integrity.as_deref(), origin) {
        (Some(sri), _) => js_package::integrity(sri),
        // A git URL's fragment is a commit, not a tarball digest.
        (None, Origin::Git(_)) => Vec::new(),
        (None, _) => resolved.map(sha1_fragment).unwrap_or_default(),
    };
    Ok(c)
}

/// Old entries without `integrity` carry the tarball's SHA-1 as the `resolved` URL's fragment.
fn sha1_fragment(url: &str) -> Vec<Hash> {
    match url.rsplit_once('#') {
        Some((_, hex)) if hex.len() == 40 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            vec![Hash {
                algorithm: "sha1".to_owned(),
                value: hex.to_ascii_lowercase(),
            }]
        }
        _ => Vec::new(),
    }
}

fn read_v1_entries<'t>(src: &Source<'t>) -> Result<Vec<V1Entry<'t>>, IngestError> {
    let mut entries: Vec<V1Entry<'t>> = Vec::new();
    for (n, raw) in src.text.lines().enumerate() {
        let line = n + 1;
        let text = raw.trim_end();
        let body = text.trim_start_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let bad = |column: usize, what: &str| {
            IngestError::new(src.location().at(line, column), what.to_owned())
        };
        match text.len() - body.len() {
            0 => {
                let Some(list) = body.strip_suffix(':') else {
                    return Err(bad(1, "expected an entry line: specifiers followed by `:`"));
                };
                let specifiers = split_specifiers(list).map_err(|e| bad(1, &e))?;
                entries.push(V1Entry {
                    line,
                    specifiers,
                    ..V1Entry::default()
                });
            }
            indent @ (2 | 4) => {
                let Some(entry) = entries.last_mut() else {
                    return Err(bad(indent + 1, "an indented line before any entry"));
                };
                v1_field(entry, body, indent, line).map_err(|e| bad(indent + 1, &e))?;
            }
            indent => {
                return Err(bad(
                    indent + 1,
                    "unexpected indentation; expected 0, 2 or 4 spaces",
                ));
            }
        }
    }
    Ok(entries)
}

fn v1_field<'t>(
    entry: &mut V1Entry<'t>,
    body: &'t str,
    indent: usize,
    line: usize,
) -> Result<(), String> {
    if indent == 2 {
        entry.block = None;
        if let Some(block) = body.strip_suffix(':') {
            entry.block = Some(block);
            return Ok(());
        }
    }
    let (key, value) = key_value(body)?;
    match (indent, entry.block, key.as_str()) {
        (2, _, "version") => entry.version = Some(value),
        (2, _, "resolved") => entry.resolved = Some(value),
        (2, _, "integrity") => entry.integrity = Some(value),
        (2, _, _) => {}
        (4, Some("dependencies" | "optionalDependencies"), _) => {
            entry.dependencies.push((key, value, line));
        }
        (4, Some(_), _) => {}
        _ => return Err("a nested line outside a block such as `dependencies:`".to_owned()),
    }
    Ok(())
}

/// `key value` where either may be a double-quoted string.
fn key_value(body: &str) -> Result<(String, String), String> {
    let (key, rest) = token(body)?;
    let key = key.strip_suffix(':').map(str::to_owned).unwrap_or(key);
    let rest = rest.trim_start();
    if rest.is_empty() {
        return Err(format!("`{key}` has no value"));
    }
    let (value, tail) = token(rest)?;
    if !tail.trim().is_empty() {
        return Err(format!("unexpected text after the value of `{key}`"));
    }
    Ok((key, value))
}

/// One token: a quoted string (unescaped) or the text up to the next space.
fn token(s: &str) -> Result<(String, &str), String> {
    let Some(quoted) = s.strip_prefix('"') else {
        let end = s.find(' ').unwrap_or(s.len());
        return Ok((s[..end].to_owned(), &s[end..]));
    };
    let mut out = String::new();
    let mut chars = quoted.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &quoted[i + 1..])),
            '\\' => match chars.next() {
                Some((_, e)) => out.push(e),
                None => break,
            },
            c => out.push(c),
        }
    }
    Err("a quoted string without its closing `\"`".to_owned())
}

/// `a@1, "b@^2":` → `["a@1", "b@^2"]`.
fn split_specifiers(list: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut rest = list.trim();
    while !rest.is_empty() {
        let (spec, tail) = if rest.starts_with('"') {
            token(rest)?
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            (rest[..end].trim().to_owned(), &rest[end..])
        };
        if spec.is_empty() {
            return Err("an empty specifier in the entry line".to_owned());
        }
        out.push(spec);
        let tail = tail.trim_start();
        rest = match tail.strip_prefix(',') {
            Some(more) => more.trim_start(),
            None if tail.is_empty() => tail,
            None => return Err(format!("expected `,` between specifiers, found `{tail}`")),
        };
    }
    if out.is_empty() {
        return Err("an entry line without specifiers".to_owned());
    }
    Ok(out)
}

fn dependency(components: &[Component], from: usize, to: usize) -> Dependency {
    let purl = |i: usize| {
        components
            .get(i)
            .map(|c| c.purl.clone())
            .unwrap_or_default()
    };
    Dependency {
        from: purl(from),
        to: purl(to),
    }
}

// --- Yarn berry -----------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BerryEntry<'a> {
    #[serde(borrow)]
    version: Option<Str<'a>>,
    #[serde(borrow)]
    resolution: Option<Str<'a>>,
    #[serde(borrow)]
    checksum: Option<Str<'a>>,
    #[serde(borrow)]
    dependencies: Option<Pairs<Str<'a>, Str<'a>>>,
    #[serde(borrow)]
    optional_dependencies: Option<Pairs<Str<'a>, Str<'a>>>,
}

type BerryLock<'a> = Pairs<Spanned<Str<'a>>, BerryEntry<'a>>;

/// What a berry entry is.
enum Berry {
    Workspace,
    Component(usize),
    Skipped,
}

pub fn parse_berry(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let lock: BerryLock<'_> =
        serde_saphyr::from_str_with_options(src.text, js_serde::yaml_options())
            .map_err(|e| js_serde::yaml_error(src.name, "yarn.lock", &e))?;
    if !lock.0.iter().any(|(k, _)| &*k.value == "__metadata") {
        return Err(IngestError::new(
            src.location(),
            "valid YAML but not a Yarn berry lockfile: no `__metadata` entry",
        ));
    }
    let mut inv = Inventory::default();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut kinds = Vec::with_capacity(lock.0.len());
    for (i, (key, entry)) in lock.0.iter().enumerate() {
        let at = berry_at(src, key);
        if &*key.value == "__metadata" {
            kinds.push(Berry::Skipped);
            continue;
        }
        if let Some(&first) = key.value.split(", ").find_map(|d| index.get(d)) {
            let line = lock
                .0
                .get(first)
                .and_then(|(k, _)| js_serde::span(&k.referenced));
            inv.warn(
                at,
                format!(
                    "`{}` is listed again (first at line {}); the first entry is read",
                    key.value,
                    line.map_or(0, |(l, _)| l)
                ),
            );
            kinds.push(Berry::Skipped);
            continue;
        }
        for descriptor in key.value.split(", ") {
            index.insert(descriptor, i);
            // Local protocols are keyed with the workspace that asked (`link:../x::locator=…`);
            // dependency ranges name them without it.
            if let Some((bare, _)) = descriptor.split_once("::locator=") {
                index.entry(bare).or_insert(i);
            }
        }
        kinds.push(berry_kind(entry, at, &mut inv));
    }
    berry_edges(src, &lock, &index, &kinds, &mut inv);
    Ok(inv)
}

fn berry_at(src: &Source<'_>, key: &Spanned<Str<'_>>) -> Location {
    let at = src.location();
    match js_serde::span(&key.referenced) {
        Some((line, column)) => at.at(line, column),
        None => at.field(key.value.to_string()),
    }
}

fn berry_kind(entry: &BerryEntry<'_>, at: Location, inv: &mut Inventory) -> Berry {
    let resolution = entry.resolution.as_deref().unwrap_or_default();
    let Some((name, reference)) = js_package::split_spec(resolution) else {
        inv.warn(
            at,
            format!(
                "`resolution` `{resolution}` is not `name@protocol:reference`; not inventoried"
            ),
        );
        return Berry::Skipped;
    };
    let origin = match berry_origin(reference) {
        Ok(Origin::Workspace) => return Berry::Workspace,
        Ok(origin) => origin,
        Err(why) => {
            inv.warn(at, format!("`{resolution}`: {why}; not inventoried"));
            return Berry::Skipped;
        }
    };
    match js_package::component(name, entry.version.as_deref(), origin, at.clone()) {
        Ok(mut c) => {
            c.hashes = entry.checksum.as_deref().map(checksum).unwrap_or_default();
            inv.components.push(c);
            Berry::Component(inv.components.len() - 1)
        }
        Err(why) => {
            inv.warn(at, format!("{why}; not inventoried"));
            Berry::Skipped
        }
    }
}

/// The origin of a berry resolution reference (`npm:1.0.0`, `patch:<inner>#…`, `workspace:.`).
fn berry_origin(reference: &str) -> Result<Origin<'_>, String> {
    let (protocol, rest) = reference.split_once(':').unwrap_or(("", reference));
    match protocol {
        "npm" => Ok(Origin::Registry),
        // `patch:resolve@npm%3A1.22.1#~builtin<compat/resolve>::version=…`: the patched package.
        "patch" => {
            let inner = rest.split('#').next().unwrap_or(rest);
            match js_package::split_spec(inner) {
                Some((_, r)) if r.starts_with("npm%3A") || r.starts_with("npm:") => {
                    Ok(Origin::Registry)
                }
                _ => Err(format!("a patch of `{inner}`, which is not an npm package")),
            }
        }
        "workspace" => Ok(Origin::Workspace),
        "http" | "https" | "git" | "git+ssh" | "git+https" | "git+http" | "github" | "file"
        | "link" | "portal" | "exec" => Ok(js_package::origin(reference)),
        _ => Err(format!("the protocol `{protocol}:` is not one Vexil knows")),
    }
}

/// A berry `checksum`: `<cacheKey>/<sha512 hex>` (or the bare hex in old lockfiles). It is the
/// hash of yarn's cache archive, not of the npm tarball.
fn checksum(value: &str) -> Vec<Hash> {
    let hex = value.rsplit('/').next().unwrap_or(value);
    if hex.len() == 128 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        vec![Hash {
            algorithm: "sha512".to_owned(),
            value: hex.to_ascii_lowercase(),
        }]
    } else {
        Vec::new()
    }
}

fn berry_edges(
    src: &Source<'_>,
    lock: &BerryLock<'_>,
    index: &HashMap<&str, usize>,
    kinds: &[Berry],
    inv: &mut Inventory,
) {
    let has_workspace = kinds.iter().any(|k| matches!(k, Berry::Workspace));
    let mut direct = vec![false; inv.components.len()];
    let mut edges = Vec::new();
    let mut descriptor = String::new();
    for ((key, entry), kind) in lock.0.iter().zip(kinds) {
        let from = match kind {
            Berry::Workspace => None,
            Berry::Component(c) => Some(*c),
            Berry::Skipped => continue,
        };
        let lists = [&entry.dependencies, &entry.optional_dependencies];
        for (name, range) in lists.into_iter().flatten().flat_map(|p| &p.0) {
            descriptor.clear();
            descriptor.push_str(name);
            descriptor.push('@');
            // Before lockfile version 8 the default protocol is left out of ranges.
            if !range.contains(':') {
                descriptor.push_str("npm:");
            }
            descriptor.push_str(range);
            match index.get(descriptor.as_str()).and_then(|&j| kinds.get(j)) {
                Some(Berry::Component(to)) => match from {
                    Some(from) => edges.push((from, *to)),
                    None => direct[*to] = true,
                },
                Some(_) => {}
                // Another workspace of the project.
                None if range.starts_with("workspace:") => {}
                None => inv.warn(
                    berry_at(src, key),
                    format!(
                        "`{descriptor}`, a dependency of `{}`, has no entry in the lockfile",
                        key.value
                    ),
                ),
            }
        }
    }
    if has_workspace {
        for (c, d) in inv.components.iter_mut().zip(direct) {
            c.direct = Some(d);
        }
    }
    inv.dependencies.extend(
        edges
            .into_iter()
            .map(|(a, b)| dependency(&inv.components, a, b)),
    );
}
