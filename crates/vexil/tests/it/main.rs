//! End-to-end tests of the `vexil` binary: what a user or a CI job sees.

// Test helpers may unwrap: a panic there is a failed test with a backtrace.
#![allow(clippy::unwrap_used)]

mod check;
mod common;
mod feeds;
mod gate;
mod inventory;
mod rules;
mod scan;
mod version;
mod vex;
