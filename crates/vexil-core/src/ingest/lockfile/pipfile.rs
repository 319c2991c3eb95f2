//! Pipfile.lock: JSON with `_meta` (pipfile-spec, sources) and two maps from package name to
//! entry, `default` (runtime) and `develop` (dev). An entry pins `version` as `==x.y` and lists
//! `hashes` as `sha256:…`; instead of a version it may name a `git` repository (with `ref`), a
//! local `path` or a `file` URL, which cannot be inventoried as a release and are warned about.
//! The lockfile does not say which packages are direct (that is the Pipfile), nor the edges.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::ingest::inventory::{Sniff, Source, pointer_token};
use crate::ingest::lockfile::py_lock::entry::{component, hash, unique, vcs_url};
use crate::ingest::{IngestError, Location};
use crate::model::purl::Purl;
use crate::model::{Inventory, Scope};

/// A JSON object with `_meta` and `default` or `develop`.
pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    sniff.has_key("_meta") && (sniff.has_key("default") || sniff.has_key("develop"))
}

#[derive(Deserialize)]
struct RawLock {
    #[serde(rename = "_meta")]
    meta: Option<serde::de::IgnoredAny>,
    default: Option<BTreeMap<String, RawEntry>>,
    develop: Option<BTreeMap<String, RawEntry>>,
}

#[derive(Deserialize)]
struct RawEntry {
    version: Option<String>,
    #[serde(default)]
    hashes: Vec<String>,
    git: Option<String>,
    #[serde(rename = "ref")]
    reference: Option<String>,
    path: Option<String>,
    file: Option<String>,
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let raw: RawLock =
        serde_json::from_str(src.text).map_err(|e| IngestError::json(src.name, None, &e))?;
    if raw.meta.is_none() || (raw.default.is_none() && raw.develop.is_none()) {
        return Err(IngestError::new(
            src.location(),
            "valid JSON but not a Pipfile.lock: expected `_meta` and `default` or `develop`",
        ));
    }
    let mut inv = Inventory::default();
    for (section, scope, entries) in [
        ("default", Scope::Runtime, &raw.default),
        ("develop", Scope::Dev, &raw.develop),
    ] {
        for (name, entry) in entries.iter().flatten() {
            let at = src
                .location()
                .field(format!("/{section}/{}", pointer_token(name)));
            let Some(purl) = purl_for(&mut inv, name, entry, &at) else {
                continue;
            };
            if let Some(mut c) = component(&mut inv, &purl, at) {
                c.scope = Some(scope);
                c.hashes = unique(entry.hashes.iter().filter_map(|h| hash(h)).collect());
                inv.components.push(c);
            }
        }
    }
    Ok(inv)
}

/// The purl of an entry pinned with `==`, or a warning saying why it cannot be inventoried.
fn purl_for(inv: &mut Inventory, name: &str, e: &RawEntry, at: &Location) -> Option<Purl> {
    let pinned = e
        .version
        .as_deref()
        .and_then(|v| v.strip_prefix("===").or_else(|| v.strip_prefix("==")))
        .map(str::trim)
        .filter(|v| !v.is_empty() && !v.contains('*'));
    let why = if let Some(p) = &e.path {
        format!("a local path (`{p}`), not a published release")
    } else if let Some(v) = pinned {
        let purl = Purl::package("pypi", name, Some(v));
        return Some(match &e.git {
            Some(g) => purl.qualifier("vcs_url", &vcs_url(g, e.reference.as_deref())),
            None => purl,
        });
    } else if let Some(g) = &e.git {
        format!("a git checkout (`{g}`) without a pinned version")
    } else if let Some(f) = &e.file {
        format!("a file (`{f}`) without a pinned version")
    } else if let Some(v) = &e.version {
        format!("not pinned to one version (`{v}`)")
    } else {
        "no `version`".to_owned()
    };
    inv.warn(at.clone(), format!("`{name}` not inventoriable: {why}"));
    None
}
