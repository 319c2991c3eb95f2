//! Golden and bad-input tests of the scanner inventory parsers.
