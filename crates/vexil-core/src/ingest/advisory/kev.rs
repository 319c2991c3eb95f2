//! PLACEHOLDER: the kev feed parser is being written.
