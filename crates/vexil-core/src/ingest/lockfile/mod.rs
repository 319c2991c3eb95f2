//! Lockfiles and manifests with pinned versions, one file per format.

pub mod bun;
pub mod cargo;
pub mod composer;
pub mod gemfile;
pub mod gomod;
pub mod gradle;
mod js_graph;
mod js_package;
mod js_serde;
mod js_tree;
pub mod maven;
pub mod npm;
pub mod pipfile;
pub mod pnpm;
pub mod poetry;
mod py_lock;
pub mod pylock;
pub mod requirements;
pub mod uv;
pub mod yarn;
