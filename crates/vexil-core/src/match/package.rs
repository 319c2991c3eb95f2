//! (written by the matching issue)
