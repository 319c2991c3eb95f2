//! SBOMs: CycloneDX, SPDX, and in-toto/DSSE envelopes around them.

pub mod cyclonedx;
pub mod intoto;
pub mod spdx;
