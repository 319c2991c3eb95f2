//! CycloneDX 1.6 VEX (the `vulnerabilities` of a BOM, with `analysis` and `affects`):
//! rendering a release's statements, and reading any CycloneDX JSON BOM that carries
//! vulnerabilities with an analysis.
//!
//! CycloneDX has its own justifications; the OpenVEX one is kept exactly in the property
//! `vexil:justification`, and read back from it, so a round trip loses nothing. Without it the
//! mapping is Trivy's (`pkg/vex/cyclonedx.go`): `code_not_present` → vulnerable_code_not_present,
//! `code_not_reachable` → vulnerable_code_not_in_execute_path, `requires_configuration` and
//! `requires_environment` → vulnerable_code_cannot_be_controlled_by_adversary,
//! `requires_dependency` → component_not_present, `protected_*` → inline_mitigations_already_exist.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value, json};

use super::read::{Ctx, array, field, ptr, string, timestamp};
use super::{
    ExportError, ExportInput, Resolved, Stated, TOOL, TOOL_VERSION, VexDocument, VexFormat,
    VexProduct, VexStatement, pretty, uuid_from_digest,
};
use crate::ingest::IngestError;
use crate::model::Purl;
use crate::model::decision::{Justification, VexStatus};

const JUSTIFICATION_PROPERTY: &str = "vexil:justification";

/// Renders a CycloneDX 1.6 BOM: the release as `metadata.component`, each component once (its
/// purl as `bom-ref`), one vulnerability per (vulnerability, component) with its analysis;
/// `serialNumber` from the content.
pub fn render_cyclonedx(input: &ExportInput) -> Result<Vec<u8>, ExportError> {
    let resolved = Resolved::new(input)?;
    let purls: BTreeSet<&str> = resolved
        .statements
        .iter()
        .map(|s| s.purl.as_str())
        .collect();
    let components: Vec<Value> = purls.into_iter().map(component).collect();
    let vulnerabilities: Vec<Value> = resolved.statements.iter().map(vulnerability).collect();
    let mut product = Map::new();
    product.insert("type".into(), "application".into());
    product.insert("bom-ref".into(), resolved.product_id.clone().into());
    product.insert("name".into(), resolved.product_name.clone().into());
    product.insert("version".into(), resolved.release_version.clone().into());
    if let Some(purl) = &resolved.product_purl {
        product.insert("purl".into(), purl.clone().into());
    }
    let document = json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", uuid_from_digest(&resolved.digest())),
        "version": 1,
        "metadata": {
            "timestamp": resolved.timestamp.to_string(),
            "tools": { "components": [{ "type": "application", "name": TOOL, "version": TOOL_VERSION }] },
            "component": product,
        },
        "components": components,
        "vulnerabilities": vulnerabilities,
    });
    Ok(pretty(&document))
}

fn component(purl: &str) -> Value {
    let mut out = Map::new();
    out.insert("type".into(), "library".into());
    out.insert("bom-ref".into(), purl.into());
    match Purl::parse(purl) {
        Ok(p) => {
            out.insert("name".into(), p.full_name().into());
            if let Some(version) = p.version {
                out.insert("version".into(), version.into());
            }
        }
        Err(_) => {
            out.insert("name".into(), purl.into());
        }
    }
    out.insert("purl".into(), purl.into());
    out.into()
}

fn vulnerability(s: &Stated) -> Value {
    let mut analysis = Map::new();
    analysis.insert("state".into(), state(s.status).into());
    if let Some(j) = s.justification {
        analysis.insert("justification".into(), cdx_justification(j).into());
    }
    if s.status == VexStatus::Affected && s.fixed_version.is_some() {
        analysis.insert("response".into(), json!(["update"]));
    }
    let detail = match s.status {
        VexStatus::NotAffected => s.impact.clone().or(s.notes.clone()),
        _ => s.notes.clone(),
    };
    if let Some(detail) = detail {
        analysis.insert("detail".into(), detail.into());
    }
    let mut out = Map::new();
    out.insert("id".into(), s.vuln.clone().into());
    out.insert("source".into(), source(&s.vuln));
    if !s.aliases.is_empty() {
        let references: Vec<Value> = s
            .aliases
            .iter()
            .map(|a| json!({ "id": a, "source": source(a) }))
            .collect();
        out.insert("references".into(), references.into());
    }
    if let Some(action) = &s.action {
        out.insert("recommendation".into(), action.clone().into());
    }
    out.insert("analysis".into(), analysis.into());
    out.insert("affects".into(), json!([{ "ref": s.purl }]));
    if let Some(j) = s.justification {
        out.insert(
            "properties".into(),
            json!([{ "name": JUSTIFICATION_PROPERTY, "value": j.as_str() }]),
        );
    }
    out.into()
}

/// Where an id is published, by its prefix.
fn source(id: &str) -> Value {
    if id.starts_with("CVE-") {
        json!({ "name": "NVD", "url": format!("https://nvd.nist.gov/vuln/detail/{id}") })
    } else if id.starts_with("GHSA-") {
        json!({ "name": "GitHub", "url": format!("https://github.com/advisories/{id}") })
    } else {
        json!({ "name": "OSV", "url": format!("https://osv.dev/vulnerability/{id}") })
    }
}

fn state(status: VexStatus) -> &'static str {
    match status {
        VexStatus::NotAffected => "not_affected",
        VexStatus::Affected => "exploitable",
        VexStatus::Fixed => "resolved",
        VexStatus::UnderInvestigation => "in_triage",
    }
}

fn cdx_justification(j: Justification) -> &'static str {
    match j {
        Justification::ComponentNotPresent | Justification::VulnerableCodeNotPresent => {
            "code_not_present"
        }
        Justification::VulnerableCodeNotInExecutePath => "code_not_reachable",
        Justification::VulnerableCodeCannotBeControlledByAdversary => "requires_environment",
        Justification::InlineMitigationsAlreadyExist => "protected_by_mitigating_control",
    }
}

fn from_cdx_justification(j: &str) -> Option<Justification> {
    Some(match j {
        "code_not_present" => Justification::VulnerableCodeNotPresent,
        "code_not_reachable" => Justification::VulnerableCodeNotInExecutePath,
        "requires_configuration" | "requires_environment" => {
            Justification::VulnerableCodeCannotBeControlledByAdversary
        }
        "requires_dependency" => Justification::ComponentNotPresent,
        "protected_by_compiler"
        | "protected_at_runtime"
        | "protected_at_perimeter"
        | "protected_by_mitigating_control" => Justification::InlineMitigationsAlreadyExist,
        _ => return None,
    })
}

/// CycloneDX analysis states → OpenVEX statuses (`false_positive` is not affected; `resolved`
/// and `resolved_with_pedigree` are fixed).
fn from_state(state: &str) -> Option<VexStatus> {
    Some(match state {
        "not_affected" | "false_positive" => VexStatus::NotAffected,
        "exploitable" => VexStatus::Affected,
        "resolved" | "resolved_with_pedigree" => VexStatus::Fixed,
        "in_triage" => VexStatus::UnderInvestigation,
        _ => return None,
    })
}

/// Reads the vulnerabilities of a CycloneDX JSON BOM as statements.
pub(crate) fn read_document(
    doc: &Value,
    ctx: &mut Ctx<'_>,
    schema_checked: bool,
) -> Result<VexDocument, IngestError> {
    let vulnerabilities = array(ctx, doc, "vulnerabilities", "")?;
    if vulnerabilities.is_empty() {
        return Err(ctx.error(
            "/vulnerabilities",
            "this CycloneDX BOM lists no vulnerabilities: it is an SBOM, not VEX (import it \
             with `vexil inventory import`)",
        ));
    }
    let metadata = field(doc, "metadata");
    let product = match metadata.and_then(|m| field(m, "component")) {
        Some(c) => Some(BomComponent::read(c, "/metadata/component", ctx)?),
        None => None,
    };
    let mut refs = HashMap::new();
    collect_components(doc, "", ctx, &mut refs)?;
    let document_time = match metadata {
        Some(m) => timestamp(ctx, m, "timestamp", "/metadata")?,
        None => None,
    };
    let mut statements = Vec::new();
    for (i, v) in vulnerabilities.iter().enumerate() {
        let at = ptr("/vulnerabilities", &i.to_string());
        if let Some(s) = read_vulnerability(v, &at, ctx, product.as_ref(), &refs, document_time)? {
            statements.push(s);
        }
    }
    Ok(VexDocument {
        format: VexFormat::CycloneDx,
        spec_version: string(ctx, doc, "specVersion", "")?
            .unwrap_or_default()
            .to_owned(),
        id: string(ctx, doc, "serialNumber", "")?.map(str::to_owned),
        author: metadata.and_then(author),
        timestamp: document_time,
        schema_checked,
        statements,
    })
}

/// The manufacturer's, supplier's or first author's name.
fn author(metadata: &Value) -> Option<String> {
    ["manufacturer", "supplier"]
        .iter()
        .filter_map(|k| metadata.get(k)?.get("name")?.as_str())
        .chain(
            metadata
                .get("authors")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|a| a.get("name")?.as_str()),
        )
        .next()
        .map(str::to_owned)
}

/// A component's `bom-ref` and the id a statement names it by: its purl, else the `bom-ref`,
/// else its name.
struct BomComponent {
    bom_ref: Option<String>,
    id: String,
}

impl BomComponent {
    fn read(c: &Value, at: &str, ctx: &Ctx<'_>) -> Result<BomComponent, IngestError> {
        let bom_ref = string(ctx, c, "bom-ref", at)?.map(str::to_owned);
        let id = string(ctx, c, "purl", at)?
            .map(str::to_owned)
            .or(bom_ref.clone())
            .or(string(ctx, c, "name", at)?.map(str::to_owned))
            .ok_or_else(|| ctx.error(at, "a component needs a `purl`, `bom-ref` or `name`"))?;
        Ok(BomComponent { bom_ref, id })
    }
}

/// Every component with a `bom-ref`, nested ones too: `bom-ref` → id.
fn collect_components(
    parent: &Value,
    at: &str,
    ctx: &Ctx<'_>,
    refs: &mut HashMap<String, String>,
) -> Result<(), IngestError> {
    for (i, c) in array(ctx, parent, "components", at)?.iter().enumerate() {
        let here = ptr(&ptr(at, "components"), &i.to_string());
        let component = BomComponent::read(c, &here, ctx)?;
        if let Some(bom_ref) = component.bom_ref {
            refs.insert(bom_ref, component.id);
        }
        collect_components(c, &here, ctx, refs)?;
    }
    Ok(())
}

fn read_vulnerability(
    v: &Value,
    at: &str,
    ctx: &mut Ctx<'_>,
    product: Option<&BomComponent>,
    refs: &HashMap<String, String>,
    document_time: Option<jiff::Timestamp>,
) -> Result<Option<VexStatement>, IngestError> {
    let id = string(ctx, v, "id", at)?
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ctx.error(&ptr(at, "id"), "a vulnerability needs an `id`"))?
        .to_owned();
    let analysis_at = ptr(at, "analysis");
    let Some(analysis) = field(v, "analysis") else {
        ctx.warn(
            at,
            format!("`{id}` has no `analysis`: not a VEX statement, skipped"),
        );
        return Ok(None);
    };
    let Some(state) = string(ctx, analysis, "state", &analysis_at)? else {
        ctx.warn(
            &analysis_at,
            format!("`{id}` has no `analysis.state`: skipped"),
        );
        return Ok(None);
    };
    let status = from_state(state).ok_or_else(|| {
        ctx.error(
            &ptr(&analysis_at, "state"),
            format!("unknown analysis state `{state}`"),
        )
    })?;
    let justification = match exact_justification(v, at, ctx)? {
        Some(j) => Some(j),
        None => string(ctx, analysis, "justification", &analysis_at)?
            .map(|j| {
                from_cdx_justification(j).ok_or_else(|| {
                    ctx.error(
                        &ptr(&analysis_at, "justification"),
                        format!("unknown justification `{j}`"),
                    )
                })
            })
            .transpose()?,
    }
    .filter(|_| status == VexStatus::NotAffected);
    let detail = string(ctx, analysis, "detail", &analysis_at)?
        .filter(|d| !d.is_empty())
        .map(str::to_owned);
    let (impact_statement, notes) = match status {
        VexStatus::NotAffected => (detail, None),
        _ => (None, detail),
    };
    let action_statement = string(ctx, v, "recommendation", at)?
        .or(string(ctx, v, "workaround", at)?)
        .filter(|a| !a.is_empty())
        .map(str::to_owned);
    let mut aliases = BTreeSet::new();
    for (i, r) in array(ctx, v, "references", at)?.iter().enumerate() {
        let here = ptr(&ptr(at, "references"), &i.to_string());
        if let Some(alias) = string(ctx, r, "id", &here)?
            && alias != id
        {
            aliases.insert(alias.to_owned());
        }
    }
    let products = affected_products(v, at, ctx, product, refs)?;
    if products.is_empty() {
        ctx.warn(at, format!("`{id}` affects nothing (no `affects`)"));
    }
    Ok(Some(VexStatement {
        vulnerability: id,
        aliases: aliases.into_iter().collect(),
        products,
        status,
        justification,
        impact_statement,
        action_statement: action_statement.filter(|_| status == VexStatus::Affected),
        notes,
        timestamp: timestamp(ctx, analysis, "lastUpdated", &analysis_at)?
            .or(timestamp(ctx, v, "updated", at)?)
            .or(document_time),
        field: at.to_owned(),
    }))
}

/// The OpenVEX justification Vexil keeps in `vexil:justification`.
fn exact_justification(
    v: &Value,
    at: &str,
    ctx: &Ctx<'_>,
) -> Result<Option<Justification>, IngestError> {
    for (i, p) in array(ctx, v, "properties", at)?.iter().enumerate() {
        let here = ptr(&ptr(at, "properties"), &i.to_string());
        if string(ctx, p, "name", &here)? == Some(JUSTIFICATION_PROPERTY) {
            let value = string(ctx, p, "value", &here)?.unwrap_or_default();
            return Justification::parse(value).map(Some).ok_or_else(|| {
                ctx.error(
                    &ptr(&here, "value"),
                    format!("unknown OpenVEX justification `{value}`"),
                )
            });
        }
    }
    Ok(None)
}

/// `affects` refs: the BOM's own product stands alone; a component of this BOM is a component
/// of that product; a BOM-link elsewhere (`urn:cdx:SERIAL/VERSION#REF`) is a product of its
/// own, named by its purl when its ref is one.
fn affected_products(
    v: &Value,
    at: &str,
    ctx: &Ctx<'_>,
    product: Option<&BomComponent>,
    refs: &HashMap<String, String>,
) -> Result<Vec<VexProduct>, IngestError> {
    let mut own: BTreeSet<String> = BTreeSet::new();
    let mut elsewhere: BTreeMap<String, ()> = BTreeMap::new();
    let mut product_itself = false;
    for (i, a) in array(ctx, v, "affects", at)?.iter().enumerate() {
        let here = ptr(&ptr(at, "affects"), &i.to_string());
        let Some(r) = string(ctx, a, "ref", &here)? else {
            return Err(ctx.error(&here, "an `affects` entry needs a `ref`"));
        };
        if product.is_some_and(|p| p.bom_ref.as_deref() == Some(r)) {
            product_itself = true;
        } else if let Some(id) = refs.get(r) {
            own.insert(id.clone());
        } else {
            let id = match r.split_once('#') {
                Some((link, fragment))
                    if link.starts_with("urn:cdx:") && fragment.starts_with("pkg:") =>
                {
                    fragment.to_owned()
                }
                _ => r.to_owned(),
            };
            elsewhere.insert(id, ());
        }
    }
    let mut products = Vec::new();
    match product {
        Some(p) if product_itself || !own.is_empty() => products.push(VexProduct {
            id: p.id.clone(),
            components: own.into_iter().collect(),
        }),
        _ => products.extend(own.into_iter().map(|id| VexProduct {
            id,
            components: Vec::new(),
        })),
    }
    products.extend(elsewhere.into_keys().map(|id| VexProduct {
        id,
        components: Vec::new(),
    }));
    Ok(products)
}
