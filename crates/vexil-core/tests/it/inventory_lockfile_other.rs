//! Golden and bad-input tests of the lockfile_other inventory parsers.
