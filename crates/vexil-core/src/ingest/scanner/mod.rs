//! Scanner reports: their packages join the inventory, their findings become evidence.

pub mod cargo_audit;
pub mod govulncheck;
pub mod grype;
mod identity;
pub mod npm_audit;
pub mod osv_scanner;
pub mod pip_audit;
pub mod trivy;
