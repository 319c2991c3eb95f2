//! PLACEHOLDER: the debian feed parser is being written.
