//! Golden and bad-input tests of the govulncheck, pip-audit, npm audit and cargo-audit parsers.
