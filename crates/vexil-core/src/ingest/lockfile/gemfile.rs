//! gemfile (not yet written).

use crate::ingest::IngestError;
use crate::ingest::inventory::{Sniff, Source};
use crate::model::Inventory;

pub(crate) fn looks_like(_sniff: &Sniff<'_>) -> bool {
    false
}

pub fn parse(src: &Source<'_>) -> Result<Inventory, IngestError> {
    Err(IngestError::new(
        src.location(),
        "this format is not read yet",
    ))
}
