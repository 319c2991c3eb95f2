//! SBOMs: CycloneDX, SPDX, and in-toto/DSSE envelopes around them.

pub mod cyclonedx;
mod cyclonedx_xml;
mod document;
pub mod intoto;
mod package;
pub mod spdx;
mod spdx_tag_value;
