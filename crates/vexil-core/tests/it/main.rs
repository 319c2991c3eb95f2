//! Integration tests of vexil-core: golden tests on the real files of `../shared/data`.

// Test helpers may unwrap: a panic there is a failed test with a backtrace.
#![allow(clippy::unwrap_used)]

mod alpine;
mod debian;
mod inventory;
mod inventory_lockfile_go_java;
mod inventory_lockfile_js;
mod inventory_lockfile_other;
mod inventory_os;
mod inventory_sbom;
mod inventory_scanner;
mod inventory_scanner_small;
mod kev_epss;
mod match_distro;
mod match_osv;
mod nvd;
mod osv;
mod rules;
mod vex;

use vexil_testdata as shared;
