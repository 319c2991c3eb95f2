//! Gradle dependency locking: `gradle.lockfile` (and `buildscript-gradle.lockfile`).
//!
//! After a `# This is a Gradle generated file…` header, one line per resolved module,
//! `group:artifact:version=conf1,conf2`, naming the configurations that resolved it, and a final
//! `empty=` line listing locked configurations that resolved nothing. Lines may be indented;
//! `#` starts a comment. A module only in test configurations (`testCompileClasspath`,
//! `testRuntimeClasspath`…) or build-only ones (the buildscript `classpath`, annotation
//! processors) is `dev`; any other configuration makes it `runtime`. The file has no graph and
//! does not say which modules are direct.

use crate::ingest::IngestError;
use crate::ingest::inventory::{Sniff, Source};
use crate::model::purl::Purl;
use crate::model::{Component, Inventory, Scope};

const HEADER: &str = "# This is a Gradle generated file";

/// Gradle's header, or `group:artifact:version=configurations` first lines.
pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    if sniff.json.is_some() {
        return false;
    }
    if sniff.head(200).trim_start().starts_with(HEADER) {
        return true;
    }
    let mut lines = sniff.first_lines(3).peekable();
    lines.peek().is_some() && lines.all(|l| l.starts_with("empty=") || entry(l).is_some())
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let mut inv = Inventory::default();
    for (i, raw) in src.text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("empty=") {
            continue;
        }
        let mut location = src.location();
        location.line = Some(i + 1);
        let Some(entry) = entry(line) else {
            inv.warn(
                location,
                format!(
                    "`{}` is not `group:artifact:version=configurations`; left out",
                    line.chars().take(80).collect::<String>()
                ),
            );
            continue;
        };
        let purl = Purl::package(
            "maven",
            &format!("{}:{}", entry.group, entry.artifact),
            Some(entry.version),
        );
        match Component::from_purl(&purl, location.clone()) {
            Ok(mut c) => {
                c.scope = Some(scope(entry.configurations));
                inv.components.push(c);
            }
            Err(e) => inv.warn(location, format!("{e}; left out")),
        }
    }
    if inv.components.is_empty() && !src.text.contains(HEADER) {
        return Err(IngestError::new(
            src.location(),
            "not a gradle.lockfile: expected `group:artifact:version=configurations` lines",
        ));
    }
    Ok(inv)
}

/// One locked module.
struct Entry<'a> {
    group: &'a str,
    artifact: &'a str,
    version: &'a str,
    configurations: &'a str,
}

fn entry(line: &str) -> Option<Entry<'_>> {
    let (coordinates, configurations) = line.split_once('=')?;
    let mut parts = coordinates.split(':');
    let (group, artifact, version) = (parts.next()?, parts.next()?, parts.next()?);
    let valid = parts.next().is_none()
        && [group, artifact, version]
            .iter()
            .all(|p| !p.is_empty() && !p.contains(char::is_whitespace));
    valid.then_some(Entry {
        group,
        artifact,
        version,
        configurations,
    })
}

/// `dev` when every configuration is a test or build-only one.
fn scope(configurations: &str) -> Scope {
    let build_only = |c: &str| {
        let lower = c.to_ascii_lowercase();
        lower.starts_with("test")
            || lower == "classpath"
            || lower.ends_with("annotationprocessor")
            || lower.starts_with("kapt")
    };
    let mut names = configurations
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .peekable();
    if names.peek().is_some() && names.all(build_only) {
        Scope::Dev
    } else {
        Scope::Runtime
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_and_build_configurations_are_dev() {
        assert_eq!(
            scope("testCompileClasspath,testRuntimeClasspath"),
            Scope::Dev
        );
        assert_eq!(scope("testRuntimeClasspath,classpath"), Scope::Dev);
        assert_eq!(scope("compileClasspath, runtimeClasspath"), Scope::Runtime);
        assert_eq!(scope(""), Scope::Runtime);
    }

    #[test]
    fn entries_need_three_coordinates() {
        assert!(entry("a:b:1.0=x").is_some());
        assert!(entry("a:b=x").is_none());
        assert!(entry("a:b:c:d=x").is_none());
    }
}
