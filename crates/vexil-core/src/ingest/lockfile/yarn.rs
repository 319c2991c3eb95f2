//! yarn (not yet written).

use crate::ingest::IngestError;
use crate::ingest::inventory::{Sniff, Source};
use crate::model::Inventory;

pub(crate) fn looks_like_v1(_sniff: &Sniff<'_>) -> bool {
    false
}

pub fn parse_v1(src: &Source<'_>) -> Result<Inventory, IngestError> {
    Err(IngestError::new(
        src.location(),
        "this format is not read yet",
    ))
}

pub(crate) fn looks_like_berry(_sniff: &Sniff<'_>) -> bool {
    false
}

pub fn parse_berry(src: &Source<'_>) -> Result<Inventory, IngestError> {
    Err(IngestError::new(
        src.location(),
        "this format is not read yet",
    ))
}
