//! Golden and bad-input tests of the Cargo, Python and Ruby lockfile parsers.
