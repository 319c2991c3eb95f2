//! Golden tests of the osv parser (being written).
