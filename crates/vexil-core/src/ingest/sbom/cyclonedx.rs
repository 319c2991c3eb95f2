//! cyclonedx (not yet written).

use crate::ingest::IngestError;
use crate::ingest::inventory::{Sniff, Source};
use crate::model::Inventory;

pub(crate) fn looks_like_json(_sniff: &Sniff<'_>) -> bool {
    false
}

pub fn parse_json(src: &Source<'_>) -> Result<Inventory, IngestError> {
    Err(IngestError::new(
        src.location(),
        "this format is not read yet",
    ))
}

pub(crate) fn looks_like_xml(_sniff: &Sniff<'_>) -> bool {
    false
}

pub fn parse_xml(src: &Source<'_>) -> Result<Inventory, IngestError> {
    Err(IngestError::new(
        src.location(),
        "this format is not read yet",
    ))
}
