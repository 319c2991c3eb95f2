//! Enrichment per CVE: CISA's Known Exploited Vulnerabilities and FIRST's EPSS scores.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// One entry of the CISA KEV catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevEntry {
    pub cve: String,
    pub vendor_project: String,
    pub product: String,
    pub vulnerability_name: String,
    pub date_added: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<Date>,
    /// `Known`, `Unknown`.
    pub known_ransomware_campaign_use: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub required_action: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwes: Vec<String>,
}

/// One EPSS score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpssScore {
    pub cve: String,
    /// Probability of exploitation activity in the next 30 days, 0..=1.
    pub epss: f64,
    /// 0..=1.
    pub percentile: f64,
    /// From the file's `#model_version:…,score_date:…` line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_date: Option<Date>,
}
