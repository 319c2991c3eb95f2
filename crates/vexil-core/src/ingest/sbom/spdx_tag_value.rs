//! SPDX 2.x tag-value (`.spdx`): `Tag: value` lines, multi-line values inside `<text>…</text>`,
//! read into the same raw document as JSON and YAML, each package and relationship keeping its
//! line. A `PackageName` opens a package and the tags after it describe it until a `FileName`,
//! `SnippetSPDXID` or `LicenseID` opens something else; `Relationship` lines may come anywhere.

use serde_saphyr::{Location as Span, Spanned};

use crate::ingest::IngestError;
use crate::ingest::sbom::document::{Origin, Text};
use crate::ingest::sbom::spdx::{
    RawChecksum, RawDocument, RawElement, RawExternalRef, RawPackage, RawRelationship,
};

/// What the tags being read describe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Document,
    Package,
    File,
    Snippet,
    /// An extracted licence (`LicenseID`): nothing Vexil uses.
    Other,
}

/// Reads a tag-value document.
pub(super) fn read(text: &str, origin: &Origin<'_>) -> Result<RawDocument<'static>, IngestError> {
    let mut doc = RawDocument::default();
    let mut section = Section::Document;
    let mut lines = text.lines().enumerate();
    while let Some((index, line)) = lines.next() {
        let number = index + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((tag, value)) = line.split_once(':').filter(|(t, _)| is_tag(t)) else {
            return Err(IngestError::new(
                origin.line(number, 1),
                format!("expected a `Tag: value` line, found `{}`", shorten(line)),
            ));
        };
        let value = match value.trim().strip_prefix("<text>") {
            Some(first) => multi_line(first, &mut lines).ok_or_else(|| {
                IngestError::new(
                    origin.line(number, 1),
                    format!(
                        "the `<text>` value of `{tag}` is never closed by `</text>` (truncated?)"
                    ),
                )
            })?,
            None => value.trim().to_owned(),
        };
        section = tag_line(&mut doc, section, tag, value, number);
    }
    Ok(doc)
}

fn is_tag(t: &str) -> bool {
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The rest of a `<text>` value that started on the current line: up to `</text>`.
fn multi_line<'t>(
    first: &str,
    lines: &mut impl Iterator<Item = (usize, &'t str)>,
) -> Option<String> {
    if let Some((inside, _)) = first.split_once("</text>") {
        return Some(inside.to_owned());
    }
    let mut value = first.to_owned();
    for (_, line) in lines {
        value.push('\n');
        if let Some((inside, _)) = line.split_once("</text>") {
            value.push_str(inside);
            return Some(value);
        }
        value.push_str(line);
    }
    None
}

/// Applies one tag; returns the section the tags after it describe.
fn tag_line(
    doc: &mut RawDocument<'static>,
    section: Section,
    tag: &str,
    value: String,
    line: usize,
) -> Section {
    let text = || Some(Text::owned(value.clone()));
    match tag {
        "SPDXVersion" => doc.spdx_version = text(),
        "PackageName" => {
            doc.packages.push(RawPackage {
                name: text(),
                line: Some(line),
                ..RawPackage::default()
            });
            return Section::Package;
        }
        "FileName" => {
            doc.files.push(RawElement::default());
            return Section::File;
        }
        "SnippetSPDXID" => {
            doc.snippets.push(RawElement { id: text() });
            return Section::Snippet;
        }
        "LicenseID" => return Section::Other,
        "Relationship" => doc.relationships.push(relationship(&value, line)),
        "SPDXID" => match section {
            Section::Package => {
                if let Some(p) = doc.packages.last_mut() {
                    p.id = Some(Spanned::new(
                        Text::owned(value),
                        Span::UNKNOWN,
                        Span::UNKNOWN,
                    ));
                }
            }
            Section::File => {
                if let Some(f) = doc.files.last_mut() {
                    f.id = text();
                }
            }
            _ => {}
        },
        _ if section == Section::Package => {
            if let Some(p) = doc.packages.last_mut() {
                package_tag(p, tag, value);
            }
        }
        _ => {}
    }
    section
}

fn package_tag(p: &mut RawPackage<'static>, tag: &str, value: String) {
    match tag {
        "PackageVersion" => p.version = Some(Text::owned(value)),
        "PackageLicenseConcluded" => p.license_concluded = Some(Text::owned(value)),
        "PackageLicenseDeclared" => p.license_declared = Some(Text::owned(value)),
        "PrimaryPackagePurpose" => p.purpose = Some(Text::owned(value)),
        "PackageSourceInfo" => p.source_info = Some(Text::owned(value)),
        "ExternalRef" => {
            let mut parts = value.split_whitespace();
            let mut next = || parts.next().map(|s| Text::owned(s.to_owned()));
            p.external_refs.push(RawExternalRef {
                category: next(),
                kind: next(),
                locator: next(),
            });
        }
        "PackageChecksum" => {
            let (algorithm, digest) = value.split_once(':').unwrap_or((value.as_str(), ""));
            p.checksums.push(RawChecksum {
                algorithm: Some(Text::owned(algorithm.trim().to_owned())),
                value: Some(Text::owned(digest.trim().to_owned())),
            });
        }
        _ => {}
    }
}

/// `Relationship: SPDXRef-A DEPENDS_ON SPDXRef-B`.
fn relationship(value: &str, line: usize) -> RawRelationship<'static> {
    let mut parts = value.split_whitespace();
    let mut next = || parts.next().map(|s| Text::owned(s.to_owned()));
    RawRelationship {
        element: next(),
        kind: next(),
        related: next(),
        line: Some(line),
    }
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}
