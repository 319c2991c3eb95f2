//! in-toto attestations that carry an SBOM: a DSSE envelope (`payloadType`, base64 `payload`,
//! `signatures`) or a bare in-toto Statement (`_type`, `predicateType`, `predicate`), one per
//! file or one per line (JSON Lines, as `cosign download attestation` and Trivy write them).
//! The predicate, a CycloneDX BOM or an SPDX 2 document, is read by those readers; locations
//! inside it carry the entry (`payload`, `line 2 payload`) and a `/predicate/…` pointer.
//! Signatures are not verified: the envelope is only unwrapped.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::ingest::IngestError;
use crate::ingest::inventory::{Sniff, Source};
use crate::ingest::sbom::cyclonedx::{self, RawBom, truncated_json_with};
use crate::ingest::sbom::document::{Origin, Text, present};
use crate::ingest::sbom::spdx::{self, RawDocument};
use crate::model::Inventory;

pub(crate) fn looks_like(sniff: &Sniff<'_>) -> bool {
    (sniff.has_key("payloadType") && sniff.has_key("payload"))
        || (sniff.has_key("_type") && sniff.has_key("predicateType"))
        || truncated_json_with(sniff, "\"payloadType\"")
        || truncated_json_with(sniff, "\"predicateType\"")
}

const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// The keys that tell an envelope from a Statement; the predicate is read in a second pass,
/// once its type is known.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a DSSE envelope or an in-toto Statement (a JSON object)")]
struct Head<'a> {
    #[serde(rename = "payloadType", borrow)]
    payload_type: Option<Text<'a>>,
    #[serde(borrow)]
    payload: Option<Text<'a>>,
    #[serde(rename = "_type", borrow)]
    statement_type: Option<Text<'a>>,
    #[serde(rename = "predicateType", borrow)]
    predicate_type: Option<Text<'a>>,
}

#[derive(Debug, Deserialize)]
#[serde(bound(deserialize = "P: Deserialize<'de>"))]
struct Statement<P> {
    predicate: Option<P>,
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    let values = values(src)?;
    let many = values.len() > 1;
    let mut out = Inventory::default();
    for (line, value) in values {
        let entry = many.then(|| format!("line {line}"));
        let inventory = envelope_or_statement(src.name, entry, value)?;
        merge(&mut out, inventory);
    }
    Ok(out)
}

/// The JSON values of the document with the line each starts on: one, or one per line.
fn values<'t>(src: &Source<'t>) -> Result<Vec<(usize, &'t str)>, IngestError> {
    let origin = Origin::file(src.name);
    let text = src.text;
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<IgnoredAny>();
    let mut out = Vec::new();
    let (mut counted, mut line) = (0, 1);
    loop {
        let start = stream.byte_offset();
        match stream.next() {
            None => break,
            Some(Err(e)) => return Err(origin.json_error(&e)),
            Some(Ok(_)) => {
                let value = text.get(start..stream.byte_offset()).unwrap_or_default();
                let begins = start + (value.len() - value.trim_start().len());
                line += text
                    .get(counted..begins)
                    .map_or(0, |s| s.bytes().filter(|b| *b == b'\n').count());
                counted = begins;
                out.push((line, value));
            }
        }
    }
    if out.is_empty() {
        return Err(
            origin.error("the document is empty; expected a DSSE envelope or an in-toto Statement")
        );
    }
    Ok(out)
}

fn envelope_or_statement(
    file: &str,
    entry: Option<String>,
    text: &str,
) -> Result<Inventory, IngestError> {
    let origin = Origin::nested(file, entry.clone(), "");
    let head: Head<'_> = serde_json::from_str(text).map_err(|e| origin.json_error(&e))?;
    if head.payload.is_some() || head.payload_type.is_some() {
        let payload = payload(&head, &origin)?;
        let entry = match entry {
            Some(line) => format!("{line} payload"),
            None => "payload".to_owned(),
        };
        return statement(file, Some(entry), &payload);
    }
    statement(file, entry, text)
}

/// The decoded payload of a DSSE envelope that says it holds an in-toto Statement.
fn payload(head: &Head<'_>, origin: &Origin<'_>) -> Result<String, IngestError> {
    match present(&head.payload_type) {
        Some(PAYLOAD_TYPE) => {}
        Some(other) => {
            return Err(IngestError::new(
                origin.field("/payloadType"),
                format!(
                    "DSSE `payloadType` is `{other}`; expected `{PAYLOAD_TYPE}` (an in-toto Statement)"
                ),
            ));
        }
        None => {
            return Err(origin.error(format!(
                "DSSE envelope without a `payloadType`; expected `{PAYLOAD_TYPE}`"
            )));
        }
    }
    let encoded =
        present(&head.payload).ok_or_else(|| origin.error("DSSE envelope without a `payload`"))?;
    let bytes = STANDARD
        .decode(encoded)
        .or_else(|_| URL_SAFE.decode(encoded))
        .map_err(|e| {
            IngestError::new(
                origin.field("/payload"),
                format!("the DSSE `payload` is not base64: {e}"),
            )
        })?;
    String::from_utf8(bytes).map_err(|e| {
        IngestError::new(
            origin.field("/payload"),
            format!(
                "the DSSE `payload` is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// What an in-toto predicate holds, from its `predicateType`.
#[derive(Clone, Copy, Debug)]
enum Predicate {
    CycloneDx,
    Spdx,
}

fn statement(file: &str, entry: Option<String>, text: &str) -> Result<Inventory, IngestError> {
    let origin = Origin::nested(file, entry, "/predicate");
    let head: Head<'_> = serde_json::from_str(text).map_err(|e| origin.json_error(&e))?;
    if !present(&head.statement_type)
        .is_some_and(|t| t.starts_with("https://in-toto.io/Statement/"))
    {
        return Err(origin.error(
            "not an in-toto Statement: `_type` is not `https://in-toto.io/Statement/v1` (or v0.1)",
        ));
    }
    let predicate_type = present(&head.predicate_type).unwrap_or_default();
    let kind = if predicate_type.contains("cyclonedx.org/bom") {
        Predicate::CycloneDx
    } else if predicate_type.contains("spdx.dev/Document") {
        Predicate::Spdx
    } else {
        return Err(origin.error(format!(
            "the in-toto `predicateType` is `{predicate_type}`, not an SBOM; expected `https://cyclonedx.org/bom` or `https://spdx.dev/Document`"
        )));
    };
    let missing = || origin.error("the in-toto Statement has no `predicate`");
    match kind {
        Predicate::CycloneDx => {
            let s: Statement<RawBom<'_>> =
                serde_json::from_str(text).map_err(|e| origin.json_error(&e))?;
            cyclonedx::read(&s.predicate.ok_or_else(missing)?, &origin)
        }
        Predicate::Spdx => {
            let s: Statement<RawDocument<'_>> =
                serde_json::from_str(text).map_err(|e| origin.json_error(&e))?;
            spdx::read(&s.predicate.ok_or_else(missing)?, &origin)
        }
    }
}

fn merge(into: &mut Inventory, from: Inventory) {
    into.components.extend(from.components);
    into.dependencies.extend(from.dependencies);
    into.evidence.extend(from.evidence);
    into.includes.extend(from.includes);
    into.warnings.extend(from.warnings);
}
