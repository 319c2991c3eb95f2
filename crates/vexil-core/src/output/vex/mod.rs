//! VEX out and in: a release's findings and decisions rendered as OpenVEX 0.2.0, CycloneDX 1.6
//! VEX or CSAF 2.0 `csaf_vex` (deterministic bytes), and VEX documents of the three formats read
//! back as statements. Pure: the caller passes the time, the schemas' text and the bytes.
//!
//! Status of a statement without a decision, from Vexil's verdict (see [`ExportStatement`]):
//! affected → `affected` (action: update to the fixed version, or "no fix available yet"),
//! fixed → `fixed`, not affected (the version is outside every affected range) → `not_affected`
//! with `vulnerable_code_not_present` and an impact statement saying so, unknown →
//! `under_investigation`.

pub mod csaf;
pub mod cyclonedx;
pub mod openvex;
pub mod read;
pub mod schema;

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::matching::Verdict;
use crate::model::decision::{Decision, DecisionSource, Justification, VexStatus};
use crate::model::finding::Observation;
use crate::model::{Purl, ReleaseId};

pub use read::read;
pub use schema::{SchemaTexts, SchemaViolation, VexSchemas};

/// The three VEX formats, named as `--format` names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VexFormat {
    #[serde(rename = "openvex")]
    OpenVex,
    #[serde(rename = "cyclonedx")]
    CycloneDx,
    Csaf,
}

impl VexFormat {
    pub const ALL: [VexFormat; 3] = [VexFormat::OpenVex, VexFormat::CycloneDx, VexFormat::Csaf];

    pub fn as_str(self) -> &'static str {
        match self {
            VexFormat::OpenVex => "openvex",
            VexFormat::CycloneDx => "cyclonedx",
            VexFormat::Csaf => "csaf",
        }
    }

    pub fn parse(s: &str) -> Option<VexFormat> {
        VexFormat::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

impl std::fmt::Display for VexFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What `vex export` states about one release.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportInput {
    pub release: ReleaseId,
    /// The product's purl; without one the release is named `pkg:generic/PROJECT@VERSION`.
    pub product_purl: Option<String>,
    /// The product's name; the release's project when absent.
    pub product_name: Option<String>,
    /// The time of the data (e.g. the newest finding update): the documents' timestamps, so the
    /// same state gives the same bytes. Never the clock.
    pub timestamp: Timestamp,
    /// In any order: the documents sort them.
    pub statements: Vec<ExportStatement>,
}

/// One finding to state: a component and a vulnerability (alias group), Vexil's verdict and the
/// team's decision when one applies (it wins over the verdict).
#[derive(Clone, Debug, PartialEq)]
pub struct ExportStatement {
    pub purl: String,
    /// The display id (the CVE when the group has one).
    pub vuln: String,
    /// Every id of the alias group (the display id among them or not).
    pub ids: Vec<String>,
    pub verdict: Verdict,
    pub fixed_version: Option<String>,
    pub decision: Option<Decision>,
}

impl ExportStatement {
    pub fn from_observation(observation: &Observation, decision: Option<Decision>) -> Self {
        ExportStatement {
            purl: observation.purl.clone(),
            vuln: observation.vuln.clone(),
            ids: observation.ids.clone(),
            verdict: observation.verdict,
            fixed_version: observation.fixed_version.clone(),
            decision,
        }
    }
}

/// Why a document cannot be rendered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// OpenVEX needs at least one statement and CSAF `csaf_vex` at least one vulnerability.
    #[error("`{release}` has no findings to state: a VEX document needs at least one statement")]
    Empty { release: String },
}

/// A statement as a document states it: one vulnerability, its products, a status.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct VexStatement {
    /// The main id (OpenVEX `vulnerability.name`, CycloneDX `id`, CSAF `cve` or first `ids`).
    pub vulnerability: String,
    /// The other ids the document gives, sorted, without `vulnerability`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    pub products: Vec<VexProduct>,
    pub status: VexStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<Justification>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact_statement: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_statement: Option<String>,
    /// OpenVEX `status_notes`, CycloneDX `analysis.detail` when it is not the impact statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The statement's own time, else the document's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Timestamp>,
    /// Where the statement is in the document (JSON pointer), for provenance and messages.
    pub field: String,
}

impl VexStatement {
    /// What the statement is about: each product's components, or the product itself when it
    /// names none. A purl when the document gives one, else its id, CPE or name.
    pub fn subjects(&self) -> impl Iterator<Item = &str> {
        self.products.iter().flat_map(|p| {
            let own = p.components.is_empty().then_some(p.id.as_str());
            own.into_iter()
                .chain(p.components.iter().map(String::as_str))
        })
    }
}

/// A product a statement names, with the components of it the statement is about (OpenVEX
/// `subcomponents`, a CSAF `default_component_of` relationship, CycloneDX `affects` under the
/// BOM's `metadata.component`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct VexProduct {
    /// A purl when the document gives one, else its id, CPE or name.
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<String>,
}

/// A VEX document read: its format, identity and statements.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VexDocument {
    pub format: VexFormat,
    /// `0.2.0` / `0.0.1` (OpenVEX), `1.4` (CycloneDX `specVersion`), `2.0` (CSAF).
    pub spec_version: String,
    /// OpenVEX `@id`, CycloneDX `serialNumber`, CSAF `tracking.id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// OpenVEX `author`, CycloneDX `metadata.manufacturer|supplier|authors`, CSAF `publisher.name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Timestamp>,
    /// Whether the document was checked against its official schema (none exists for OpenVEX
    /// before 0.2.0 or CycloneDX before the oldest schema given).
    pub schema_checked: bool,
    pub statements: Vec<VexStatement>,
}

/// A finding's statement as every format renders it: sorted, then shared by the renderers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub(crate) struct Stated {
    pub(crate) vuln: String,
    pub(crate) purl: String,
    pub(crate) aliases: Vec<String>,
    pub(crate) status: VexStatus,
    pub(crate) justification: Option<Justification>,
    pub(crate) impact: Option<String>,
    pub(crate) action: Option<String>,
    pub(crate) notes: Option<String>,
    pub(crate) fixed_version: Option<String>,
}

/// The export input, resolved: the product named, the statements decided and sorted.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Resolved {
    pub(crate) release: String,
    pub(crate) release_version: String,
    pub(crate) product_id: String,
    pub(crate) product_name: String,
    pub(crate) product_purl: Option<String>,
    pub(crate) timestamp: Timestamp,
    pub(crate) statements: Vec<Stated>,
}

impl Resolved {
    pub(crate) fn new(input: &ExportInput) -> Result<Resolved, ExportError> {
        let release = input.release.to_string();
        if input.statements.is_empty() {
            return Err(ExportError::Empty { release });
        }
        let mut statements: Vec<Stated> = input.statements.iter().map(stated).collect();
        // One statement per (vulnerability, component): when the input holds two, the more
        // urgent stays (affected, under investigation, fixed, not affected) — never a quieter one.
        statements.sort_by(|a, b| {
            (&a.vuln, &a.purl, urgency(b.status))
                .cmp(&(&b.vuln, &b.purl, urgency(a.status)))
                .then_with(|| a.cmp(b))
        });
        statements.dedup_by(|later, kept| later.vuln == kept.vuln && later.purl == kept.purl);
        let product_name = input
            .product_name
            .clone()
            .unwrap_or_else(|| input.release.project.clone());
        let product_id = match &input.product_purl {
            Some(purl) => purl.clone(),
            None => Purl::package(
                "generic",
                &input.release.project,
                Some(&input.release.version),
            )
            .to_purl_string()
            .unwrap_or_else(|_| format!("pkg:generic/{release}")),
        };
        Ok(Resolved {
            release,
            release_version: input.release.version.clone(),
            product_id,
            product_name,
            product_purl: input.product_purl.clone(),
            timestamp: input.timestamp,
            statements,
        })
    }

    /// sha256 over everything the documents state: the same state, the same ids.
    pub(crate) fn digest(&self) -> String {
        let mut hasher = Sha256::new();
        // Serialising plain strings and enums cannot fail.
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        hasher.update(&bytes);
        hex::encode(hasher.finalize())
    }

    /// The statements grouped per vulnerability, in order.
    pub(crate) fn by_vulnerability(&self) -> Vec<&[Stated]> {
        self.statements.chunk_by(|a, b| a.vuln == b.vuln).collect()
    }
}

fn urgency(status: VexStatus) -> u8 {
    match status {
        VexStatus::Affected => 3,
        VexStatus::UnderInvestigation => 2,
        VexStatus::Fixed => 1,
        VexStatus::NotAffected => 0,
    }
}

/// The statement for one finding: the decision's status and statements when there is one,
/// else the verdict's (see the module docs).
fn stated(s: &ExportStatement) -> Stated {
    let aliases: Vec<String> = s
        .ids
        .iter()
        .filter(|id| **id != s.vuln)
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let (status, justification, impact, action, notes) = match &s.decision {
        Some(d) => from_decision(d, s.fixed_version.as_deref()),
        None => from_verdict(s.verdict, s.fixed_version.as_deref()),
    };
    Stated {
        vuln: s.vuln.clone(),
        purl: s.purl.clone(),
        aliases,
        status,
        justification,
        impact,
        action,
        notes,
        fixed_version: s.fixed_version.clone(),
    }
}

type Statuses = (
    VexStatus,
    Option<Justification>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn from_decision(d: &Decision, fixed: Option<&str>) -> Statuses {
    let not_affected = d.status == VexStatus::NotAffected;
    let justification = d.justification.filter(|_| not_affected);
    let mut impact = d.impact_statement.clone().filter(|_| not_affected);
    if not_affected && justification.is_none() && impact.is_none() {
        // OpenVEX and CSAF need a justification or an impact statement: the reason is one.
        impact = Some(d.reason.clone());
    }
    let action = match d.status {
        VexStatus::Affected => Some(
            d.action_statement
                .clone()
                .unwrap_or_else(|| update_action(fixed)),
        ),
        _ => None,
    };
    let by = match &d.source {
        DecisionSource::Rule(rule) => format!("rule `{}` ({}:{})", rule.id, rule.file, rule.line),
        DecisionSource::Vex {
            document, format, ..
        } => format!("{format} document `{document}`"),
    };
    let notes = format!("{} (decided by {by})", d.reason);
    (d.status, justification, impact, action, Some(notes))
}

fn from_verdict(verdict: Verdict, fixed: Option<&str>) -> Statuses {
    match verdict {
        Verdict::Affected => (
            VexStatus::Affected,
            None,
            None,
            Some(update_action(fixed)),
            Some("The installed version is in an affected range of the advisories.".to_owned()),
        ),
        Verdict::Fixed => (
            VexStatus::Fixed,
            None,
            None,
            None,
            Some(match fixed {
                Some(v) => format!("The installed version is at or after the fix ({v})."),
                None => "The installed version is at or after the fix.".to_owned(),
            }),
        ),
        // The advisories name the package but not this version: the version does not hold
        // the vulnerable code. OpenVEX has no justification for "outside the range"; this is
        // the nearest true one, and the impact statement says what was found.
        Verdict::NotAffected => (
            VexStatus::NotAffected,
            Some(Justification::VulnerableCodeNotPresent),
            Some(
                "The installed version is outside every affected range the advisories give."
                    .to_owned(),
            ),
            None,
            None,
        ),
        Verdict::Unknown => (
            VexStatus::UnderInvestigation,
            None,
            None,
            None,
            Some(
                "Vexil cannot tell from the advisories whether this version is affected."
                    .to_owned(),
            ),
        ),
    }
}

fn update_action(fixed: Option<&str>) -> String {
    match fixed {
        Some(v) => format!("Update to {v}"),
        None => "No fix available yet".to_owned(),
    }
}

/// A UUID-shaped id (version 5 bits set, RFC 4122 variant) from a hex digest.
pub(crate) fn uuid_from_digest(hex_digest: &str) -> String {
    let mut bytes = [0u8; 16];
    if let Ok(decoded) = hex::decode(hex_digest.get(..32).unwrap_or_default()) {
        bytes.copy_from_slice(decoded.get(..16).unwrap_or(&[0; 16]));
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let h = hex::encode(bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// Pretty JSON with a trailing newline: the bytes every renderer returns.
pub(crate) fn pretty(value: &serde_json::Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(value).unwrap_or_default();
    out.push(b'\n');
    out
}

/// The tool name and version the documents credit.
pub(crate) const TOOL: &str = "Vexil";
pub(crate) const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
