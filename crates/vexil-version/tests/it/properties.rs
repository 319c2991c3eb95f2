//! Laws every comparator obeys (filled in below).
