//! Outcomes and errors mapped to the exit codes a CI job relies on.

use std::process::ExitCode;

/// How a command that ran to completion ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: the command worked and its answer is "no" (failing vectors, a failed gate).
    Failed,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> ExitCode {
        match outcome {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::Failed => ExitCode::from(1),
        }
    }
}

/// Marks an error as the user's input being wrong (exit 2) rather than the machine failing (3).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct InputError(pub(crate) String);

/// Exit code 2 for usage, configuration and input errors.
pub(crate) const INPUT: u8 = 2;
/// Exit code 3 for runtime failures (network, database, I/O not caused by the input).
pub(crate) const RUNTIME: u8 = 3;

/// Prints `error: …` with its causes and returns the exit code for it.
pub(crate) fn report(err: &anyhow::Error) -> ExitCode {
    eprintln!("error: {err}");
    for cause in err.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    let is_input = err.chain().any(|e| {
        e.is::<InputError>()
            || e.is::<vexil_version::ParseError>()
            || e.is::<vexil_version::UnknownEcosystem>()
            || e.is::<vexil_version::vectors::MalformedLine>()
            || e.is::<vexil_core::ingest::IngestError>()
            || matches!(
                e.downcast_ref(),
                Some(vexil_store::StoreError::UnsupportedUrl { .. })
            )
    });
    ExitCode::from(if is_input { INPUT } else { RUNTIME })
}
