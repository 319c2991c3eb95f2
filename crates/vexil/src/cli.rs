//! The command-line grammar (clap derive). Commands live in `commands/`, one file each.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output::Format;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  the check failed (failing vectors; later: gate failed, findings over threshold)
  2  usage, configuration or input error
  3  runtime failure (network, database)";

/// Vexil: which deployed components are exposed to which vulnerabilities, what was already
/// triaged and why, what is overdue, and may this release ship.
#[derive(Debug, Parser)]
#[command(name = "vexil", version, after_help = EXIT_CODES)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Compare versions with an ecosystem's own ordering rules.
    #[command(subcommand)]
    Version(VersionCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum VersionCommand {
    /// Print `<`, `=` or `>`: how version A orders against version B.
    #[command(after_help = "\
Examples:
  vexil version compare --ecosystem Debian 1.0~rc1-1 1.0-1      # prints <
  vexil version compare --ecosystem PyPI 1.0.post1 1.0           # prints >
  vexil version compare --ecosystem Alpine:v3.20 1.2.3-r0 1.2.3_p1-r0

The NVD/CPE comparator (--ecosystem NVD) may print `?`: the versions are not comparable.
An invalid version exits 2 and says what was expected.")]
    Compare(CompareArgs),
    /// Run a file of version-ordering vectors and report every failing line.
    #[command(after_help = "\
Line formats (one per line; blank lines and lines starting with # or // are skipped):
  A OP B      OP is < = > <= >= != (apk also ~ <~ >~), or !OP for \"must not hold\"
  A B R       dpkg style: R is -1, 0 or 1, the sign of cmp(A, B)
  V / !V      V must be a valid / an invalid version (see --expect)

Example:
  vexil version check --ecosystem Debian --file debian-versions.txt

Exits 0 when every line passes, 1 when any fails, 2 on a malformed line.")]
    Check(CheckArgs),
}

/// Names an ecosystem (or a version scheme) for the version commands.
#[derive(Debug, Args)]
pub(crate) struct EcosystemArg {
    /// OSV ecosystem name, case-insensitive, optionally with a release (`npm`, `PyPI`, `Go`,
    /// `Maven`, `Debian:12`, `Alpine:v3.20`, `Red Hat`, `NVD`…), or a scheme name (`dpkg`, `rpm`).
    #[arg(long, short = 'e', value_name = "ECO")]
    pub(crate) ecosystem: String,
}

#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    #[command(flatten)]
    pub(crate) ecosystem: EcosystemArg,
    /// The left-hand version.
    #[arg(allow_hyphen_values = true)]
    pub(crate) a: String,
    /// The right-hand version.
    #[arg(allow_hyphen_values = true)]
    pub(crate) b: String,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub(crate) ecosystem: EcosystemArg,
    /// The vector file to run.
    #[arg(long, short = 'f', value_name = "VECTORS")]
    pub(crate) file: PathBuf,
    /// What a line holding a single version asserts (`!V` always means invalid).
    #[arg(long, value_enum, default_value_t)]
    pub(crate) expect: Expect,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

/// What a bare one-version line of a vector file asserts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum Expect {
    /// Each bare version must parse.
    #[default]
    Valid,
    /// Each bare version must be refused (osv.dev's invalid-version lists).
    Invalid,
}
