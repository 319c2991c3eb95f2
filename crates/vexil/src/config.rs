//! Where Vexil finds its configuration and database: `--config`, else `vexil.toml` in the current
//! directory or a parent; the database is `--database`, else `VEXIL_DATABASE_URL`, else
//! `database` in `vexil.toml`, else `sqlite://.vexil/vexil.db` beside `vexil.toml` (or here).

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::exit::InputError;

/// The parts of `vexil.toml` read so far (more sections arrive with rules, gate and SLA).
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct Config {
    pub(crate) database: Option<String>,
    /// `[severity]`: which source's rating a finding takes (`authority`), and the rating when
    /// none speaks (`default`).
    #[serde(default)]
    pub(crate) severity: vexil_core::output::severity::SeverityPolicy,
    /// `[sla]`: business days per severity to fix a finding, and holidays.
    #[serde(default)]
    pub(crate) sla: vexil_core::output::sla::SlaPolicy,
    /// `[gate]`: what fails a release.
    #[serde(default)]
    pub(crate) gate: vexil_core::output::gate::GatePolicy,
}

/// The configuration file in use, if any, and its contents.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub(crate) path: Option<PathBuf>,
    pub(crate) config: Config,
}

/// Finds `vexil.toml` from `start` upwards.
fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join("vexil.toml"))
        .find(|p| p.is_file())
}

pub(crate) fn load(explicit: Option<&Path>) -> anyhow::Result<Loaded> {
    let path = match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => find(&std::env::current_dir().context("cannot read the current directory")?),
    };
    let Some(path) = path else {
        return Ok(Loaded::default());
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| InputError(format!("cannot read `{}`: {e}", path.display())))?;
    let config: Config =
        toml::from_str(&text).map_err(|e| InputError(format!("`{}`: {e}", path.display())))?;
    Ok(Loaded {
        path: Some(path),
        config,
    })
}

impl Loaded {
    /// The directory `rules/` and `deferred.toml` sit in: vexil.toml's, else the current one.
    pub(crate) fn base_dir(&self) -> PathBuf {
        match self.path.as_deref().and_then(Path::parent) {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }
}

/// `--today`, else today (UTC): the day dates (SLA, expiries, re-checks) are judged on.
pub(crate) fn today(arg: Option<&str>) -> anyhow::Result<jiff::civil::Date> {
    match arg {
        Some(s) => s.parse().map_err(|e| {
            InputError(format!(
                "`--today {s}` is not a date: {e}; expected YYYY-MM-DD"
            ))
            .into()
        }),
        None => Ok(jiff::tz::Offset::UTC
            .to_datetime(jiff::Timestamp::now())
            .date()),
    }
}

/// The database URL by the documented order of precedence.
pub(crate) fn database_url(flag: Option<&str>, loaded: &Loaded) -> String {
    if let Some(url) = flag {
        return url.to_owned();
    }
    if let Ok(url) = std::env::var("VEXIL_DATABASE_URL")
        && !url.is_empty()
    {
        return url;
    }
    if let Some(url) = &loaded.config.database {
        return url.clone();
    }
    match loaded.path.as_deref().and_then(Path::parent) {
        Some(dir) if !dir.as_os_str().is_empty() => {
            format!("sqlite://{}", dir.join(".vexil/vexil.db").display())
        }
        _ => vexil_store::DEFAULT_SQLITE_URL.to_owned(),
    }
}
