//! Golden and bad-input tests of the lockfile_js inventory parsers.
