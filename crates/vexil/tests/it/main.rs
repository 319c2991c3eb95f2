//! End-to-end tests of the `vexil` binary: what a user or a CI job sees.

mod version;
