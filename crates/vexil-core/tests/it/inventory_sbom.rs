//! Golden and bad-input tests of the sbom inventory parsers.
