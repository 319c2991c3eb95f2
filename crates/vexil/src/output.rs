//! Output formats shared by every command: `--format text|json`.

use clap::ValueEnum;

/// How a command prints its answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// For people.
    #[default]
    Text,
    /// One JSON document on stdout, for machines.
    Json,
}
