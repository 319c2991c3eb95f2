//! Version parsing and ordering for every ecosystem Vexil matches.
//!
//! A wrong `<` makes a vulnerable release look fixed, so each scheme reproduces the ordering of
//! the upstream tool that defines it, checked against that tool's own test vectors. Parsing is
//! total: an invalid version is a [`ParseError`] naming the scheme, the input and what was
//! expected, never a panic. This crate uses `std` only and does no I/O.
//!
//! # Schemes and their quirks
//!
//! QUIRKS-PLACEHOLDER

mod error;
mod num;
mod scheme;

pub mod ecosystem;
pub mod vectors;

pub mod apk;
pub mod cran;
pub mod dpkg;
pub mod go;
pub mod hackage;
pub mod maven;
pub mod nuget;
pub mod packagist;
pub mod pep440;
pub mod pubdev;
pub mod rpm;
pub mod rubygems;
pub mod semver;
pub mod upstream;

pub use ecosystem::{Ecosystem, EcosystemName, UnknownEcosystem};
pub use error::ParseError;
pub use scheme::{Scheme, Version};
