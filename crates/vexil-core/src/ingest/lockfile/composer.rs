//! PHP Composer's `composer.lock`: a JSON object with `content-hash`, `packages` (what the
//! application runs with) and `packages-dev` (`require-dev`, development only).
//!
//! Each package gives `name` (`vendor/package`, lowercase), `version` as Composer resolved it
//! (kept as written, `v` prefix included: `v1.27.0`), `dist.shasum` (SHA-1 of the archive; often
//! empty for GitHub zipballs), `license` (an array, sometimes a plain string) and `require`, whose
//! keys become dependency edges to the locked packages of that name, or to those that `provide`
//! or `replace` it. Platform requirements (`php`, `ext-*`, `lib-*`, `composer-*-api`) are not
//! packages; any other requirement the lock file does not list is a warning. The lock file does
//! not say which packages the project requires directly, so `direct` is left unsaid.
//!
//! Drupal's contributed modules come from `https://packages.drupal.org/8`, whose advisories OSV
//! files under the ecosystem `Packagist:https://packages.drupal.org/8`: packages whose
//! `notification-url` points there get that ecosystem (their purl stays the plain composer one,
//! as SBOM tools write it).

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::ingest::inventory::{Sniff, Source, pointer_token};
use crate::ingest::{IngestError, Location};
use crate::model::purl::Purl;
use crate::model::{Component, Dependency, Hash, Inventory, Scope};

/// The Drupal.org Composer repository and its OSV ecosystem.
const DRUPAL_REPOSITORY: &str = "https://packages.drupal.org/8";

/// A JSON object with `content-hash` and `packages`; or, when the text is not readable JSON
/// (truncated, nested too deep), an object whose start names `content-hash`, so that the parse
/// reports where it breaks.
pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    match &sniff.json {
        Some(_) => sniff.has_key("content-hash") && sniff.has_key("packages"),
        None => {
            sniff.text.trim_start().starts_with('{')
                && sniff.head(4096).contains("\"content-hash\"")
        }
    }
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let lock: Lock =
        serde_json::from_str(src.text).map_err(|e| IngestError::json(src.name, None, &e))?;
    let Some(packages) = lock.packages else {
        return Err(IngestError::new(
            src.location(),
            "valid JSON but not a composer.lock: no `packages` array",
        ));
    };
    let sections = [
        ("packages", Scope::Runtime, packages),
        (
            "packages-dev",
            Scope::Dev,
            lock.packages_dev.unwrap_or_default(),
        ),
    ];
    let mut inv = Inventory::default();
    let mut listed = Vec::new();
    for (section, scope, packages) in &sections {
        for (i, p) in packages.iter().enumerate() {
            let location = src.location().field(format!("/{section}/{i}"));
            if let Some(c) = component(p, *scope, location, &mut inv) {
                listed.push((p, c));
            }
        }
    }
    edges(&listed, &mut inv);
    inv.components = listed.into_iter().map(|(_, c)| c).collect();
    Ok(inv)
}

#[derive(Deserialize)]
struct Lock {
    packages: Option<Vec<Package>>,
    #[serde(rename = "packages-dev")]
    packages_dev: Option<Vec<Package>>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: String,
    #[serde(default)]
    dist: Option<Dist>,
    #[serde(default)]
    license: Option<Licenses>,
    #[serde(default)]
    require: BTreeMap<String, IgnoredAny>,
    #[serde(default)]
    provide: BTreeMap<String, IgnoredAny>,
    #[serde(default)]
    replace: BTreeMap<String, IgnoredAny>,
    #[serde(default, rename = "notification-url")]
    notification_url: Option<String>,
}

#[derive(Deserialize)]
struct Dist {
    #[serde(default)]
    shasum: Option<String>,
}

/// `"license": ["MIT"]` or, in older locks, `"license": "MIT"`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Licenses {
    Many(Vec<String>),
    One(String),
}

fn component(
    p: &Package,
    scope: Scope,
    location: Location,
    inv: &mut Inventory,
) -> Option<Component> {
    if p.name.is_empty() || p.version.is_empty() {
        inv.warn(
            location,
            format!(
                "package `{}` has no name or version; left out (expected `vendor/package` and a version)",
                p.name
            ),
        );
        return None;
    }
    let drupal = p
        .notification_url
        .as_deref()
        .is_some_and(|u| u.starts_with(DRUPAL_REPOSITORY));
    let purl = Purl::package("composer", &p.name, Some(&p.version));
    let mut c = match Component::from_purl(&purl, location.clone()) {
        Ok(c) => c,
        Err(e) => {
            inv.warn(location, format!("package `{}`: {e}; left out", p.name));
            return None;
        }
    };
    if drupal {
        c.ecosystem = Some(format!("Packagist:{DRUPAL_REPOSITORY}"));
    }
    c.scope = Some(scope);
    let shasum = p.dist.as_ref().and_then(|d| d.shasum.as_deref());
    if let Some(sha1) = shasum.filter(|s| !s.is_empty()) {
        c.hashes.push(Hash {
            algorithm: "sha1".to_owned(),
            value: sha1.to_ascii_lowercase(),
        });
    }
    c.licenses = match &p.license {
        Some(Licenses::Many(l)) => l.clone(),
        Some(Licenses::One(l)) => vec![l.clone()],
        None => Vec::new(),
    };
    Some(c)
}

/// `require` edges to locked packages (by name, `provide` or `replace`); a requirement on a
/// package the lock does not list is a warning, platform requirements are skipped.
fn edges(listed: &[(&Package, Component)], inv: &mut Inventory) {
    let mut by_name: HashMap<String, &str> = HashMap::with_capacity(listed.len());
    for (p, c) in listed {
        by_name.insert(p.name.to_ascii_lowercase(), c.purl.as_str());
    }
    for (p, c) in listed {
        for name in p.provide.keys().chain(p.replace.keys()) {
            by_name
                .entry(name.to_ascii_lowercase())
                .or_insert(c.purl.as_str());
        }
    }
    for (p, c) in listed {
        for name in p.require.keys().filter(|n| !is_platform(n)) {
            match by_name.get(&name.to_ascii_lowercase()) {
                Some(to) => inv.dependencies.push(Dependency {
                    from: c.purl.clone(),
                    to: (*to).to_owned(),
                }),
                None => {
                    let at = c.location.field.as_deref().unwrap_or_default();
                    let field = format!("{at}/require/{}", pointer_token(name));
                    inv.warn(
                        c.location.clone().field(field),
                        format!(
                            "`{}` requires `{name}`, which the lock file does not list",
                            p.name
                        ),
                    );
                }
            }
        }
    }
}

/// Composer's platform packages: PHP itself, extensions, system libraries, Composer's APIs.
fn is_platform(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "php" | "php-64bit" | "php-ipv6" | "php-zts" | "php-debug" | "hhvm" | "composer"
    ) || name.starts_with("ext-")
        || name.starts_with("lib-")
        || name.starts_with("composer-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_requirements_are_not_packages() {
        assert!(is_platform("php"));
        assert!(is_platform("ext-json"));
        assert!(is_platform("composer-runtime-api"));
        assert!(!is_platform("composer/semver"));
        assert!(!is_platform("psr/log"));
    }
}
