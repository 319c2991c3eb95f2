//! Integration tests: `fetch` against real HTTP servers started on 127.0.0.1 inside each test.

// Tests may unwrap: a panic there is a failed test with a backtrace, which is what we want.
#![allow(clippy::unwrap_used)]

mod fetch;
mod server;

use vexil_testdata as shared;
