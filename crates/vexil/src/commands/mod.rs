//! One module per command; `run` dispatches.

mod version;

use crate::cli::{Cli, Command};
use crate::exit::Outcome;

pub(crate) fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Version(command) => version::run(command),
    }
}
