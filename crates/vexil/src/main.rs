//! The `vexil` binary: parses the command line, runs one command, maps the outcome to an exit code.
//!
//! Exit codes (the same for every command, listed in `--help` and README):
//! 0 ok · 1 the check failed (gate, findings, failing vectors) · 2 usage, configuration or input
//! error · 3 runtime failure (network, database).

mod cli;
mod commands;
mod config;
mod exit;
mod output;

use std::process::ExitCode;

/// mimalloc instead of the system allocator: feed imports allocate and free millions of small
/// strings, where glibc's malloc both spends a fifth of the time and fragments the heap.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(outcome) => outcome.into(),
        Err(err) => exit::report(&err),
    }
}

/// `vexil findings list | head` closes the pipe early: Rust ignores SIGPIPE, so `println!`
/// panics. That is the reader's choice, not a failure: leave quietly with the shell's code for
/// a closed pipe (128 + SIGPIPE) instead of a panic message.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}
