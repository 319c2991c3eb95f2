//! PLACEHOLDER: the nvd feed parser is being written.
