//! PLACEHOLDER: the osv feed parser is being written.
