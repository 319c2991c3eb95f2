//! The official VEX schemas, compiled once from text the caller read (OpenVEX 0.2.0, CycloneDX
//! 1.x with its sibling files, CSAF 2.0 with the FIRST CVSS schemas). Never fetches: every
//! `$ref` resolves to a file registered here, and formats are asserted.

use jsonschema::{Registry, Validator};
use serde_json::Value;

use super::VexFormat;

/// The schema files' text, as found under `specs/schemas/` (read by the caller).
#[derive(Clone, Copy, Debug)]
pub struct SchemaTexts<'a> {
    /// `openvex/openvex_json_schema.json`.
    pub openvex: &'a str,
    /// `cyclonedx/bom-1.N.schema.json` by spec version (`("1.6", text)`), at least `1.6`.
    pub cyclonedx: &'a [(&'a str, &'a str)],
    /// The files the BOM schemas `$ref` by name (`spdx.schema.json`, `jsf-0.82.schema.json`,
    /// `cryptography-defs.schema.json`), registered under `http://cyclonedx.org/schema/NAME`.
    pub cyclonedx_refs: &'a [(&'a str, &'a str)],
    /// `csaf-2.0/csaf_json_schema.json`.
    pub csaf: &'a str,
    /// The CVSS schemas it `$ref`s (`cvss-v2.0.json`, `cvss-v3.0.json`, `cvss-v3.1.json`),
    /// registered under `https://www.first.org/cvss/NAME`.
    pub csaf_refs: &'a [(&'a str, &'a str)],
}

/// Why the schemas could not be compiled: a broken or incomplete schema set (a setup error).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("schema `{schema}`: {message}")]
pub struct SchemaError {
    pub schema: String,
    pub message: String,
}

/// Where a document breaks its schema: the field (JSON pointer into the document), what the
/// schema expected there, and how many other violations there are.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{}`: {message} (schema `{schema_path}`){}", if pointer.is_empty() { "/" } else { pointer }, others_text(*others))]
pub struct SchemaViolation {
    pub pointer: String,
    pub message: String,
    pub schema_path: String,
    pub others: usize,
}

pub(crate) fn others_text(others: usize) -> String {
    match others {
        0 => String::new(),
        1 => "; 1 more violation".to_owned(),
        n => format!("; {n} more violations"),
    }
}

/// The compiled validators: build once, validate many documents.
pub struct VexSchemas {
    openvex: Validator,
    /// Sorted by version (numerically).
    cyclonedx: Vec<((u32, u32), String, Validator)>,
    csaf: Validator,
}

impl std::fmt::Debug for VexSchemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let versions: Vec<&str> = self.cyclonedx.iter().map(|(_, v, _)| v.as_str()).collect();
        f.debug_struct("VexSchemas")
            .field("cyclonedx", &versions)
            .finish_non_exhaustive()
    }
}

impl VexSchemas {
    pub fn compile(texts: &SchemaTexts<'_>) -> Result<VexSchemas, SchemaError> {
        let openvex = compile("openvex", texts.openvex, "", &[])?;
        let mut cyclonedx = Vec::new();
        for (version, text) in texts.cyclonedx {
            let name = format!("bom-{version}.schema.json");
            let key = spec_version(version).ok_or_else(|| SchemaError {
                schema: name.clone(),
                message: format!("`{version}` is not a CycloneDX version like `1.6`"),
            })?;
            let validator = compile(
                &name,
                text,
                "http://cyclonedx.org/schema/",
                texts.cyclonedx_refs,
            )?;
            cyclonedx.push((key, (*version).to_owned(), validator));
        }
        cyclonedx.sort_by_key(|(key, _, _)| *key);
        if cyclonedx.is_empty() {
            return Err(SchemaError {
                schema: "cyclonedx".to_owned(),
                message: "no CycloneDX BOM schema given; expected at least bom-1.6".to_owned(),
            });
        }
        let csaf = compile(
            "csaf_json_schema.json",
            texts.csaf,
            "https://www.first.org/cvss/",
            texts.csaf_refs,
        )?;
        Ok(VexSchemas {
            openvex,
            cyclonedx,
            csaf,
        })
    }

    /// Checks a document of `format` against its schema; for CycloneDX, the schema of the
    /// document's `specVersion`, else the oldest newer one given.
    ///
    /// Returns `Ok(false)` when no schema applies (a CycloneDX version newer than every schema).
    pub fn validate(&self, format: VexFormat, document: &Value) -> Result<bool, SchemaViolation> {
        let validator = match format {
            VexFormat::OpenVex => &self.openvex,
            VexFormat::Csaf => &self.csaf,
            VexFormat::CycloneDx => {
                let version = document
                    .get("specVersion")
                    .and_then(Value::as_str)
                    .and_then(spec_version)
                    .unwrap_or((1, 6));
                match self.cyclonedx.iter().find(|(key, _, _)| *key >= version) {
                    Some((_, _, validator)) => validator,
                    None => return Ok(false),
                }
            }
        };
        check(validator, document).map(|()| true)
    }

    /// The CycloneDX schema version a document of `specVersion` is checked against.
    pub fn cyclonedx_schema_for(&self, spec: &str) -> Option<&str> {
        let version = spec_version(spec)?;
        self.cyclonedx
            .iter()
            .find(|(key, _, _)| *key >= version)
            .map(|(_, v, _)| v.as_str())
    }
}

fn spec_version(s: &str) -> Option<(u32, u32)> {
    let (major, minor) = s.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

fn parse(name: &str, text: &str) -> Result<Value, SchemaError> {
    serde_json::from_str(text).map_err(|e| SchemaError {
        schema: name.to_owned(),
        message: format!("not JSON: {e}"),
    })
}

/// Compiles `text` with `refs` registered under `base` + their name: offline, formats asserted.
fn compile(
    name: &str,
    text: &str,
    base: &str,
    refs: &[(&str, &str)],
) -> Result<Validator, SchemaError> {
    let schema = parse(name, text)?;
    let error = |message: String| SchemaError {
        schema: name.to_owned(),
        message,
    };
    let mut resources = Vec::new();
    for (ref_name, ref_text) in refs {
        resources.push((format!("{base}{ref_name}"), parse(ref_name, ref_text)?));
    }
    let registry = Registry::new()
        .extend(resources)
        .and_then(|builder| builder.prepare())
        .map_err(|e| error(e.to_string()))?;
    jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&schema)
        .map_err(|e| error(e.to_string()))
}

fn check(validator: &Validator, document: &Value) -> Result<(), SchemaViolation> {
    let mut errors: Vec<_> = validator.iter_errors(document).collect();
    if errors.is_empty() {
        return Ok(());
    }
    // The deepest field is the most specific: `/statements/3/status` over `/statements/3`.
    errors.sort_by_key(|e| {
        let depth = e.instance_path().as_str().matches('/').count();
        (
            std::cmp::Reverse(depth),
            e.instance_path().as_str().to_owned(),
        )
    });
    let others = errors.len() - 1;
    let first = &errors[0];
    Err(SchemaViolation {
        pointer: first.instance_path().as_str().to_owned(),
        message: shorten(&first.to_string()),
        schema_path: first.schema_path().as_str().to_owned(),
        others,
    })
}

/// Validator messages quote the offending value, which may be a whole object: cut it.
fn shorten(message: &str) -> String {
    const MAX: usize = 300;
    if message.chars().count() <= MAX {
        return message.to_owned();
    }
    let mut out: String = message.chars().take(MAX).collect();
    out.push('…');
    out
}
