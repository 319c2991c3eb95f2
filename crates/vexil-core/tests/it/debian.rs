//! Golden tests of the debian parser (being written).
