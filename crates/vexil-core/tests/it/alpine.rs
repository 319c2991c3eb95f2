//! Golden tests of the alpine parser (being written).
