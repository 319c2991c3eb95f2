//! Golden tests of the kev_epss parser (being written).
