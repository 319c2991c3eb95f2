//! `vexil version compare|check`: ecosystem version ordering from the command line.

use std::cmp::Ordering;

use anyhow::Context;
use serde_json::json;
use vexil_version::vectors::{self, BareLines};
use vexil_version::{EcosystemName, Scheme};

use crate::cli::{CheckArgs, CompareArgs, EcosystemArg, Expect, VersionCommand};
use crate::exit::{InputError, Outcome};
use crate::output::Format;

pub(crate) fn run(command: VersionCommand) -> anyhow::Result<Outcome> {
    match command {
        VersionCommand::Compare(args) => compare(args),
        VersionCommand::Check(args) => check(args),
    }
}

/// The scheme for `--ecosystem`: an OSV ecosystem name, else a scheme name.
fn scheme(arg: &EcosystemArg) -> anyhow::Result<Scheme> {
    match arg.ecosystem.parse::<EcosystemName>() {
        Ok(name) => Ok(name.ecosystem.scheme()),
        Err(unknown) => arg.ecosystem.parse::<Scheme>().map_err(|_| unknown.into()),
    }
}

fn compare(args: CompareArgs) -> anyhow::Result<Outcome> {
    let scheme = scheme(&args.ecosystem)?;
    let ordering = scheme.compare_str(&args.a, &args.b)?;
    let symbol = ordering.map_or("?", vectors::symbol);
    match args.format {
        Format::Text => println!("{symbol}"),
        Format::Json => {
            let result = match ordering {
                Some(Ordering::Less) => "less",
                Some(Ordering::Equal) => "equal",
                Some(Ordering::Greater) => "greater",
                None => "not_comparable",
            };
            let doc = json!({"scheme": scheme.name(), "a": args.a, "b": args.b, "result": result});
            println!("{doc}");
        }
    }
    Ok(Outcome::Success)
}

fn check(args: CheckArgs) -> anyhow::Result<Outcome> {
    let scheme = scheme(&args.ecosystem)?;
    let path = &args.file;
    let bytes = std::fs::read(path)
        .map_err(|e| InputError(format!("cannot read `{}`: {e}", path.display())))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        InputError(format!(
            "`{}` is not UTF-8 text (invalid byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })?;
    let bare = match args.expect {
        Expect::Valid => BareLines::MustBeValid,
        Expect::Invalid => BareLines::MustBeInvalid,
    };
    let cases = vectors::parse(&text, bare)
        .with_context(|| format!("`{}` is not a vector file", path.display()))?;
    let report = vectors::run(scheme, &cases);
    let failed = report.failures.len();
    match args.format {
        Format::Text => {
            for failure in &report.failures {
                println!("{failure}");
            }
            println!("{} passed, {failed} failed", report.passed);
        }
        Format::Json => {
            let failures: Vec<_> = report
                .failures
                .iter()
                .map(|f| json!({"line": f.case.line, "message": f.to_string()}))
                .collect();
            let doc = json!({
                "scheme": scheme.name(),
                "file": path.display().to_string(),
                "passed": report.passed,
                "failed": failed,
                "failures": failures,
            });
            println!("{doc}");
        }
    }
    Ok(if failed == 0 {
        Outcome::Success
    } else {
        Outcome::Failed
    })
}
