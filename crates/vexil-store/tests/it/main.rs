//! The store's test suite, run against every backend: SQLite always, PostgreSQL when
//! `VEXIL_TEST_POSTGRES_URL` is set (and always under `CI=true`, where `.ci/run` starts one).

// Test helpers may unwrap: a panic there is a failed test with a backtrace.
#![allow(clippy::unwrap_used)]

mod backends;
mod feeds;
mod findings;
mod inventory;

use vexil_testdata as shared;
