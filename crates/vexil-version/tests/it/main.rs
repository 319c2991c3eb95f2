//! Integration tests of `vexil-version`: the real upstream vectors and the algebraic laws.

// Test helpers may unwrap: a panic there is a failed test with a backtrace.
#![allow(clippy::unwrap_used)]

mod properties;
mod vectors;

use vexil_testdata as shared;
