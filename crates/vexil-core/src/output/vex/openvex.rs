//! OpenVEX 0.2.0 (`OPENVEX-SPEC.md`): rendering a release's statements, and reading OpenVEX
//! documents — 0.2.0, and the 0.0.1 / unversioned shape where `vulnerability` and `products`
//! are plain strings.

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::read::{Ctx, array, field, ptr, string, timestamp};
use super::{
    ExportError, ExportInput, Resolved, Stated, TOOL, TOOL_VERSION, VexDocument, VexFormat,
    VexProduct, VexStatement, pretty,
};
use crate::ingest::IngestError;
use crate::model::decision::{Justification, VexStatus};

/// The `@context` of the version Vexil writes, and the only one with an official schema.
pub const CONTEXT_V020: &str = "https://openvex.dev/ns/v0.2.0";

/// Renders the OpenVEX document: one statement per (vulnerability, component), sorted, the
/// release as the product and the component as its subcomponent; `@id` from the content.
pub fn render_openvex(input: &ExportInput) -> Result<Vec<u8>, ExportError> {
    let resolved = Resolved::new(input)?;
    let statements: Vec<Value> = resolved
        .statements
        .iter()
        .map(|s| statement(&resolved, s))
        .collect();
    let document = json!({
        "@context": CONTEXT_V020,
        "@id": format!("https://vexil.invalid/vex/{}", resolved.digest()),
        "author": TOOL,
        "role": "Document Creator",
        "timestamp": resolved.timestamp.to_string(),
        "version": 1,
        "tooling": format!("{TOOL} {TOOL_VERSION}"),
        "statements": statements,
    });
    Ok(pretty(&document))
}

fn statement(resolved: &Resolved, s: &Stated) -> Value {
    let mut vulnerability = Map::new();
    vulnerability.insert("name".into(), s.vuln.clone().into());
    if !s.aliases.is_empty() {
        vulnerability.insert("aliases".into(), s.aliases.clone().into());
    }
    let mut product = Map::new();
    product.insert("@id".into(), resolved.product_id.clone().into());
    if let Some(purl) = &resolved.product_purl {
        product.insert("identifiers".into(), json!({ "purl": purl }));
    }
    product.insert(
        "subcomponents".into(),
        json!([{ "@id": s.purl, "identifiers": { "purl": s.purl } }]),
    );
    let mut out = Map::new();
    out.insert("vulnerability".into(), vulnerability.into());
    out.insert("products".into(), json!([product]));
    out.insert("status".into(), s.status.as_str().into());
    let optional = [
        (
            "justification",
            s.justification.map(|j| j.as_str().to_owned()),
        ),
        ("impact_statement", s.impact.clone()),
        ("action_statement", s.action.clone()),
        ("status_notes", s.notes.clone()),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            out.insert(key.into(), value.into());
        }
    }
    out.into()
}

/// Reads an OpenVEX document (already known to carry an OpenVEX `@context`).
pub(crate) fn read_document(
    doc: &Value,
    ctx: &mut Ctx<'_>,
    schema_checked: bool,
) -> Result<VexDocument, IngestError> {
    let context = string(ctx, doc, "@context", "")?.unwrap_or_default();
    let spec_version = match context.rsplit_once("/ns/v") {
        Some((_, version)) => version.to_owned(),
        None => "unversioned".to_owned(),
    };
    let document_time = timestamp(ctx, doc, "timestamp", "")?;
    let mut statements = Vec::new();
    for (i, s) in array(ctx, doc, "statements", "")?.iter().enumerate() {
        let at = ptr(&ptr("", "statements"), &i.to_string());
        statements.push(read_statement(s, &at, ctx, document_time)?);
    }
    if statements.is_empty() {
        ctx.warn("/statements", "the document states nothing (no statements)");
    }
    Ok(VexDocument {
        format: VexFormat::OpenVex,
        spec_version,
        id: string(ctx, doc, "@id", "")?.map(str::to_owned),
        author: string(ctx, doc, "author", "")?.map(str::to_owned),
        timestamp: document_time,
        schema_checked,
        statements,
    })
}

fn read_statement(
    s: &Value,
    at: &str,
    ctx: &mut Ctx<'_>,
    document_time: Option<Timestamp>,
) -> Result<VexStatement, IngestError> {
    if !s.is_object() {
        return Err(ctx.error(at, "expected a statement object"));
    }
    let (vulnerability, aliases) = vulnerability(s, at, ctx)?;
    let status_text = string(ctx, s, "status", at)?
        .ok_or_else(|| ctx.error(&ptr(at, "status"), "a statement needs a `status`"))?;
    let status = VexStatus::parse(status_text).ok_or_else(|| {
        ctx.error(
            &ptr(at, "status"),
            format!(
                "unknown status `{status_text}`; expected not_affected, affected, fixed or \
                 under_investigation"
            ),
        )
    })?;
    let justification = match string(ctx, s, "justification", at)? {
        None | Some("") => None,
        Some(j) => Some(Justification::parse(j).ok_or_else(|| {
            ctx.error(
                &ptr(at, "justification"),
                format!("unknown justification `{j}`; expected one of OpenVEX 0.2.0's five"),
            )
        })?),
    };
    let mut products = Vec::new();
    for (i, p) in array(ctx, s, "products", at)?.iter().enumerate() {
        products.push(product(p, &ptr(&ptr(at, "products"), &i.to_string()), ctx)?);
    }
    if products.is_empty() {
        ctx.warn(
            at,
            "the statement names no product: it applies to nothing Vexil can match",
        );
    }
    let text = |ctx: &mut Ctx<'_>, key: &str| -> Result<Option<String>, IngestError> {
        Ok(string(ctx, s, key, at)?
            .filter(|t| !t.is_empty())
            .map(str::to_owned))
    };
    Ok(VexStatement {
        vulnerability,
        aliases,
        products,
        status,
        justification,
        impact_statement: text(ctx, "impact_statement")?,
        action_statement: text(ctx, "action_statement")?,
        notes: text(ctx, "status_notes")?,
        timestamp: timestamp(ctx, s, "timestamp", at)?.or(document_time),
        field: at.to_owned(),
    })
}

/// `vulnerability`: an object (`name`, `@id`, `aliases`) in 0.2.0, a plain id in 0.0.1.
fn vulnerability(
    s: &Value,
    at: &str,
    ctx: &mut Ctx<'_>,
) -> Result<(String, Vec<String>), IngestError> {
    let here = ptr(at, "vulnerability");
    match field(s, "vulnerability") {
        Some(Value::String(id)) if !id.is_empty() => Ok((id.clone(), Vec::new())),
        Some(v @ Value::Object(_)) => {
            let name = string(ctx, v, "name", &here)?
                .or(string(ctx, v, "@id", &here)?)
                .filter(|n| !n.is_empty())
                .ok_or_else(|| ctx.error(&here, "the vulnerability has no `name` or `@id`"))?
                .to_owned();
            let mut aliases = Vec::new();
            for (i, a) in array(ctx, v, "aliases", &here)?.iter().enumerate() {
                match a.as_str() {
                    Some(a) if a != name => aliases.push(a.to_owned()),
                    Some(_) => {}
                    None => {
                        let at = ptr(&ptr(&here, "aliases"), &i.to_string());
                        return Err(ctx.error(&at, "expected an alias string"));
                    }
                }
            }
            aliases.sort();
            aliases.dedup();
            Ok((name, aliases))
        }
        _ => Err(ctx.error(
            &here,
            "expected the vulnerability: an object with `name` (0.2.0) or an id string (0.0.1)",
        )),
    }
}

/// A product: a string (0.0.1) or `{@id, identifiers, subcomponents}`; a purl wins over `@id`.
fn product(p: &Value, at: &str, ctx: &mut Ctx<'_>) -> Result<VexProduct, IngestError> {
    if let Some(id) = p.as_str() {
        return Ok(VexProduct {
            id: id.to_owned(),
            components: Vec::new(),
        });
    }
    let id = component_id(p, at, ctx)?;
    let mut components = Vec::new();
    for (i, c) in array(ctx, p, "subcomponents", at)?.iter().enumerate() {
        let here = ptr(&ptr(at, "subcomponents"), &i.to_string());
        components.push(match c.as_str() {
            Some(id) => id.to_owned(),
            None => component_id(c, &here, ctx)?,
        });
    }
    Ok(VexProduct { id, components })
}

fn component_id(c: &Value, at: &str, ctx: &mut Ctx<'_>) -> Result<String, IngestError> {
    if !c.is_object() {
        return Err(ctx.error(at, "expected a product: a string or an object with `@id`"));
    }
    let identifiers = field(c, "identifiers");
    let here = ptr(at, "identifiers");
    let from_identifiers = match identifiers {
        Some(ids) => ["purl", "cpe23", "cpe22"]
            .into_iter()
            .map(|key| string(ctx, ids, key, &here))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .next(),
        None => None,
    };
    from_identifiers
        .or(string(ctx, c, "@id", at)?)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| ctx.error(at, "the product has neither `@id` nor `identifiers`"))
}
