//! Reading a VEX document of any of the three formats, recognised from its content: checked
//! against its official schema (when one exists for its version), then read into statements.
//! Every refusal names the field (JSON pointer) and what was expected.

use jiff::Timestamp;
use serde_json::Value;

use super::schema::VexSchemas;
use super::{VexDocument, VexFormat, csaf, cyclonedx, openvex};
use crate::ingest::advisory::kev::{check_size, describe_start, shown};
use crate::ingest::{IngestError, Location, Parsed, Warning};

/// Reads one VEX document: OpenVEX (an `@context` of `https://openvex.dev/ns…`), CycloneDX (a
/// BOM with `vulnerabilities`) or CSAF 2.0 (`document.csaf_version`). `records` holds the one
/// document; `warnings` what was kept but is doubtful (no schema for its version, a statement
/// without products, a CycloneDX vulnerability without analysis).
///
/// With `schemas`, a document that breaks its schema is refused, naming the field (many
/// published documents do: Trivy's `@id`s are not IRIs, Chainguard's carry `supplier` at the
/// top level). Without, nothing is checked against a schema and a warning says so; the reader
/// still refuses what it cannot read.
pub fn read(
    bytes: &[u8],
    name: &str,
    schemas: Option<&VexSchemas>,
) -> Result<Parsed<VexDocument>, IngestError> {
    check_size(bytes, name)?;
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let expected = "expected a VEX document: OpenVEX, CycloneDX or CSAF 2.0 JSON";
    if !bytes.trim_ascii_start().starts_with(b"{") {
        let found = if bytes.trim_ascii_start().starts_with(b"[") {
            "a JSON array".to_owned()
        } else {
            describe_start(bytes)
        };
        return Err(IngestError::new(
            Location::file(name),
            format!("this is {found}, not an object; {expected}"),
        ));
    }
    let doc: Value =
        serde_json::from_slice(bytes).map_err(|e| IngestError::json(name, None, &e))?;
    let mut ctx = Ctx {
        file: name,
        warnings: Vec::new(),
    };
    let format = detect(&doc).ok_or_else(|| {
        IngestError::new(
            Location::file(name),
            format!(
                "a JSON object with neither an OpenVEX `@context`, a CycloneDX `bomFormat` nor \
                 a CSAF `document`; {expected}"
            ),
        )
    })?;
    let checked = check_schema(format, &doc, schemas, &mut ctx)?;
    let document = match format {
        VexFormat::OpenVex => openvex::read_document(&doc, &mut ctx, checked)?,
        VexFormat::CycloneDx => cyclonedx::read_document(&doc, &mut ctx, checked)?,
        VexFormat::Csaf => csaf::read_document(&doc, &mut ctx, checked)?,
    };
    Ok(Parsed {
        records: vec![document],
        warnings: ctx.warnings,
    })
}

fn detect(doc: &Value) -> Option<VexFormat> {
    let context = doc.get("@context").and_then(Value::as_str);
    if context.is_some_and(|c| c.starts_with("https://openvex.dev/ns")) {
        return Some(VexFormat::OpenVex);
    }
    if doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        return Some(VexFormat::CycloneDx);
    }
    if doc
        .get("document")
        .is_some_and(|d| d.get("csaf_version").is_some())
    {
        return Some(VexFormat::Csaf);
    }
    None
}

/// Checks the document against its schema when there is one for its version; refuses it when
/// it breaks it. Returns whether it was checked.
fn check_schema(
    format: VexFormat,
    doc: &Value,
    schemas: Option<&VexSchemas>,
    ctx: &mut Ctx<'_>,
) -> Result<bool, IngestError> {
    match format {
        // Only 0.2.0 has a schema; 0.0.1 and the unversioned namespace predate it.
        VexFormat::OpenVex => {
            let context = doc.get("@context").and_then(Value::as_str);
            if context != Some(openvex::CONTEXT_V020) {
                ctx.warn(
                    "/@context",
                    format!(
                        "`{}` has no official schema (only {} does): read without schema \
                         validation",
                        shown(context.unwrap_or_default()),
                        openvex::CONTEXT_V020
                    ),
                );
                return Ok(false);
            }
        }
        // CSAF 2.1 is a different schema and model.
        VexFormat::Csaf => {
            let version = doc.pointer("/document/csaf_version");
            if version.and_then(Value::as_str) != Some("2.0") {
                return Err(ctx.error(
                    "/document/csaf_version",
                    format!(
                        "CSAF version {} is not supported; expected `2.0`",
                        version.map(Value::to_string).unwrap_or_default()
                    ),
                ));
            }
        }
        VexFormat::CycloneDx => {
            let spec = doc
                .get("specVersion")
                .and_then(Value::as_str)
                .unwrap_or_default();
            match schemas.and_then(|s| s.cyclonedx_schema_for(spec)) {
                Some(used) if used != spec => ctx.warn(
                    "/specVersion",
                    format!(
                        "no CycloneDX {} schema was given: checked against the {used} schema",
                        shown(spec)
                    ),
                ),
                _ => {}
            }
        }
    }
    let Some(schemas) = schemas else {
        ctx.warn(
            "/",
            "not checked against its schema (schema validation is off)",
        );
        return Ok(false);
    };
    match schemas.validate(format, doc) {
        Ok(true) => Ok(true),
        Ok(false) => {
            ctx.warn(
                "/specVersion",
                "no schema was given for this CycloneDX version: not checked against one",
            );
            Ok(false)
        }
        Err(violation) => {
            let field = if violation.pointer.is_empty() {
                "/".to_owned()
            } else {
                violation.pointer.clone()
            };
            let message = format!(
                "not valid against the {} schema: {} (schema rule `{}`){}",
                format,
                violation.message,
                violation.schema_path,
                super::schema::others_text(violation.others)
            );
            Err(ctx.error(&field, message))
        }
    }
}

/// The file being read and the warnings met so far.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub(crate) file: &'a str,
    pub(crate) warnings: Vec<Warning>,
}

impl Ctx<'_> {
    pub(crate) fn error(&self, pointer: &str, message: impl Into<String>) -> IngestError {
        IngestError::new(self.location(pointer), message)
    }

    pub(crate) fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings.push(Warning {
            location: self.location(pointer),
            message: message.into(),
        });
    }

    fn location(&self, pointer: &str) -> Location {
        let pointer = if pointer.is_empty() { "/" } else { pointer };
        Location::file(self.file).field(pointer)
    }
}

/// `base` + `/key`, with `~` and `/` escaped (RFC 6901).
pub(crate) fn ptr(base: &str, key: &str) -> String {
    format!("{base}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// A field that is present and not `null`.
pub(crate) fn field<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.get(key).filter(|f| !f.is_null())
}

/// An optional string field: absent or `null` is `None`, anything but a string is refused.
pub(crate) fn string<'v>(
    ctx: &Ctx<'_>,
    v: &'v Value,
    key: &str,
    at: &str,
) -> Result<Option<&'v str>, IngestError> {
    match field(v, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(ctx.error(
            &ptr(at, key),
            format!("expected a string, found {}", kind(other)),
        )),
    }
}

/// An optional array field: absent or `null` is empty, anything but an array is refused.
pub(crate) fn array<'v>(
    ctx: &Ctx<'_>,
    v: &'v Value,
    key: &str,
    at: &str,
) -> Result<&'v [Value], IngestError> {
    match field(v, key) {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(ctx.error(
            &ptr(at, key),
            format!("expected an array, found {}", kind(other)),
        )),
    }
}

/// An optional RFC 3339 time (any offset, any fraction of a second).
pub(crate) fn timestamp(
    ctx: &Ctx<'_>,
    v: &Value,
    key: &str,
    at: &str,
) -> Result<Option<Timestamp>, IngestError> {
    match string(ctx, v, key, at)? {
        None | Some("") => Ok(None),
        Some(text) => text.parse::<Timestamp>().map(Some).map_err(|e| {
            ctx.error(
                &ptr(at, key),
                format!(
                    "`{}` is not a date-time like `2024-01-31T12:00:00Z`: {e}",
                    shown(text)
                ),
            )
        }),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
