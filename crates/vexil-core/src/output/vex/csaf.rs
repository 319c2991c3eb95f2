//! CSAF 2.0 with the `csaf_vex` profile (CSAF 2.0 §4.5, mandatory tests §6.1.27): rendering a
//! release's statements, and reading CSAF 2.0 documents (`csaf_vex`, and security advisories,
//! whose `product_status` says the same things).
//!
//! Written: the release and each component in `product_tree.full_product_names` (purl as
//! identification helper), a `default_component_of` relationship per component naming the
//! product a status lists; per vulnerability `product_status`, `flags` for justifications,
//! `threats` (category `impact`) for impact statements, `remediations` for action statements.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::read::{Ctx, array, field, ptr, string, timestamp};
use super::{
    ExportError, ExportInput, Resolved, Stated, TOOL, TOOL_VERSION, VexDocument, VexFormat,
    VexProduct, VexStatement, pretty,
};
use crate::ingest::IngestError;
use crate::model::decision::{Justification, VexStatus};

const PRODUCT_ID: &str = "VEXIL-PRODUCT";

/// Renders the CSAF 2.0 `csaf_vex` document; tracking id, version and dates from the content
/// and the input's timestamp.
pub fn render_csaf(input: &ExportInput) -> Result<Vec<u8>, ExportError> {
    let resolved = Resolved::new(input)?;
    let digest = resolved.digest();
    let time = resolved.timestamp.to_string();
    let purls: BTreeSet<&str> = resolved
        .statements
        .iter()
        .map(|s| s.purl.as_str())
        .collect();
    let mut names = vec![product_name(
        PRODUCT_ID,
        &format!("{} {}", resolved.product_name, resolved.release_version),
        Some(&resolved.product_id),
    )];
    let mut relationships = Vec::new();
    for purl in purls {
        let id = component_id(purl);
        names.push(product_name(&id, purl, Some(purl)));
        relationships.push(json!({
            "category": "default_component_of",
            "full_product_name": {
                "name": format!("{purl} in {}", resolved.release),
                "product_id": in_product(purl),
            },
            "product_reference": id,
            "relates_to_product_reference": PRODUCT_ID,
        }));
    }
    let vulnerabilities: Vec<Value> = resolved
        .by_vulnerability()
        .into_iter()
        .map(|group| vulnerability(&resolved, group))
        .collect();
    let document = json!({
        "document": {
            "category": "csaf_vex",
            "csaf_version": "2.0",
            "notes": [{
                "category": "summary",
                "text": format!(
                    "The status of each vulnerability Vexil found in {}, from its matching of \
                     the advisories and the team's triage decisions.", resolved.release),
                "title": "Summary",
            }],
            "publisher": {
                "category": "vendor",
                "name": TOOL,
                "namespace": "https://vexil.invalid",
            },
            "title": format!("VEX for {}", resolved.release),
            "tracking": {
                "current_release_date": time,
                "generator": {
                    "date": time,
                    "engine": { "name": TOOL, "version": TOOL_VERSION },
                },
                "id": format!("VEXIL-{}-{}", resolved.release, &digest[..16]),
                "initial_release_date": time,
                "revision_history": [{
                    "date": time,
                    "number": "1",
                    "summary": "Rendered by Vexil from the release's findings and decisions.",
                }],
                "status": "final",
                "version": "1",
            },
        },
        "product_tree": {
            "full_product_names": names,
            "relationships": relationships,
        },
        "vulnerabilities": vulnerabilities,
    });
    Ok(pretty(&document))
}

fn product_name(id: &str, name: &str, purl: Option<&str>) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), name.into());
    out.insert("product_id".into(), id.into());
    if let Some(purl) = purl {
        out.insert(
            "product_identification_helper".into(),
            json!({ "purl": purl }),
        );
    }
    out.into()
}

/// A component's product id: from its purl, so it stays when other components come and go.
fn component_id(purl: &str) -> String {
    let digest = hex::encode(Sha256::digest(purl.as_bytes()));
    format!("CSAFPID-{}", &digest[..16])
}

fn in_product(purl: &str) -> String {
    format!("{}:{PRODUCT_ID}", component_id(purl))
}

fn vulnerability(resolved: &Resolved, group: &[Stated]) -> Value {
    let first = &group[0];
    let mut out = Map::new();
    let mut ids: Vec<&str> = Vec::new();
    if is_cve(&first.vuln) {
        out.insert("cve".into(), first.vuln.clone().into());
    } else {
        ids.push(&first.vuln);
    }
    ids.extend(first.aliases.iter().map(String::as_str));
    if !ids.is_empty() {
        let ids: Vec<Value> = ids
            .into_iter()
            .map(|id| json!({ "system_name": system_name(id), "text": id }))
            .collect();
        out.insert("ids".into(), ids.into());
    }
    out.insert(
        "notes".into(),
        json!([{
            "category": "description",
            "text": format!("The status of {} in {} as Vexil determined it.", first.vuln, resolved.release),
            "title": "Vexil assessment",
        }]),
    );
    let mut status: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut flags: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut threats: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut remediations: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for s in group {
        let id = in_product(&s.purl);
        status
            .entry(status_key(s.status))
            .or_default()
            .push(id.clone());
        if let Some(j) = s.justification {
            flags.entry(j.as_str()).or_default().push(id.clone());
        }
        if let Some(impact) = &s.impact {
            threats.entry(impact).or_default().push(id.clone());
        }
        if let Some(action) = &s.action {
            let category = if s.fixed_version.is_some() {
                "vendor_fix"
            } else {
                "none_available"
            };
            remediations.entry((category, action)).or_default().push(id);
        }
    }
    out.insert("product_status".into(), json!(status));
    if !flags.is_empty() {
        let flags: Vec<Value> = flags
            .into_iter()
            .map(|(label, ids)| json!({ "label": label, "product_ids": ids }))
            .collect();
        out.insert("flags".into(), flags.into());
    }
    if !remediations.is_empty() {
        let remediations: Vec<Value> = remediations
            .into_iter()
            .map(|((category, details), ids)| {
                json!({ "category": category, "details": details, "product_ids": ids })
            })
            .collect();
        out.insert("remediations".into(), remediations.into());
    }
    if !threats.is_empty() {
        let threats: Vec<Value> = threats
            .into_iter()
            .map(|(details, ids)| json!({ "category": "impact", "details": details, "product_ids": ids }))
            .collect();
        out.insert("threats".into(), threats.into());
    }
    out.into()
}

/// CSAF's `cve` pattern: `^CVE-[0-9]{4}-[0-9]{4,}$`.
fn is_cve(id: &str) -> bool {
    let Some((year, number)) = id.strip_prefix("CVE-").and_then(|r| r.split_once('-')) else {
        return false;
    };
    year.len() == 4
        && number.len() >= 4
        && year
            .bytes()
            .chain(number.bytes())
            .all(|b| b.is_ascii_digit())
}

/// The id's system: the prefix before the first `-` (`GHSA`, `RUSTSEC`, `PYSEC`, `CVE`).
fn system_name(id: &str) -> &str {
    id.split_once('-').map_or(id, |(prefix, _)| prefix)
}

fn status_key(status: VexStatus) -> &'static str {
    match status {
        VexStatus::NotAffected => "known_not_affected",
        VexStatus::Affected => "known_affected",
        VexStatus::Fixed => "fixed",
        VexStatus::UnderInvestigation => "under_investigation",
    }
}

/// `product_status` keys → statuses; `recommended` states nothing and is not read.
const STATUS_KEYS: [(&str, VexStatus); 7] = [
    ("first_affected", VexStatus::Affected),
    ("known_affected", VexStatus::Affected),
    ("last_affected", VexStatus::Affected),
    ("first_fixed", VexStatus::Fixed),
    ("fixed", VexStatus::Fixed),
    ("known_not_affected", VexStatus::NotAffected),
    ("under_investigation", VexStatus::UnderInvestigation),
];

/// Reads a CSAF 2.0 document's vulnerabilities as statements.
pub(crate) fn read_document(
    doc: &Value,
    ctx: &mut Ctx<'_>,
    schema_checked: bool,
) -> Result<VexDocument, IngestError> {
    let tree = ProductTree::read(doc, ctx)?;
    let tracking = doc.pointer("/document/tracking");
    let document_time = match tracking {
        Some(t) => timestamp(ctx, t, "current_release_date", "/document/tracking")?,
        None => None,
    };
    let mut statements = Vec::new();
    for (i, v) in array(ctx, doc, "vulnerabilities", "")?.iter().enumerate() {
        let at = ptr("/vulnerabilities", &i.to_string());
        statements.extend(read_vulnerability(v, &at, ctx, &tree, document_time)?);
    }
    if statements.is_empty() {
        ctx.warn(
            "/vulnerabilities",
            "no vulnerability has a product status: the document states nothing",
        );
    }
    let id = tracking
        .and_then(|t| t.get("id"))
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .map(str::to_owned);
    Ok(VexDocument {
        format: VexFormat::Csaf,
        spec_version: "2.0".to_owned(),
        id,
        author: doc
            .pointer("/document/publisher/name")
            .and_then(Value::as_str)
            .map(str::to_owned),
        timestamp: document_time,
        schema_checked,
        statements,
    })
}

/// Product ids resolved: what a product is called (purl, else CPE, else name) and, for a
/// relationship, which product it is a component of.
struct ProductTree {
    names: HashMap<String, String>,
    /// Relationship product id → (component id, product id).
    relationships: HashMap<String, (String, String)>,
    groups: HashMap<String, Vec<String>>,
}

impl ProductTree {
    fn read(doc: &Value, ctx: &Ctx<'_>) -> Result<ProductTree, IngestError> {
        let mut tree = ProductTree {
            names: HashMap::new(),
            relationships: HashMap::new(),
            groups: HashMap::new(),
        };
        let Some(pt) = field(doc, "product_tree") else {
            return Ok(tree);
        };
        let at = "/product_tree";
        tree.branches(pt, at, ctx)?;
        for (i, p) in array(ctx, pt, "full_product_names", at)?.iter().enumerate() {
            tree.product(p, &ptr(&ptr(at, "full_product_names"), &i.to_string()), ctx)?;
        }
        for (i, r) in array(ctx, pt, "relationships", at)?.iter().enumerate() {
            let here = ptr(&ptr(at, "relationships"), &i.to_string());
            let component = string(ctx, r, "product_reference", &here)?;
            let product = string(ctx, r, "relates_to_product_reference", &here)?;
            let id = field(r, "full_product_name")
                .map(|f| string(ctx, f, "product_id", &ptr(&here, "full_product_name")))
                .transpose()?
                .flatten();
            if let (Some(component), Some(product), Some(id)) = (component, product, id) {
                tree.relationships
                    .insert(id.to_owned(), (component.to_owned(), product.to_owned()));
            }
        }
        for (i, g) in array(ctx, pt, "product_groups", at)?.iter().enumerate() {
            let here = ptr(&ptr(at, "product_groups"), &i.to_string());
            if let Some(id) = string(ctx, g, "group_id", &here)? {
                let members = array(ctx, g, "product_ids", &here)?
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect();
                tree.groups.insert(id.to_owned(), members);
            }
        }
        Ok(tree)
    }

    fn branches(&mut self, node: &Value, at: &str, ctx: &Ctx<'_>) -> Result<(), IngestError> {
        for (i, b) in array(ctx, node, "branches", at)?.iter().enumerate() {
            let here = ptr(&ptr(at, "branches"), &i.to_string());
            if let Some(p) = field(b, "product") {
                self.product(p, &ptr(&here, "product"), ctx)?;
            }
            self.branches(b, &here, ctx)?;
        }
        Ok(())
    }

    fn product(&mut self, p: &Value, at: &str, ctx: &Ctx<'_>) -> Result<(), IngestError> {
        let Some(id) = string(ctx, p, "product_id", at)? else {
            return Err(ctx.error(at, "a product needs a `product_id`"));
        };
        let helper = field(p, "product_identification_helper");
        let helper_at = ptr(at, "product_identification_helper");
        let mut name = None;
        if let Some(h) = helper {
            name = string(ctx, h, "purl", &helper_at)?.or(string(ctx, h, "cpe", &helper_at)?);
        }
        let name = name
            .or(string(ctx, p, "name", at)?)
            .unwrap_or(id)
            .to_owned();
        self.names.insert(id.to_owned(), name);
        Ok(())
    }

    fn name(&self, id: &str) -> String {
        self.names.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    /// A product id as the product it names, with its component when it is a relationship.
    fn resolve(&self, id: &str) -> (String, Option<String>) {
        match self.relationships.get(id) {
            Some((component, product)) => (self.name(product), Some(self.name(component))),
            None => (self.name(id), None),
        }
    }

    /// `product_ids` and `group_ids` of a flag, threat or remediation. One that names neither
    /// speaks of no product (Red Hat's document-wide `impact` threat is a severity rating, not
    /// an impact statement; CSAF §6.1.27.9–10 ask for product ids).
    fn ids_of(&self, item: &Value) -> BTreeSet<String> {
        let listed = |key: &str| {
            item.get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
        };
        let mut out: BTreeSet<String> = listed("product_ids").map(str::to_owned).collect();
        for g in listed("group_ids") {
            out.extend(self.groups.get(g).into_iter().flatten().cloned());
        }
        out
    }
}

/// What a vulnerability says about one product id.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Said {
    justification: Option<Justification>,
    impact: Option<String>,
    action: Option<String>,
}

fn read_vulnerability(
    v: &Value,
    at: &str,
    ctx: &mut Ctx<'_>,
    tree: &ProductTree,
    document_time: Option<jiff::Timestamp>,
) -> Result<Vec<VexStatement>, IngestError> {
    let mut ids: Vec<String> = Vec::new();
    for (i, id) in array(ctx, v, "ids", at)?.iter().enumerate() {
        let here = ptr(&ptr(at, "ids"), &i.to_string());
        if let Some(text) = string(ctx, id, "text", &here)? {
            ids.push(text.to_owned());
        }
    }
    let vulnerability = match string(ctx, v, "cve", at)? {
        Some(cve) => cve.to_owned(),
        None if !ids.is_empty() => ids.remove(0),
        None => {
            return Err(ctx.error(
                at,
                "a vulnerability needs a `cve` or `ids` (CSAF §6.1.27.7)",
            ));
        }
    };
    let aliases: Vec<String> = ids
        .into_iter()
        .filter(|id| *id != vulnerability)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let Some(status) = field(v, "product_status") else {
        ctx.warn(
            at,
            format!("`{vulnerability}` has no `product_status`: it states nothing"),
        );
        return Ok(Vec::new());
    };
    let mut said: HashMap<String, Said> = HashMap::new();
    let mut apply = |item: &Value, set: &dyn Fn(&mut Said)| {
        for id in tree.ids_of(item) {
            set(said.entry(id).or_default());
        }
    };
    for f in array(ctx, v, "flags", at)? {
        if let Some(j) = f
            .get("label")
            .and_then(Value::as_str)
            .and_then(Justification::parse)
        {
            apply(f, &|s| s.justification = Some(j));
        }
    }
    for t in array(ctx, v, "threats", at)? {
        if t.get("category").and_then(Value::as_str) == Some("impact")
            && let Some(details) = t.get("details").and_then(Value::as_str)
        {
            apply(t, &|s| append(&mut s.impact, details));
        }
    }
    for r in array(ctx, v, "remediations", at)? {
        if let Some(details) = r.get("details").and_then(Value::as_str) {
            apply(r, &|s| append(&mut s.action, details));
        }
    }
    let status_at = ptr(at, "product_status");
    // (status, what is said) → product → components
    let mut grouped: BTreeMap<(VexStatus, Said), BTreeMap<String, BTreeSet<String>>> =
        BTreeMap::new();
    for (key, status_value) in STATUS_KEYS {
        for id in array(ctx, status, key, &status_at)?
            .iter()
            .filter_map(Value::as_str)
        {
            let mut s = said.get(id).cloned().unwrap_or_default();
            if status_value != VexStatus::NotAffected {
                s.justification = None;
                s.impact = None;
            }
            if status_value != VexStatus::Affected {
                s.action = None;
            }
            let (product, component) = tree.resolve(id);
            let components = grouped
                .entry((status_value, s))
                .or_default()
                .entry(product)
                .or_default();
            components.extend(component);
        }
    }
    let time = timestamp(ctx, v, "release_date", at)?.or(document_time);
    Ok(grouped
        .into_iter()
        .map(|((status, s), products)| VexStatement {
            vulnerability: vulnerability.clone(),
            aliases: aliases.clone(),
            products: products
                .into_iter()
                .map(|(id, components)| VexProduct {
                    id,
                    components: components.into_iter().collect(),
                })
                .collect(),
            status,
            justification: s.justification,
            impact_statement: s.impact,
            action_statement: s.action,
            notes: None,
            timestamp: time,
            field: at.to_owned(),
        })
        .collect())
}

fn append(slot: &mut Option<String>, text: &str) {
    match slot {
        Some(existing) if existing != text => {
            existing.push('\n');
            existing.push_str(text);
        }
        Some(_) => {}
        None => *slot = Some(text.to_owned()),
    }
}
