//! Golden tests of the nvd parser (being written).
