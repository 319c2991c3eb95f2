//! PLACEHOLDER: the epss feed parser is being written.
