//! One module per command; `run` dispatches.

mod affected;
mod check;
mod explain;
mod feeds;
mod findings;
mod gate;
mod inventory;
mod rules;
mod scan;
mod version;
mod vex;

use crate::cli::{Cli, Command};
use std::path::Path;

use crate::config::Loaded;
use crate::exit::{InputError, Outcome};

pub(crate) fn run(cli: Cli) -> anyhow::Result<Outcome> {
    // Every command but `version` talks to the database: its URL from the configuration, and
    // a runtime to drive it.
    let database = || -> anyhow::Result<(tokio::runtime::Runtime, String, Loaded)> {
        let loaded = crate::config::load(cli.config.as_deref())?;
        let url = crate::config::database_url(cli.database.as_deref(), &loaded);
        Ok((runtime()?, url, loaded))
    };
    match cli.command {
        Command::Version(command) => version::run(command),
        Command::Feeds(command) => {
            let (rt, url, _) = database()?;
            rt.block_on(feeds::run(command, &url))
        }
        Command::Inventory(command) => {
            let (rt, url, _) = database()?;
            rt.block_on(inventory::run(command, &url))
        }
        Command::Check(args) => {
            let (rt, url, loaded) = database()?;
            rt.block_on(check::run(args, &url, &loaded.config.severity))
        }
        Command::Scan(args) => {
            let (rt, url, loaded) = database()?;
            rt.block_on(scan::run(args, &url, &loaded.config.severity))
        }
        Command::Findings(command) => {
            let (rt, url, loaded) = database()?;
            rt.block_on(findings::run(command, &url, &loaded.config))
        }
        Command::Affected(args) => {
            let (rt, url, loaded) = database()?;
            rt.block_on(affected::run(args, &url, &loaded))
        }
        Command::Explain(args) => {
            let (rt, url, _) = database()?;
            rt.block_on(explain::run(args, &url))
        }
        Command::Gate(args) => {
            let (rt, url, loaded) = database()?;
            rt.block_on(gate::run(args, &url, &loaded))
        }
        Command::Vex(command) => {
            let (rt, url, _) = database()?;
            rt.block_on(vex::run(command, &url))
        }
        Command::Rules(command) => {
            let (rt, url, loaded) = database()?;
            rt.block_on(rules::run(command, &url, &loaded))
        }
    }
}

/// The time recorded for an import or scan, to the second (history reads better without
/// nanoseconds; events within one command share it).
pub(crate) fn now() -> jiff::Timestamp {
    let now = jiff::Timestamp::now();
    now.round(jiff::Unit::Second).unwrap_or(now)
}

/// Opens the store at `url`, runs `work` on it, and closes it whatever `work` returned (so an
/// early error still leaves SQLite checkpointed and PostgreSQL connections ended cleanly).
pub(crate) async fn with_store<T>(
    url: &str,
    work: impl AsyncFnOnce(&vexil_store::Store) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let store = vexil_store::Store::open(url).await?;
    let result = work(&store).await;
    store.close().await;
    result
}

/// The async runtime for commands that talk to a database or a network.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the async runtime: {e}"))
}

pub(crate) fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path)
        .map_err(|e| InputError(format!("cannot read `{}`: {e}", path.display())).into())
}
