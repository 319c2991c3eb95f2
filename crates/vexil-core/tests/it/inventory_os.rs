//! Golden and bad-input tests of the os inventory parsers.
