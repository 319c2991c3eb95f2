//! PLACEHOLDER: the alpine feed parser is being written.
