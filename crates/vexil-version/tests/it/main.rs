//! Integration tests of `vexil-version`: the real upstream vectors and the algebraic laws.

mod properties;
mod shared;
mod vectors;
